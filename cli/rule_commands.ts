/**
 * `portset scan`, `baseline` and `check`: a rule file against the host's listening ports now, and
 * against a baseline.
 *
 * @module
 */

import { collectOnce, PLATFORM_CASE_SENSITIVE } from "../collectors/platform.ts";
import {
  type Baseline,
  BaselineError,
  formatBaseline,
  makeBaseline,
  readBaseline,
} from "../rules/baseline.ts";
import { compareEntities } from "../rules/changes.ts";
import { portSetEntities } from "../rules/entities.ts";
import { readRule, RuleError } from "../rules/parser.ts";
import type { Rule } from "../rules/rule.ts";
import { type SelectedEntity, selectEntities } from "../rules/select.ts";
import { formatEventsCef, formatEventsText } from "../outputs/rule_events.ts";
import { formatCheckJson, formatCheckJsonl, formatScanJson } from "../outputs/rule_json.ts";
import { formatScanText } from "../outputs/rule_scan.ts";
import { VERSION } from "../version.ts";
import { printableField } from "../text/printable.ts";
import type { BaselineCommand, CheckCommand, ScanCommand } from "./parse/rules.ts";
import { CliError, EXIT_USAGE } from "./errors.ts";
import { AtomicFile, confirmOverwrite, writeOutput } from "./output.ts";

/** Exit code of `check` when something changed. */
const EXIT_CHANGED = 1;

/** `portset scan`. */
export async function runScan(command: ScanCommand): Promise<number> {
  const rule = await loadRule(command.rule);
  const { selected, host, time } = await scanNow(rule);
  writeOutput([
    command.format === "json"
      ? formatScanJson(selected, { rule: { path: rule.path, digest: rule.digest }, host, time })
      : formatScanText(selected),
  ]);
  return 0;
}

/** `portset baseline`. */
export async function runBaseline(command: BaselineCommand): Promise<number> {
  const rule = await loadRule(command.rule);
  confirmOverwrite(command.output, command.overwrite, "baseline");
  const file = AtomicFile.open(command.output);
  let baseline: Baseline;
  try {
    baseline = makeBaseline(rule, ...baselineFacts(await scanNow(rule)));
  } catch (error) {
    file.abandon();
    throw error;
  }
  file.write(new TextEncoder().encode(formatBaseline(baseline)));
  file.commit();
  writeOutput([
    `portset: baseline of ${
      entities(baseline.entityCount)
    } from ${rule.path} written to ${command.output} in ${baseline.elapsedMs} ms\n`,
  ]);
  return 0;
}

/** `portset check`: exit 0 when nothing changed, 1 when something did. */
export async function runCheck(command: CheckCommand): Promise<number> {
  const rule = await loadRule(command.rule);
  const baseline = loadBaseline(command.baseline);
  // Asked before the scan: a refusal must not come after the events were printed.
  if (command.update) confirmOverwrite(command.baseline, command.overwrite, "baseline");
  const now = await scanNow(rule);
  const warnings: string[] = [];
  if (baseline.rule.digest !== rule.digest) {
    warnings.push(
      `baseline ${command.baseline} was made from a different rule (${baseline.rule.path}, ` +
        `${baseline.rule.digest.slice(0, 19)}…); comparing anyway`,
    );
  }
  if (baseline.host !== now.host) {
    warnings.push(
      `baseline ${command.baseline} was made on host ${baseline.host}, not ${now.host}`,
    );
  }
  // A warning quotes the baseline's host and paths: one line each, whatever they hold.
  for (const warning of warnings) console.error(`portset: warning: ${printableField(warning)}`);

  const events = compareEntities(baseline.entities, now.selected, {
    rule: rule.path,
    time: now.time,
    host: now.host,
  });
  const facts = {
    rule: { path: rule.path, digest: rule.digest },
    host: now.host,
    time: now.time,
    baseline: {
      path: command.baseline,
      host: baseline.host,
      time: baseline.time,
      ruleDigest: baseline.rule.digest,
    },
  };
  const format = {
    text: formatEventsText,
    json: formatCheckJson,
    jsonl: formatCheckJsonl,
    cef: formatEventsCef,
  }[command.format];
  writeOutput([format(events, warnings, facts)]);
  if (command.update) {
    const updated = makeBaseline(rule, ...baselineFacts(now));
    AtomicFile.write(command.baseline, formatBaseline(updated));
    // On stderr: stdout is the events, which --json, --jsonl and --cef readers parse.
    console.error(
      `portset: baseline of ${entities(updated.entityCount)} written to ${command.baseline} ` +
        `(it had ${entities(baseline.entityCount)})`,
    );
  }
  return events.length > 0 ? EXIT_CHANGED : 0;
}

/** `1 entity`, `12 entities`. */
function entities(count: number): string {
  return `${count} ${count === 1 ? "entity" : "entities"}`;
}

/** Reads a rule file; its problems are one-line errors with exit code 2. */
export async function loadRule(path: string): Promise<Rule> {
  try {
    return await readRule(path, { platformCaseSensitive: PLATFORM_CASE_SENSITIVE });
  } catch (error) {
    if (error instanceof RuleError) throw new CliError(error.message, EXIT_USAGE);
    throw error;
  }
}

/** Reads a baseline file; its problems are one-line errors with exit code 2. */
function loadBaseline(path: string): Baseline {
  try {
    return readBaseline(path);
  } catch (error) {
    if (error instanceof BaselineError) throw new CliError(error.message, EXIT_USAGE);
    throw error;
  }
}

interface ScanResult {
  selected: SelectedEntity[];
  host: string;
  time: string;
  elapsedMs: number;
}

/** The rule's entities on this host now. */
async function scanNow(rule: Rule): Promise<ScanResult> {
  const started = performance.now();
  const snapshot = await collectOnce();
  for (const warning of snapshot.warnings) console.error(`portset: ${printableField(warning)}`);
  const selected = selectEntities(rule, portSetEntities(snapshot.endpoints));
  return {
    selected,
    host: snapshot.host,
    time: snapshot.time,
    elapsedMs: performance.now() - started,
  };
}

function baselineFacts(
  result: ScanResult,
): [SelectedEntity[], { portset: string; host: string; time: string; elapsedMs: number }] {
  return [result.selected, { portset: VERSION, ...result }];
}
