/**
 * Reads rule files: one `<PortSet>`, or several entity sets under any single root element.
 * The XML itself is parsed by saxes (well-formedness, positions); this file gives it meaning and
 * rejects anything it does not understand, naming the file, line and column.
 *
 * @module
 */

import { createHash } from "node:crypto";
import type { SaxesParser as SaxesParserType, SaxesTag } from "saxes";
import { decodeInputText, InputFileError, readInputBytes } from "../text/input_file.ts";
import { compileGlob } from "./glob.ts";
import {
  ATTRIBUTE_NAMES,
  type AttributeName,
  type Criterion,
  type Feature,
  FEATURE_TESTS,
  type PortSetRule,
  type Position,
  type Rule,
} from "./rule.ts";

/** A rule file portset cannot use; the message names the file and, where known, line and column. */
export class RuleError extends Error {
  /** The error's name, as traces and `String(error)` show it. */
  override name = "RuleError";
}

/** How names compare where a rule says `casesensitive="platform"` (the default). */
export interface RuleOptions {
  /** True where the OS treats names case-sensitively (everywhere but Windows). */
  platformCaseSensitive: boolean;
}

/** The XML parser's class, once loaded. */
let SaxesParser: typeof SaxesParserType | undefined;

/**
 * Loads the XML parser (an npm package). Commands that read no rule never load it: they start
 * faster, and run where npm packages cannot be fetched (a Windows service's first start).
 */
export async function loadXmlParser(): Promise<void> {
  SaxesParser ??= (await import("saxes")).SaxesParser;
}

/** Rule files are refused past this size: a rule selecting every port of a host is a few KiB. */
export const MAX_RULE_BYTES = 4 << 20;

/** Reads and parses a rule file. Throws {@linkcode RuleError} for anything wrong with it. */
export async function readRule(path: string, options: RuleOptions): Promise<Rule> {
  await loadXmlParser();
  let bytes: Uint8Array, text: string;
  try {
    bytes = readInputBytes(path, { what: "rule file", maxBytes: MAX_RULE_BYTES });
    text = decodeInputText(bytes, path, "rule file");
  } catch (error) {
    if (error instanceof InputFileError) throw new RuleError(error.message, { cause: error });
    throw error;
  }
  const digest = "sha256:" + createHash("sha256").update(bytes).digest("hex");
  return { path, digest, sets: parseRule(text, path, options) };
}

/** The entity set names of the rules language that portset knows and does not monitor. */
const OTHER_ENTITY_SETS = new Set([
  "DirectorySet",
  "FileSet",
  "GroupSet",
  "InstalledSoftwareSet",
  "ProcessSet",
  "RegistryKeySet",
  "RegistryValueSet",
  "ServiceSet",
  "UserSet",
  "WQLSet",
]);

const STANDARD = "STANDARD";

/** What the element being read is, and what it may contain. */
type Frame =
  | { kind: "wrapper" }
  | { kind: "set"; set: PortSetRule; sawAttributes: boolean }
  | { kind: "criterion" }
  | { kind: "attributes"; names: Set<AttributeName> | null; set: PortSetRule }
  | { kind: "attribute" };

/**
 * Parses rule text; `path` is used in messages only. The XML parser is loaded on demand: await
 * {@linkcode loadXmlParser} once first ({@linkcode readRule} does).
 */
