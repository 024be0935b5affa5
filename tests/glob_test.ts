/**
 * rules/glob.ts: a table of the rule language's cases, then random patterns checked against a
 * reference built from regular expressions.
 */

import assert from "node:assert/strict";
import { compileGlob } from "../rules/glob.ts";

const TABLE: [pattern: string, text: string, matches: boolean][] = [
  // The vendor's examples.
  ["*/72.14.207.9?/80", "tcp/72.14.207.90/80", true],
  ["*/72.14.207.9?/80", "udp/72.14.207.99/80", true],
  ["*/72.14.207.9?/80", "tcp/72.14.207.9/80", false],
  ["*/72.14.207.9?/80", "tcp/72.14.207.100/80", false],
  ["*/72.14.207.2*/80", "tcp/72.14.207.2/80", true],
  ["*/72.14.207.2*/80", "tcp/72.14.207.25/80", true],
  ["*/72.14.207.2*/80", "tcp/72.14.207.255/80", true],
  ["*/72.14.207.2*/80", "tcp/72.14.207.3/80", false],
  ["*/80", "tcp6/::/80", true],
  ["*/80", "tcp/0.0.0.0/8080", false],
  ["tcp*/*/80", "tcp6/::1/80", true],
  ["tcp*/*/80", "udp/0.0.0.0/80", false],
  // Keys are not hierarchical: `/` is ordinary, `**` is two stars.
  ["tcp/*", "tcp/10.0.0.1/22", true],
  ["tcp/**/22", "tcp/10.0.0.1/22", true],
  ["*", "", true],
  ["", "", true],
  ["", "x", false],
  ["?", "", false],
  ["?", "a", true],
  ["??", "a", false],
  ["a*", "a", true],
  ["*a", "a", true],
  ["a*a", "a", false],
  ["a*a", "aa", true],
  ["*ab*ab*", "abab", true],
  ["*ab*ab*", "aba", false],
  ["a?c*", "abcdef", true],
  ["*?", "", false],
  // Only * and ? are special: backslash and brackets stand for themselves.
  ["*\\system32\\inetsrv\\inetinfo.exe", "C:\\Windows\\system32\\inetsrv\\inetinfo.exe", true],
  ["*\\system32\\inetsrv\\inetinfo.exe", "C:/Windows/system32/inetsrv/inetinfo.exe", false],
  ["[ab]", "a", false],
  ["[ab]", "[ab]", true],
  ["a.c", "abc", false],
  ["(x|y)+", "(x|y)+", true],
  ["^$", "^$", true],
  ["outlook.*", "outlook.exe", true],
  ["outlook.*", "outlookXexe", false],
];

Deno.test("compileGlob: the rule language's cases", () => {
  for (const [pattern, text, matches] of TABLE) {
    assert.equal(compileGlob(pattern).matches(text), matches, `${pattern} ~ ${text}`);
  }
});

Deno.test("compileGlob: case sensitivity", () => {
  assert.equal(compileGlob("svchost.exe").matches("SVCHOST.EXE"), false);
  assert.equal(compileGlob("svchost.exe", false).matches("SVCHOST.EXE"), true);
  assert.equal(compileGlob("SvcHost.*", false).matches("svchost.EXE"), true);
  assert.equal(compileGlob("Root", true).matches("root"), false);
});

/** The reference: the same glob as a regular expression, every other character escaped. */
function reference(pattern: string, caseSensitive: boolean): RegExp {
  const body = [...pattern].map((c) =>
    c === "*" ? "[\\s\\S]*" : c === "?" ? "[\\s\\S]" : c.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&")
  ).join("");
  return new RegExp(`^${body}$`, caseSensitive ? "" : "i");
}

Deno.test("compileGlob agrees with a regular-expression reference on random patterns", () => {
  let seed = 12345;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  // A small alphabet makes matches common; specials, regex metacharacters and both cases appear.
  const alphabet = ["a", "b", "A", "/", ".", "\\", "[", "]", "*", "?"];
  const textAlphabet = ["a", "b", "A", "B", "/", ".", "\\", "[", "]"];
  let matched = 0, checked = 0;
  for (let i = 0; i < 20_000; i++) {
    const pattern = Array.from({ length: random(8) }, () => alphabet[random(alphabet.length)]).join(
      "",
    );
    const caseSensitive = random(2) === 0;
    const glob = compileGlob(pattern, caseSensitive);
    const expected = reference(pattern, caseSensitive);
    for (let j = 0; j < 5; j++) {
      const text = Array.from(
        { length: random(10) },
        () => textAlphabet[random(textAlphabet.length)],
      )
        .join("");
      const want = expected.test(text);
      assert.equal(glob.matches(text), want, `${pattern} (case ${caseSensitive}) ~ ${text}`);
      checked++;
      if (want) matched++;
    }
  }
  assert.ok(matched > checked / 20, `enough matches to mean something: ${matched} of ${checked}`);
});
