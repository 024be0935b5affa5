/**
 * The HTML report as Chromium renders it: the sample report written to a file, opened headless by
 * Debian's Chromium, its DOM read back after the page's script ran (`--dump-dom`), and a
 * screenshot kept in PORTSET_SCREENSHOT_DIR (CI keeps it as an artifact).
 *
 * Chromium runs offline (every host name resolves to nothing) and its net log is read for any
 * request the page started: there must be none. A control page with a remote image shows the check
 * can see one.
 *
 * Without /usr/bin/chromium these tests are ignored, unless PORTSET_EXPECT_CHROMIUM=1 (CI), where
 * they fail and say how to install it.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { formatReportHtml } from "../outputs/report_html/mod.ts";
import { formatFleetHtml } from "../outputs/report_html/fleet_page.ts";
import { generateLogs } from "../bench/log_generator.ts";
import { parseInterests } from "../report/interests.ts";
import { findLogHosts } from "../report/log_hosts.ts";
import { readFleet } from "../report/read_fleet.ts";
import type { ChangeRow, Report } from "../report/model.ts";
import {
  chromiumTestsEnabled,
  INSTALL_CHROMIUM,
  requireChromium,
  runChromium,
} from "./support/chromium.ts";
import { pollUntil } from "./support/poll.ts";
import { sampleReport } from "./support/report_sample.ts";

const ignore = !chromiumTestsEnabled();
if (ignore) console.log(`report_html_browser_test: ignored; ${INSTALL_CHROMIUM}`);

/** Writes the report's page to a new temporary directory; returns its file URL and a cleanup. */
async function writePage(report: Report | string): Promise<AsyncDisposable & { url: string }> {
  const dir = await Deno.makeTempDir({ prefix: "portset-html-" });
  const path = join(dir, "report.html");
  await Deno.writeTextFile(path, typeof report === "string" ? report : formatReportHtml(report));
  return {
    url: `file://${path}`,
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
  };
}

/** The page's DOM after load, with its script run; asserts Chromium ran cleanly. */
async function dumpDom(url: string): Promise<string> {
  const run = await runChromium(url, ["--dump-dom"]);
  assert.equal(run.code, 0, `chromium exit code; stderr:\n${run.stderr}`);
  assert.deepEqual(run.pageRequests, [], "the page requested nothing");
  assert.deepEqual(run.console, [], "no console messages: no script error, no CSP violation");
  assert.match(run.stdout, /<body[^>]* data-ready="1"/, "the page's script ran to its end");
  return run.stdout;
}

function count(text: string, pattern: RegExp): number {
  return [...text.matchAll(new RegExp(pattern.source, pattern.flags + "g"))].length;
}

/** The changes table's rows as rendered: kind, flagged, and whether the filter hid them. */
function changeRows(dom: string): { kind: string; flagged: boolean; hidden: boolean }[] {
  return [...dom.matchAll(/<tr class="change[^"]*"([^>]*)>/g)].map(([, attributes]) => ({
    kind: attributes.match(/data-kind="(\w+)"/)?.[1] ?? "",
    flagged: attributes.includes('data-flagged="1"'),
    hidden: /\shidden(=""|\s|$)/.test(attributes),
  }));
}

