/**
 * `portset scan` output: the entities a rule selects now, with their monitored attributes, as text
 * (outputs/rule_json.ts writes them as JSON).
 *
 * @module
 */

import {
  type AttributeSubset,
  type AttributeValue,
  monitoredAttributes,
} from "../rules/changes.ts";
import { ATTRIBUTE_NAMES, type AttributeName } from "../rules/rule.ts";
import type { SelectedEntity } from "../rules/select.ts";
import { printableField } from "../text/printable.ts";
import { formatTable } from "../text/table.ts";

/**
 * The order text shows attributes in, whichever a rule monitors: the rule language's, with Path
 * last. A path may be thousands of characters long; as the last column it is the one not padded,
 * so it widens no other row and pushes no other attribute out of sight.
 */
export const TEXT_ATTRIBUTE_ORDER: readonly AttributeName[] = [
  ...ATTRIBUTE_NAMES.filter((name) => name !== "Path"),
  "Path",
];

/**
 * An attribute's value as text shows it: on one line, control characters as `?` (a process's
 * name and path are whoever started it's to choose), `none` for null.
 */
function attributeText(value: AttributeValue | undefined, none: string): string {
  return value === null || value === undefined ? none : printableField(String(value));
}

/**
 * A table of key and monitored attributes: a column per attribute any entity has, in
 * {@linkcode TEXT_ATTRIBUTE_ORDER}, as `Name=value` (`-` for none); Path last and unpadded.
 */
export function formatScanText(selected: readonly SelectedEntity[]): string {
  const subsets: AttributeSubset[] = selected.map(monitoredAttributes);
  const names = TEXT_ATTRIBUTE_ORDER.filter((name) => subsets.some((subset) => name in subset));
  // A column for the network namespace when some entity is another's than the host's.
  const namespaces = selected.some((entity) => entity.namespace != null);
  const rows = selected.map((entity, i) => [
    printableField(entity.key),
    ...(namespaces ? [`netns=${printableField(entity.namespace ?? "current")}`] : []),
    ...names.map((name) =>
      name in subsets[i] ? `${name}=${attributeText(subsets[i][name], "-")}` : ""
    ),
  ]);
  const header = `${selected.length} ${selected.length === 1 ? "entity" : "entities"} selected`;
  return [header, "", ...formatTable(rows, "")].join("\n") + "\n";
}
