/**
 * outputs/report_html/html.ts, the escape-by-default template the report page is written with,
 * and the page script's text: hostile strings in text, in quoted and unquoted attribute values,
 * in attribute maps and in the JSON block stay text; markup cannot be slipped into an attribute,
 * between attributes or into a script or style element; and the script embedded in the page is
 * whole, parses, and is what the page's CSP hash allows.
 */

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  attrs,
  escapeHtml,
  type Html,
  jsonScriptElement,
  markup,
  scriptElement,
  styleElement,
} from "../outputs/report_html/html.ts";
import { pageScript } from "../outputs/report_html/page_script.ts";
import { formatReportHtml, REPORT_CSP } from "../outputs/report_html/mod.ts";
import { sampleReport } from "./support/report_sample.ts";

/** Strings a process, user or path name could be, as a local user chooses it. */
const HOSTILE = [
  "<script>alert(1)</script>",
  "</style><script>alert(1)</script>",
  '" onmouseover="alert(1)',
  "' onfocus='alert(1)",
  "a & b &amp; c",
  "evil\u001b[31mred\u0000\u007f\u009b",
  "line\nbreak\ttab",
  "<!-- comment",
  "x\u2028y",
];

/** Whether `text` holds a C0 or C1 control character or DEL. */
function hasControl(text: string): boolean {
  return [...text].some((c) => c.charCodeAt(0) < 0x20 || (c >= "\u007f" && c <= "\u009f"));
}