/** Rows with class `item` in the table with this id. */
function itemRows(dom: string, id: string): number {
  const start = dom.indexOf(`<table id="${id}"`);
  assert.ok(start >= 0, `table ${id}`);
  const table = dom.slice(start, dom.indexOf("</table>", start));
  return count(table, /<tr class="item/);
}

Deno.test({
  name: "Chromium renders the timeline, the hours, the top lists and every change row",
  ignore,
  async fn() {
    requireChromium();
    const report = sampleReport();
    await using page = await writePage(report);
    const dom = await dumpDom(page.url);

    const timeline = dom.slice(dom.indexOf('<svg id="timeline"'), dom.indexOf("</svg>"));
    assert.ok(timeline.length > 0, "svg#timeline");
    const nonEmpty = report.timeline.buckets.filter((b) => Object.values(b).some((v) => v > 0));
    assert.equal(count(timeline, /<g class="tl-bucket"/), nonEmpty.length, "bucket bars");
    assert.equal(count(timeline, /<g class="lane[ "]/), report.timeline.lanes.length, "lanes");
    assert.ok(count(timeline, /<path class="tl-flag"/) > 0, "flagged-change markers");

    const hours = dom.slice(dom.indexOf('<svg id="hours-chart"'));
    assert.equal(count(hours.slice(0, hours.indexOf("</svg>")), /<g class="hour"/), 24);

    assert.equal(itemRows(dom, "top-processes"), report.processes.length);
    assert.equal(itemRows(dom, "top-remotes"), report.remoteAddresses.length);
    assert.equal(itemRows(dom, "ports-table"), report.ports.length);
    assert.equal(count(dom, /<tr class="flag /), report.flags.length);

    const rows = changeRows(dom);
    assert.equal(rows.length, report.changes.length);
    assert.equal(rows.filter((r) => r.hidden).length, 0, "no filter: every row shown");
    const total = report.changes.length;
    assert.match(dom, new RegExp(`data-total="${total}" data-visible="${total}"`));
    assert.match(dom, new RegExp(`id="changes-count"[^>]*>${total} of ${total} shown<`));
    assert.match(dom, /<html lang="en" class="\s*js">/, "the script marked the page");
  },
});

/** Filters from the URL hash, each with the rows it must leave, counted from the report. */
const FILTERS: [string, (row: ChangeRow) => boolean][] = [
  [
    "#filter=sshd&kind=listen&flagged=1",
    (r) => r.process === "sshd" && r.change === "listen" && r.flagged,
  ],
  ["#kind=connect", (r) => r.change === "connect"],
  ["#flagged=1", (r) => r.flagged],
  ["#filter=203.0.113.66", (r) => r.remoteAddress === "203.0.113.66"],
  ["#filter=TCP%204444&flagged=1", (r) => r.localPort === 4444 && r.flagged],
  ["#filter=SSHD%20www-data", (r) => r.process === "sshd" && r.user === "www-data"],
  ["#filter=%2Ftmp%2F.x%2Fsshd", (r) => r.path === "/tmp/.x/sshd"],
  ["#filter=no-such-process", () => false],
];

Deno.test({
  name: "a filter in the URL hash leaves only the matching rows visible",
  ignore,
  async fn(t) {
    requireChromium();
    const report = sampleReport();
    await using page = await writePage(report);
    for (const [hash, keep] of FILTERS) {
      await t.step(hash, async () => {
        const expected = report.changes.filter(keep).length;
        const dom = await dumpDom(page.url + hash);
        const rows = changeRows(dom);
        assert.equal(rows.length, report.changes.length, "rows are hidden, not removed");
        assert.equal(rows.filter((r) => !r.hidden).length, expected, "visible rows");
        assert.match(dom, new RegExp(`data-visible="${expected}"`));
        assert.match(
          dom,
          new RegExp(`id="changes-count"[^>]*>${expected} of ${report.changes.length} shown<`),
        );
        const params = new URLSearchParams(hash.slice(1));
        if (params.get("kind")) {
          for (const row of rows.filter((r) => !r.hidden)) {
            assert.equal(row.kind, params.get("kind"));
          }
        }
        if (params.get("flagged")) assert.ok(rows.every((r) => r.hidden || r.flagged));
        // The "nothing matches" line shows exactly when nothing does.
        assert.equal(/<p class="empty" id="no-match" hidden/.test(dom), expected > 0);
        // The controls show the filter that was applied.
        const filter = params.get("filter");
        if (filter) assert.ok(dom.includes(`id="filter-text"`));
      });
    }
  },
});

Deno.test({
  name: "hostile names render as text in Chromium: no element or script injected",
  ignore,
  async fn() {
    requireChromium();
    const report = sampleReport();
    const hostile = "</script><img src=x onerror=alert(1)><!--";
    report.processes[0].process = hostile;
    report.changes[0].process = hostile;
    report.computers = ["<b id=injected>web1</b>"];
    report.flags[0].detail = hostile;
    await using page = await writePage(report);
    const dom = await dumpDom(page.url);
    assert.doesNotMatch(dom, /<img\b/i);
    assert.doesNotMatch(dom, /id="injected"/);
    assert.ok(dom.includes("&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;&lt;!--"));
    assert.equal(changeRows(dom).length, report.changes.length, "the table is whole");
  },
});

Deno.test({
  name: "the request check sees a page's remote load (control for the checks above)",
  ignore,
  async fn() {
    requireChromium();
    await using page = await writePage(
      '<!DOCTYPE html><html><body><img src="http://portset-test.invalid/x.png"></body></html>',
    );
    const run = await runChromium(page.url, ["--dump-dom"]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.pageRequests, ["http://portset-test.invalid/x.png"]);
  },
});

Deno.test({
  name: "a screenshot of the sample report, 1400 pixels wide, for people and CI artifacts",
  ignore,
  async fn() {
    requireChromium();
    const dir = Deno.env.get("PORTSET_SCREENSHOT_DIR") ||
      await Deno.makeTempDir({ prefix: "portset-screenshot-" });
    await Deno.mkdir(dir, { recursive: true });
    const png = join(dir, "report.png");
    await Deno.remove(png).catch(() => {});
    const html = formatReportHtml(sampleReport());
    await Deno.writeTextFile(join(dir, "report.html"), html);
    await using page = await writePage(html);
    const [width, height] = [1400, 2700];
    const run = await runChromium(page.url, [
      `--screenshot=${png}`,
      `--window-size=${width},${height}`,
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.pageRequests, []);
    assert.deepEqual(run.console, []);
    const bytes = await pollUntil(
      () => Deno.readFile(png).then((b) => b.length > 0 ? b : undefined, () => undefined),
      { deadlineMs: 5_000 },
    );
    assert.ok(bytes, `${png} written`);
    assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const header = new DataView(bytes.buffer, bytes.byteOffset + 16, 8);
    assert.deepEqual([header.getUint32(0), header.getUint32(4)], [width, height]);
    assert.ok(bytes.length > 100_000, `a page with content, not a blank (${bytes.length} bytes)`);
    console.log(`screenshot: ${png}`);
  },
});

/** A fleet's rows as rendered, in every table: their host attributes and whether they are hidden. */
function hostRows(dom: string): { host: string | null; hosts: string[]; hidden: boolean }[] {
  return [...dom.matchAll(/<tr ([^>]*data-host[^>]*)>/g)].map(([, attributes]) => {
    const one = attributes.match(/data-host="([^"]*)"/)?.[1] ?? null;
    const many = attributes.match(/data-hosts="([^"]*)"/)?.[1];
    return {
      host: one,
      hosts: many ? JSON.parse(many.replaceAll("&quot;", '"')) : [],
      hidden: /\shidden(=""|\s|$)/.test(attributes),
    };
  });
}

Deno.test({
  name: "the fleet page: a host column in every table, and the host filter from the URL hash",
  ignore,
  async fn(t) {
    requireChromium();
    // Real logs: the original's published ones and two generated hosts, one with a backdoor.
    const root = await Deno.makeTempDir({ prefix: "portset-fleet-html-" });
    try {
      await Deno.mkdir(join(root, "testhost"));
      const original = new URL("./fixtures/port_reporter_original/", import.meta.url).pathname;
      for (const entry of Deno.readDirSync(original)) {
        await Deno.copyFile(join(original, entry.name), join(root, "testhost", entry.name));
      }
      await generateLogs({ directory: join(root, "web1"), bytes: 300_000, days: 1, host: "web1" });
      await generateLogs({
        directory: join(root, "web2"),
        bytes: 300_000,
        days: 1,
        host: "web2",
        seed: 7,
        rogue: true,
      });
      const report = await readFleet([root], await findLogHosts([root]), {
        interests: parseInterests("{}", "defaults"),
        baseline: null,
      });
      await using page = await writePage(formatFleetHtml(report));

      await t.step("every host", async () => {
        const dom = await dumpDom(page.url);
        const rows = hostRows(dom);
        assert.ok(rows.length > report.hosts.length + report.flags.length, "rows of every table");
        assert.equal(rows.filter((r) => r.hidden).length, 0, "no filter: every row shown");
        assert.match(dom, /id="flags-table-count"[^>]*>\d+ rows</);
      });
      for (const name of ["web2", "TESTHOST", "web1"]) {
        await t.step(`#host=${name}`, async () => {
          const dom = await dumpDom(`${page.url}#host=${encodeURIComponent(name)}`);
          const rows = hostRows(dom);
          const shown = rows.filter((r) => !r.hidden);
          assert.ok(shown.length > 0);
          for (const row of rows) {
            const mine = row.host === name || row.hosts.includes(name);
            assert.equal(!row.hidden, mine, JSON.stringify(row));
          }
          const flags = report.flags.filter((flag) => flag.host === name).length;
          assert.match(
            dom,
            new RegExp(
              `id="flags-table-count"[^>]*>${flags} of ${report.flags.length} rows: ${name}<`,
            ),
          );
          assert.match(dom, new RegExp(`id="hosts-table-count"[^>]*>1 of 3 rows: ${name}<`));
        });
      }
      await t.step("a host the page does not have shows every host", async () => {
        const dom = await dumpDom(`${page.url}#host=nosuchhost`);
        assert.equal(hostRows(dom).filter((r) => r.hidden).length, 0);
      });
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});
