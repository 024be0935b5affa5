/**
 * Escape-by-default HTML for the report page: the `markup` tag turns a template literal into an
 * `Html` fragment, and every value interpolated into it is escaped for where it lands, unless it
 * is itself an `Html` fragment built the same way. Names from the logs are attacker-chosen (any
 * local user names their process), so a call site cannot forget to escape one: a plain string is
 * always text.
 *
 * Where a value lands is read from the template's own text, once per template:
 *
 * - between tags, a string is text (`&`, `<`, `>`, both quotes escaped; control characters shown
 *   as `?`), and a fragment is markup;
 * - inside a quoted attribute value (`title="${x}"`), a string is escaped and a fragment refused,
 *   as markup has no place there;
 * - right after `=` in a tag (`title=${x}`), the value is escaped and quoted;
 * - elsewhere in a tag, only `attrs(...)` (a fragment of whole attributes) is allowed;
 * - inside `<script>` or `<style>`, nothing: those are made by `scriptElement`, `jsonScriptElement`
 *   and `styleElement`, which check that their content cannot end the element early.
 *
 * `null`, `undefined` and `false` render as nothing (so `${flagged && markup`…`}` works), and arrays
 * render each item in turn.
 *
 * Only this module makes `Html` fragments: there is no way to pass a string through unescaped.
 *
 * @module
 */

import { printableField } from "../../text/printable.ts";

/** Makes a fragment; set by `Html`'s static block, so only this module can. */
let trusted: (markup: string) => Html;

/** A piece of HTML made by `markup`, `attrs` or the element helpers below: safe to insert as is. */
export class Html {
  readonly #markup: string;
  private constructor(markup: string) {
    this.#markup = markup;
  }
  static {
    trusted = (markup) => new Html(markup);
  }
  /** The markup. */
  toString(): string {
    return this.#markup;
  }
}

/** What a template may interpolate. */
export type HtmlValue = Html | string | number | null | undefined | false | readonly HtmlValue[];

/** Where an interpolation sits in its template. */
type Place = "text" | "tag" | "unquoted" | "quoted" | "raw";

/** The places of each template's interpolations, by the template's (reused) strings array. */
const places = new WeakMap<TemplateStringsArray, Place[]>();

/** Elements whose content is not HTML: a value interpolated there would not be escaped right. */
const RAW_TEXT = /^(script|style)$/i;

/**
 * Reads a template's literal parts as HTML and says where each interpolation falls: in text, in a
 * tag (between attributes, or right after an `=`), in a quoted attribute value, or in the content
 * of a raw-text element.
 */
function placesOf(strings: TemplateStringsArray): Place[] {
  const found: Place[] = [];
  let state: "text" | "tag" | "dq" | "sq" | "raw" = "text";
  let tagName = "";
  let closing = false;
  let rawEnd = "";
  for (let part = 0; part < strings.length; part++) {
    const literal = strings[part];
    for (let i = 0; i < literal.length; i++) {
      const c = literal[i];
      if (state === "text") {
        if (c === "<" && /[a-zA-Z/!]/.test(literal[i + 1] ?? "")) {
          state = "tag";
          closing = literal[i + 1] === "/";
          tagName = literal.slice(i + (closing ? 2 : 1)).match(/^[a-zA-Z][\w-]*/)?.[0] ?? "";
        }
      } else if (state === "tag") {
        if (c === '"') state = "dq";
        else if (c === "'") state = "sq";
        else if (c === ">") {
          state = !closing && RAW_TEXT.test(tagName) ? "raw" : "text";
          rawEnd = `</${tagName.toLowerCase()}`;
        }
      } else if (state === "dq" || state === "sq") {
        if (c === (state === "dq" ? '"' : "'")) state = "tag";
      } else if (literal.slice(i, i + rawEnd.length).toLowerCase() === rawEnd) {
        state = "tag";
        closing = true;
      }
    }
    if (part < strings.length - 1) {
      found.push(
        state === "text"
          ? "text"
          : state === "raw"
          ? "raw"
          : state === "dq" || state === "sq"
          ? "quoted"
          : /=\s*$/.test(literal)
          ? "unquoted"
          : "tag",
      );
    }
  }
  return found;
}

