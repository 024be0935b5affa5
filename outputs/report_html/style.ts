/**
 * The report page's style sheet and its colors. It is inline (the page loads nothing), allowed by
 * the page's Content Security Policy (`style-src 'unsafe-inline'`, which the bars' widths need
 * too), and holds no `url()`: no fonts, no images.
 *
 * @module
 */

import { LOG_CHANGE_KINDS, type LogChangeKind } from "../../report/model.ts";

/** One color per change kind, the same in the timeline, the legends and the table's badges. */
export const KIND_COLORS: Readonly<Record<LogChangeKind, string>> = {
  listen: "#6d28d9",
  bind: "#a21caf",
  connect: "#047857",
  state: "#0369a1",
  owner: "#c2410c",
  close: "#64748b",
  seen: "#78716c",
};

/** The color of changes that are neither new listeners nor connections, in the hours chart. */
export const OTHER_COLOR = "#94a3b8";

/** The style sheet. */
export const CSS = `
:root{--fg:#0f172a;--muted:#475569;--faint:#94a3b8;--line:#e2e8f0;--bg:#f1f5f9;--card:#fff;
--alert:#dc2626;--alert-bg:#fef2f2;--alert-fg:#991b1b;--warning:#d97706;--warning-bg:#fffbeb;
--warning-fg:#92400e;--info:#2563eb;--info-bg:#eff6ff;--info-fg:#1e40af;--accent:#1e40af}
*{box-sizing:border-box}
html{font-size:14px}
body{margin:0;background:var(--bg);color:var(--fg);line-height:1.4;
font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Liberation Sans",Arial,
sans-serif;font-variant-numeric:tabular-nums}
code,.src,.addr,.subject,.path,.port{font-family:ui-monospace,"SFMono-Regular","Cascadia Mono",
"DejaVu Sans Mono","Liberation Mono",Menlo,Consolas,monospace;font-size:12.5px}
header.top{background:#0f172a;color:#e2e8f0;padding:16px 24px 10px}
.top-inner{display:flex;flex-wrap:wrap;gap:12px 40px;align-items:flex-end;max-width:1400px;
margin:0 auto}
.eyebrow{font-size:11px;letter-spacing:.08em;text-transform:uppercase;color:#94a3b8}
h1{margin:2px 0 2px;font-size:24px;color:#fff;font-weight:650}
.dir{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:13px;color:#cbd5e1}
dl.facts{display:flex;flex-wrap:wrap;gap:6px 28px;margin:0}
dl.facts dt{font-size:11px;text-transform:uppercase;letter-spacing:.05em;color:#94a3b8}
dl.facts dd{margin:0;font-size:14px;color:#fff;font-weight:550}
.arrow{color:#94a3b8}
.basis{max-width:1400px;margin:8px auto 0;font-size:12px;color:#94a3b8}
main{max-width:1400px;margin:0 auto;padding:16px 24px 8px}
.cards{display:grid;grid-template-columns:repeat(5,1fr);gap:12px;margin-bottom:14px}
.stat{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 14px}
.stat-label{font-size:11px;text-transform:uppercase;letter-spacing:.05em;color:var(--muted)}
.big{font-size:26px;font-weight:700;line-height:1.2;display:block}
.stat-sub{font-size:12px;color:var(--muted);min-height:20px}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 16px 14px;
margin-bottom:14px;min-width:0;overflow-x:auto}
.card-head{display:flex;align-items:baseline;gap:12px;flex-wrap:wrap;margin-bottom:8px}
h2{font-size:15px;margin:0;font-weight:650}
h3{font-size:13px;margin:12px 0 4px}
.note{font-size:12px;color:var(--muted)}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,640px),1fr));gap:0 14px;
align-items:start}
.grid-a{grid-template-columns:minmax(0,3fr) minmax(min-content,7fr)}
.grid .card{margin-bottom:14px}
.empty{color:var(--muted);margin:6px 0;font-style:italic}
.empty.ok{color:#166534;font-style:normal}
table.data{border-collapse:collapse;width:100%;font-size:13px}
table.data th{text-align:left;font-size:11px;text-transform:uppercase;letter-spacing:.04em;
color:var(--muted);font-weight:600;padding:4px 8px;border-bottom:1px solid #cbd5e1;
white-space:nowrap;background:var(--card)}
table.data td{padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}
table.data tbody tr:hover td{background:#f8fafc}
.num{text-align:right;white-space:nowrap}
th.num{text-align:right}
.time{white-space:nowrap}
.name{font-weight:600}
.path{color:var(--muted);font-size:11.5px;white-space:nowrap;overflow:hidden;
text-overflow:ellipsis;max-width:min(260px,25vw)}
.path,.cpath,.src-clip{direction:rtl;text-align:left}
.tail-text{direction:ltr;unicode-bidi:isolate}
.cpath{display:block;max-width:140px;overflow:hidden;text-overflow:ellipsis;
color:var(--faint);font-size:11px;line-height:1.25;
font-family:ui-monospace,"DejaVu Sans Mono",monospace}
.cpath.sev-alert,.path.sev-alert{color:var(--alert);font-weight:600}
.cpath.sev-warning{color:var(--warning-fg)}
.nowrap,.port,td.addr{white-space:nowrap}
.list{color:var(--muted);font-size:12.5px}
.nb{white-space:nowrap}
.clip{display:inline-block;max-width:92px;overflow:hidden;text-overflow:ellipsis;
white-space:nowrap;vertical-align:bottom}
td.svc{white-space:nowrap}
.muted{color:var(--faint)}
.proto{color:var(--muted);font-size:11px}
.warn-text{color:var(--warning-fg)!important;font-weight:700}
.alert-text{color:var(--alert)}
td.share{width:150px;white-space:nowrap}
.top td.share{width:auto}
.bar{display:inline-block;vertical-align:middle;width:80px;height:9px;background:#e2e8f0;
border-radius:2px;overflow:hidden;margin-right:8px}
.bar .fill{display:block;height:100%;background:#3b82f6}
.bar-label{display:inline-block;min-width:44px;text-align:right;vertical-align:middle}
tr.sev-alert .bar .fill{background:var(--alert)}
tr.sev-warning .bar .fill{background:var(--warning)}
.pill{display:inline-block;padding:1px 8px;border-radius:10px;font-size:11.5px;font-weight:650;
color:#fff;margin-right:4px;text-transform:uppercase;letter-spacing:.03em}
.pill.sev-alert{background:var(--alert)}
.pill.sev-warning{background:#b45309}
.pill.sev-info{background:var(--info)}
.mark{font-size:12px;margin-left:3px}
.mark.sev-alert{color:var(--alert)}
.mark.sev-warning{color:var(--warning)}
.mark.sev-info{color:var(--info)}
table.flags td{padding:6px 8px;vertical-align:middle}
tr.flag td:first-child{border-left:4px solid transparent}
tr.flag.sev-alert,tr.flag.sev-alert td{background:var(--alert-bg)}
tr.flag.sev-alert td:first-child{border-left-color:var(--alert)}
tr.flag.sev-warning,tr.flag.sev-warning td{background:var(--warning-bg)}
tr.flag.sev-warning td:first-child{border-left-color:var(--warning)}
tr.flag.sev-info,tr.flag.sev-info td{background:var(--info-bg)}
tr.flag.sev-info td:first-child{border-left-color:var(--info)}
tr.flag .subject{font-weight:700;font-size:13px}
tr.flag .detail{margin-top:1px}
table.flags td.seen{font-size:12.5px;line-height:1.35}
table.flags .listeners{margin-top:3px;font-size:12px;color:var(--muted);line-height:1.5}
table.flags .listener{white-space:nowrap}
table.flags .listeners .more{white-space:nowrap}
table.flags th,.top table.data th{white-space:normal}
.until{color:var(--muted)}
tr.flag.sev-alert .subject{color:var(--alert-fg)}
tr.flag.sev-warning .subject{color:var(--warning-fg)}
tr.flag.sev-info .subject{color:var(--info-fg)}
.fkind{font-weight:600}
td.link{text-align:right;white-space:nowrap}
a.go{color:var(--accent);text-decoration:none;font-size:12px}
a.go:hover{text-decoration:underline}
#flags{border-top:3px solid #16a34a}
#flags.worst-alert{border-top-color:var(--alert)}
#flags.worst-warning{border-top-color:var(--warning)}
#flags.worst-info{border-top-color:var(--info)}
.legend{display:flex;flex-wrap:wrap;gap:4px 16px;font-size:12px;color:var(--muted);
margin:0 0 6px}
.key i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px;
vertical-align:-1px}
.key i.lane-swatch{width:22px;background:linear-gradient(90deg,#e0e8f8,#3b6fd8)}
.key i.flag-swatch{width:0;height:0;border-radius:0;border:5px solid transparent;
border-top:7px solid var(--alert);border-bottom:0;vertical-align:1px}
svg .tl-flag{fill:var(--alert)}
svg.chart{display:block;width:100%;height:auto;font-size:11px;
font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
#hours-chart{max-width:560px}
svg .grid{stroke:#e2e8f0;stroke-width:1}
svg .tick{stroke:#eef2f7;stroke-width:1}
svg .tick.day{stroke:#94a3b8;stroke-dasharray:3 3}
svg .ylabel{text-anchor:end;fill:#64748b}
svg .xlabel{fill:#475569}
svg .xlabel.day{font-weight:700;fill:#0f172a}
svg .axis-title{text-anchor:end;fill:#94a3b8;font-size:10.5px}
svg .axis-title.left{text-anchor:start}
svg .lane-bg{fill:#f1f5f9}
svg .lane-label{text-anchor:end;fill:#334155;font-size:11.5px;font-weight:600}
svg .lane-label.sev-alert{fill:#b91c1c}
svg .lane-label.sev-warning{fill:#b45309}
svg .hour-hit{fill:transparent}
svg g.hour:hover .hour-hit,svg g.tl-bucket:hover rect{opacity:.8}
.k{display:inline-block;min-width:52px;text-align:center;padding:0 6px;border-radius:3px;
font-size:11.5px;font-weight:600;color:#fff;line-height:18px}
${LOG_CHANGE_KINDS.map((k) => `.k-${k}{background:${KIND_COLORS[k]}}`).join("\n")}
.listening{font-size:10.5px;color:#1e40af;background:#dbeafe;border-radius:3px;padding:0 4px}
ul.services{margin:0;padding:0;list-style:none}
ul.services li{margin:0 0 2px}
ul.services code{white-space:nowrap}
.more-toggle{display:none}
.more-label{float:right;margin-top:-30px;font-size:12px;color:var(--accent);cursor:pointer;
user-select:none}
.more-label .hide,.more-toggle:checked+.more-label .show{display:none}
.more-toggle:checked+.more-label .hide{display:inline}
.more-toggle:not(:checked)~table tr.more{display:none}
.controls{display:none;gap:10px;align-items:center;flex-wrap:wrap;margin-bottom:6px}
.js .controls{display:flex}
.controls input[type=search]{width:340px;padding:5px 8px;border:1px solid #cbd5e1;border-radius:6px;
font:inherit}
.controls select,.controls button{padding:4px 8px;border:1px solid #cbd5e1;border-radius:6px;
background:#fff;font:inherit}
.controls button{cursor:pointer}
.check{font-size:13px;white-space:nowrap}
.count-line{font-size:12.5px;color:var(--muted);margin:2px 0 6px;display:flex;gap:16px;
flex-wrap:wrap}
#changes-count{font-weight:650;color:var(--fg)}
.omitted{color:var(--muted)}
.scroll{max-height:640px;overflow:auto;border:1px solid var(--line);border-radius:6px}
.scroll table.data th{position:sticky;top:0;z-index:1}
table.changes{font-size:12px}
table.changes td,table.changes th{padding:2px 5px;white-space:nowrap}
table.changes .k{min-width:46px}
table.changes .addr{font-size:12px;white-space:normal}
table.changes .to{white-space:nowrap}
.cut{display:inline-block;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;
vertical-align:bottom}
.cut-user{max-width:100px}
table.changes td.src{color:var(--muted);font-size:11px}
.src-clip{display:inline-block;max-width:100px;overflow:hidden;text-overflow:ellipsis;
vertical-align:bottom}
.top table.data th,.top table.data td{padding-left:4px;padding-right:4px}
.top table.data th:first-child,.top table.data td:first-child{padding-left:0}
.top .bar{width:40px;margin-right:6px}
.top td.addr{font-size:12px}
.top .bar-label{min-width:38px}
.top td.time{white-space:normal}
tr.change.flagged td{background:var(--alert-bg)}
tr.change.flagged td:first-child{box-shadow:inset 3px 0 var(--alert)}
table.sortable th{cursor:pointer}
table.sortable th[aria-sort=ascending]::after{content:" ▲";font-size:9px}
table.sortable th[aria-sort=descending]::after{content:" ▼";font-size:9px}
dl.meta{display:flex;flex-wrap:wrap;gap:4px 28px;margin:0 0 10px;font-size:13px}
dl.meta dt{font-size:11px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
dl.meta dd{margin:0;font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:12.5px}
ul.problems{margin:0;padding-left:18px;color:var(--warning-fg)}
footer{max-width:1400px;margin:0 auto;padding:4px 24px 24px;font-size:12px;color:var(--muted)}
@media (max-width:1150px){.grid-a{grid-template-columns:1fr}}
@media (max-width:900px){.cards{grid-template-columns:repeat(2,1fr)}}
@media (max-width:1100px){
table.flags,table.flags tbody{display:block}
table.flags thead,table.flags colgroup{display:none}
table.flags tr.flag{display:flex;flex-wrap:wrap;align-items:baseline;gap:2px 12px;padding:6px 8px;
border-bottom:1px solid var(--line)}
table.flags td{display:block;padding:0;border:0}
table.flags tr.flag td:first-child{border-left:0}
table.flags td.about{order:1;flex-basis:100%}
table.flags td.seen{order:2}
table.flags td.link{order:3;margin-left:auto}
table.flags td.count::after{content:" lines"}
tr.flag.sev-alert{box-shadow:inset 4px 0 var(--alert)}
tr.flag.sev-warning{box-shadow:inset 4px 0 var(--warning)}
tr.flag.sev-info{box-shadow:inset 4px 0 var(--info)}}
@media (max-width:1270px){
table.changes,table.changes thead,table.changes tbody{display:block}
table.changes thead{position:sticky;top:0;z-index:1;background:var(--card)}
table.changes tr{display:flex;flex-wrap:wrap;align-items:baseline;gap:0 12px;padding:3px 6px;
border-bottom:1px solid var(--line)}
table.changes tr[hidden]{display:none}
table.changes th,table.changes td{display:block;padding:0;border:0}
.scroll table.changes th{position:static}
tr.change.flagged{background:var(--alert-bg);box-shadow:inset 3px 0 var(--alert)}
tr.change.flagged td:first-child{box-shadow:none}}
@media print{body{background:#fff}.scroll{max-height:none;overflow:visible}.controls{display:none}}
`;