Deno.test("text is escaped: the five special characters, controls shown as ?", () => {
  for (const hostile of HOSTILE) {
    const out = markup`<td class="name">${hostile}</td>`.toString();
    assert.equal(out, `<td class="name">${escapeHtml(hostile)}</td>`);
    const inner = out.slice('<td class="name">'.length, -"</td>".length);
    assert.doesNotMatch(inner, /[<>"']/, hostile);
    assert.ok(!hasControl(inner), hostile);
  }
  assert.equal(
    markup`<p>${"<script>"} & ${'"q"'} ${"'s'"} ${"a&b"}</p>`.toString(),
    "<p>&lt;script&gt; & &quot;q&quot; &#39;s&#39; a&amp;b</p>",
  );
  assert.equal(markup`<p>${"evil\u001b[31m\u0000"}</p>`.toString(), "<p>evil?[31m?</p>");
  assert.equal(markup`<p>${"</style>"}</p>`.toString(), "<p>&lt;/style&gt;</p>");
});

Deno.test("fragments nest as markup; arrays render in turn; null, undefined, false as nothing", () => {
  const cell = (text: string) => markup`<td>${text}</td>`;
  const row = markup`<tr>${["<a>", "b"].map(cell)}</tr>`;
  assert.equal(row.toString(), "<tr><td>&lt;a&gt;</td><td>b</td></tr>");
  const flagged = false as boolean;
  assert.equal(
    markup`<p>${null}${undefined}${flagged && markup`<b>!</b>`}${0}${""}</p>`.toString(),
    "<p>0</p>",
  );
});

Deno.test("quoted attribute values are escaped, and take no markup", () => {
  for (const hostile of HOSTILE) {
    for (
      const out of [
        markup`<span title="${hostile}">x</span>`.toString(),
        markup`<span title='${hostile}'>x</span>`.toString(),
        markup`<span class="item ${hostile} more">x</span>`.toString(),
      ]
    ) {
      // One attribute, its value without a quote, a tag end or a control character.
      const value = out.match(/^<span \w+=(["'])([\s\S]*)\1>x<\/span>$/)?.[2];
      assert.ok(value !== undefined, out);
      assert.doesNotMatch(value, /["'<>]/, out);
      assert.ok(!hasControl(value), out);
    }
  }
  assert.equal(
    markup`<a href="#filter=${"a b"}&flagged=1">x</a>`.toString(),
    '<a href="#filter=a b&flagged=1">x</a>',
  );
  assert.equal(markup`<a href="${"#f=a&b=1"}">x</a>`.toString(), '<a href="#f=a&amp;b=1">x</a>');
  assert.throws(() => markup`<span title="${markup`<b>x</b>`}">x</span>`, TypeError);
  assert.throws(() => markup`<span title='${[markup`<b>x</b>`]}'>x</span>`, TypeError);
});

Deno.test("an unquoted attribute value is quoted and escaped", () => {
  assert.equal(
    markup`<span title=${'" onclick="alert(1)'}>x</span>`.toString(),
    '<span title="&quot; onclick=&quot;alert(1)">x</span>',
  );
  assert.equal(markup`<td data-v=${42}>x</td>`.toString(), '<td data-v="42">x</td>');
  assert.throws(() => markup`<span title=${markup`<b>`}>x</span>`, TypeError);
});

Deno.test("between a tag's attributes only attrs() goes: a string there throws", () => {
  assert.throws(() => markup`<span ${"onclick=alert(1)"}>x</span>`, TypeError);
  assert.throws(() => markup`<span${" hidden"}>x</span>`, TypeError);
  assert.throws(() => markup`<span ${markup`<b>`}>x</span>`, TypeError, "markup is not attrs()");
  assert.equal(markup`<span${null}${false}${""}>x</span>`.toString(), "<span>x</span>");
  const out = markup`<tr${
    attrs({
      class: "change flagged",
      "data-i": 7,
      "data-flagged": true,
      "data-kind": null,
      hidden: false,
      title: '"><script>alert(1)</script>',
    })
  }>x</tr>`.toString();
  assert.equal(
    out,
    '<tr class="change flagged" data-i="7" data-flagged title="&quot;&gt;&lt;script&gt;' +
      'alert(1)&lt;/script&gt;">x</tr>',
  );
  for (const name of ["on click", 'x"y', "a>b", "", "1x", "a=b"]) {
    assert.throws(() => attrs({ [name]: "v" }), TypeError, name);
  }
});

Deno.test("nothing is interpolated into <script> or <style>; their helpers check their text", () => {
  assert.throws(() => markup`<script>var a = ${"x"};</script>`, TypeError);
  assert.throws(() => markup`<style>.a{color:${"red"}}</style>`, TypeError);
  assert.throws(() => markup`<SCRIPT type="module">${"x"}</SCRIPT>`, TypeError);
  // After the element ends, text is text again.
  assert.equal(
    markup`<style>.a{}</style><p>${"<b>"}</p>`.toString(),
    "<style>.a{}</style><p>&lt;b&gt;</p>",
  );
  assert.throws(() => scriptElement("a = '</script><img src=x>'"), TypeError);
  assert.throws(() => scriptElement("a = '</SCRIPT >'"), TypeError);
  assert.throws(() => scriptElement("<!-- a"), TypeError);
  assert.throws(() => styleElement(".a{} </style><script>x</script>"), TypeError);
  assert.equal(styleElement(".a{color:red}").toString(), "<style>.a{color:red}</style>");
  const json = jsonScriptElement("report-data", { name: "</script><!--\u2028" }).toString();
  assert.equal(
    json,
    '<script type="application/json" id="report-data">' +
      '{"name":"\\u003c/script\\u003e\\u003c!--\\u2028"}</script>',
  );
});

Deno.test("a template's text is kept byte for byte: no indentation is added or removed", () => {
  const out: Html = markup`<ul>
  <li> a </li>\t<li>${"b"}</li>
</ul>`;
  assert.equal(out.toString(), "<ul>\n  <li> a </li>\t<li>b</li>\n</ul>");
});

Deno.test("the page script is whole, parses, and is the script the page's CSP hash allows", () => {
  const script = pageScript({ topRows: 12 });
  // It parses as a classic script (a syntax error would throw here).
  new Function(script);
  for (const name of ["startPage", "setUpFilter", "setUpSort", "sortBy", "changeSearchText"]) {
    assert.match(script, new RegExp(`\\bfunction ${name}\\(`), name);
  }
  assert.match(script, /startPage\(\{"topRows":12\}\);/);
  // Deno removed the types; nothing of a module is left.
  assert.doesNotMatch(script, /^\s*(import|export)\b/m);
  assert.doesNotMatch(script, /: (HTMLTableElement|string|number|ChangeRow)\b/);

  const html = formatReportHtml(sampleReport());
  const inline = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
  assert.equal(inline.length, 1, "one inline script");
  assert.equal(inline[0], script);
  const hash = createHash("sha256").update(inline[0]).digest("base64");
  assert.match(REPORT_CSP, new RegExp(`script-src 'sha256-${hash.replace(/[+/]/g, "\\$&")}'`));
  assert.doesNotMatch(REPORT_CSP, /script-src[^;]*unsafe/, "no other inline script runs");
});
