/**
 * `portset report LOGDIR --html FILE`: the report as one self-contained HTML page for an operator.
 *
 * Everything is rendered here, into the HTML string, so the page reads the same with scripts off:
 * the flags first, then a timeline of port activity and the hours of the day (inline SVG), the
 * busiest processes, remote addresses and ports, users, shared service processes, and the table of
 * changes. A small inline script only filters and sorts; it reads its initial filter from the URL's
 * hash (`#filter=sshd&kind=listen&flagged=1`) and keeps the hash up to date.
 *
 * The page loads nothing: no external scripts, styles, fonts or images, and a Content Security
 * Policy that forbids them. Names from the logs (processes, users, paths) are attacker-chosen, so
 * every one is HTML-escaped with its control characters shown as `?`, and the report's JSON is
 * embedded with `<`, `>` and `&` written as `\u` escapes, so no name can end the script block.
 *
 * @module
 */

import {
  CHANGE_KINDS,
  type ChangeKind,
  type ChangeRow,
  type Flag,
  type Report,
} from "../report/model.ts";
import { formatAddressPort } from "../model/address.ts";
import { formatLogTime, parseLogDateTime } from "../report/log_time.ts";
import { printableField } from "./printable.ts";

/** One color per change kind, the same in the timeline, the legends and the table's badges. */
export const KIND_COLORS: Readonly<Record<ChangeKind, string>> = {
  listen: "#6d28d9",
  bind: "#a21caf",
  connect: "#047857",
  state: "#0369a1",
  owner: "#c2410c",
  close: "#64748b",
  seen: "#78716c",
};

const KIND_MEANING: Readonly<Record<ChangeKind, string>> = {
  listen: "a TCP socket began listening",
  bind: "a UDP socket was bound",
  connect: "a connection was made",
  state: "a TCP connection changed state",
  owner: "a socket changed owner",
  close: "a socket closed",
  seen: "a Port Reporter line (the original logs no kind)",
};

const SEVERITIES = ["alert", "warning", "info"] as const;

const FLAG_KIND_LABEL: Readonly<Record<Flag["kind"], string>> = {
  "port-of-interest": "Port of interest",
  "process-of-interest": "Process of interest",
  "module-of-interest": "Module of interest",
  "user-of-interest": "User of interest",
  "remote-of-interest": "Remote address of interest",
  "unexpected-directory": "Unexpected directory",
  "new-listener": "New listener",
};

/** Rows of a top list shown before its "show all" toggle. */
const TOP_ROWS = 12;

/** The Content Security Policy of the page: nothing from anywhere, inline style and script only. */
export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; " +
  "script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

/** Text for HTML content or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return printableField(text).replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * JSON that can sit inside `<script type="application/json">`: `<`, `>` and `&` (so neither
 * `</script>` nor `<!--` can appear) and the two JavaScript line separators are `\u` escapes,
 * which JSON.parse reads back as the same characters.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"),
  );
}

/** The words a change row is found by in the filter box, lower case: every column's text. */
export function changeSearchText(row: ChangeRow): string {
  const remote = row.remoteAddress === null
    ? ""
    : `${row.remoteAddress} ${addressPort(row.remoteAddress, row.remotePort)}`;
  return [
    row.time,
    row.time.replace("T", " "),
    row.change,
    row.protocol,
    `${row.protocol} ${row.localPort}`,
    row.localAddress,
    addressPort(row.localAddress, row.localPort),
    remote,
    row.pid ?? "",
    row.process ?? "",
    row.path ?? "",
    row.user ?? "",
    row.state ?? "",
    row.source,
    row.flagged ? "flagged" : "",
  ].join("\n").toLowerCase();
}

/** Whether every whitespace-separated term of `query` occurs in the row's search text. */
export function changeMatches(row: ChangeRow, query: string): boolean {
  const text = changeSearchText(row);
  return query.toLowerCase().split(/\s+/).every((term) => term === "" || text.includes(term));
}

