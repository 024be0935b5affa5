/**
 * Display widths against Python's own Unicode database (tests/fixtures/display_widths.py: East
 * Asian Width W and F take two columns, combining and enclosing marks and format characters none),
 * for texts whose characters have kept their properties across the Unicode versions the two may
 * carry (Debian's Python has 14, get-east-asian-width a later one).
 */

import assert from "node:assert/strict";
import { displayWidth } from "../text/display_width.ts";
import { exists, SYSTEM_PYTHON } from "./support/processes.ts";

const TEXTS = [
  "sshd",
  "日本語名前",
  "e\u0301e\u0301",
  "Ｆｕｌｌ",
  "한국어",
  "ünïcödé",
  "Ελληνικά",
  "кириллица",
  "a\u200db",
  "😀 ok",
  "─┼─",
  "\u3000x",
  "名-\u20dd",
];

/** Python's widths of a JSON list of texts (tests/fixtures/display_widths.py). */
const ORACLE = new URL("./fixtures/display_widths.py", import.meta.url).pathname;

Deno.test({
  name: "display widths are those Python's unicodedata gives, wide, combining and format alike",
  ignore: !exists(SYSTEM_PYTHON),
  fn() {
    const result = new Deno.Command(SYSTEM_PYTHON, {
      args: [ORACLE, JSON.stringify(TEXTS)],
    }).outputSync();
    assert.ok(result.success, new TextDecoder().decode(result.stderr));
    const expected = JSON.parse(new TextDecoder().decode(result.stdout)) as number[];
    assert.deepEqual(TEXTS.map(displayWidth), expected);
    // Not all one column: the oracle tells the cases apart.
    assert.deepEqual(expected.slice(0, 4), [4, 10, 2, 8]);
  },
});
