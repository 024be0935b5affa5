/**
 * `portset scan` output: the entities a rule selects now, with their monitored attributes.
 *
 * @module
 */

import { monitoredAttributes } from "../rules/changes.ts";
import type { SelectedEntity } from "../rules/select.ts";
import { formatTable } from "../text/table.ts";

/** `{"entities": [{"key": ..., "attributes": {...monitored}}]}`. */
export function formatScanJson(selected: readonly SelectedEntity[]): string {
  const entities = selected.map((entity) => ({
    key: entity.key,
    attributes: monitoredAttributes(entity),
  }));
  return JSON.stringify({ entities }, null, 2) + "\n";
}

/** A table of key and monitored attributes. */
export function formatScanText(selected: readonly SelectedEntity[]): string {
  const rows = selected.map((entity) => {
    const attributes = monitoredAttributes(entity);
    return [
      entity.key,
      ...Object.entries(attributes).map(([name, value]) => `${name}=${value ?? "-"}`),
    ];
  });
  const header = `${selected.length} ${selected.length === 1 ? "entity" : "entities"} selected`;
  return [header, "", ...formatTable(rows, "")].join("\n") + "\n";
}
