/**
 * The flag machinery every command's parser shares: a table of flags, read PortQry's way
 * (`-local`, `-wport 80`) and the GNU way (`--json`, `--log=FILE`) alike, and every mistake as a
 * {@linkcode UsageError} of one line, with the nearest flag suggested for a misspelt one.
 *
 * @module
 */

import { UsageError } from "./errors.ts";

/** One flag: its spellings, the key the parser reads it by, and what value it takes. */
export interface FlagSpec {
  /** Every spelling, the one help shows first. */
  names: readonly string[];
  key: string;
  /** Placeholder for the value this flag takes; absent for switches. */
  value?: string;
  /** Inclusive range a numeric value must fall in. */
  range?: readonly [number, number];
  /** May be given more than once; each value is kept, in order. */
  repeatable?: boolean;
}

/** `--help` and PortQry's spellings of it, in every command's table. */
export const HELP_FLAG: FlagSpec = { names: ["--help", "-h", "-help", "-?", "/?"], key: "help" };

/** `--json`: JSON rather than text, in every command that writes a result. */
export const JSON_FLAG: FlagSpec = { names: ["--json", "-json"], key: "json" };

/** `-y`: replace an existing file without asking, in every command that writes one. */
export const YES_FLAG: FlagSpec = { names: ["-y", "--yes"], key: "yes" };

/** The flags given, by key: the spelling used and the value(s). */
export type Given = Map<string, { name: string; value: string | number | true; values: unknown[] }>;

/** What a parser reads flags for: its table, and the help a mistake points to. */
export interface FlagContext {
  table: readonly FlagSpec[];
  /** Arguments that are not flags are operands (a RULE file, a LOGDIR) rather than mistakes. */
  positional: boolean;
  /** `portset scan`, for messages; `portset` for the PortQry-style modes. */
  command: string;
}

/**
 * Reads flags by `context.table` into a map keyed by each flag's key; arguments that are not
 * flags are returned in order when `positional` allows them, and refused otherwise.
 */
export function readFlags(
  args: readonly string[],
  context: FlagContext,
): { given: Given; operands: string[] } {
  const { table, positional } = context;
  const byName = new Map(table.flatMap((flag) => flag.names.map((name) => [name, flag])));
  const given: Given = new Map();
  const operands: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const argument = args[i];
    const equals = argument.startsWith("-") ? argument.indexOf("=") : -1;
    const name = equals > 0 ? argument.slice(0, equals) : argument;
    // Every flag takes one dash or two, PortQry's way or the GNU way: -local, --local, --v.
    const flag = byName.get(name) ??
      byName.get(name.startsWith("--") ? name.slice(1) : name.startsWith("-") ? `-${name}` : name);
    if (!flag) {
      const looksLikeFlag = (argument.startsWith("-") && argument !== "-") ||
        argument.startsWith("/?");
      if (!looksLikeFlag && positional) {
        operands.push(argument);
        continue;
      }
      if (looksLikeFlag || argument.startsWith("/")) {
        const names = table.flatMap((flag) => flag.names);
        throw new UsageError(
          `unknown option '${argument}'${didYouMean(name, names)}; see '${context.command} --help'`,
        );
      }
      throw new UsageError(`unexpected argument '${argument}'; see '${context.command} --help'`);
    }
    const previous = given.get(flag.key);
    if (previous && !flag.repeatable) throw new UsageError(`${name} is given more than once`);
    let value: string | number | true = true;
    if (flag.value) {
      const text = equals > 0 ? argument.slice(equals + 1) : args[++i];
      if (!text || (equals < 0 && text.startsWith("-") && text.length > 1)) {
        throw new UsageError(`${name} needs a ${flag.value}`);
      }
      value = flag.range ? parseWhole(name, flag.value, text, flag.range) : text;
    } else if (equals > 0) {
      throw new UsageError(`${name} takes no value`);
    }
    if (previous) previous.values.push(value);
    else given.set(flag.key, { name, value, values: [value] });
  }
  return { given, operands };
}

/** Refuses more than one of `keys`, naming them as the user spelled them. */
export function atMostOne(given: Given, keys: readonly string[]): void {
  const present = keys.filter((key) => given.has(key));
  if (present.length > 1) {
    throw new UsageError(
      `${present.map((key) => given.get(key)!.name).join(" and ")} cannot be used together`,
    );
  }
}

/** Refuses each of `keys` that was given, saying what it goes with instead. */
export function refuseWith(given: Given, keys: readonly string[], goesWith: string): void {
  for (const key of keys) {
    if (given.has(key)) throw new UsageError(`${given.get(key)!.name} goes with ${goesWith}`);
  }
}

/** The text a flag was given, or null when it was not. */
export function textOf(given: Given, key: string): string | null {
  return (given.get(key)?.value as string | undefined) ?? null;
}

/** The number a flag was given (checked against its range), or null when it was not. */
export function numberOf(given: Given, key: string): number | null {
  return (given.get(key)?.value as number | undefined) ?? null;
}

/** A whole number from `low` to `high`, or a {@linkcode UsageError} naming the flag. */
export function parseWhole(
  name: string,
  placeholder: string,
  text: string,
  [low, high]: readonly [number, number],
): number {
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(value >= low && value <= high)) {
    throw new UsageError(
      `${name} ${placeholder} must be a whole number from ${low} to ${high}, not '${text}'`,
    );
  }
  return value;
}

/** ` (did you mean -local?)` for the candidate nearest to `typed`, or nothing. */
export function didYouMean(typed: string, candidates: readonly string[]): string {
  const nearest = nearestName(typed, candidates);
  return nearest === null ? "" : ` (did you mean ${nearest}?)`;
}

/**
 * The candidate nearest to what was typed, or null when none is near enough to be a slip: at
 * most one edit in three characters, an edit being a letter added, dropped, changed or two
 * swapped (`-locl` → `-local`, `scna` → `scan`). Dashes are not compared, since every flag takes
 * one or two; ties go to the first candidate.
 */
function nearestName(typed: string, candidates: readonly string[]): string | null {
  const bare = (name: string) => name.replace(/^-+/, "").toLowerCase();
  const word = bare(typed);
  let best: string | null = null, bestDistance = Infinity;
  for (const candidate of candidates) {
    const other = bare(candidate);
    const distance = editDistance(word, other);
    if (
      distance < bestDistance && distance <= Math.floor(Math.max(word.length, other.length) / 3)
    ) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps. */
function editDistance(a: string, b: string): number {
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let distance = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        distance = Math.min(distance, before[j - 2] + 1);
      }
      current.push(distance);
    }
    before = previous;
    previous = current;
  }
  return previous[b.length];
}
