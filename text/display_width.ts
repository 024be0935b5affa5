/**
 * The columns a terminal gives a text: what aligned tables pad by. `String.prototype.length`
 * counts UTF-16 code units, so a process named in CJK (two columns a character) or with combining
 * accents (none) pushed every later column of its rows off its header's. Wide and fullwidth
 * characters take two columns by the Unicode East Asian Width property (get-east-asian-width);
 * combining marks, enclosing marks and format characters (joiners, variation selectors) none.
 * Texts are made printable first (text/printable.ts): control characters are `?` by then.
 *
 * @module
 */

import { eastAsianWidth } from "get-east-asian-width";

/** Printable ASCII only: each character one column, the length is the width. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** Characters drawn on the one before: combining and enclosing marks, format characters. */
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}]$/u;

/** The terminal columns `text` takes. */
export function displayWidth(text: string): number {
  if (PRINTABLE_ASCII.test(text)) return text.length;
  let width = 0;
  for (const character of text) {
    const code = character.codePointAt(0)!;
    if (code < 0x7f) width++;
    else if (!ZERO_WIDTH.test(character)) width += eastAsianWidth(code);
  }
  return width;
}
