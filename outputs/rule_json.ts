/**
 * The rule commands' JSON: `scan --json`, `check --json` and the change events as JSON lines
 * (`check --jsonl`, `monitor --jsonl`). Entities and events name their key, protocol, address,
 * port and owner as every portset output does (`pid`, `process`, `path`, `user`); the rule
 * language's attribute names (`ProcessId`, `Path`) are only inside `attributes`. Schemas:
 * schemas/scan.schema.json, schemas/check.schema.json, schemas/events.schema.json.
 *
 * @module
 */

import { type ChangeEvent, monitoredAttributes } from "../rules/changes.ts";
import { entityFacts } from "../rules/entities.ts";
import type { SelectedEntity } from "../rules/select.ts";
import { VERSION } from "../version.ts";
import { formatJsonDocument, jsonLine } from "../text/json_layout.ts";

/** `scan --json`'s format. */
export const SCAN_FORMAT = "portset-scan/2";
/** `check --json`'s format. */
export const CHECK_FORMAT = "portset-check/2";
/** The change events' JSON lines (`check --jsonl`, `monitor --jsonl`). */
export const EVENTS_FORMAT = "portset-events/2";

/** Which rule, on which machine, when. */
export interface RuleRunFacts {
  /** The rule file as named, and the `sha256:` digest of its bytes. */
  rule: { path: string; digest: string };
  /** This machine. */
  host: string;
  /** When the host was looked at, ISO 8601. */
  time: string;
}

/** The baseline a check compared with, as the baseline file says. */
export interface BaselineFacts {
  /** The baseline file as named. */
  path: string;
  /** The machine it was made on. */
  host: string;
  /** When it was made, ISO 8601. */
  time: string;
  /** The digest of the rule it was made from. */
  ruleDigest: string;
}

/** `scan --json`: the head, then the selected entities with their monitored attributes. */
export function formatScanJson(selected: readonly SelectedEntity[], facts: RuleRunFacts): string {
  return formatJsonDocument(head(SCAN_FORMAT, facts), {
    entities: selected.map((entity) => ({
      ...entityFacts(entity.key, entity.attributes, entity.namespace ?? null),
      attributes: monitoredAttributes(entity),
    })),
  });
}

/** `check --json`: the head with the baseline and the warnings, then the events. */
export function formatCheckJson(
  events: readonly ChangeEvent[],
  warnings: readonly string[],
  facts: RuleRunFacts & { baseline: BaselineFacts },
): string {
  return formatJsonDocument(
    { ...head(CHECK_FORMAT, facts), baseline: facts.baseline, warnings },
    { events },
  );
}

/** `check --jsonl`: a start line, a line per warning, one per event, and an end line. */
export function formatCheckJsonl(
  events: readonly ChangeEvent[],
  warnings: readonly string[],
  facts: RuleRunFacts & { baseline: BaselineFacts },
): string {
  return eventsStartLine("check", facts, { baseline: facts.baseline }) +
    warnings.map((message) => jsonLine({ event: "warning", time: facts.time, message })).join("") +
    formatEventLines(events) +
    eventsEndLine(facts.time, null, events.length);
}

/**
 * The first line of a stream of events: what writes it (`check`, `monitor`), the format, the
 * rule, this machine and the time; `more` adds what the command has to say (its baseline, its
 * intervals).
 */
export function eventsStartLine(
  command: "check" | "monitor",
  facts: RuleRunFacts,
  more: Record<string, unknown> = {},
): string {
  return jsonLine({ event: "start", ...head(EVENTS_FORMAT, facts), command, ...more });
}

/** One line per event: `{"event": "change", ...the event}`. */
export function formatEventLines(events: readonly ChangeEvent[]): string {
  return events.map((event) => jsonLine({ event: "change", ...event })).join("");
}

/** The last line of a stream of events: why it ended (null for a one-shot check) and how many. */
export function eventsEndLine(time: string, reason: string | null, changes: number): string {
  return jsonLine({ event: "end", time, reason, changes });
}

function head(format: string, facts: RuleRunFacts): Record<string, unknown> {
  return { format, portset: VERSION, host: facts.host, time: facts.time, rule: facts.rule };
}
