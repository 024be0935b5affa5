/**
 * RFC 4180 fields, both ways: {@linkcode csvField} writes one (quoted only when it must be), and
 * {@linkcode splitCsv} splits a line back into its fields. {@linkcode spreadsheetField} writes
 * one for a spreadsheet: `-local --csv` is written with it. The Port Reporter's PR-PORTS lines
 * are written with {@linkcode csvField}, and read with {@linkcode splitCsv}: they are a log in
 * the original's layout, read by portset's report and the original's parsers, which take each
 * field as it is written; a `'` before a login shell's `-bash` would be a name that never ran.
 *
 * @module
 */

import { printableField } from "./printable.ts";

/** A value a CSV field is written from. */
export type Cell = string | number | boolean | null | undefined;

/** First characters that make a spreadsheet read a cell as a formula (OWASP's list). */
const FORMULA_START = /^[=+\-@\t\r]/;

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
 * A CSV field for a spreadsheet: {@linkcode csvField}, and text that starts with `=`, `+`, `-`,
 * `@`, a tab or a carriage return is written after a `'`, as OWASP recommends against formula
 * injection: a process named `=HYPERLINK(...)` or `@SUM(1+2)` is shown as text, not evaluated.
 * Numbers are written as numbers, a negative one too: it is a value, not a formula.
 */
export function spreadsheetField(value: Cell): string {
  if (typeof value !== "string" || !FORMULA_START.test(value)) return csvField(value);
  return csvField(`'${value}`);
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
