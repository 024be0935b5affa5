/**
 * Placeholder until the HTML renderer lands.
 *
 * @module
 */
import type { Report } from "../report/model.ts";

/** The report as one HTML page. */
export function formatReportHtml(report: Report): string {
  return `<!doctype html><title>portset report</title><pre>${
    JSON.stringify(report).replace(/</g, "&lt;")
  }</pre>`;
}
