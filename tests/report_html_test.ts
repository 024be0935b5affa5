/**
 * outputs/report_html/ on the string: a self-contained page, names from the logs escaped, the
 * expected rows, bars and lanes for a realistic report, and empty or degenerate reports rendered
 * without errors. tests/report_html_browser_test.ts checks the same page as Chromium renders it.
 */

import assert from "node:assert/strict";
import {
  changeMatches,
  escapeHtml,
  flagQuery,
  formatReportHtml,
  jsonForScript,
  KIND_COLORS,
  REPORT_CSP,
} from "../outputs/report_html/mod.ts";
import { type ChangeRow, LOG_CHANGE_KINDS, type Report } from "../report/model.ts";
import { COUNT_CHAR_WIDTH } from "../outputs/report_html/charts.ts";
import { nameText, proseText } from "../outputs/report_html/parts.ts";
import { busyReport, emptyReport, sampleReport } from "./support/report_sample.ts";

function count(text: string, pattern: RegExp): number {
  return [...text.matchAll(new RegExp(pattern.source, pattern.flags + "g"))].length;
}

/** The embedded report, parsed back. */
function embedded(html: string): Report {
  const match = html.match(
    /<script type="application\/json" id="report-data">([^<]*)<\/script>/,
  );
  assert.ok(match, "the report-data block");
  return JSON.parse(match[1]);
}

/**
 * Asserts the rendered markup (the page before its scripts) shows no NaN, undefined, Infinity or
 * [object …], and says where one is.
 */