export function parseRule(text: string, path: string, options: RuleOptions): PortSetRule[] {
  if (text.trim() === "") throw new RuleError(`${path}: the rule file is empty`);
  if (!SaxesParser) throw new Error("parseRule before loadXmlParser");
  const parser = new SaxesParser({ position: true });
  const sets: PortSetRule[] = [];
  const stack: Frame[] = [];
  let start: Position = { line: 1, column: 1 };

  const fail = (where: Position, message: string): never => {
    throw new RuleError(`${path}:${where.line}:${where.column}: ${message}`);
  };

  const lineStarts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) lineStarts.push(i + 1);
  /** Line and column (both from 1) of a character offset. */
  const positionOf = (offset: number): Position => {
    let low = 0, high = lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (lineStarts[middle] <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - lineStarts[low] + 1 };
  };

  parser.on("opentagstart", (tag) => {
    // saxes has read "<", the name and the character that ended it (which may be a newline).
    start = positionOf(parser.position - tag.name.length - 2);
  });

  parser.on("opentag", (tag: SaxesTag) => {
    const where = start;
    const parent = stack[stack.length - 1];
    if (parent === undefined) {
      if (tag.name === "PortSet") stack.push(openSet(tag, where));
      else if (OTHER_ENTITY_SETS.has(tag.name)) unsupported(tag.name, where);
      else stack.push({ kind: "wrapper" });
      return;
    }
    switch (parent.kind) {
      case "wrapper":
        if (tag.name === "PortSet") return void stack.push(openSet(tag, where));
        if (OTHER_ENTITY_SETS.has(tag.name) || tag.name.endsWith("Set")) {
          unsupported(tag.name, where);
        }
        return fail(
          where,
          `unknown element <${tag.name}>: a rule file holds entity sets such as <PortSet>`,
        );
      case "set":
        if (tag.name === "include" || tag.name === "exclude") {
          const criterion = openCriterion(tag, where);
          parent.set[tag.name].push(criterion);
          return void stack.push({ kind: "criterion" });
        }
        if (tag.name === "attributes") {
          if (parent.sawAttributes) fail(where, "<attributes> is given twice in one <PortSet>");
          parent.sawAttributes = true;
          noAttributes(tag, where);
          return void stack.push({ kind: "attributes", names: new Set(), set: parent.set });
        }
        return fail(
          where,
          `unknown element <${tag.name}> in <PortSet>; expected <include>, <exclude> or <attributes>`,
        );
      case "attributes": {
        noAttributes(tag, where);
        if (tag.name === STANDARD) {
          parent.names = null;
        } else if ((ATTRIBUTE_NAMES as readonly string[]).includes(tag.name)) {
          parent.names?.add(tag.name as AttributeName);
        } else {
          fail(
            where,
            `unknown attribute <${tag.name}> in <attributes>; expected <STANDARD/> or one of ${
              ATTRIBUTE_NAMES.map((name) => `<${name}/>`).join(", ")
            }`,
          );
        }
        return void stack.push({ kind: "attribute" });
      }
      case "criterion":
      case "attribute":
        return fail(
          where,
          `<${tag.name}> cannot stand inside another element here; feature tests are attributes, e.g. <include key="*"/>`,
        );
    }
  });

  parser.on("closetag", () => {
    const frame = stack.pop();
    if (frame?.kind === "attributes") {
      frame.set.attributes = frame.names === null
        ? ATTRIBUTE_NAMES
        : ATTRIBUTE_NAMES.filter((name) => frame.names!.has(name));
    }
  });

  parser.on("text", (content) => {
    if (content.trim() !== "" && stack.length > 0) {
      fail(
        { line: parser.line, column: parser.column },
        `unexpected text '${content.trim().slice(0, 20)}'`,
      );
    }
  });

  parser.on(
    "cdata",
    () => fail({ line: parser.line, column: parser.column }, "unexpected CDATA section"),
  );

  parser.on("error", (error) => {
    // saxes says "LINE:COLUMN: message."; keep its position, in portset's form.
    const match = /^(\d+):(\d+): (.*?)\.?$/s.exec(error.message);
    if (match) fail({ line: Number(match[1]), column: Number(match[2]) }, match[3]);
    throw new RuleError(`${path}: ${error.message}`);
  });

  function openSet(tag: SaxesTag, where: Position): Frame {
    let onChange = false;
    for (const [name, value] of Object.entries(tag.attributes)) {
      if (name !== "onChange") {
        fail(where, `unknown attribute '${name}' on <PortSet>; expected onChange`);
      }
      if (value !== "true" && value !== "false") {
        fail(where, `onChange must be "true" or "false", not "${value}"`);
      }
      onChange = value === "true";
    }
    const set: PortSetRule = {
      ...where,
      onChange,
      include: [],
      exclude: [],
      attributes: ATTRIBUTE_NAMES,
    };
    sets.push(set);
    return { kind: "set", set, sawAttributes: false };
  }

  function openCriterion(tag: SaxesTag, where: Position): Criterion {
    const attributes = tag.attributes as Record<string, string>;
    const sensitivity = attributes.casesensitive ?? "platform";
    if (!["true", "false", "platform"].includes(sensitivity)) {
      fail(where, `casesensitive must be "true", "false" or "platform", not "${sensitivity}"`);
    }
    const caseSensitive = sensitivity === "platform"
      ? options.platformCaseSensitive
      : sensitivity === "true";
    const criterion: Criterion = { ...where, tests: [] };
    for (const [name, pattern] of Object.entries(attributes)) {
      if (name === "casesensitive") continue;
      if (!Object.hasOwn(FEATURE_TESTS, name)) {
        fail(
          where,
          `unknown feature test '${name}' on <${tag.name}>; expected key, path, process, user or namespace (and casesensitive)`,
        );
      }
      criterion.tests.push({ feature: name as Feature, glob: compileGlob(pattern, caseSensitive) });
    }
    if (criterion.tests.length === 0) {
      fail(
        where,
        `<${tag.name}> has no feature test; give at least one of key, path, process, user, namespace`,
      );
    }
    return criterion;
  }

  function noAttributes(tag: SaxesTag, where: Position): void {
    const names = Object.keys(tag.attributes);
    if (names.length > 0) fail(where, `<${tag.name}> takes no attributes, not '${names[0]}'`);
  }

  function unsupported(name: string, where: Position): never {
    return fail(where, `the entity set <${name}> is not supported: portset monitors <PortSet>`);
  }

  parser.write(text).close();
  if (sets.length === 0) throw new RuleError(`${path}: no <PortSet> in the rule file`);
  return sets;
}
