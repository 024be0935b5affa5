/**
 * `portset report LOGDIR --html FILE`: the report as one self-contained HTML page for an operator.
 *
 * Everything is rendered into the page, so it reads the same with scripts off: the flags first,
 * then a timeline of port activity and the hours of the day (inline SVG), the busiest processes,
 * remote addresses and ports, users, shared service processes, and the table of changes. A small
 * inline script only filters and sorts; it reads its initial filter from the URL's hash
 * (`#filter=sshd&kind=listen&flagged=1`) and keeps the hash up to date.
 *
 * The page loads nothing: no external scripts, styles, fonts or images, under a Content Security
 * Policy that forbids them and allows only its own script, by hash. Names from the logs
 * (processes, users, paths) are attacker-chosen: every template escapes what it interpolates
 * (`html.ts`), and the report's JSON is embedded with `<`, `>` and `&` written as `\u` escapes, so
 * no name can end the script block.
 *
 * The folder: `html.ts` the escaping template, `charts.ts` the SVG charts, `sections.ts`,
 * `top_lists.ts` and `changes.ts` the page's sections, `parts.ts` what they share, `format.ts`
 * numbers and times, `flagged.ts` what the flags mark, `page.ts` the page's shell (head, footer,
 * policy), the same for the fleet page (`fleet_page.ts`), `style.ts` the style sheet, and
 * `page_script.ts` the page's script, written in TypeScript (how it gets into the page is told
 * there).
 *
 * @module
 */

import type { Report } from "../../report/model.ts";
import { changesSection } from "./changes.ts";
import { flaggedSubjects } from "./flagged.ts";
import { markup } from "./html.ts";
import { pageCsp, reportPage } from "./page.ts";
import { pageScript } from "./page_script.ts";
import {
  flagsSection,
  header,
  hoursSection,
  sourcesSection,
  summaryCards,
  timelineSection,
} from "./sections.ts";
import { CSS } from "./style.ts";
import {
  portsSection,
  processesSection,
  remotesSection,
  sharedSection,
  TOP_ROWS,
  usersSection,
} from "./top_lists.ts";

export { changeMatches, changeSearchText } from "./page_script.ts";
export { escapeHtml, jsonForScript } from "./html.ts";
export { flagQuery } from "./sections.ts";
export { KIND_COLORS } from "./style.ts";

/** The page's script; the same for every report, so written and hashed once. */
const SCRIPT = pageScript({ topRows: TOP_ROWS });

/**
 * The Content Security Policy of the page: nothing from anywhere; inline style, and the page's
 * one script by its SHA-256 hash (so a script a name smuggled in would not run either).
 */
export const REPORT_CSP: string = pageCsp(SCRIPT);

/** The whole report as one HTML document. */
export function formatReportHtml(report: Report): string {
  const flagged = flaggedSubjects(report.flags);
  return reportPage({
    title: `portset report: ${report.computers.join(", ") || report.directory}`,
    css: CSS,
    script: SCRIPT,
    data: report,
    portset: report.portset,
    format: report.format,
    header: header(report),
    main: markup`${summaryCards(report)}
${flagsSection(report)}
${timelineSection(report, flagged)}
<div class="grid grid-a">
${hoursSection(report)}
${processesSection(report, flagged)}
</div>
${remotesSection(report, flagged)}
<div class="grid">
${portsSection(report, flagged)}
${usersSection(report, flagged)}
</div>
${sharedSection(report)}
${changesSection(report, flagged)}
${sourcesSection(report)}`,
  });
}