/** The whole report as one HTML document. */
export function formatReportHtml(report: Report): string {
  const flagged = flaggedSubjects(report.flags);
  const title = `portset report: ${report.hosts.join(", ") || report.directory}`;
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="generator" content="portset ' + escapeHtml(report.portset) + '">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${CSS}</style>`,
    "</head>",
    "<body>",
    header(report),
    "<main>",
    summaryCards(report),
    flagsSection(report),
    timelineSection(report, flagged),
    '<div class="grid grid-a">',
    hoursSection(report),
    processesSection(report, flagged),
    '</div><div class="grid">',
    remotesSection(report, flagged),
    portsSection(report, flagged),
    '</div><div class="grid">',
    usersSection(report, flagged),
    sharedSection(report),
    "</div>",
    changesSection(report, flagged),
    sourcesSection(report),
    "</main>",
    `<footer>Made by portset ${escapeHtml(report.portset)} (${
      escapeHtml(report.format)
    }). This page loads nothing from the network; the report's data is in the ` +
    "<code>report-data</code> block as JSON.</footer>",
    `<script type="application/json" id="report-data">${jsonForScript(report)}</script>`,
    `<script>${SCRIPT}</script>`,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

// ---------------------------------------------------------------------------------------------
// Formatting helpers.

function int(n: number): string {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

function percent(share: number): string {
  if (!(share > 0)) return "0%";
  if (share < 0.001) return "<0.1%";
  if (share >= 0.9995 && share < 1) return ">99.9%";
  return `${(Math.min(share, 1) * 100).toFixed(share >= 0.1 ? 0 : 1)}%`;
}

/** `35 h 16 min`, `4 d 3 h`, `12 min 5 s`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ""}`;
  const hours = Math.floor(s / 3600), minutes = Math.floor((s % 3600) / 60);
  if (s < 4 * 86400) return `${hours} h${minutes ? ` ${minutes} min` : ""}`;
  const days = Math.floor(s / 86400), rest = hours % 24;
  return `${days} d${rest ? ` ${rest} h` : ""}`;
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = n / 1024, unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

function when(time: string | null): string {
  return time === null ? "—" : escapeHtml(time.replace("T", " "));
}

/** `address:port` as the rest of portset writes it; the (bracketed) address alone without a port. */
function addressPort(address: string, port: number | null): string {
  if (port !== null) return formatAddressPort(address, port);
  return address.includes(":") ? `[${address}]` : address;
}

/** A report time (`YYYY-MM-DDTHH:MM:SS`) in wall-clock seconds, as the analysis reckons them. */
function epoch(time: string | null): number | null {
  if (time === null) return null;
  const [date, clock = ""] = time.split("T");
  return parseLogDateTime(date, clock, "ymd");
}

function attr(name: string, value: string | number): string {
  return ` ${name}="${escapeHtml(String(value))}"`;
}

/** The kind a change is colored and filtered as: one the page does not know (from JSON) is `seen`. */
function knownKind(kind: ChangeKind): ChangeKind {
  return CHANGE_KINDS.includes(kind) ? kind : "seen";
}

function bar(share: number, label: string, color?: string): string {
  const width = (Math.max(0, Math.min(1, share)) * 100).toFixed(1);
  const style = color ? `width:${width}%;background:${color}` : `width:${width}%`;
  return `<div class="bar"><span class="fill" style="${style}"></span></div>` +
    `<span class="bar-label">${label}</span>`;
}

/** Which ports, processes, paths, users and addresses the flags are about. */
interface FlaggedSubjects {
  severity: Map<string, Flag["severity"]>;
  of(subject: string): Flag["severity"] | undefined;
}

function flaggedSubjects(flags: Flag[]): FlaggedSubjects {
  const severity = new Map<string, Flag["severity"]>();
  const mark = (key: string, flag: Flag) => {
    const known = severity.get(key);
    if (!known || SEVERITIES.indexOf(flag.severity) < SEVERITIES.indexOf(known)) {
      severity.set(key, flag.severity);
    }
  };
  for (const flag of flags) {
    mark(flag.subject.toLowerCase(), flag);
    // A listener's subject may name its address (`TCP 0.0.0.0:3389`, `TCP [::1]:8080`): the
    // port is flagged too. A remote port (`TCP 6667 (remote)`) is not a local one.
    const local = flag.subject.match(/^(TCP|UDP)6?\s+(?:\S*:)?(\d+)$/i);
    if (local) mark(`${local[1]} ${local[2]}`.toLowerCase(), flag);
  }
  return { severity, of: (subject) => severity.get(subject.toLowerCase()) };
}

function flagMark(severity: Flag["severity"] | undefined): string {
  return severity
    ? ` <span class="mark sev-${severity}" title="flagged: ${severity}">⚑</span>`
    : "";
}

/** A card: a section with a heading, an optional note beside it, and a body. */
function card(
  id: string,
  heading: string,
  body: string,
  { note = "", wide = false, extraClass = "" } = {},
): string {
  return `<section id="${id}" class="card${wide ? " wide" : ""}${extraClass}">` +
    `<div class="card-head"><h2>${heading}</h2>${note ? `<span class="note">${note}</span>` : ""}` +
    `</div>${body}</section>`;
}

/**
 * A table whose rows past `TOP_ROWS` stay hidden behind a CSS-only toggle (works without
 * scripts); `head` is the header cells, each `[label, "num" | "text"]`.
 */
function table(
  id: string,
  head: [string, "num" | "text", string?][],
  rows: string[],
  noun: string,
): string {
  const toggle = rows.length > TOP_ROWS
    ? `<input type="checkbox" class="more-toggle" id="${id}-more">` +
      `<label class="more-label" for="${id}-more"><span class="show">Show all ${
        int(rows.length)
      } ${noun}</span><span class="hide">Show the top ${TOP_ROWS}</span></label>`
    : "";
  const body = rows.map((row, i) =>
    i < TOP_ROWS ? row : row.replace(/^<tr class="item/, '<tr class="item more')
  ).join("\n");
  return `${toggle}<table id="${id}" class="data sortable"><thead><tr>${
    head.map(([label, type, cls]) =>
      `<th data-type="${type}"${cls ? ` class="${cls}"` : ""}>${label}</th>`
    ).join("")
  }</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

// ---------------------------------------------------------------------------------------------
// Sections.

function header(report: Report): string {
  const hosts = report.hosts.length ? report.hosts.map(escapeHtml).join(", ") : "unknown host";
  const { start, end, seconds } = report.window;
  const range = start === null
    ? "no dated records"
    : `${when(start)} <span class="arrow">→</span> ${when(end)}`;
  const basis = report.timeBasis === "open-to-close"
    ? "Time in use runs from each socket's opening to its closing."
    : "Time in use is an upper bound: the original Port Reporter logs openings, not closings.";
  const read = report.files.reduce((sum, f) => sum + f.bytes, 0);
  return `<header class="top"><div class="top-inner">` +
    `<div class="title"><div class="eyebrow">portset · port activity report</div>` +
    `<h1 id="hosts">${hosts}</h1>` +
    `<div class="dir" id="directory" title="log directory">${escapeHtml(report.directory)}</div>` +
    `</div><dl class="facts">` +
    `<div><dt>Window</dt><dd id="window">${range}</dd></div>` +
    `<div><dt>Duration</dt><dd id="duration">${formatDuration(seconds)}</dd></div>` +
    `<div><dt>Files read</dt><dd>${int(report.files.length)} (${bytes(read)})</dd></div>` +
    `<div><dt>Change lines</dt><dd>${int(report.totals.changes)}</dd></div>` +
    `<div><dt>Start-up sockets</dt><dd>${int(report.totals.initialSockets)}</dd></div>` +
    `<div><dt>PR-PIDS records</dt><dd>${int(report.totals.pidsRecords)}</dd></div>` +
    `<div><dt>Unreadable lines</dt><dd${report.totals.skippedLines ? ' class="warn-text"' : ""}>${
      int(report.totals.skippedLines)
    }</dd></div>` +
    `</dl></div><p class="basis" id="time-basis">Times are the logs' own local times (no time ` +
    `zone). ${basis}</p></header>`;
}

function summaryCards(report: Report): string {
  const count = (severity: Flag["severity"]) =>
    report.flags.filter((f) => f.severity === severity).length;
  const listening = report.ports.filter((p) => p.listening).length;
  const connections = report.remoteAddresses.reduce((sum, r) => sum + r.connections, 0);
  const pills = SEVERITIES.map((s) =>
    count(s) ? `<span class="pill sev-${s}">${count(s)} ${s}</span>` : ""
  ).join("");
  const cards: [string, string, string][] = [
    [
      "Flags",
      `<span class="big${count("alert") ? " alert-text" : ""}">${report.flags.length}</span>`,
      pills || "nothing flagged",
    ],
    ["Changes", `<span class="big">${int(report.totals.changes)}</span>`, "change lines logged"],
    [
      "Listening ports",
      `<span class="big">${int(listening)}</span>`,
      `of ${int(report.ports.length)} local ports used`,
    ],
    [
      "Processes",
      `<span class="big">${int(report.processes.length)}</span>`,
      `${int(report.users.length)} user contexts`,
    ],
    [
      "Remote addresses",
      `<span class="big">${int(report.remoteAddresses.length)}</span>`,
      `${int(connections)} connections`,
    ],
  ];
  return `<section id="summary" class="cards">${
    cards.map(([label, value, sub]) =>
      `<div class="stat"><div class="stat-label">${label}</div>${value}` +
      `<div class="stat-sub">${sub}</div></div>`
    ).join("")
  }</section>`;
}

function flagsSection(report: Report): string {
  if (report.flags.length === 0) {
    return card(
      "flags",
      "Flags",
      `<p class="empty ok" id="no-flags">Nothing flagged: no port, process, module, user, remote ` +
        `address or directory of interest, and no new listener.</p>`,
      { note: `interests: ${escapeHtml(report.interests)}`, wide: true, extraClass: " worst-none" },
    );
  }
  const order = (f: Flag) => SEVERITIES.indexOf(f.severity);
  const flags = [...report.flags].sort((a, b) => order(a) - order(b) || b.count - a.count);
  const anyFlaggedRow = report.changes.some((c) => c.flagged);
  const rows = flags.map((flag) => {
    const query = flagQuery(flag, report.changes);
    const link = query !== null
      ? `<a class="go" href="#filter=${
        escapeHtml(encodeURIComponent(query))
      }&amp;flagged=1">changes ↓</a>`
      : anyFlaggedRow
      ? `<a class="go" href="#flagged=1">flagged changes ↓</a>`
      : "";
    return `<tr class="flag sev-${flag.severity}"${attr("data-severity", flag.severity)}>` +
      `<td><span class="pill sev-${flag.severity}">${flag.severity}</span></td>` +
      `<td class="fkind">${FLAG_KIND_LABEL[flag.kind] ?? escapeHtml(flag.kind)}</td>` +
      `<td class="subject">${breakablePath(flag.subject)}</td>` +
      `<td class="detail">${escapeHtml(flag.detail)}</td>` +
      `<td class="time seen">${seenSpan(flag.firstSeen, flag.lastSeen)}</td>` +
      `<td class="num">${int(flag.count)}</td><td class="link">${link}</td></tr>`;
  });
  return card(
    "flags",
    "Flags",
    `<table class="data flags"><colgroup><col class="c-sev"><col class="c-what">` +
      `<col class="c-subject"><col class="c-detail"><col class="c-seen"><col class="c-count">` +
      `<col class="c-link"></colgroup><thead><tr><th>Severity</th><th>What</th>` +
      `<th>Subject</th><th>Detail</th><th>First – last seen</th><th class="num">Lines</th>` +
      `<th></th></tr></thead><tbody>\n${rows.join("\n")}\n</tbody></table>`,
    {
      note: `interests: ${escapeHtml(report.interests)}`,
      wide: true,
      extraClass: ` worst-${flags[0].severity}`,
    },
  );
}

/**
 * Escaped text for a box that, too narrow, cuts it at the start rather than the end (CSS class
 * `tail`: right to left, so the ellipsis is on the left), keeping a path's file name or a source's
 * line number; isolated, so it still reads left to right.
 */
function tail(text: string): string {
  return `<bdi class="tail-text">${escapeHtml(text)}</bdi>`;
}

/** Escaped text that may wrap after each `/` and `\` (a path's separators) as well as anywhere. */
function breakablePath(text: string): string {
  return escapeHtml(text).replace(/[\\/]/g, "$&<wbr>");
}

/**
 * A flag's first and last time in one narrow cell: the first, then the last on a second line
 * (its time only when it is the same day); one line when they are the same.
 */
function seenSpan(first: string, last: string): string {
  if (first === last) return when(first);
  const sameDay = first.slice(0, 10) === last.slice(0, 10);
  return `${when(first)}<br><span class="until">→ ${
    sameDay ? escapeHtml(last.slice(11)) : when(last)
  }</span>`;
}

/**
 * The filter that finds a flag's flagged changes, or null when none is in the table: the subject
 * itself (a port, `TCP 0.0.0.0:3389`, a process, a user, an address, or an executable's path, which
 * the filter searches), or for a remote port (`TCP 6667 (remote)`) the protocol and `:6667`.
 */
export function flagQuery(flag: Flag, changes: ChangeRow[]): string | null {
  const candidates = [flag.subject];
  const remote = flag.subject.match(/^(TCP|UDP)6?\s+(\d+)\s+\(remote\)$/i);
  if (remote) candidates.unshift(`${remote[1]} :${remote[2]}`);
  for (const query of candidates) {
    if (changes.some((c) => c.flagged && changeMatches(c, query))) return query;
  }
  return null;
}

/** Ticks for a time axis of `span` seconds: a step that gives at most about 14 of them. */
function tickStep(span: number): number {
  const seconds = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600];
  const hours = [900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800, 2592000];
  const steps = [...seconds, ...hours];
  return steps.find((step) => span / step <= 14) ?? steps[steps.length - 1];
}

/** 0, the middle and the top of a count axis; the middle only when it is a whole number. */
function gridValues(yMax: number): number[] {
  return Number.isInteger(yMax / 2) ? [0, yMax / 2, yMax] : [0, yMax];
}

function niceMax(max: number): number {
  if (max <= 5) return Math.max(1, max);
  const magnitude = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * magnitude >= max) return m * magnitude;
  return 10 * magnitude;
}

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

function timelineSection(report: Report, flagged: FlaggedSubjects): string {
  const { buckets, lanes, bucketSeconds } = report.timeline;
  const start = epoch(report.timeline.start) ?? epoch(report.window.start);
  const legend =
    `<div class="legend">${
      CHANGE_KINDS.filter((k) => buckets.some((b) => (b[k] ?? 0) > 0)).map((k) =>
        `<span class="key" title="${KIND_MEANING[k]}"><i style="background:${KIND_COLORS[k]}">` +
        `</i>${k}</span>`
      ).join("")
    }<span class="key"><i class="flag-swatch"></i>flagged changes</span>` +
    `<span class="key lane-key"><i class="lane-swatch"></i>port listening (darker: more of ` +
    `the interval)</span></div>`;
  if (buckets.length === 0 || !(bucketSeconds > 0) || start === null) {
    return card(
      "activity",
      "Timeline of port activity",
      `<p class="empty" id="timeline-empty">No changes in this window.</p>`,
      { wide: true },
    );
  }

  // The left gutter fits the longest lane label (up to a cap; longer ones end in "…").
  const labels = lanes.map((lane) => {
    const subject = `${lane.protocol} ${lane.port}`;
    const severity = flagged.of(subject);
    const name = `${subject}${lane.service ? ` ${lane.service}` : ""}`;
    const shown = `${severity ? "⚑ " : ""}${name}`;
    return {
      subject,
      severity,
      name,
      shown: shown.length > LANE_LABEL_MAX ? `${shown.slice(0, LANE_LABEL_MAX - 1)}…` : shown,
    };
  });
  const longest = Math.max(0, ...labels.map((l) => l.shown.length));
  const W = 1320, R = 12, top = 26, barsH = 110, laneH = 14, laneGap = 6;
  const L = Math.max(96, Math.ceil(longest * LANE_CHAR_WIDTH) + 14);
  const plotW = W - L - R;
  const n = buckets.length;
  const bw = plotW / n;
  const totals = buckets.map((b) => CHANGE_KINDS.reduce((s, k) => s + (b[k] ?? 0), 0));
  const yMax = niceMax(Math.max(...totals));
  const y = (v: number) => top + barsH - (v / yMax) * barsH;
  const lanesTop = top + barsH + 14;
  const axisY = lanesTop + lanes.length * (laneH + laneGap) + 4;
  const H = axisY + 30;
  const span = n * bucketSeconds;
  const x = (seconds: number) => L + (seconds / span) * plotW;
  const parts: string[] = [];

  // Grid: horizontal count lines, vertical time ticks (midnights stronger, with the date).
  for (const v of gridValues(yMax)) {
    parts.push(
      `<line class="grid" x1="${L}" x2="${W - R}" y1="${y(v).toFixed(1)}" y2="${
        y(v).toFixed(1)
      }"/>`,
      `<text class="ylabel" x="${L - 6}" y="${(y(v) + 4).toFixed(1)}">${int(v)}</text>`,
    );
  }
  const step = tickStep(span);
  const firstTick = Math.ceil(start / step) * step;
  for (let t = firstTick; t <= start + span; t += step) {
    const d = new Date(t * 1000);
    const midnight = d.getUTCHours() === 0 && d.getUTCMinutes() === 0 && d.getUTCSeconds() === 0;
    const xi = x(t - start).toFixed(1);
    const hhmm = d.toISOString().slice(11, step < 60 ? 19 : 16);
    const label = midnight || step >= 86400
      ? `${WEEKDAYS[d.getUTCDay()]} ${d.toISOString().slice(5, 10)}`
      : hhmm;
    const anchor = Number(xi) > W - R - 24 ? "end" : Number(xi) < L + 24 ? "start" : "middle";
    parts.push(
      `<line class="${midnight ? "tick day" : "tick"}" x1="${xi}" x2="${xi}" y1="${top}" ` +
        `y2="${axisY}"/>`,
      `<text class="xlabel${midnight ? " day" : ""}" x="${xi}" y="${axisY + 14}"` +
        ` text-anchor="${anchor}">${label}</text>`,
    );
  }
  parts.push(
    `<text class="axis-title left" x="0" y="${top - 10}">changes per ` +
      `${formatDuration(bucketSeconds)}</text>`,
  );

  // Flagged changes: a marker above the bars for each interval that has any.
  const flaggedIn = new Map<number, number>();
  for (const change of report.changes) {
    const t = epoch(change.time);
    if (!change.flagged || t === null) continue;
    const i = Math.floor((t - start) / bucketSeconds);
    if (i >= 0 && i < n) flaggedIn.set(i, (flaggedIn.get(i) ?? 0) + 1);
  }
  for (const [i, count] of [...flaggedIn].sort((a, b) => a[0] - b[0])) {
    const cx = L + (i + 0.5) * bw;
    parts.push(
      `<path class="tl-flag" data-i="${i}" d="M${(cx - 4).toFixed(1)} ${top - 13}h8l-4 7z">` +
        `<title>${count} flagged change${count === 1 ? "" : "s"}</title></path>`,
    );
  }

  // Bars: one group per non-empty bucket, kinds stacked in CHANGE_KINDS order.
  const gap = bw > 3 ? Math.min(1, bw * 0.2) : 0;
  buckets.forEach((bucket, i) => {
    if (totals[i] === 0) return;
    let acc = 0;
    const from = formatLogTime(start + i * bucketSeconds).slice(0, 16);
    const tip = `${from.replace("T", " ")} (+${formatDuration(bucketSeconds)}): ${
      CHANGE_KINDS.filter((k) => bucket[k]).map((k) => `${bucket[k]} ${k}`).join(", ")
    }`;
    const rects = CHANGE_KINDS.filter((k) => bucket[k] > 0).map((k) => {
      const y1 = y(acc + bucket[k]), y0 = y(acc);
      acc += bucket[k];
      return `<rect x="${(L + i * bw).toFixed(2)}" y="${y1.toFixed(2)}" width="${
        Math.max(bw - gap, 0.6).toFixed(2)
      }" height="${(y0 - y1).toFixed(2)}" fill="${KIND_COLORS[k]}"/>`;
    });
    parts.push(
      `<g class="tl-bucket" data-i="${i}" data-total="${totals[i]}"><title>${tip}</title>` +
        `${rects.join("")}</g>`,
    );
  });

  // Lanes: coverage runs of equal (rounded) share merged into one rect each.
  lanes.forEach((lane, li) => {
    const ly = lanesTop + li * (laneH + laneGap);
    const { subject, severity, name, shown } = labels[li];
    const color = severity === "alert" ? "#dc2626" : severity === "warning" ? "#d97706" : "#3b6fd8";
    const covered = lane.coverage.reduce((s, c) => s + Math.max(0, Math.min(1, c)), 0);
    const runs: string[] = [];
    let i = 0;
    while (i < lane.coverage.length) {
      const level = quantize(lane.coverage[i]);
      let j = i + 1;
      while (j < lane.coverage.length && quantize(lane.coverage[j]) === level) j++;
      if (level > 0) {
        runs.push(
          `<rect x="${(L + i * bw).toFixed(2)}" y="${ly}" width="${((j - i) * bw).toFixed(2)}" ` +
            `height="${laneH}" fill="${color}" fill-opacity="${
              (severity ? 0.15 + 0.85 * level : 0.1 + 0.6 * level).toFixed(2)
            }"/>`,
        );
      }
      i = j;
    }
    parts.push(
      `<g class="lane${severity ? ` sev-${severity}` : ""}"${attr("data-lane", subject)}>` +
        `<title>${escapeHtml(name)}: listening ${
          percent(covered / Math.max(1, lane.coverage.length))
        } of the window</title>` +
        `<rect class="lane-bg" x="${L}" y="${ly}" width="${plotW}" height="${laneH}"/>` +
        `<text class="lane-label${severity ? ` sev-${severity}` : ""}" x="${L - 6}" y="${
          ly + laneH - 4
        }">${escapeHtml(shown)}</text>${runs.join("")}</g>`,
    );
  });

  const svg = `<svg id="timeline" class="chart" viewBox="0 0 ${W} ${H}" ` +
    `preserveAspectRatio="xMinYMin meet" role="img" aria-label="Changes over time by kind, and ` +
    `when each port was listening"${attr("data-buckets", n)}${attr("data-lanes", lanes.length)}>` +
    `${parts.join("")}</svg>`;
  return card("activity", "Timeline of port activity", legend + svg, {
    note: `${int(n)} intervals of ${formatDuration(bucketSeconds)} from ${
      when(report.timeline.start)
    }; lanes: the ${lanes.length} longest-listening ports`,
    wide: true,
  });
}

/** Lane labels longer than this many characters are cut, ending in "…" (the lane's title has all). */
const LANE_LABEL_MAX = 26;
/** A generous width of one character of a lane label (bold 11.5 px) in the chart's units. */
const LANE_CHAR_WIDTH = 7.2;

function quantize(coverage: number): number {
  if (!(coverage > 0)) return 0;
  return Math.max(0.05, Math.round(Math.min(1, coverage) * 20) / 20);
}

function hoursSection(report: Report): string {
  const hours = Array.from({ length: 24 }, (_, hour) =>
    report.hours.find((h) => h.hour === hour) ??
      { hour, changes: 0, connections: 0, listeners: 0, ports: 0 });
  const max = Math.max(...hours.map((h) => h.changes));
  const W = 440, L = 30, R = 4, top = 10, H = 250, plotH = 196;
  const yMax = niceMax(max || 1);
  const colW = (W - L - R) / 24;
  const y = (v: number) => top + plotH - (v / yMax) * plotH;
  const parts: string[] = [];
  for (const v of gridValues(yMax)) {
    parts.push(
      `<line class="grid" x1="${L}" x2="${W - R}" y1="${y(v).toFixed(1)}" y2="${
        y(v).toFixed(1)
      }"/>`,
      `<text class="ylabel" x="${L - 5}" y="${(y(v) + 4).toFixed(1)}">${int(v)}</text>`,
    );
  }
  for (const h of hours) {
    const x0 = L + h.hour * colW + 1.5, w = colW - 3;
    const other = Math.max(0, h.changes - h.connections - h.listeners);
    const stack: [number, string, string][] = [
      [h.listeners, KIND_COLORS.listen, "hour-listeners"],
      [h.connections, KIND_COLORS.connect, "hour-connections"],
      [other, "#94a3b8", "hour-other"],
    ];
    let acc = 0;
    const rects = stack.filter(([v]) => v > 0).map(([v, color, cls]) => {
      const y1 = y(acc + v), y0 = y(acc);
      acc += v;
      return `<rect class="${cls}" x="${x0.toFixed(1)}" y="${y1.toFixed(1)}" width="${
        w.toFixed(1)
      }" height="${(y0 - y1).toFixed(1)}" fill="${color}"/>`;
    });
    parts.push(
      `<g class="hour" data-hour="${h.hour}" data-changes="${h.changes}"><title>${
        String(h.hour).padStart(2, "0")
      }:00–${String(h.hour).padStart(2, "0")}:59: ${int(h.changes)} changes, ${
        int(h.connections)
      } connections, ${int(h.listeners)} new listeners, ${int(h.ports)} ports</title>` +
        `<rect class="hour-hit" x="${x0.toFixed(1)}" y="${top}" width="${w.toFixed(1)}" ` +
        `height="${plotH}"/>${rects.join("")}</g>`,
      h.hour % 3
        ? ""
        : `<text class="xlabel" x="${(x0 + w / 2).toFixed(1)}" y="${top + plotH + 14}" ` +
          `text-anchor="middle">${String(h.hour).padStart(2, "0")}:00</text>`,
    );
  }
  parts.push(
    `<text class="axis-title" x="${W - R}" y="${H - 6}">hour of the day, summed over every ` +
      `day</text>`,
  );
  const legend =
    `<div class="legend"><span class="key"><i style="background:${KIND_COLORS.listen}">` +
    `</i>new listeners</span><span class="key"><i style="background:${KIND_COLORS.connect}"></i>` +
    `connections</span><span class="key"><i style="background:#94a3b8"></i>other changes</span>` +
    `</div>`;
  return card(
    "hours",
    "Changes by hour of day",
    legend +
      `<svg id="hours-chart" class="chart" viewBox="0 0 ${W} ${H}" role="img" ` +
      `aria-label="Changes per hour of the day">${parts.join("")}</svg>`,
    { note: max ? `busiest: ${busiest(hours, max)}` : "no changes" },
  );
}

/** The first hour with the most changes, `max`. */
function busiest(hours: { hour: number; changes: number }[], max: number): string {
  const top = hours.find((h) => h.changes === max)!;
  return `${String(top.hour).padStart(2, "0")}:00 (${int(top.changes)})`;
}

/** A top list's card: its table, or a line saying the logs have none. */
interface TopList {
  id: string;
  heading: string;
  /** Said instead of the table when there are no rows. */
  empty: string;
  table: string;
  head: [string, "num" | "text", string?][];
  noun: string;
  note: string;
}

function topListSection(list: TopList, rows: string[]): string {
  return rows.length === 0
    ? card(list.id, list.heading, `<p class="empty">${list.empty}</p>`)
    : card(list.id, list.heading, table(list.table, list.head, rows, list.noun), {
      note: list.note,
    });
}

/** The opening tag of a top list's row, in its flag's color, named by `name`=`value`. */
function itemRow(severity: Flag["severity"] | undefined, name: string, value: string | number) {
  return `<tr class="item${severity ? ` sev-${severity}` : ""}"${attr(name, value)}>`;
}

/** A process's name over its executable's path (cut at its start to fit; whole in the title). */
function nameAndPath(
  name: string,
  path: string | null,
  mark = "",
  pathSeverity?: Flag["severity"],
): string {
  return `<div class="name">${escapeHtml(name)}${mark}</div>` +
    `<div class="path${pathSeverity ? ` sev-${pathSeverity}` : ""}"${
      path === null ? "" : attr("title", path)
    }>${path === null ? "path unknown" : tail(path)}</div>`;
}

/** Process names, or a dash when no process was visible. */
function processList(processes: string[]): string {
  return processes.length ? processes.map(escapeHtml).join(", ") : NO_PROCESS;
}

function processesSection(report: Report, flagged: FlaggedSubjects): string {
  const list = [...report.processes].sort((a, b) => b.share - a.share || b.changes - a.changes);
  const rows = list.map((p) => {
    const pathSeverity = p.path ? flagged.of(p.path) : undefined;
    const severity = pathSeverity || flagged.of(p.process);
    return itemRow(severity, "data-process", p.process) +
      `<td>${nameAndPath(p.process, p.path, flagMark(severity), pathSeverity)}</td>` +
      `<td class="share" data-v="${p.share}">${bar(p.share, percent(p.share))}</td>` +
      `<td class="num" data-v="${p.seconds}">${formatDuration(p.seconds)}</td>` +
      `<td class="num">${int(p.changes)}</td><td class="num">${int(p.pidCount)}</td>` +
      `<td class="num">${int(p.ports)}</td>` +
      `<td class="list">${p.users.map(escapeHtml).join(", ")}</td></tr>`;
  });
  return topListSection({
    id: "processes",
    heading: "Top processes",
    empty: "No processes in the logs.",
    table: "top-processes",
    head: [
      ["Process", "text"],
      ["Share of time", "num", "share"],
      ["In use", "num", "num"],
      ["Changes", "num", "num"],
      ["PIDs", "num", "num"],
      ["Ports", "num", "num"],
      ["Users", "text"],
    ],
    noun: "processes",
    note: "by share of the window with a socket open",
  }, rows);
}

function remotesSection(report: Report, flagged: FlaggedSubjects): string {
  const list = [...report.remoteAddresses].sort((a, b) => b.connections - a.connections);
  const max = Math.max(...list.map((r) => r.connections), 1);
  const rows = list.map((r) => {
    const severity = flagged.of(r.address);
    const count = r.overcount > 0
      ? `<span title="counted approximately: up to ${int(r.overcount)} may belong to other ` +
        `addresses">≤${int(r.connections)}</span>`
      : int(r.connections);
    return itemRow(severity, "data-address", r.address) +
      `<td class="addr">${escapeHtml(r.address)}${flagMark(severity)}</td>` +
      `<td class="share" data-v="${r.connections}">${bar(r.connections / max, count)}</td>` +
      `<td class="list nowrap"${attr("title", r.remotePorts.join(", "))}>${
        r.remotePorts.slice(0, 2).join(", ")
      }${r.remotePorts.length > 2 ? " …" : ""}</td>` +
      `<td class="list">${processList(r.processes)}</td>` +
      `<td class="time"${attr("title", r.lastSeen)}>${when(r.lastSeen.slice(0, 16))}</td></tr>`;
  });
  return topListSection({
    id: "remotes",
    heading: "Top remote addresses",
    empty: "No remote addresses in the logs.",
    table: "top-remotes",
    head: [
      ["Address", "text"],
      ["Connections", "num", "share"],
      ["Remote ports", "text"],
      ["Processes", "text"],
      ["Last seen", "text"],
    ],
    noun: "addresses",
    note: "by connections",
  }, rows);
}

function portsSection(report: Report, flagged: FlaggedSubjects): string {
  const list = [...report.ports].sort((a, b) =>
    b.share - a.share || b.changes - a.changes || a.port - b.port
  );
  const rows = list.map((p) => {
    const subject = `${p.protocol} ${p.port}`;
    const severity = flagged.of(subject);
    return itemRow(severity, "data-port", subject) +
      `<td class="port"><span class="proto">${p.protocol}</span> ${p.port}${
        flagMark(severity)
      }</td>` +
      `<td class="svc">${
        p.service === null
          ? '<span class="muted">—</span>'
          : `<span class="clip"${attr("title", p.service)}>${escapeHtml(p.service)}</span>`
      }</td>` +
      `<td data-v="${p.listening ? 1 : 0}">${
        p.listening ? '<span class="listening" title="listened or was bound">listening</span>' : ""
      }</td>` +
      `<td class="share" data-v="${p.share}">${bar(p.share, percent(p.share))}</td>` +
      `<td class="num">${int(p.changes)}</td><td class="num">${int(p.connections)}</td>` +
      `<td class="list">${processList(p.processes)}</td></tr>`;
  });
  return topListSection({
    id: "ports",
    heading: "Local ports",
    empty: "No ports in the logs.",
    table: "ports-table",
    head: [
      ["Port", "num"],
      ["Service", "text"],
      ["", "num"],
      ["In use", "num", "share"],
      ["Changes", "num", "num"],
      ["Conns", "num", "num"],
      ["Processes", "text"],
    ],
    noun: "ports",
    note: "by share of the window in use",
  }, rows);
}

function usersSection(report: Report, flagged: FlaggedSubjects): string {
  const max = Math.max(...report.users.map((u) => u.changes), 1);
  const rows = report.users.map((u) => {
    const severity = flagged.of(u.user);
    return itemRow(severity, "data-user", u.user) +
      `<td class="name">${escapeHtml(u.user)}${flagMark(severity)}</td>` +
      `<td class="share" data-v="${u.changes}">${bar(u.changes / max, int(u.changes))}</td>` +
      `<td class="list">${u.processes.map(escapeHtml).join(", ")}</td></tr>`;
  });
  return topListSection({
    id: "users",
    heading: "User contexts",
    empty: "No user contexts in the logs.",
    table: "users-table",
    head: [["User", "text"], ["Changes", "num", "share"], ["Processes", "text"]],
    noun: "users",
    note: "which accounts ran what",
  }, rows);
}

function sharedSection(report: Report): string {
  const rows = report.sharedProcesses.map((p) =>
    itemRow(undefined, "data-pid", p.pid) + `<td class="num">${p.pid}</td>` +
    `<td>${nameAndPath(p.process, p.path)}</td><td><ul class="services">${
      p.services.map((s) =>
        `<li><code>${escapeHtml(s.name)}</code> <span class="muted">${
          escapeHtml(s.displayName)
        }</span></li>`
      ).join("")
    }</ul></td></tr>`
  );
  return topListSection({
    id: "shared",
    heading: "Shared service host processes",
    empty: "No process hosted more than one service.",
    table: "shared-table",
    head: [["PID", "num", "num"], ["Process", "text"], ["Services", "text"]],
    noun: "processes",
    note: "processes hosting more than one service",
  }, rows);
}

function changesSection(report: Report, flagged: FlaggedSubjects): string {
  const total = report.changes.length;
  const logged = new Set(report.changes.map((c) => c.change));
  const controls = `<div class="controls">` +
    `<input type="search" id="filter-text" placeholder="Filter: any column, e.g. sshd 4444" ` +
    `aria-label="Filter changes" autocomplete="off" spellcheck="false">` +
    `<select id="filter-kind" aria-label="Change kind"><option value="">all kinds</option>${
      CHANGE_KINDS.map((k) =>
        `<option value="${k}"${logged.has(k) ? "" : " disabled"}>${k}</option>`
      ).join("")
    }</select>` +
    `<label class="check"><input type="checkbox" id="filter-flagged"> flagged only</label>` +
    `<button type="button" id="filter-clear">Clear</button></div>`;
  const omitted = report.changesOmitted > 0
    ? `<span class="omitted" id="changes-omitted">${
      int(report.changesOmitted)
    } older changes are not in this table: the report keeps the latest changes and every ` +
      `flagged one.</span>`
    : "";
  const usual = usualPaths(report.changes);
  const rows = report.changes.map((c, i) => {
    const remote = c.remoteAddress === null
      ? '<span class="muted">—</span>'
      : escapeHtml(addressPort(c.remoteAddress, c.remotePort));
    const kind = knownKind(c.change);
    return `<tr class="change${c.flagged ? " flagged" : ""}" data-i="${i}" data-kind="${kind}"${
      c.flagged ? ' data-flagged="1"' : ""
    }>` +
      `<td class="time"${attr("data-v", c.time)}>${
        c.flagged ? '<span class="mark sev-alert">⚑</span>' : ""
      }${when(c.time)}</td><td><span class="k k-${kind}">${escapeHtml(c.change)}</span></td><td>${
        escapeHtml(c.protocol)
      }</td>` +
      `<td class="addr">${escapeHtml(c.localAddress)}</td><td class="num">${c.localPort}</td>` +
      `<td class="addr">${remote}</td><td class="num">${c.pid ?? ""}</td>` +
      `<td class="proc">${processCell(c, flagged, usual)}</td><td>${clipped(c.user, "user")}</td>` +
      `<td>${escapeHtml(c.state ?? "")}</td><td class="src"><span class="src-clip"${
        attr("title", c.source)
      }>${tail(c.source)}</span></td></tr>`;
  });
  const body = total === 0
    ? `<p class="empty" id="changes-empty">No changes were logged in this window.</p>`
    : `${controls}<div class="count-line"><span id="changes-count" aria-live="polite">${
      int(total)
    } of ${int(total)} shown</span>${omitted}</div>` +
      `<div class="scroll"><table id="changes" class="data sortable changes" ` +
      `data-total="${total}" ` +
      `data-visible="${total}"><thead><tr><th data-type="text">Time</th>` +
      `<th data-type="text">Change</th><th data-type="text">Proto</th>` +
      `<th data-type="text">Local address</th><th data-type="num" class="num">Port</th>` +
      `<th data-type="text">Remote</th><th data-type="num" class="num">PID</th>` +
      `<th data-type="text" title="its executable's path on hover; shown when flagged or not ` +
      `the one this name usually runs from">Process</th><th data-type="text">User</th>` +
      `<th data-type="text">State</th><th data-type="text">Source</th></tr></thead><tbody>\n${
        rows.join("\n")
      }\n</tbody></table><p class="empty" id="no-match" hidden>No change matches the filter.</p>` +
      `</div>`;
  return card("changes-section", "Changes", body, {
    note: total ? "oldest first; click a column to sort" : "",
    wide: true,
  });
}

/**
 * A change's process: its name, then its executable's path, muted and cut to fit (the title has
 * it all), in the flag's color when the path is flagged; a dash when no process owned the socket.
 */
function processCell(c: ChangeRow, flagged: FlaggedSubjects, usual: Map<string, string>): string {
  if (c.process === null && c.pid === null) return NO_PROCESS;
  if (c.path === null) return `<span class="name">${escapeHtml(c.process ?? "")}</span>`;
  const name = `<span class="name"${attr("title", c.path)}>${escapeHtml(c.process ?? "")}</span>`;
  const severity = flagged.of(c.path);
  if (!severity && usual.get(c.process ?? "") === c.path) return name;
  return `${name}<span class="cpath${severity ? ` sev-${severity}` : ""}"${attr("title", c.path)}>${
    tail(c.path)
  }</span>`;
}

/** Each process name's most common executable path among the changes. */
function usualPaths(changes: ChangeRow[]): Map<string, string> {
  const counts = new Map<string, Map<string, number>>();
  for (const c of changes) {
    if (c.process === null || c.path === null) continue;
    const paths = counts.get(c.process) ?? new Map<string, number>();
    paths.set(c.path, (paths.get(c.path) ?? 0) + 1);
    counts.set(c.process, paths);
  }
  const usual = new Map<string, string>();
  for (const [process, paths] of counts) {
    usual.set(process, [...paths].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0][0]);
  }
  return usual;
}