function assertNoBadValues(html: string) {
  const markup = html.slice(0, html.indexOf('<script type="application/json"'));
  const bad = markup.match(/NaN|undefined|Infinity|\[object /);
  assert.equal(bad, null, bad ? markup.slice(bad.index! - 120, bad.index! + 40) : "");
}

const HOSTILE = "</script><img src=x onerror=alert(1)>";

/** The sample with attacker-chosen names everywhere the logs supply text. */
function hostileReport(): Report {
  const report = sampleReport();
  report.directory = "/var/log/<b>portset</b> & co";
  report.computers = ['web1"><script>alert(1)</script>'];
  report.processes[0].process = HOSTILE;
  report.processes[0].path = "/tmp/<!--/x";
  report.users[0].user = "<!-- user -->";
  report.changes[0].process = HOSTILE;
  report.changes[1].user = "evil\u001b[31mred\u0000";
  report.changes[2].process = "line\u2028separator";
  report.remoteAddresses[0].processes = ["<svg onload=alert(1)>"];
  report.flags[0].detail = `detail ${HOSTILE}`;
  report.flags[0].subject = "'quoted' \"subject\"";
  report.sharedProcesses[0].services[0].displayName = "<iframe src=//x>";
  report.problems = ["PR-PORTS-1.log:3: <script>"];
  // Fields the types limit to a few words, as a report read from JSON might still carry them.
  report.files[0].dialect = "<script>" as Report["files"][0]["dialect"];
  report.changes[3].change = "<img>" as ChangeRow["change"];
  return report;
}

Deno.test("the page loads nothing: no remote src or href, no @import, no url(), strict CSP", () => {
  const html = formatReportHtml(sampleReport());
  assert.match(html, /^<!DOCTYPE html>\n<html lang="en">/);
  assert.ok(
    html.includes(
      `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(REPORT_CSP)}">`,
    ),
  );
  assert.match(REPORT_CSP, /default-src 'none'/);
  assert.match(REPORT_CSP, /script-src 'sha256-[A-Za-z0-9+/]{43}='/, "the script by its hash");
  assert.doesNotMatch(REPORT_CSP, /script-src[^;]*unsafe/, "no other inline script runs");
  assert.doesNotMatch(html, /\b(src|href)\s*=\s*["']?\s*(https?:|\/\/)/i);
  assert.doesNotMatch(html, /@import/i);
  assert.doesNotMatch(html, /url\(/i);
  assert.doesNotMatch(html, /<link\b/i);
  assert.doesNotMatch(html, /<(img|iframe|object|embed)\b/i);
  assert.doesNotMatch(html, /<script\b[^>]*\bsrc=/i);
  assert.equal(count(html, /<script\b/), 2, "the JSON block and the inline script");
  assert.equal(count(html, /<\/script>/), 2);
  // Every href is a same-page fragment.
  for (const [, href] of html.matchAll(/href="([^"]*)"/g)) assert.match(href, /^#/);
});

Deno.test("hostile names cannot break out of the HTML, the attributes or the JSON block", () => {
  const report = hostileReport();
  const html = formatReportHtml(report);
  assert.equal(count(html, /<\/script>/i), 2, "only the page's own script ends");
  assert.equal(count(html, /<script\b/i), 2, "no script element from a name");
  assert.equal(count(html, /<!--/), 0, "no comment opens");
  assert.doesNotMatch(html, /<img|<svg onload|<iframe|<b>portset/i);
  assert.ok(html.includes("&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"));
  assert.ok(html.includes("/var/log/&lt;b&gt;portset&lt;/b&gt; &amp; co"));
  // The flag's subject, in pieces that wrap only at its spaces.
  assert.ok(html.includes('<span class="nb">&#39;quoted&#39;</span> <span class="nb">&quot;'));
  assert.ok(html.includes("evil?[31mred?"), "control characters shown as ?");
  assert.ok(!html.includes("\u001b") && !html.includes("\u0000"));
  // The JSON block keeps every name exactly.
  assert.deepEqual(embedded(html), JSON.parse(JSON.stringify(report)));
});

Deno.test("jsonForScript writes <, >, & and line separators as \\u escapes that parse back", () => {
  const value = { a: "</script><!--x-->&", b: "\u2028\u2029", c: [1, null, "ok"] };
  const json = jsonForScript(value);
  assert.doesNotMatch(json, /[<>&\u2028\u2029]/);
  assert.ok(json.includes("\\u003c/script\\u003e\\u003c!--x--\\u003e\\u0026"));
  assert.deepEqual(JSON.parse(json), value);
});

Deno.test("escapeHtml escapes the five special characters and shows controls as ?", () => {
  assert.equal(
    escapeHtml(`<a href="x">'&'</a>`),
    "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;",
  );
  assert.equal(escapeHtml("tab\there\nnew"), "tab?here?new");
  assert.equal(escapeHtml("plain /usr/sbin/sshd"), "plain /usr/sbin/sshd");
});

Deno.test("the sample renders every section with the expected rows, bars and lanes", () => {
  const report = sampleReport();
  const html = formatReportHtml(report);
  for (
    const id of [
      "summary",
      "flags",
      "activity",
      "timeline",
      "hours",
      "hours-chart",
      "processes",
      "top-processes",
      "remotes",
      "top-remotes",
      "ports",
      "ports-table",
      "users-table",
      "shared-table",
      "changes",
      "filter-text",
      "filter-kind",
      "filter-flagged",
      "changes-count",
      "changes-omitted",
      "files-table",
      "problems",
    ]
  ) {
    assert.ok(html.includes(`id="${id}"`), `id ${id}`);
  }
  const nonEmpty = report.timeline.buckets.filter((b) => Object.values(b).some((v) => v > 0));
  assert.equal(count(html, /<g class="tl-bucket"/), nonEmpty.length);
  assert.equal(count(html, /<g class="lane[ "]/), report.timeline.lanes.length);
  assert.equal(count(html, /<g class="hour"/), 24);
  assert.equal(count(html, /<tr class="flag /), report.flags.length);
  assert.equal(count(html, /<tr class="change[ "]/), report.changes.length);
  assert.equal(
    count(html, /<tr class="change flagged"/),
    report.changes.filter((c) => c.flagged).length,
  );
  assert.ok(html.includes(`data-total="${report.changes.length}"`));
  const rows = (id: string) => {
    const table = html.slice(html.indexOf(`<table id="${id}"`));
    return count(table.slice(0, table.indexOf("</table>")), /<tr class="item/);
  };
  assert.equal(rows("top-processes"), report.processes.length);
  assert.equal(rows("top-remotes"), report.remoteAddresses.length);
  assert.equal(rows("ports-table"), report.ports.length);
  assert.equal(rows("users-table"), report.users.length);
  assert.equal(rows("shared-table"), report.sharedProcesses.length);
  assert.equal(rows("files-table"), report.files.length);
  // Past the top 12, rows wait behind the "show all" toggle.
  assert.equal(
    count(html, /<tr class="item more/),
    Math.max(0, report.remoteAddresses.length - 12) +
      Math.max(0, report.ports.length - 12) + Math.max(0, report.processes.length - 12) +
      Math.max(0, report.users.length - 12),
  );
  assert.ok(html.includes(`${report.changesOmitted} older changes are not in this table`));
  assertNoBadValues(html);
});

Deno.test("flags come first, alerts before warnings before info, linking to their changes", () => {
  const report = sampleReport();
  const html = formatReportHtml(report);
  assert.ok(html.indexOf('id="flags"') < html.indexOf('id="activity"'));
  assert.ok(html.indexOf('id="flags"') < html.indexOf('id="changes"'));
  const order = [...html.matchAll(/<tr class="flag sev-(\w+)"/g)].map((m) => m[1]);
  assert.deepEqual(order, [...order].sort((a, b) => rank(a) - rank(b)));
  assert.equal(order[0], "alert");
  assert.ok(html.includes('href="#filter=TCP%204444&amp;flagged=1"'));
  assert.ok(html.includes('id="flags" class="card wide worst-alert"'));
  // Flagged ports, processes and addresses are marked where they are listed.
  assert.match(html, /<g class="lane sev-alert" data-lane="TCP 4444">/);
  assert.match(html, /<tr class="item sev-alert" data-process="sshd">/);
  assert.match(html, /<tr class="item sev-warning" data-address="203.0.113.45">/);
});

function rank(severity: string): number {
  return ["alert", "warning", "info"].indexOf(severity);
}

Deno.test("a change kind has one color in the timeline, its legend and the table's badges", () => {
  const html = formatReportHtml(sampleReport());
  for (const kind of LOG_CHANGE_KINDS) {
    assert.ok(html.includes(`.k-${kind}{background:${KIND_COLORS[kind]}}`), `badge ${kind}`);
  }
  const used = new Set(
    [...html.matchAll(/<rect x="[^"]*" y="[^"]*" width="[^"]*" height="[^"]*" fill="(#\w+)"\/>/g)]
      .map((m) => m[1]),
  );
  for (const color of used) {
    assert.ok(Object.values(KIND_COLORS).includes(color), `timeline color ${color} is a kind's`);
  }
  for (const kind of ["listen", "connect", "close", "state", "owner", "bind"] as const) {
    assert.ok(html.includes(`<i style="background:${KIND_COLORS[kind]}"></i>${kind}`), kind);
  }
});

Deno.test("an empty report (a snapshot only, zero-length window) renders its empty states", () => {
  const html = formatReportHtml(emptyReport());
  for (const id of ["no-flags", "timeline-empty", "changes-empty", "hours-chart"]) {
    assert.ok(html.includes(`id="${id}"`), id);
  }
  assert.ok(html.includes('class="card wide worst-none"'));
  assert.equal(count(html, /<g class="hour"/), 24);
  assert.equal(count(html, /<tr class="change/), 0);
  assert.ok(!html.includes('id="timeline"'));
  assert.ok(html.includes(">0 s<"), "duration of a zero-length window");
  assertNoBadValues(html);
});

Deno.test("a report with no dates, no hours and odd values still renders", () => {
  const report = emptyReport();
  report.window = { start: null, end: null, seconds: 0 };
  report.computers = [];
  report.files = [];
  report.hours = [];
  report.timeline = { start: "", bucketSeconds: 0, buckets: [], lanes: [] };
  const html = formatReportHtml(report);
  assert.ok(html.includes("no dated records"));
  assert.ok(html.includes("unknown host"));
  assert.equal(count(html, /<g class="hour"/), 24, "the 24 hours, all zero");
  assertNoBadValues(html);

  // A timeline with buckets but an unreadable start is shown as no activity, not as NaN.
  const odd = sampleReport();
  odd.timeline.start = "garbage";
  odd.window.start = null;
  assertNoBadValues(formatReportHtml(odd));
});

Deno.test("2,000 changes (the model's cap) make one row each and a page of a few megabytes", () => {
  const report = sampleReport();
  const template = report.changes;
  report.changes = Array.from({ length: 2000 }, (_, i) => ({
    ...template[i % template.length],
    source: `PR-PORTS-20261121-000000.log:${i + 4}`,
  }));
  const started = performance.now();
  const html = formatReportHtml(report);
  const elapsed = performance.now() - started;
  assert.equal(count(html, /<tr class="change[ "]/), 2000);
  assert.ok(html.length < 4_000_000, `${html.length} characters`);
  assert.ok(elapsed < 5_000, `rendered in ${elapsed.toFixed(0)} ms`);
});

Deno.test("changeMatches: every term must occur in some column, case-insensitively", () => {
  const row: ChangeRow = {
    time: "2026-11-21T03:12:45",
    protocol: "tcp",
    localAddress: "0.0.0.0",
    localPort: 4444,
    remoteAddress: "2001:db8::66",
    remotePort: 51515,
    pid: 31337,
    process: "sshd",
    path: "/tmp/.x/sshd",
    user: "www-data",
    state: "LISTENING",
    change: "listen",
    flagged: true,
    source: "PR-PORTS-20261121-000000.log:65",
  };
  for (
    const query of [
      "",
      "sshd",
      "SSHD",
      "tcp 4444",
      "TCP 4444",
      "sshd www-data",
      "2026-11-21 03:12",
      "[2001:db8::66]:51515",
      "31337",
      "listen",
      "log:65",
      "/tmp/.x/sshd",
      "/TMP/.X sshd",
    ]
  ) {
    assert.ok(changeMatches(row, query), query);
  }
  for (const query of ["nginx", "sshd nginx", "udp", "4445", "/usr/sbin/sshd"]) {
    assert.ok(!changeMatches(row, query), query);
  }
});

Deno.test("a flag links to its rows: by path, by a listener's address, by a remote port", () => {
  const report = sampleReport();
  const path = report.flags.find((f) => f.kind === "unexpected-directory")!;
  assert.equal(flagQuery(path, report.changes), "/tmp/.x/sshd");
  const html = formatReportHtml(report);
  assert.ok(html.includes('href="#filter=%2Ftmp%2F.x%2Fsshd&amp;flagged=1"'));
  assert.ok(!html.includes('href="#flagged=1"'), "no flag falls back to all flagged changes");
  const byPath = report.changes.filter((c) => c.flagged && changeMatches(c, path.subject));
  assert.equal(byPath.length, path.count, "every row of the intruder's executable");
  assert.ok(byPath.every((c) => c.path === "/tmp/.x/sshd"));

  // The parser's other subject forms: a listener with its address, a remote port.
  const listener = { ...report.flags[1], subject: "TCP 0.0.0.0:4444" };
  assert.equal(flagQuery(listener, report.changes), "TCP 0.0.0.0:4444");
  const remote = { ...report.flags[1], subject: "TCP 51515 (remote)" };
  assert.equal(flagQuery(remote, report.changes), "TCP :51515");
  const none = { ...report.flags[1], subject: "TCP 9 (remote)" };
  assert.equal(flagQuery(none, report.changes), null);
});

Deno.test("a listener flagged with its address marks its port's lane and row", () => {
  const report = sampleReport();
  report.flags = [{ ...report.flags[6], subject: "TCP 127.0.0.1:8080", severity: "warning" }];
  const html = formatReportHtml(report);
  assert.match(html, /<g class="lane sev-warning" data-lane="TCP 8080">/);
  assert.match(html, /<tr class="item sev-warning" data-port="TCP 8080">/);
  assert.doesNotMatch(html, /<g class="lane sev-\w+" data-lane="TCP 4444">/);
});

Deno.test("changes show an executable's path when it is flagged or unusual, else on hover", () => {
  const report = sampleReport();
  const html = formatReportHtml(report);
  const intruder = report.changes.filter((c) => c.path === "/tmp/.x/sshd").length;
  assert.equal(
    count(html, /<span class="cpath sev-alert" title="\/tmp\/.x\/sshd"><bdi class="tail-text">/),
    intruder,
  );
  // nginx's rows name their usual path only in the title.
  assert.ok(html.includes('<span class="name" title="/usr/sbin/nginx">nginx</span></td>'));
  assert.ok(!html.includes('<span class="cpath" title="/usr/sbin/nginx">'));
  // A socket no process owned (TIME_WAIT) shows a dash, not an empty cell.
  report.changes[0] = { ...report.changes[0], pid: null, process: null, path: null, user: null };
  assert.match(formatReportHtml(report), /<td class="proc"><span class="muted" title="no process/);
});

Deno.test("timeline lane labels fit their gutter; a long one is cut, whole in its title", () => {
  const report = sampleReport();
  report.timeline.lanes[0].service = "a-very-long-service-name-from-etc-services";
  const html = formatReportHtml(report);
  const labels = [...html.matchAll(/<text class="lane-label[^"]*" x="([\d.]+)"[^>]*>([^<]*)</g)];
  assert.equal(labels.length, report.timeline.lanes.length);
  const gutter = Number(labels[0][1]);
  for (const [, , text] of labels) {
    assert.ok(text.length <= 26, text);
    assert.ok(text.length * 7.2 <= gutter, `${text} fits ${gutter}`);
  }
  assert.ok(labels[0][2].endsWith("…"));
  const lane = report.timeline.lanes[0];
  assert.ok(
    html.includes(
      `<title>${lane.transport.toUpperCase()} ${lane.port} a-very-long-service-name-from-etc-services: listening`,
    ),
  );
});

Deno.test("the hour chart's gutter fits its largest count, five digits on a busy host", () => {
  const html = formatReportHtml(busyReport());
  const chart = html.slice(html.indexOf('<svg id="hours-chart"'));
  const labels = [
    ...chart.slice(0, chart.indexOf("</svg>")).matchAll(
      /<text class="ylabel" x="([\d.]+)"[^>]*>([^<]*)</g,
    ),
  ];
  assert.deepEqual(labels.map((l) => l[2]), ["0", "10,000", "20,000"]);
  for (const [, x, text] of labels) {
    // Right-aligned at x: it starts at x minus its width, inside the SVG.
    assert.ok(Number(x) - text.length * COUNT_CHAR_WIDTH >= 0, `${text} at ${x}`);
  }
});

Deno.test("names wrap only at their spaces and after / or \\; prose also after / or \\", () => {
  assert.equal(
    nameText("C:\\Temp dir\\svc-host.exe").toString(),
    '<span class="nb">C:\\</span><wbr><span class="nb">Temp</span> <span class="nb">dir\\</span>' +
      '<wbr><span class="nb">svc-host.exe</span>',
  );
  assert.equal(
    nameText("TCP [2001:db8::1]:80").toString(),
    '<span class="nb">TCP</span> <span class="nb">[2001:db8::1]:80</span>',
  );
  assert.equal(nameText("<b>").toString(), '<span class="nb">&lt;b&gt;</span>');
  assert.equal(
    proseText("runs from /tmp/.x/, not <here>").toString(),
    "runs from /<wbr>tmp/<wbr>.x/<wbr>, not &lt;here&gt;",
  );
});
