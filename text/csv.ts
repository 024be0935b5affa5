/**
 * RFC 4180 fields, both ways: {@linkcode csvField} writes one (quoted only when it must be), and
 * {@linkcode splitCsv} splits a line back into its fields. `-local --csv` and the Port Reporter's
 * PR-PORTS lines are written, and PR-PORTS read, with these.
 *
 * @module
 */

import { printableField } from "./printable.ts";

/** A value a CSV field is written from. */
export type Cell = string | number | boolean | null | undefined;

/**
 * A CSV field: control characters (line breaks included) shown as `?`, so a record is one line
 * and nothing reaches a terminal as an escape sequence; quoted when it holds a comma or quote.
 */
export function csvField(value: Cell): string {
  if (value === null || value === undefined) return "";
  const text = printableField(String(value));
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * The fields of one RFC 4180 line: commas separate, a field in double quotes may hold commas and
 * `""` for a quote. Lines with no quote (the original Port Reporter never quotes) are split as is.
 */
export function splitCsv(text: string): string[] {
  if (!text.includes('"')) return text.split(",");
  const fields: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"' && field === "") quoted = true;
    else if (char === ",") {
      fields.push(field);
      field = "";
    } else field += char;
  }
  fields.push(field);
  return fields;
}
