/**
 * The event stream sink: the rule's events on the monitor's output as they happen, as text, CEF
 * or JSON lines (which open with a line naming the stream and close with one saying why it
 * ended).
 *
 * @module
 */

import type { Snapshot } from "../model/endpoint.ts";
import type { Sink } from "../monitor/sink.ts";
import { eventsEndLine, eventsStartLine } from "../outputs/rule_json.ts";
import type { ChangeEvent } from "../rules/changes.ts";

/** Options of {@linkcode EventStreamSink}. */
export interface EventStreamOptions {
  /** The events of one look as the chosen format writes them. */
  format(events: readonly ChangeEvent[]): string;
  /** For JSON lines: what the first line says of the stream; null for text and CEF. */
  jsonLines: {
    rule: { path: string; digest: string };
    realTime: boolean;
    intervalSeconds: number;
  } | null;
  /** Where the stream goes (stdout). */
  write(text: string): void;
}

/** The rule's events, written as they come; counts them for the monitor's stop line. */
export class EventStreamSink implements Sink {
  #count = 0;
  /** Whether the first line was written: an end line closes only a stream that began. */
  #started = false;

  constructor(readonly options: EventStreamOptions) {}

  /** Events written since the start. */
  get eventCount(): number {
    return this.#count;
  }

  start(snapshot: Snapshot): void {
    const stream = this.options.jsonLines;
    if (stream === null) return;
    this.#started = true;
    // The stream's first line names its format, as every JSON-lines output's does.
    this.options.write(eventsStartLine(
      "monitor",
      { rule: stream.rule, host: snapshot.host, time: snapshot.time },
      { realTime: stream.realTime, intervalSeconds: stream.intervalSeconds },
    ));
  }

  tick(): void {}

  events(events: readonly ChangeEvent[]): void {
    this.#count += events.length;
    this.options.write(this.options.format(events));
  }

  stop(reason: string): void {
    if (!this.#started) return;
    this.options.write(eventsEndLine(new Date().toISOString(), reason, this.#count));
  }
}