/** `value` as text: escaped, arrays item by item, nothing for null, undefined and false. */
function text(value: HtmlValue, place: Place): string {
  if (value === null || value === undefined || value === false) return "";
  if (Array.isArray(value)) return value.map((item) => text(item, place)).join("");
  if (value instanceof Html) {
    if (place === "text") return value.toString();
    throw new TypeError(`markup interpolated into an attribute value: ${value}`);
  }
  return escapeHtml(String(value));
}

/**
 * The tag for HTML templates: `markup\`<td class="name">${process}</td>\`` escapes `process`.
 * Returns a fragment that another template inserts as markup.
 */
export function markup(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let where = places.get(strings);
  if (!where) places.set(strings, where = placesOf(strings));
  let out = strings[0];
  for (let i = 0; i < values.length; i++) {
    const value = values[i], place = where[i];
    if (place === "raw") {
      throw new TypeError("a value interpolated into <script> or <style>: use the element helpers");
    }
    if (place === "tag") {
      const none = value === null || value === undefined || value === false || value === "";
      if (!none && !(value instanceof Html && attributeLists.has(value))) {
        throw new TypeError(`a value between a tag's attributes: use attrs(): ${value}`);
      }
      const attributes = none ? "" : String(value).trim();
      out += attributes ? ` ${attributes}` : "";
    } else if (place === "unquoted") {
      out += `"${text(value, place)}"`;
    } else {
      out += text(value, place);
    }
    out += strings[i + 1];
  }
  return trusted(out);
}

/** The fragments `attrs` made: the only ones a template puts between a tag's attributes. */
const attributeLists = new WeakSet<Html>();

/** A value of `attrs`: `true` writes the bare name, `null`, `undefined` and `false` leave it out. */
export type AttributeValue = string | number | boolean | null | undefined;

/**
 * Whole attributes, each value quoted and escaped, for a tag: `<tr${attrs({ "data-i": 3 })}>`.
 * Names are checked, since they are written as they are.
 */
export function attrs(values: Record<string, AttributeValue>): Html {
  let out = "";
  for (const [name, value] of Object.entries(values)) {
    if (!/^[a-zA-Z][a-zA-Z0-9_:.-]*$/.test(name)) {
      throw new TypeError(`not an attribute name: ${name}`);
    }
    if (value === null || value === undefined || value === false) continue;
    out += value === true ? ` ${name}` : ` ${name}="${escapeHtml(String(value))}"`;
  }
  const list = trusted(out);
  attributeLists.add(list);
  return list;
}

/** Text for HTML content or a quoted attribute value; control characters are shown as `?`. */
export function escapeHtml(text: string): string {
  return printableField(text).replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * JSON that can sit inside `<script type="application/json">`: `<`, `>` and `&` (so neither
 * `</script>` nor `<!--` can appear) and the two JavaScript line separators are `\u` escapes,
 * which JSON.parse reads back as the same characters.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"),
  );
}

/** `<script type="application/json" id="…">` holding `value`. */
export function jsonScriptElement(id: string, value: unknown): Html {
  return trusted(
    `<script type="application/json"${attrs({ id })}>${jsonForScript(value)}</script>`,
  );
}

/**
 * An inline `<script>` of the page's own code. Code is never built from the logs' text, but it is
 * checked anyway: nothing in it may end the element or open a comment that would hide its end.
 */
export function scriptElement(code: string): Html {
  if (/<\/script|<!--/i.test(code)) throw new TypeError("script text that would end its element");
  return trusted(`<script>${code}</script>`);
}

/** An inline `<style>` sheet; like `scriptElement`, it may not contain its own end tag. */
export function styleElement(css: string): Html {
  if (/<\/style/i.test(css)) throw new TypeError("style text that would end its element");
  return trusted(`<style>${css}</style>`);
}
