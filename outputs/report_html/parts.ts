/**
 * Building blocks the report's sections share: the card every section is, bars of a share, a
 * process's name over its path, names that may wrap only at a path's separators, and the dash for
 * a socket no process owned.
 *
 * @module
 */

import type { Flag } from "../../report/model.ts";
import { attrs, type Html, type HtmlValue, markup } from "./html.ts";

/** A card: a section with a heading, an optional note beside it, and a body. */
export function card(
  id: string,
  heading: string,
  body: HtmlValue,
  { note = "" as HtmlValue, wide = false, extraClass = "" } = {},
): Html {
  return markup`<section id="${id}" class="card${
    wide ? " wide" : ""
  }${extraClass}"><div class="card-head"><h2>${heading}</h2>${
    note && markup`<span class="note">${note}</span>`
  }</div>${body}</section>`;
}

/** A bar of `share` (0 to 1) with its label beside it. */
export function bar(share: number, label: HtmlValue, color?: string): Html {
  const width = (Math.max(0, Math.min(1, share)) * 100).toFixed(1);
  const style = color ? `width:${width}%;background:${color}` : `width:${width}%`;
  return markup`<div class="bar"><span class="fill" style="${style}"></span></div><span class="bar-label">${label}</span>`;
}

/**
 * Text for a box that, too narrow, cuts it at the start rather than the end (CSS classes `path`,
 * `cpath`, `src-clip`: right to left, so the ellipsis is on the left), keeping a path's file name
 * or a source's line number; isolated, so it still reads left to right.
 */
export function tail(text: string): Html {
  return markup`<bdi class="tail-text">${text}</bdi>`;
}

/**
 * Names (a path, an address, a user, a list of process names) that wrap only at their spaces and
 * after a path's `/` or `\`: each piece between is one unbreakable span, so a narrow cell never
 * cuts `2001:db8::1` or `systemd-resolved` in two (the browser would, at a hyphen).
 */
export function nameText(text: string): Html {
  return markup`${
    text.split(/(?<=[\\/])|(?=\s)/).map((piece, i) => {
      const space = piece.match(/^\s+/)?.[0] ?? "";
      const word = piece.slice(space.length);
      return markup`${i && !space ? markup`<wbr>` : space}${
        word && markup`<span class="nb">${word}</span>`
      }`;
    })
  }`;
}

/** Prose (a flag's detail) that may also wrap after a path's `/` or `\` within it. */
export function proseText(text: string): Html {
  return markup`${
    text.split(/(?<=[\\/])/).map((piece, i) => markup`${i ? markup`<wbr>` : ""}${piece}`)
  }`;
}

/** A process's name over its executable's path (cut at its start to fit; whole in the title). */
export function nameAndPath(
  name: string,
  path: string | null,
  mark: HtmlValue = "",
  pathSeverity?: Flag["severity"],
): Html {
  return markup`<div class="name">${name}${mark}</div><div${
    attrs({ class: `path${pathSeverity ? ` sev-${pathSeverity}` : ""}`, title: path })
  }>${path === null ? "path unknown" : tail(path)}</div>`;
}

/** Process names, or a dash when no process was visible. */
export function processList(processes: string[]): Html {
  return processes.length ? nameText(processes.join(", ")) : NO_PROCESS;
}

/** The dash for a socket no process owned, saying why there may be none. */
export const NO_PROCESS: Html =
  markup`<span class="muted" title="no process visible: a socket in TIME_WAIT, the kernel's, or one that closed before portset looked">—</span>`;

/** A column heading: its label, how the column sorts (none: not sortable), its class and title. */
export type Head = [label: string, type?: "num" | "text", cls?: string, title?: string];

/** A table's heading row. */
export function headRow(heads: Head[]): Html {
  return markup`<thead><tr>${
    heads.map(([label, type, cls, title]) =>
      markup`<th${attrs({ "data-type": type, class: cls, title })}>${label}</th>`
    )
  }</tr></thead>`;
}
