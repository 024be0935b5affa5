/**
 * Common Event Format (ArcSight CEF): `CEF:0|vendor|product|version|signature|name|severity|ext`,
 * the shape SIEM syslog pipelines expect.
 *
 * @module
 */

/** Escapes a header field: backslash and pipe. */
export function cefHeader(value: string): string {
  return value.replace(/[\\|]/g, (c) => `\\${c}`).replace(/[\r\n]+/g, " ");
}

/** Escapes an extension value: backslash, equals sign, and line breaks as `\n` / `\r`. */
export function cefValue(value: string): string {
  return value.replace(/[\\=]/g, (c) => `\\${c}`).replace(/\r/g, "\\r").replace(/\n/g, "\\n");
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