/** Text cut to its cell's width (CSS class `cut-<kind>`), whole in its title. */
function clipped(text: string | null, kind: string): string {
  if (text === null || text === "") return "";
  return `<span class="cut cut-${kind}"${attr("title", text)}>${escapeHtml(text)}</span>`;
}

const NO_PROCESS = '<span class="muted" title="no process visible: a socket in TIME_WAIT, ' +
  "the kernel's, or one that closed before portset looked\">—</span>";

function sourcesSection(report: Report): string {
  const files = report.files.map((f) =>
    `<tr class="item"><td class="src">${escapeHtml(f.name)}</td><td>${escapeHtml(f.kind)}</td>` +
    `<td>${escapeHtml(f.dialect)}</td><td class="num" data-v="${f.bytes}">${bytes(f.bytes)}</td>` +
    `<td class="num">${int(f.records)}</td>` +
    `<td class="num${f.skipped ? " warn-text" : ""}">${int(f.skipped)}</td></tr>`
  );
  const problems = report.problems.length
    ? `<h3>Lines that could not be read</h3><ul class="problems" id="problems">${
      report.problems.map((p) => `<li><code>${escapeHtml(p)}</code></li>`).join("")
    }</ul>`
    : "";
  const meta = `<dl class="meta"><div><dt>Interests</dt><dd>${
    escapeHtml(report.interests)
  }</dd></div><div><dt>Baseline for new listeners</dt><dd>${
    report.baseline === null ? "none" : escapeHtml(report.baseline)
  }</dd></div><div><dt>Time basis</dt><dd>${escapeHtml(report.timeBasis)}</dd></div></dl>`;
  return card(
    "sources",
    "Files read",
    meta +
      (files.length
        ? `<table id="files-table" class="data sortable"><thead><tr>` +
          `<th data-type="text">File</th>` +
          `<th data-type="text">Kind</th><th data-type="text">Written by</th>` +
          `<th data-type="num" class="num">Size</th><th data-type="num" class="num">Records</th>` +
          `<th data-type="num" class="num">Unreadable</th></tr></thead><tbody>\n${
            files.join("\n")
          }\n</tbody></table>`
        : '<p class="empty">No log files were read.</p>') +
      problems,
    { wide: true },
  );
}

