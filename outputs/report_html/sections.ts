/**
 * The report page's sections from the header down to the charts, and the files read at the end:
 * the header (hosts, window, files), the summary cards, the flags (alerts first, each linking to
 * its changes), the timeline and hour-of-day cards around their charts, and the list of files.
 * The top lists are in `top_lists.ts`, the table of changes in `changes.ts`.
 *
 * @module
 */

import {
  type ChangeRow,
  type Flag,
  LOG_CHANGE_KINDS,
  type LogChangeKind,
} from "../../report/model.ts";
import type { Report } from "../../report/model.ts";
import { allHours, hoursChart, timelineChart } from "./charts.ts";
import { type FlaggedSubjects, SEVERITIES } from "./flagged.ts";
import { formatBytesShort, formatDurationShort } from "../../text/units.ts";
import { int, when } from "./format.ts";
import { attrs, type Html, type HtmlValue, markup } from "./html.ts";
import { changeMatches } from "./page_script.ts";
import { card, headRow, nameText, proseText } from "./parts.ts";
import { KIND_COLORS, OTHER_COLOR } from "./style.ts";

const KIND_MEANING: Readonly<Record<LogChangeKind, string>> = {
  listen: "a TCP socket began listening",
  bind: "a UDP socket was bound",
  connect: "a connection was made",
  state: "a TCP connection changed state",
  owner: "a socket changed owner",
  close: "a socket closed",
  seen: "a Port Reporter line (the original logs no kind)",
};

const FLAG_KIND_LABEL: Readonly<Record<Flag["kind"], string>> = {
  "port-of-interest": "Port of interest",
  "process-of-interest": "Process of interest",
  "module-of-interest": "Module of interest",
  "user-of-interest": "User of interest",
  "remote-of-interest": "Remote address of interest",
  "unexpected-directory": "Unexpected directory",
  "new-listener": "New listener",
};

/** The dark band at the top: hosts, log directory, window, and what was read. */
export function header(report: Report): Html {
  const hosts = report.computers.length ? report.computers.join(", ") : "unknown host";
  const { start, end, seconds } = report.window;
  const range = start === null
    ? "no dated records"
    : markup`${when(start)} <span class="arrow">→</span> ${when(end)}`;
  const basis = report.timeBasis === "open-to-close"
    ? "Time in use runs from each socket's opening to its closing."
    : "Time in use is an upper bound: the original Port Reporter logs openings, not closings.";
  const read = report.files.reduce((sum, f) => sum + f.bytes, 0);
  const skipped = report.totals.skippedLines;
  const fact = (label: string, value: HtmlValue, attributes: Html = attrs({})) =>
    markup`<div><dt>${label}</dt><dd${attributes}>${value}</dd></div>`;
  return markup`<header class="top"><div class="top-inner">
<div class="title"><div class="eyebrow">portset · port activity report</div>
<h1 id="hosts">${hosts}</h1>
<div class="dir" id="directory" title="log directory">${report.directory}</div></div>
<dl class="facts">${[
    fact("Window", range, attrs({ id: "window" })),
    fact("Duration", formatDurationShort(seconds), attrs({ id: "duration" })),
    fact("Files read", `${int(report.files.length)} (${formatBytesShort(read)})`),
    fact("Change lines", int(report.totals.changes)),
    fact("Start-up sockets", int(report.totals.initialSockets)),
    fact("PR-PIDS records", int(report.totals.pidsRecords)),
    fact("Unreadable lines", int(skipped), attrs({ class: skipped ? "warn-text" : null })),
    report.totals.unreadFiles
      ? fact("Unread files", int(report.totals.unreadFiles), attrs({ class: "warn-text" }))
      : "",
  ]}</dl></div>
<p class="basis" id="time-basis">${offsetsNote(report)} ${basis}</p>
</header>`;
}

/**
 * What the page's times are: the logs' local times, shown without their offsets, which this says
 * once: as the logs state them, or assumed (this machine's) for logs that state none.
 */
function offsetsNote(report: Report): string {
  const { stated, assumed } = report.utcOffsets;
  const parts = [];
  if (stated.length > 0) parts.push(`UTC${stated.join(", UTC")} as the logs state`);
  if (assumed.length > 0) {
    parts.push(
      `UTC${assumed.join(", UTC")} assumed, this machine's offset: the original Port ` +
        "Reporter's logs do not state theirs",
    );
  }
  return `Times are the logs' own local times${parts.length ? `, ${parts.join("; ")}` : ""}.`;
}

