/**
 * `portset scan`, `baseline` and `check`: a rule file, and a baseline to write or compare with.
 *
 * @module
 */

import { UsageError } from "../errors.ts";
import {
  atMostOne,
  type FlagSpec,
  HELP_FLAG,
  JSON_FLAG,
  readFlags,
  textOf,
  YES_FLAG,
} from "../flags.ts";
import type { HelpTopic } from "../help.ts";

/** `portset scan RULE [--json]`: the entities a rule selects now. */
export interface ScanCommand {
  mode: "scan";
  rule: string;
  format: "text" | "json";
}

/** `portset baseline RULE -o FILE [-y]`: remember what a rule selects now. */
export interface BaselineCommand {
  mode: "baseline";
  rule: string;
  output: string;
  /** `-y`: replace an existing file without asking. */
  overwrite: boolean;
}

/** `portset check RULE --baseline FILE`: compare now with a baseline. */
export interface CheckCommand {
  mode: "check";
  rule: string;
  baseline: string;
  format: "text" | "json" | "jsonl" | "cef";
  /** Rewrite the baseline after reporting. */
  update: boolean;
  /** `-y`: `--update` replaces the baseline without asking. */
  overwrite: boolean;
}

/** Each rule command's flags. */
export const RULE_FLAGS: Record<"scan" | "baseline" | "check", readonly FlagSpec[]> = {
  scan: [JSON_FLAG, HELP_FLAG],
  baseline: [{ names: ["-o", "--output"], key: "output", value: "FILE" }, YES_FLAG, HELP_FLAG],
  check: [
    { names: ["--baseline", "-baseline"], key: "baseline", value: "FILE" },
    JSON_FLAG,
    { names: ["--jsonl", "-jsonl"], key: "jsonl" },
    { names: ["--cef", "-cef"], key: "cef" },
    { names: ["--update", "-update"], key: "update" },
    YES_FLAG,
    HELP_FLAG,
  ],
};

/** Reads `portset scan|baseline|check ARGS`. */
export function parseRuleCommand(
  command: "scan" | "baseline" | "check",
  args: readonly string[],
): ScanCommand | BaselineCommand | CheckCommand | { mode: "help"; topic: HelpTopic } {
  const { given, operands } = readFlags(args, {
    table: RULE_FLAGS[command],
    positional: true,
    command: `portset ${command}`,
  });
  if (given.has("help")) return { mode: "help", topic: command };
  if (operands.length === 0) throw new UsageError(`portset ${command} needs a RULE file`);
  if (operands.length > 1) {
    throw new UsageError(
      `unexpected argument '${operands[1]}'; portset ${command} takes one RULE file`,
    );
  }
  const rule = operands[0];
  switch (command) {
    case "scan":
      return { mode: "scan", rule, format: given.has("json") ? "json" : "text" };
    case "baseline": {
      const output = textOf(given, "output");
      if (!output) {
        throw new UsageError("portset baseline needs -o FILE, where to write the baseline");
      }
      return { mode: "baseline", rule, output, overwrite: given.has("yes") };
    }
    case "check": {
      const baseline = textOf(given, "baseline");
      if (!baseline) throw new UsageError("portset check needs --baseline FILE");
      const formats = ["json", "jsonl", "cef"] as const;
      atMostOne(given, formats);
      if (given.has("yes") && !given.has("update")) throw new UsageError("-y goes with --update");
      const format = formats.find((key) => given.has(key)) ?? "text";
      return {
        mode: "check",
        rule,
        baseline,
        format,
        update: given.has("update"),
        overwrite: given.has("yes"),
      };
    }
  }
}
