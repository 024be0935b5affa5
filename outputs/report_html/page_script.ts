/// <reference lib="dom" />
/**
 * The report page's script, as TypeScript that `deno check` and `deno lint` read: the filter of
 * the changes table (any column's text, the change kind, flagged only), kept in the URL's hash so
 * `report.html#filter=sshd&kind=listen&flagged=1` opens filtered, and sorting by any column of any
 * table. It reads the rows' values from the report's JSON embedded in the page, not from the
 * page's text. Without scripts the page reads the same, unfiltered and unsorted.
 *
 * **How it gets into the page.** The page is one file under a Content Security Policy of
 * `default-src 'none'` that allows this one inline script by its SHA-256 hash, so the script's
 * text must be known exactly when the page is written. `pageScript()` writes the source text of
 * the functions listed in `PAGE_FUNCTIONS` (`Function.prototype.toString`, which gives the code
 * Deno runs: this file with its types removed) into one function expression, and calls it. So the
 * code is in no string literal, it is checked and linted as code, and the text hashed is the text
 * run. The other ways were measured and not taken: `deno bundle` (Deno 2.9) is marked experimental
 * and fetches esbuild from the npm registry the first time it runs, so with an empty cache it
 * fails offline; `Deno.bundle()` needs `--unstable-bundle` at run time, which a compiled portset
 * does not have; and a bundle made at build time would be a generated file to keep in step.
 *
 * The rule that comes with it: a function in `PAGE_FUNCTIONS` may use only the browser's globals
 * and the other functions in the list, never an import or another binding of this module (the
 * page would not have it), and only syntax Deno does not rewrite. The browser tests run the page
 * with a check for console errors; the unit tests check the text parses and holds every function.
 *
 * `changeSearchText` runs on both sides: in the page for the filter, and in portset to choose
 * each flag's "changes ↓" filter, so the link and the filter cannot disagree.
 *
 * @module
 */

import type { ChangeRow } from "../../report/model.ts";

/** What the page's script is told when it starts. */
export interface PageOptions {
  /** Rows of a top list shown before its "show all" toggle; sorting keeps that many in view. */
  topRows: number;
}

/** `address:port` as the rest of portset writes it; the (bracketed) address alone without a port. */
function addressPort(address: string, port: number | null): string {
  const host = address.includes(":") ? `[${address}]` : address;
  return port === null ? host : `${host}:${port}`;
}

/** The words a change row is found by in the filter box, lower case: every column's text. */
export function changeSearchText(row: ChangeRow): string {
  return [
    row.time,
    row.time.replace("T", " "),
    row.change,
    row.protocol,
    `${row.protocol} ${row.localPort}`,
    row.localAddress,
    addressPort(row.localAddress, row.localPort),
    row.remoteAddress === null
      ? ""
      : `${row.remoteAddress} ${addressPort(row.remoteAddress, row.remotePort)}`,
    row.pid ?? "",
    row.process ?? "",
    row.path ?? "",
    row.user ?? "",
    row.state ?? "",
    row.source,
    row.flagged ? "flagged" : "",
  ].join("\n").toLowerCase();
}

/** The filter box's text as lower-case terms, each of which a row must contain. */
function searchTerms(query: string): string[] {
  return query.toLowerCase().split(/\s+/).filter((term) => term !== "");
}

/** Whether every whitespace-separated term of `query` occurs in the row's search text. */
export function changeMatches(row: ChangeRow, query: string): boolean {
  const text = changeSearchText(row);
  return searchTerms(query).every((term) => text.includes(term));
}

/** Marks the page as scripted, sets up the filter and the sorting, and says it is ready. */
function startPage(options: PageOptions): void {
  document.documentElement.classList.add("js");
  const data = JSON.parse(document.getElementById("report-data")?.textContent ?? "{}");
  const table = document.getElementById("changes");
  if (table instanceof HTMLTableElement) setUpFilter(table, data.changes ?? []);
  for (const sortable of Array.from(document.querySelectorAll("table.sortable"))) {
    if (sortable instanceof HTMLTableElement) setUpSort(sortable, options.topRows);
  }
  document.body.setAttribute("data-ready", "1");
}