// ---------------------------------------------------------------------------------------------
// Style and script.

const CSS = `
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
.grid{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:0 14px;align-items:start}
.grid-a{grid-template-columns:minmax(0,3fr) minmax(0,7fr)}
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
text-overflow:ellipsis;max-width:260px}
.path,.cpath,.src-clip{direction:rtl;text-align:left}
.tail-text{direction:ltr;unicode-bidi:isolate}
.cpath{display:block;max-width:160px;overflow:hidden;text-overflow:ellipsis;
color:var(--faint);font-size:11px;line-height:1.25;
font-family:ui-monospace,"DejaVu Sans Mono",monospace}
.cpath.sev-alert,.path.sev-alert{color:var(--alert);font-weight:600}
.cpath.sev-warning{color:var(--warning-fg)}
.nowrap,.port,td.addr{white-space:nowrap}
.list{color:var(--muted);font-size:12.5px;overflow-wrap:anywhere}
.clip{display:inline-block;max-width:92px;overflow:hidden;text-overflow:ellipsis;
white-space:nowrap;vertical-align:bottom}
td.svc{white-space:nowrap}
.muted{color:var(--faint)}
.proto{color:var(--muted);font-size:11px}
.warn-text{color:var(--warning-fg)!important;font-weight:700}
.alert-text{color:var(--alert)}
td.share{width:150px;white-space:nowrap}
.grid td.share{width:auto}
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
tr.flag.sev-alert td{background:var(--alert-bg)}
tr.flag.sev-alert td:first-child{border-left-color:var(--alert)}
tr.flag.sev-warning td{background:var(--warning-bg)}
tr.flag.sev-warning td:first-child{border-left-color:var(--warning)}
tr.flag.sev-info td{background:var(--info-bg)}
tr.flag.sev-info td:first-child{border-left-color:var(--info)}
tr.flag .subject{font-weight:700;font-size:13px;overflow-wrap:anywhere}
table.flags .c-subject{width:22%}
table.flags .c-detail{width:40%}
table.flags td.seen{font-size:12.5px;line-height:1.35}
.until{color:var(--muted)}
tr.flag.sev-alert .subject{color:var(--alert-fg)}
tr.flag.sev-warning .subject{color:var(--warning-fg)}
tr.flag.sev-info .subject{color:var(--info-fg)}
.fkind{white-space:nowrap;font-weight:600}
td.link{white-space:nowrap;text-align:right}
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
${CHANGE_KINDS.map((k) => `.k-${k}{background:${KIND_COLORS[k]}}`).join("\n")}
.listening{font-size:10.5px;color:#1e40af;background:#dbeafe;border-radius:3px;padding:0 4px}
ul.services{margin:0;padding:0;list-style:none}
ul.services li{margin:0 0 2px}
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
table.changes .addr{font-size:12px}
.cut{display:inline-block;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;
vertical-align:bottom}
.cut-user{max-width:112px}
table.changes td.src{color:var(--muted);font-size:11px}
.src-clip{display:inline-block;max-width:112px;overflow:hidden;text-overflow:ellipsis;
vertical-align:bottom}
.grid table.data th,.grid table.data td{padding-left:4px;padding-right:4px}
.grid table.data th:first-child,.grid table.data td:first-child{padding-left:0}
.grid .bar{width:48px;margin-right:6px}
.grid .bar-label{min-width:38px}
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
@media (max-width:900px){.grid{grid-template-columns:1fr}
.cards{grid-template-columns:repeat(2,1fr)}}
@media print{body{background:#fff}.scroll{max-height:none;overflow:visible}.controls{display:none}}
`;

