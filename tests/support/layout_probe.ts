/// <reference lib="dom" />
/**
 * A probe of a rendered page's layout, for the HTML report's Chromium tests: `probeLayout` runs in
 * the page (its source is appended as a script, see `withProbe`) and writes what it found as JSON
 * into `<script type="application/json" id="layout-probe">`, which `--dump-dom` prints and
 * `readProbe` reads back.
 *
 * It finds what a reader on a narrow or a wide screen would notice: a table wider than its card
 * (or its scroll box), a page that scrolls sideways, a name broken across lines in the middle of a
 * word or address (CSS word-breaking; a path may wrap after `/` or `\`), and a chart's text that
 * reaches past its SVG's viewport, where the SVG clips it.
 *
 * @module
 */

import { createHash } from "node:crypto";

/** What `probeLayout` found; every list is empty on a page that lays out well. */
export interface LayoutProbe {
  /** The window's inner width, to be sure the probe ran at the width asked for. */
  width: number;
  /** `table: scrollWidth>clientWidth` of each table wider than its card or scroll box. */
  wideTables: string[];
  /** The page's scroll width when it is wider than the window; 0 when it is not. */
  pageOverflow: number;
  /** `…before|after…` around each line break inside a word, address or path segment. */
  brokenWords: string[];
  /** `svg: "label" left..right × top..bottom outside left..right × top..bottom`. */
  chartTextOutside: string[];
  /** Text nodes looked at for line breaks, so a probe that saw nothing cannot pass. */
  textsChecked: number;
  /** Chart labels compared with their SVG. */
  chartTexts: number;
}

/**
 * Runs in the page: measures it and writes a `LayoutProbe` into the document. Written as one
 * function that uses nothing outside itself, since its source text is what the page runs.
 */
export function probeLayout(): void {
  const wideTables: string[] = [];
  for (const table of Array.from(document.querySelectorAll("table"))) {
    let box = table.parentElement;
    while (box && !/\b(card|scroll)\b/.test(box.className)) box = box.parentElement;
    if (box && box.scrollWidth > box.clientWidth + 1) {
      wideTables.push(`${table.id || table.className}:${box.scrollWidth}>${box.clientWidth}`);
    }
  }
  const pageWidth = document.documentElement.scrollWidth;

  // Line breaks: each visible character's line, in reading order within its block, and the two
  // characters around every place where the next one starts a new line. A break is fine at white
  // space, after a path's separator, at a `<br>`, and after a hyphen in prose; not in the middle of
  // a word, an address or a path's segment.
  const blockOf = (node: Node): Element => {
    let element = node.parentElement!;
    while (element.parentElement && getComputedStyle(element).display === "inline") {
      element = element.parentElement;
    }
    return element;
  };
  const skipped = "script,style,svg,select,option,title,template,noscript";
  const names = ".subject,.addr,.path,.cpath,.list,code,.dir,.src,.name,.port,.time";
  const walker = document.createTreeWalker(
    document.body,
    NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT,
  );
  const range = document.createRange();
  const brokenWords: string[] = [];
  let textsChecked = 0;
  let block: Element | null = null;
  let before = ""; // the block's text so far, for the report
  // What the last visible character was; `as`, since the closures below assign it.
  let last = null as { char: string; bottom: number; name: boolean } | null;
  const fine = (a: string, b: string, name: boolean) =>
    /\s/.test(a) || /\s/.test(b) || /[\\/]/.test(a) || (a === "-" && !name);
  const see = (char: string, rect: DOMRect | undefined, name: boolean) => {
    before += char;
    if (!rect || (rect.width === 0 && /\s/.test(char))) {
      // A collapsed space still separates words.
      if (/\s/.test(char) && last) last = { ...last, char: " " };
      return;
    }
    if (last && rect.top >= last.bottom - 2 && !fine(last.char, char, last.name || name)) {
      brokenWords.push(`${before.slice(-25, -1)}|${char}`);
    }
    last = { char, bottom: rect.bottom, name };
  };
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node instanceof HTMLBRElement && last) last = { ...last, char: "\n" };
    if (node.nodeType !== Node.TEXT_NODE) continue;
    const text = node.textContent ?? "";
    if (text === "" || node.parentElement?.closest(skipped)) continue;
    range.selectNodeContents(node);
    const rects = range.getClientRects();
    const container = blockOf(node);
    if (rects.length === 0) {
      // White space between elements, collapsed at a line's end, still separates words.
      if (container === block && last && /^\s+$/.test(text)) last = { ...last, char: " " };
      continue;
    }
    textsChecked++;
    if (container !== block) {
      block = container;
      before = "";
      last = null;
    }
    const name = node.parentElement?.closest(names) !== null;
    // All on one line: only its first and last characters can meet a break.
    const indexes = rects.length > 1
      ? Array.from(text, (_, i) => i)
      : text.length === 1
      ? [0]
      : [0, text.length - 1];
    for (const i of indexes) {
      if (i === text.length - 1 && indexes.length === 2) before += text.slice(1, -1);
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      see(text[i], range.getClientRects()[0], name);
    }
  }

  // Chart text against its SVG's viewport, which clips whatever reaches past it.
  const chartTextOutside: string[] = [];
  let chartTexts = 0;
  const box = (r: DOMRect) =>
    `${r.left.toFixed(1)}..${r.right.toFixed(1)} × ${r.top.toFixed(1)}..${r.bottom.toFixed(1)}`;
  for (const svg of Array.from(document.querySelectorAll("svg.chart"))) {
    const frame = svg.getBoundingClientRect();
    for (const label of Array.from(svg.querySelectorAll("text"))) {
      chartTexts++;
      const r = label.getBoundingClientRect();
      if (
        r.left < frame.left - 0.5 || r.right > frame.right + 0.5 ||
        r.top < frame.top - 0.5 || r.bottom > frame.bottom + 0.5
      ) {
        chartTextOutside.push(`${svg.id}: "${label.textContent}" ${box(r)} outside ${box(frame)}`);
      }
    }
  }

  const result = {
    width: innerWidth,
    wideTables,
    pageOverflow: pageWidth > innerWidth ? pageWidth : 0,
    brokenWords,
    chartTextOutside,
    textsChecked,
    chartTexts,
  };
  const out = document.createElement("script");
  out.type = "application/json";
  out.id = "layout-probe";
  out.textContent = JSON.stringify(result).replace(/</g, "\\u003c");
  document.body.appendChild(out);
}

/**
 * The page with `probeLayout` appended as a script, and that script's hash added to the page's
 * Content Security Policy (which allows only the page's own script by its hash).
 */
export function withProbe(html: string): string {
  const script = `(${probeLayout.toString()})();`;
  const hash = createHash("sha256").update(script).digest("base64");
  const page = html.replace(
    /(http-equiv="Content-Security-Policy" content="[^"]*script-src )/,
    (m) => `${m}'sha256-${hash}' `,
  );
  return page.replace("</body>", `<script>${script}</script></body>`);
}

/** The probe's result from a `--dump-dom` of a page made by `withProbe`; throws when absent. */
export function readProbe(dom: string): LayoutProbe {
  const match = dom.match(/<script type="application\/json" id="layout-probe">([^<]*)<\/script>/);
  if (!match) throw new Error("the layout probe did not run");
  return JSON.parse(match[1]);
}
