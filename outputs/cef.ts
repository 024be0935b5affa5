/**
 * Common Event Format (ArcSight CEF): `CEF:0|vendor|product|version|signature|name|severity|ext`,
 * the shape SIEM syslog pipelines expect.
 *
 * @module
 */

import { printableField } from "../text/printable.ts";

/**
 * Escapes a header field: backslash and pipe; line breaks become a space (CEF has no escape for
 * them in the header) and any other control character `?`, so a record stays one line.
 */
export function cefHeader(value: string): string {
  return printableField(value.replace(/[\\|]/g, (c) => `\\${c}`).replace(/[\r\n]+/g, " "));
}

/**
 * Escapes an extension value: backslash, equals sign, and line breaks as `\n` / `\r`, as CEF
 * says; any other control character (a tab, an escape sequence in a process's name) as `?`, so
 * neither a SIEM's parser nor a terminal showing the line meets one.
 */
export function cefValue(value: string): string {
  return printableField(
    value.replace(/[\\=]/g, (c) => `\\${c}`).replace(/\r/g, "\\r").replace(/\n/g, "\\n"),
  );
}

/** One CEF record. Extensions whose value is null or undefined are left out. */
export interface CefRecord {
  vendor: string;
  product: string;
  version: string;
  signature: string;
  name: string;
  /** 0 (lowest) to 10. */
  severity: number;
  extensions: [key: string, value: string | number | null | undefined][];
}

/** The record as one line. */
export function formatCef(record: CefRecord): string {
  const header = [
    "CEF:0",
    cefHeader(record.vendor),
    cefHeader(record.product),
    cefHeader(record.version),
    cefHeader(record.signature),
    cefHeader(record.name),
    String(record.severity),
  ].join("|");
  const extensions = record.extensions
    .filter(([, value]) => value !== null && value !== undefined)
    .map(([key, value]) => `${key}=${cefValue(String(value))}`)
    .join(" ");
  return `${header}|${extensions}`;
}