/**
 * The page's script: the change filter (text, kind, flagged), kept in the URL's hash, and column
 * sorting. It reads the rows' values from the embedded JSON, not from the page's text.
 */
const SCRIPT = String.raw`
(function () {
  "use strict";
  document.documentElement.className += " js";
  var table = document.getElementById("changes");
  var data = JSON.parse(document.getElementById("report-data").textContent);
  if (table) setUpFilter(table, data.changes);
  var sortables = document.querySelectorAll("table.sortable");
  for (var s = 0; s < sortables.length; s++) setUpSort(sortables[s]);
  document.body.setAttribute("data-ready", "1");

  function addressPort(address, port) {
    var host = address.indexOf(":") >= 0 ? "[" + address + "]" : address;
    return port === null ? host : host + ":" + port;
  }

  function searchText(c) {
    return [
      c.time, c.time.replace("T", " "), c.change, c.protocol, c.protocol + " " + c.localPort,
      c.localAddress, addressPort(c.localAddress, c.localPort),
      c.remoteAddress === null ? "" :
        c.remoteAddress + " " + addressPort(c.remoteAddress, c.remotePort),
      c.pid === null ? "" : c.pid, c.process || "", c.path || "", c.user || "", c.state || "",
      c.source,
      c.flagged ? "flagged" : ""
    ].join("\n").toLowerCase();
  }

  function setUpFilter(table, changes) {
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var texts = rows.map(function (row) {
      return searchText(changes[+row.getAttribute("data-i")]);
    });
    var text = document.getElementById("filter-text");
    var kind = document.getElementById("filter-kind");
    var flagged = document.getElementById("filter-flagged");
    var count = document.getElementById("changes-count");
    var noMatch = document.getElementById("no-match");
    var timer = 0;

    function apply() {
      var terms = text.value.toLowerCase().split(/\s+/).filter(Boolean);
      var k = kind.value, onlyFlagged = flagged.checked, visible = 0;
      for (var i = 0; i < rows.length; i++) {
        var row = rows[i], show = true;
        if (k && row.getAttribute("data-kind") !== k) show = false;
        if (show && onlyFlagged && row.getAttribute("data-flagged") !== "1") show = false;
        for (var t = 0; show && t < terms.length; t++) {
          if (texts[i].indexOf(terms[t]) < 0) show = false;
        }
        if (row.hidden === show) row.hidden = !show;
        if (show) visible++;
      }
      table.setAttribute("data-visible", String(visible));
      count.textContent = visible.toLocaleString("en-US") + " of " +
        rows.length.toLocaleString("en-US") + " shown";
      noMatch.hidden = visible > 0;
    }

    function readHash() {
      var params = new URLSearchParams(location.hash.replace(/^#/, ""));
      text.value = params.get("filter") || "";
      var k = params.get("kind") || "";
      kind.value = k;
      if (kind.value !== k) kind.value = "";
      flagged.checked = params.get("flagged") === "1";
    }

    function writeHash() {
      var params = new URLSearchParams();
      if (text.value) params.set("filter", text.value);
      if (kind.value) params.set("kind", kind.value);
      if (flagged.checked) params.set("flagged", "1");
      var hash = params.toString();
      try {
        history.replaceState(null, "", hash ? "#" + hash : location.pathname + location.search);
      } catch (e) { /* a page opened from a file may refuse; the filter still works */ }
    }

    function changed() { apply(); writeHash(); }
    text.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(changed, rows.length > 500 ? 120 : 0);
    });
    kind.addEventListener("change", changed);
    flagged.addEventListener("change", changed);
    document.getElementById("filter-clear").addEventListener("click", function () {
      text.value = ""; kind.value = ""; flagged.checked = false; changed();
    });
    window.addEventListener("hashchange", function () {
      readHash(); apply();
      document.getElementById("changes-section").scrollIntoView();
    });
    readHash();
    apply();
  }

  function setUpSort(table) {
    var heads = table.tHead ? table.tHead.rows[0].cells : [];
    for (var c = 0; c < heads.length; c++) {
      heads[c].addEventListener("click", sortBy.bind(null, table, c));
    }
  }

  function sortBy(table, column) {
    var head = table.tHead.rows[0].cells[column];
    var numeric = head.getAttribute("data-type") === "num";
    var descending = head.getAttribute("aria-sort") === "ascending";
    var cells = table.tHead.rows[0].cells;
    for (var c = 0; c < cells.length; c++) cells[c].removeAttribute("aria-sort");
    head.setAttribute("aria-sort", descending ? "descending" : "ascending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows).map(function (row, index) {
      var cell = row.cells[column];
      var raw = !cell ? "" :
        cell.hasAttribute("data-v") ? cell.getAttribute("data-v") : cell.textContent;
      var value = numeric ? parseFloat(String(raw).replace(/[^0-9.eE+-]/g, "")) :
        raw.trim().toLowerCase();
      if (numeric && isNaN(value)) value = -Infinity;
      return { row: row, value: value, index: index };
    });
    rows.sort(function (a, b) {
      var order = a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
      return (descending ? -order : order) || a.index - b.index;
    });
    var fragment = document.createDocumentFragment();
    rows.forEach(function (r, i) {
      if (r.row.classList.contains("item")) r.row.classList.toggle("more", i >= ${TOP_ROWS});
      fragment.appendChild(r.row);
    });
    body.appendChild(fragment);
  }
})();
`;
