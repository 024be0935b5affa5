/**
 * The outputs' name for terminal-safe text, which lives in text/printable.ts so that the Port
 * Reporter logs' writer can share it without importing the outputs. outputs/report_html.ts still
 * imports it from here.
 *
 * @module
 */

export { printable, printableField } from "../text/printable.ts";
