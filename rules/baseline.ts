/**
 * Baselines: the entities a rule selected at one moment, remembered with the rule's digest, the
 * host and the time, as JSON. Reading one checks its shape, so a damaged file is reported, not
 * compared.
 *
 * @module
 */

import { InputFileError, readInputText } from "../text/input_file.ts";
import { formatJsonDocument } from "../text/json_layout.ts";
import { ATTRIBUTE_NAMES, type AttributeName, type Rule } from "./rule.ts";
import type { RememberedEntity } from "./changes.ts";
import { type EntityFacts, entityFacts, entityId } from "./entities.ts";
import type { SelectedEntity } from "./select.ts";

/**
 * The `format` a baseline file declares (schemas/baseline.schema.json). Version 2 names each
 * entity's protocol, address, port and owner beside its attributes, as every portset output does.
 */
export const BASELINE_FORMAT = "portset-baseline/2";
/** Formats still read: a version 1 baseline has only the key, attributes and monitored list. */
const READABLE_FORMATS: readonly string[] = ["portset-baseline/1", BASELINE_FORMAT];

/** One entity of a baseline: what every output says of it, all its attributes, what counts. */
export interface BaselineEntity extends RememberedEntity, Partial<Omit<EntityFacts, "key">> {}

/** A baseline file's contents. */
export interface Baseline {
  /** What writes now; a file read may be of version 1. */
  format: typeof BASELINE_FORMAT | "portset-baseline/1";
  /** The portset version that wrote it. */
  portset: string;
  /** The rule file it was made from, as named, and the `sha256:` digest of its bytes. */
  rule: { path: string; digest: string };
  /** The machine the baseline was made on. */
  host: string;
  /** When the entities were looked at, ISO 8601. */
  time: string;
  /** How long the scan took. */
  elapsedMs: number;
  /** How many entities follow; a file whose count disagrees is refused as damaged. */
  entityCount: number;
  /** The entities the rule selected, in the order given to makeBaseline (portset: key order). */
  entities: BaselineEntity[];
}

/** A baseline file that cannot be used. */
export class BaselineError extends Error {
  /** The error's name, as traces and `String(error)` show it. */
  override name = "BaselineError";
}

/** A baseline of `selected`, as `rule` selected them on `host` at `time`. */
export function makeBaseline(
  rule: Rule,
  selected: readonly SelectedEntity[],
  facts: { portset: string; host: string; time: string; elapsedMs: number },
): Baseline {
  return {
    format: BASELINE_FORMAT,
    portset: facts.portset,
    rule: { path: rule.path, digest: rule.digest },
    host: facts.host,
    time: facts.time,
    elapsedMs: Math.round(facts.elapsedMs),
    entityCount: selected.length,
    entities: selected.map(({ key, namespace, attributes, monitored }) => ({
      ...entityFacts(key, attributes, namespace ?? null),
      attributes,
      monitored,
    })),
  };
}

/** A baseline file's text: its facts on the first line, then one entity per line. */
export function formatBaseline(baseline: Baseline): string {
  const { entities, ...head } = baseline;
  return formatJsonDocument(head, { entities });
}

/**
 * Baseline files are refused past this size: a few hundred bytes an entity, so room for a host
 * with a hundred thousand listening ports.
 */
export const MAX_BASELINE_BYTES = 64 << 20;

/**
 * Reads and checks the baseline file at `path`. Throws {@linkcode BaselineError} for a file that
 * cannot be read (missing, not a regular file, larger than {@linkcode MAX_BASELINE_BYTES}) or
 * used, the message naming the file.
 */
export function readBaseline(path: string): Baseline {
  let text: string;
  try {
    text = readInputText(path, { what: "baseline", maxBytes: MAX_BASELINE_BYTES });
  } catch (error) {
    if (error instanceof InputFileError) throw new BaselineError(error.message, { cause: error });
    throw error;
  }
  return parseBaseline(text, path);
}

/** Parses and checks a baseline file's text; `path` is for messages. */
export function parseBaseline(text: string, path: string): Baseline {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new BaselineError(
      `${path}: the baseline is not valid JSON (${(error as Error).message})`,
    );
  }
  const corrupt = (what: string): never => {
    throw new BaselineError(`${path}: not a usable portset baseline: ${what}`);
  };
  if (typeof data !== "object" || data === null) corrupt("not a JSON object");
  const baseline = data as Record<string, unknown>;
  if (!READABLE_FORMATS.includes(baseline.format as string)) {
    corrupt(`format is ${JSON.stringify(baseline.format)}, expected "${BASELINE_FORMAT}"`);
  }
  const rule = baseline.rule as Record<string, unknown> | undefined;
  if (typeof rule?.digest !== "string" || typeof rule?.path !== "string") corrupt("no rule digest");
  for (const field of ["host", "time"]) {
    if (typeof baseline[field] !== "string") corrupt(`no ${field}`);
  }
  if (!Array.isArray(baseline.entities)) corrupt("no entities list");
  const entities = baseline.entities as unknown[];
  if (baseline.entityCount !== entities.length) {
    corrupt(`entityCount ${baseline.entityCount} but ${entities.length} entities`);
  }
  const seen = new Set<string>();
  entities.forEach((entity, index) => checkEntity(entity, index, seen, corrupt));
  return data as Baseline;
}

function checkEntity(
  entity: unknown,
  index: number,
  seen: Set<string>,
  corrupt: (what: string) => never,
): void {
  const where = `entity ${index + 1}`;
  const value = entity as Record<string, unknown> | null;
  if (typeof value?.key !== "string") corrupt(`${where} has no key`);
  const namespace = value.namespace;
  if (namespace !== undefined && namespace !== null && typeof namespace !== "string") {
    corrupt(`${where}: namespace is ${JSON.stringify(namespace)}`);
  }
  const id = entityId(value as { key: string; namespace?: string | null });
  if (seen.has(id)) {
    corrupt(
      `${where}: key ${value.key}${
        namespace == null ? "" : ` in namespace ${namespace}`
      } appears twice`,
    );
  }
  seen.add(id);
  const attributes = value.attributes as Record<string, unknown> | undefined;
  if (typeof attributes !== "object" || attributes === null) corrupt(`${where} has no attributes`);
  for (const name of ATTRIBUTE_NAMES) {
    const attribute = attributes[name];
    const type = name === "Listeners" || name === "ProcessId" ? "number" : "string";
    if (attribute !== null && typeof attribute !== type) {
      corrupt(`${where}: attribute ${name} is ${JSON.stringify(attribute)}`);
    }
  }
  const monitored = value.monitored;
  if (
    !Array.isArray(monitored) ||
    !monitored.every((name) => (ATTRIBUTE_NAMES as readonly string[]).includes(name))
  ) {
    corrupt(`${where} has no valid list of monitored attributes`);
  }
  value.monitored = monitored as AttributeName[];
}
