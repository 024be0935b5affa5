/// <reference lib="dom" />
/**
 * The fleet page's script, written into the page as the one-host page's is (its source text, hashed
 * for the Content Security Policy; see page_script.ts for why and the rule that comes with it):
 * the per-host filter, kept in the URL's hash so `fleet.html#host=web1` opens filtered, and the
 * sorting of every table (page_script.ts's). Without scripts the page shows every host.
 *
 * A row belongs to one host (`data-host`: a host's row, a flag) or names several (`data-hosts`, a
 * JSON array: a listening port, a remote address); the filter shows the rows of the host chosen,
 * or that name it.
 *
 * @module
 */

import { setUpSort, sortBy } from "./page_script.ts";

/** Marks the page as scripted, sets up the host filter and the sorting, and says it is ready. */
function startFleetPage(): void {
  document.documentElement.classList.add("js");
  setUpHostFilter();
  for (const sortable of Array.from(document.querySelectorAll("table.sortable"))) {
    if (sortable instanceof HTMLTableElement) setUpSort(sortable, Infinity);
  }
  document.body.setAttribute("data-ready", "1");
}

/** The host filter: the select, each table's count of rows shown, and the URL's hash. */
function setUpHostFilter(): void {
  const select = document.getElementById("host-filter") as HTMLSelectElement | null;
  if (!select) return;
  const rows = Array.from(document.querySelectorAll("tr[data-host], tr[data-hosts]"));

  const apply = () => {
    const host = select.value;
    for (const row of rows) {
      const one = row.getAttribute("data-host");
      const many = row.getAttribute("data-hosts");
      const show = host === "" ||
        (one !== null ? one === host : (JSON.parse(many ?? "[]") as string[]).includes(host));
      if ((row as HTMLElement).hidden === show) (row as HTMLElement).hidden = !show;
    }
    for (const table of Array.from(document.querySelectorAll("table[data-filtered]"))) {
      const body = (table as HTMLTableElement).tBodies[0];
      const all = body ? body.rows.length : 0;
      const visible = body ? Array.from(body.rows).filter((row) => !row.hidden).length : 0;
      table.setAttribute("data-visible", String(visible));
      const count = document.getElementById(`${table.id}-count`);
      if (count) {
        count.textContent = host === ""
          ? `${all.toLocaleString("en-US")} rows`
          : `${visible.toLocaleString("en-US")} of ${all.toLocaleString("en-US")} rows: ${host}`;
      }
    }
  };

  const readHash = () => {
    const wanted = new URLSearchParams(location.hash.replace(/^#/, "")).get("host") ?? "";
    select.value = wanted;
    // A host the page does not have leaves the filter at every host.
    if (select.value !== wanted) select.value = "";
  };

  const writeHash = () => {
    const params = new URLSearchParams();
    if (select.value) params.set("host", select.value);
    const hash = params.toString();
    try {
      history.replaceState(null, "", hash ? `#${hash}` : location.pathname + location.search);
    } catch {
      // A page opened from a file may refuse; the filter still works.
    }
  };

  select.addEventListener("change", () => {
    apply();
    writeHash();
  });
  globalThis.addEventListener("hashchange", () => {
    readHash();
    apply();
  });
  readHash();
  apply();
}

/** The functions written into the page, each by its source text; `startFleetPage` runs them. */
const FLEET_FUNCTIONS = [startFleetPage, setUpHostFilter, setUpSort, sortBy];

/** The fleet page's script: `FLEET_FUNCTIONS` in one function expression, called. */
export function fleetPageScript(): string {
  return `(function () {\n"use strict";\n${
    FLEET_FUNCTIONS.map((fn) => fn.toString()).join("\n")
  }\nstartFleetPage();\n})();\n`;
}