/** The row of big numbers: flags, changes, listening ports, processes, remote addresses. */
export function summaryCards(report: Report): Html {
  const count = (severity: Flag["severity"]) =>
    report.flags.filter((f) => f.severity === severity).length;
  const listening = report.ports.filter((p) => p.listening).length;
  const connections = report.remoteAddresses.reduce((sum, r) => sum + r.connections, 0);
  const pills = SEVERITIES.filter((s) => count(s)).map((s) =>
    markup`<span class="pill sev-${s}">${count(s)} ${s}</span>`
  );
  const cards: [string, Html, Html | string][] = [
    [
      "Flags",
      markup`<span class="big${count("alert") ? " alert-text" : ""}">${
        int(report.counts.flags.total)
      }</span>`,
      pills.length ? markup`${pills}` : "nothing flagged",
    ],
    [
      "Changes",
      markup`<span class="big">${int(report.totals.changes)}</span>`,
      "change lines logged",
    ],
    [
      "Local ports",
      markup`<span class="big">${int(report.counts.ports.total)}</span>`,
      report.ports.length < report.counts.ports.total
        ? `used; ${int(listening)} listening among the ${int(report.ports.length)} kept`
        : `used; ${int(listening)} listening`,
    ],
    [
      "Processes",
      markup`<span class="big">${int(report.counts.processes.total)}</span>`,
      `${int(report.counts.users.total)} user contexts`,
    ],
    [
      "Remote addresses",
      markup`<span class="big">${report.counts.remoteAddresses.exact ? "" : "≈"}${
        int(report.counts.remoteAddresses.total)
      }</span>`,
      `${int(connections)} connections with the ${int(report.remoteAddresses.length)} kept`,
    ],
  ];
  return markup`<section id="summary" class="cards">${
    cards.map(([label, value, sub]) =>
      markup`<div class="stat"><div class="stat-label">${label}</div>${value}<div class="stat-sub">${sub}</div></div>`
    )
  }</section>`;
}

/** The flags, alerts first, each with a link that filters the changes table to its rows. */
export function flagsSection(report: Report): Html {
  const note = `interests: ${report.interests}`;
  if (report.flags.length === 0) {
    return card(
      "flags",
      "Flags",
      markup`<p class="empty ok" id="no-flags">Nothing flagged: no port, process, module, user, remote address or directory of interest, and no new listener.</p>`,
      { note, wide: true, extraClass: " worst-none" },
    );
  }
  // Alerts first; within a severity, the most raised first.
  const order = (f: Flag) => SEVERITIES.indexOf(f.severity);
  const flags = [...report.flags].sort((a, b) => order(a) - order(b) || b.count - a.count);
  const omitted = report.flagsOmitted > 0
    ? markup`<p class="note" id="flags-omitted">${
      int(report.flagsOmitted)
    } more warnings and notes were raised past the report's cap and not kept; alerts are always kept.</p>`
    : "";
  const anyFlaggedRow = report.changes.some((c) => c.flagged);
  const rows = flags.map((flag) => {
    const query = flagQuery(flag, report.changes);
    const link = query !== null
      ? markup`<a class="go" href="${`#filter=${
        encodeURIComponent(query)
      }&flagged=1`}">changes ↓</a>`
      : anyFlaggedRow && markup`<a class="go" href="#flagged=1">flagged changes ↓</a>`;
    return markup`<tr class="flag sev-${flag.severity}" data-severity="${flag.severity}"><td class="sev"><span class="pill sev-${flag.severity}">${flag.severity}</span></td><td class="fkind">${
      FLAG_KIND_LABEL[flag.kind] ?? flag.kind
    }</td><td class="about"><div class="subject">${
      nameText(flag.subject)
    }</div><div class="detail">${proseText(flag.detail)}</div>${
      listenerList(flag)
    }</td><td class="time seen">${
      seenSpan(flag.firstSeen, flag.lastSeen)
    }</td><td class="num count">${int(flag.count)}</td><td class="link">${link}</td></tr>`;
  });
  return card(
    "flags",
    "Flags",
    markup`<table class="data flags"><colgroup>${
      ["sev", "what", "about", "seen", "count", "link"].map((c) => markup`<col class="c-${c}">`)
    }</colgroup>
${
      headRow([
        ["Severity"],
        ["What"],
        ["Subject and detail"],
        ["First – last seen"],
        ["Lines", undefined, "num"],
        [""],
      ])
    }<tbody>
${rows.map((row) => markup`${row}\n`)}</tbody></table>${omitted}`,
    { note, wide: true, extraClass: ` worst-${flags[0].severity}` },
  );
}

