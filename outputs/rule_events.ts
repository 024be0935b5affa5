/**
 * `portset check` output: the change events as CEF or text (outputs/rule_json.ts writes them as
 * JSON and JSON lines).
 *
 * @module
 */

import type { AttributeSubset, ChangeEvent, ChangeKind } from "../rules/changes.ts";
import { VERSION } from "../version.ts";
import { formatCef } from "./cef.ts";
import { TEXT_ATTRIBUTE_ORDER } from "./rule_scan.ts";
import { printableField } from "../text/printable.ts";

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
    lines.push(formatCef({
      ...base,
      signature: `PortSet:${event.change}`,
      name: `PortSet entity ${event.change.toLowerCase()}`,
      severity: SEVERITY[event.change],
      extensions: [
        ["rt", Date.parse(event.time)],
        ["dvchost", event.host],
        ["act", event.change],
        ["proto", event.protocol.replace("6", "").toUpperCase()],
        ["dst", event.localAddress],
        ["dpt", event.localPort],
        ["dpid", event.attributes.ProcessId as number | null | undefined],
        ["dproc", event.attributes.Process as string | null | undefined],
        ["duser", event.attributes.User as string | null | undefined],
        ["filePath", event.attributes.Path as string | null | undefined],
        ["cs1Label", "rule"],
        ["cs1", event.rule],
        ["cs2Label", "key"],
        ["cs2", event.key],
        // Only for another network namespace's port: the host's read as they always have.
        ...(event.namespace == null ? [] : [
          ["cs3Label", "namespace"] as [string, string],
          ["cs3", event.namespace] as [string, string],
        ]),
        ["msg", event.previous ? describeChanges(event) : describe(event.attributes)],
      ],
    }));
  }
  return lines.map((line) => line + "\n").join("");
}

/**
 * One line per event (`Created tcp/127.0.0.1/80  ProcessId=812 ...`, with its time first when
 * `timed`), and a `Note:` line per warning (which may quote a baseline's host or a
 * file's name): each line with control characters as `?`, so no name can add a line.
 */
export function formatEventsText(
  events: readonly ChangeEvent[],
  warnings: readonly string[],
  options: EventsTextOptions = {},
): string {
  const lines = warnings.map((warning) => `Note: ${printableField(warning)}`);
  for (const event of events) {
    const detail = event.previous ? describeChanges(event) : describe(event.attributes);
    // One line of fields joined by spaces: made safe as a whole, it is made safe field by field.
    lines.push(
      printableField(
        `${options.timed ? `${event.time} ` : ""}${event.change.padEnd(7)} ${event.key}${
          event.namespace == null ? "" : ` netns=${event.namespace}`
        }${detail ? `  ${detail}` : ""}`,
      ),
    );
  }
  if (events.length === 0) {
    if (options.timed) return lines.length === 0 ? "" : lines.join("\n") + "\n";
    lines.push("No changes.");
  }
  return lines.join("\n") + "\n";
}

/** How {@linkcode formatEventsText} writes its lines. */
export interface EventsTextOptions {
  /**
   * Each line starts with its event's time (the monitor's stream, read later or tailed, needs
   * it; a one-shot check has one time, in its head). Nothing is written for no events.
   */
  timed?: boolean;
}

/** The attributes that have a value, in the order scan shows them: Path last. */
function describe(attributes: AttributeSubset): string {
  return TEXT_ATTRIBUTE_ORDER.filter((name) => attributes[name] != null)
    .map((name) => `${name}=${attributes[name]}`).join(" ");
}

function describeChanges(event: ChangeEvent): string {
  const now = event.attributes as Record<string, unknown>;
  return Object.entries(event.previous?.attributes ?? {})
    .map(([name, old]) => `${name}: ${old ?? "(none)"} -> ${now[name] ?? "(none)"}`)
    .join(", ");
}
