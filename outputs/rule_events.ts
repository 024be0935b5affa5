/**
 * `portset check` output: the change events as one JSON document, JSON lines, CEF, or text.
 *
 * @module
 */

import type { AttributeSubset, ChangeEvent, ChangeKind } from "../rules/changes.ts";
import { VERSION } from "../version.ts";
import { formatCef } from "./cef.ts";

/** `{"events": [...], "warnings": [...]}`. */
export function formatEventsJson(
  events: readonly ChangeEvent[],
  warnings: readonly string[],
): string {
  return JSON.stringify({ warnings, events }, null, 2) + "\n";
}

/** One JSON object per line: a `{"warning": ...}` line per warning, then one per event. */
export function formatEventsJsonl(
  events: readonly ChangeEvent[],
  warnings: readonly string[],
): string {
  const lines = [
    ...warnings.map((warning) => JSON.stringify({ warning })),
    ...events.map((event) => JSON.stringify(event)),
  ];
  return lines.map((line) => line + "\n").join("");
}

/** Severity by change: a new listener is what integrity monitoring is most often for. */
const SEVERITY: Record<ChangeKind, number> = { Created: 6, Updated: 5, Deleted: 4 };

/** One CEF line per event (and one per warning, signature `PortSet:Warning`). */
export function formatEventsCef(
  events: readonly ChangeEvent[],
  warnings: readonly string[],
): string {
  const base = { vendor: "portset", product: "portset", version: VERSION };
  const lines = warnings.map((warning) =>
    formatCef({
      ...base,
      signature: "PortSet:Warning",
      name: "portset warning",
      severity: 3,
      extensions: [["msg", warning]],
    })
  );
  for (const event of events) {
    const [protocol, address, port] = splitKey(event.key);
    lines.push(formatCef({
      ...base,
      signature: `PortSet:${event.change}`,
      name: `PortSet entity ${event.change.toLowerCase()}`,
      severity: SEVERITY[event.change],
      extensions: [
        ["rt", Date.parse(event.time)],
        ["dvchost", event.host],
        ["act", event.change],
        ["proto", protocol.replace("6", "").toUpperCase()],
        ["dst", address],
        ["dpt", port],
        ["dpid", event.attributes.ProcessId as number | null | undefined],
        ["dproc", event.attributes.Process as string | null | undefined],
        ["duser", event.attributes.User as string | null | undefined],
        ["filePath", event.attributes.Path as string | null | undefined],
        ["cs1Label", "rule"],
        ["cs1", event.rule],
        ["cs2Label", "key"],
        ["cs2", event.key],
        ["msg", event.changed ? describeChanges(event) : describe(event.attributes)],
      ],
    }));
  }
  return lines.map((line) => line + "\n").join("");
}

/** One line per event, and a `Note:` line per warning. */
export function formatEventsText(
  events: readonly ChangeEvent[],
  warnings: readonly string[],
): string {
  const lines = warnings.map((warning) => `Note: ${warning}`);
  for (const event of events) {
    const detail = event.changed ? describeChanges(event) : describe(event.attributes);
    lines.push(`${event.change.padEnd(7)} ${event.key}${detail ? `  ${detail}` : ""}`);
  }
  if (events.length === 0) lines.push("No changes.");
  return lines.join("\n") + "\n";
}

function describe(attributes: AttributeSubset): string {
  return Object.entries(attributes).filter(([, value]) => value !== null)
    .map(([name, value]) => `${name}=${value}`).join(" ");
}

function describeChanges(event: ChangeEvent): string {
  return Object.entries(event.changed ?? {})
    .map(([name, { old, new: now }]) => `${name}: ${old ?? "(none)"} -> ${now ?? "(none)"}`)
    .join(", ");
}

/** `tcp6/::1/80` → `["tcp6", "::1", "80"]`: the address may hold colons, never slashes. */
function splitKey(key: string): [string, string, string] {
  const first = key.indexOf("/"), last = key.lastIndexOf("/");
  return [key.slice(0, first), key.slice(first + 1, last), key.slice(last + 1)];
}