/** The listeners a grouped flag covers: the first ones, and how many more. */
function listenerList(flag: Flag): Html | string {
  if (flag.ports.length === 0) return "";
  const more = flag.portCount - flag.ports.length;
  return markup`<div class="listeners">${
    flag.ports.map((port) => markup`<span class="listener port">${nameText(port)}</span> `)
  }${more > 0 ? markup`<span class="more">and ${int(more)} more</span>` : ""}</div>`;
}

/**
 * A flag's first and last time in one narrow cell: the first, then the last on a second line
 * (its time only when it is the same day); one line when they are the same.
 */
function seenSpan(first: string, last: string): Html | string {
  if (first === last) return when(first);
  const sameDay = first.slice(0, 10) === last.slice(0, 10);
  return markup`${when(first)}<br><span class="until">→ ${
    sameDay ? last.slice(11, 19) : when(last)
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

/** A legend entry: a color swatch and its label. */
function key(color: string, label: string, title?: string): Html {
  return markup`<span${
    attrs({ class: "key", title })
  }><i style="background:${color}"></i>${label}</span>`;
}

/** The timeline's card: its legend and chart, or a line saying there were no changes. */
export function timelineSection(report: Report, flagged: FlaggedSubjects): Html {
  const { buckets, lanes, bucketSeconds } = report.timeline;
  const chart = timelineChart(report, flagged);
  if (chart === null) {
    return card(
      "activity",
      "Timeline of port activity",
      markup`<p class="empty" id="timeline-empty">No changes in this window.</p>`,
      { wide: true },
    );
  }
  const legend = markup`<div class="legend">${
    LOG_CHANGE_KINDS.filter((k) => buckets.some((b) => (b[k] ?? 0) > 0)).map((k) =>
      key(KIND_COLORS[k], k, KIND_MEANING[k])
    )
  }<span class="key"><i class="flag-swatch"></i>flagged changes</span><span class="key lane-key"><i class="lane-swatch"></i>port listening (darker: more of the interval)</span></div>`;
  return card("activity", "Timeline of port activity", markup`${legend}${chart}`, {
    note: `${int(buckets.length)} intervals of ${formatDurationShort(bucketSeconds)} from ${
      when(report.timeline.start)
    }; lanes: the ${lanes.length} longest-listening ports`,
    wide: true,
  });
}

/** The hour-of-day card: its legend, the chart, and the busiest hour. */
export function hoursSection(report: Report): Html {
  const hours = allHours(report.hours);
  const max = Math.max(...hours.map((h) => h.changes));
  const busiest = hours.find((h) => h.changes === max)!;
  const legend = markup`<div class="legend">${key(KIND_COLORS.listen, "new listeners")}${
    key(KIND_COLORS.connect, "connections")
  }${key(OTHER_COLOR, "other changes")}</div>`;
  return card("hours", "Changes by hour of day", markup`${legend}${hoursChart(hours)}`, {
    note: max
      ? `busiest: ${String(busiest.hour).padStart(2, "0")}:00 (${int(busiest.changes)})`
      : "no changes",
  });
}

/** The files read, the interests and baseline used, and the lines that could not be read. */
export function sourcesSection(report: Report): Html {
  const files = report.files.map((f) =>
    markup`<tr class="item"><td class="src">${f.name}</td><td>${f.kind}</td><td>${f.dialect}</td><td class="num" data-v="${f.bytes}">${
      formatBytesShort(f.bytes)
    }</td><td class="num">${int(f.records)}</td><td class="num${f.skipped ? " warn-text" : ""}">${
      int(f.skipped)
    }</td></tr>`
  );
  const problems = report.problems.length > 0 &&
    markup`<h3>Lines that could not be read</h3><ul class="problems" id="problems">${
      report.problems.map((p) => markup`<li><code>${p}</code></li>`)
    }</ul>`;
  const meta =
    markup`<dl class="meta"><div><dt>Interests</dt><dd>${report.interests}</dd></div><div><dt>Baseline for new listeners</dt><dd>${
      report.baseline ?? "none"
    }</dd></div><div><dt>Time basis</dt><dd>${report.timeBasis}</dd></div></dl>`;
  const table = files.length
    ? markup`<table id="files-table" class="data sortable">${
      headRow([
        ["File", "text"],
        ["Kind", "text"],
        ["Written by", "text"],
        ["Size", "num", "num"],
        ["Records", "num", "num"],
        ["Unreadable", "num", "num"],
      ])
    }<tbody>
${files.map((row) => markup`${row}\n`)}</tbody></table>`
    : markup`<p class="empty">No log files were read.</p>`;
  return card("sources", "Files read", markup`${meta}${table}${problems}`, { wide: true });
}