/** The changes table's filter: the controls, the count line and the URL's hash. */
function setUpFilter(table: HTMLTableElement, changes: ChangeRow[]): void {
  const rows = Array.from(table.tBodies[0].rows);
  const texts = rows.map((row) => changeSearchText(changes[Number(row.getAttribute("data-i"))]));
  const text = document.getElementById("filter-text") as HTMLInputElement;
  const kind = document.getElementById("filter-kind") as HTMLSelectElement;
  const flagged = document.getElementById("filter-flagged") as HTMLInputElement;
  const count = document.getElementById("changes-count")!;
  const noMatch = document.getElementById("no-match")!;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const apply = () => {
    const terms = searchTerms(text.value);
    const onlyKind = kind.value, onlyFlagged = flagged.checked;
    let visible = 0;
    rows.forEach((row, i) => {
      const show = (!onlyKind || row.getAttribute("data-kind") === onlyKind) &&
        (!onlyFlagged || row.getAttribute("data-flagged") === "1") &&
        terms.every((term) => texts[i].includes(term));
      // Touch only rows that change: setting `hidden` on thousands of rows costs a layout each.
      if (row.hidden === show) row.hidden = !show;
      if (show) visible++;
    });
    table.setAttribute("data-visible", String(visible));
    count.textContent = `${visible.toLocaleString("en-US")} of ${
      rows.length.toLocaleString("en-US")
    } shown`;
    noMatch.hidden = visible > 0;
  };

  const readHash = () => {
    const params = new URLSearchParams(location.hash.replace(/^#/, ""));
    text.value = params.get("filter") ?? "";
    const wanted = params.get("kind") ?? "";
    kind.value = wanted;
    // A kind the select does not offer (or offers disabled) leaves it at "all kinds".
    if (kind.value !== wanted) kind.value = "";
    flagged.checked = params.get("flagged") === "1";
  };

  const writeHash = () => {
    const params = new URLSearchParams();
    if (text.value) params.set("filter", text.value);
    if (kind.value) params.set("kind", kind.value);
    if (flagged.checked) params.set("flagged", "1");
    const hash = params.toString();
    try {
      history.replaceState(null, "", hash ? `#${hash}` : location.pathname + location.search);
    } catch {
      // A page opened from a file may refuse; the filter still works.
    }
  };

  const changed = () => {
    apply();
    writeHash();
  };
  text.addEventListener("input", () => {
    clearTimeout(timer);
    // Typing in a long table waits for a pause; a short one filters at each key.
    timer = setTimeout(changed, rows.length > 500 ? 120 : 0);
  });
  kind.addEventListener("change", changed);
  flagged.addEventListener("change", changed);
  document.getElementById("filter-clear")?.addEventListener("click", () => {
    text.value = "";
    kind.value = "";
    flagged.checked = false;
    changed();
  });
  globalThis.addEventListener("hashchange", () => {
    readHash();
    apply();
    document.getElementById("changes-section")?.scrollIntoView();
  });
  readHash();
  apply();
}

/** Clicking a table's column heading sorts by it, ascending, then descending. */
export function setUpSort(table: HTMLTableElement, topRows: number): void {
  const heads = table.tHead ? Array.from(table.tHead.rows[0].cells) : [];
  heads.forEach((head, column) =>
    head.addEventListener("click", () => sortBy(table, column, topRows))
  );
}

/**
 * Sorts the table's body by one column: by its cells' `data-v` where they have one (the exact
 * value behind a formatted one), else their text; numbers as numbers. Ties keep their order. A
 * top list keeps its first `topRows` rows in view and the rest behind its toggle.
 */
export function sortBy(table: HTMLTableElement, column: number, topRows: number): void {
  const heads = Array.from(table.tHead!.rows[0].cells);
  const head = heads[column];
  const numeric = head.getAttribute("data-type") === "num";
  const descending = head.getAttribute("aria-sort") === "ascending";
  for (const cell of heads) cell.removeAttribute("aria-sort");
  head.setAttribute("aria-sort", descending ? "descending" : "ascending");
  const body = table.tBodies[0];
  const rows = Array.from(body.rows).map((row, index) => {
    const cell = row.cells[column];
    const raw = !cell ? "" : cell.getAttribute("data-v") ?? cell.textContent ?? "";
    let value: number | string = raw.trim().toLowerCase();
    if (numeric) {
      value = parseFloat(raw.replace(/[^0-9.eE+-]/g, ""));
      if (Number.isNaN(value)) value = -Infinity;
    }
    return { row, value, index };
  });
  rows.sort((a, b) => {
    const order = a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
    return (descending ? -order : order) || a.index - b.index;
  });
  const fragment = document.createDocumentFragment();
  rows.forEach(({ row }, i) => {
    if (row.classList.contains("item")) row.classList.toggle("more", i >= topRows);
    fragment.appendChild(row);
  });
  body.appendChild(fragment);
}

/** The functions written into the page, each by its source text; `startPage` runs them. */
const PAGE_FUNCTIONS = [
  addressPort,
  changeSearchText,
  searchTerms,
  startPage,
  setUpFilter,
  setUpSort,
  sortBy,
];

/** The page's script: `PAGE_FUNCTIONS` in one function expression, called with `options`. */
export function pageScript(options: PageOptions): string {
  return `(function () {\n"use strict";\n${
    PAGE_FUNCTIONS.map((fn) => fn.toString()).join("\n")
  }\nstartPage(${JSON.stringify(options)});\n})();\n`;
}
