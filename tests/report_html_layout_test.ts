/**
 * The HTML report's layout in Chromium, on a busy host's report (tests/support/report_sample.ts's
 * `busyReport`: counts in the tens of thousands, 2,700 listeners, long IPv6 addresses, Windows
 * paths and domain users), at a narrow window (800 px), a laptop's (1280 px) and a wide one
 * (1400 px). At each width: no table wider than its card (or its scroll box), no sideways scroll
 * of the page, no name broken mid-word, mid-address or inside a path's segment (a path may wrap
 * after `/` or `\`), and every chart label inside its SVG's viewport. A screenshot of each width
 * goes to PORTSET_SCREENSHOT_DIR.
 *
 * The measuring is tests/support/layout_probe.ts, run in the page. Ignored without Chromium,
 * unless PORTSET_EXPECT_CHROMIUM=1.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { formatReportHtml } from "../outputs/report_html/mod.ts";
import {
  chromiumTestsEnabled,
  INSTALL_CHROMIUM,
  requireChromium,
  runChromium,
} from "./support/chromium.ts";
import { readProbe, withProbe } from "./support/layout_probe.ts";
import { pollUntil } from "./support/poll.ts";
import { busyReport } from "./support/report_sample.ts";

const ignore = !chromiumTestsEnabled();
if (ignore) console.log(`report_html_layout_test: ignored; ${INSTALL_CHROMIUM}`);

/** The window widths checked: a narrow window, a laptop, a wide screen. */
const WIDTHS = [800, 1280, 1400];

Deno.test({
  name: "a busy host's report lays out at 800, 1280 and 1400 pixels",
  ignore,
  async fn(t) {
    requireChromium();
    const report = busyReport();
    assert.ok(Math.max(...report.hours.map((h) => h.changes)) >= 10_000, "five-digit hours");
    const html = formatReportHtml(report);
    const dir = await Deno.makeTempDir({ prefix: "portset-layout-" });
    try {
      await Deno.writeTextFile(join(dir, "probed.html"), withProbe(html));
      await Deno.writeTextFile(join(dir, "report.html"), html);
      for (const width of WIDTHS) {
        await t.step(`${width} px`, async () => {
          const run = await runChromium(`file://${join(dir, "probed.html")}`, [
            "--dump-dom",
            `--window-size=${width},2000`,
          ]);
          assert.equal(run.code, 0, run.stderr);
          assert.deepEqual(run.console, [], "no script error, no CSP violation");
          assert.deepEqual(run.pageRequests, []);
          assert.match(run.stdout, /<body[^>]* data-ready="1"/, "the page's script ran");
          const probe = readProbe(run.stdout);
          assert.equal(probe.width, width);
          assert.ok(probe.textsChecked > 2_000, `texts checked: ${probe.textsChecked}`);
          assert.ok(probe.chartTexts >= 20, `chart labels checked: ${probe.chartTexts}`);
          // The screenshot first, so a failure has one to look at.
          await screenshot(join(dir, "report.html"), width);
          const { wideTables, pageOverflow, brokenWords, chartTextOutside } = probe;
          assert.deepEqual(
            // brokenWords: "…before|after" around each break.
            { wideTables, pageOverflow, brokenWords, chartTextOutside },
            { wideTables: [], pageOverflow: 0, brokenWords: [], chartTextOutside: [] },
          );
        });
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** A screenshot of the page at `width`, into PORTSET_SCREENSHOT_DIR (or a temporary directory). */
async function screenshot(page: string, width: number): Promise<void> {
  const dir = Deno.env.get("PORTSET_SCREENSHOT_DIR") ||
    await Deno.makeTempDir({ prefix: "portset-screenshot-" });
  await Deno.mkdir(dir, { recursive: true });
  const png = join(dir, `report-busy-${width}.png`);
  await Deno.remove(png).catch(() => {});
  const height = 2400;
  const run = await runChromium(`file://${page}`, [
    `--screenshot=${png}`,
    `--window-size=${width},${height}`,
  ]);
  assert.equal(run.code, 0, run.stderr);
  const bytes = await pollUntil(
    () => Deno.readFile(png).then((b) => b.length > 0 ? b : undefined, () => undefined),
    { deadlineMs: 5_000 },
  );
  assert.ok(bytes, `${png} written`);
  const header = new DataView(bytes.buffer, bytes.byteOffset + 16, 8);
  assert.deepEqual([header.getUint32(0), header.getUint32(4)], [width, height]);
  console.log(`screenshot: ${png}`);
}
