/**
 * The Loki sink: rule events pushed to Grafana Loki's push API (`POST /loki/api/v1/push`, JSON),
 * each event a log line (its JSON line, as `--jsonl` writes it) in a stream labelled
 * `{job="portset", host="...", kind="Created"}`, one request per event (rule events are rare; a
 * request each keeps them in order and each taken out of the queue only once Loki took it).
 * Events wait in the queue while Loki cannot be reached or answers 5xx or 429, and go in order
 * when it can again; another 4xx is a request Loki will never take: said, and that event dropped.
 *
 * @module
 */

import type { Sink } from "../monitor/sink.ts";
import { formatEventLines } from "../outputs/rule_json.ts";
import type { ChangeEvent } from "../rules/changes.ts";
import type { MessageQueue } from "./message_queue.ts";
import { QueueDrain } from "./queue_drain.ts";

/** Options of {@linkcode LokiSink}. */
export interface LokiSinkOptions {
  /** Loki's base URL (`http://loki:3100`); the push path is added. */
  url: string;
  /** Where events wait while Loki is away. */
  queue: MessageQueue;
  /** Says one line on stderr, as the monitor says things. */
  say(line: string): void;
}

/** One queued event: its stream's labels and its line, kept together as one queue message. */
interface QueuedLine {
  /** Nanoseconds since the epoch, as Loki wants them: a string. */
  ns: string;
  host: string;
  kind: string;
  line: string;
}

/** Rule events to Loki; see the module's notes. */
export class LokiSink implements Sink {
  readonly #pushUrl: string;
  readonly #drain: QueueDrain;
  #away = false;

  /** A sink pushing to `options.url`; nothing is sent until there are events. */
  constructor(readonly options: LokiSinkOptions) {
    this.#pushUrl = `${options.url.replace(/\/+$/, "")}/loki/api/v1/push`;
    this.#drain = new QueueDrain(options.queue, {
      deliver: (message) => this.#push(JSON.parse(message) as QueuedLine),
      away: (reason) => this.#retryLater(reason),
    }, 500);
  }

  start(): void {}

  tick(): void {}

  events(events: readonly ChangeEvent[]): void {
    for (const event of events) {
      const queued: QueuedLine = {
        // Milliseconds are what the event's time has; Loki counts nanoseconds.
        ns: `${Date.parse(event.time)}000000`,
        host: event.host,
        kind: event.change,
        line: formatEventLines([event]).trimEnd(),
      };
      if (!this.options.queue.push(JSON.stringify(queued))) {
        if (this.options.queue.dropped === 1) {
          this.options.say(
            `portset: loki: the queue is full: new events are dropped, and counted`,
          );
        }
      }
    }
    this.#drain.kick();
  }

  /** Resolves when nothing is being sent: for tests and for stopping. */
  async settled(): Promise<void> {
    await this.#drain.settled();
  }

  /** Sends what it can within a moment, then stops; a disk queue keeps the rest. */
  async stop(): Promise<void> {
    await this.#drain.close(2_000);
  }

  /**
   * Pushes one event; says why not when Loki cannot be reached or asks for it later (5xx, 429).
   * Another refusal is said, and the event dropped.
   */
  async #push(queued: QueuedLine): Promise<string | null> {
    let response: Response;
    try {
      response = await fetch(this.#pushUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ streams: [streamOf(queued)] }),
      });
      await response.body?.cancel();
    } catch (error) {
      return `cannot reach ${this.#pushUrl}: ${(error as Error).message}`;
    }
    if (response.status === 429 || response.status >= 500) {
      return `${this.#pushUrl} answered ${response.status} ${response.statusText}`;
    }
    if (!response.ok) {
      this.options.say(
        `portset: loki: ${this.#pushUrl} refused an event: ` +
          `${response.status} ${response.statusText}; it is dropped`,
      );
    } else if (this.#away) {
      this.options.say(`portset: loki: pushing to ${this.#pushUrl} again`);
      this.#away = false;
      this.#drain.recovered();
    }
    return null;
  }

  /** Loki is away: say so once; the drain tries again later, each time a little later. */
  #retryLater(reason: string): void {
    if (!this.#away) this.options.say(`portset: loki: ${reason}; events wait in the queue`);
    this.#away = true;
  }
}

/** The event as Loki's stream: its labels, and its line at its time. */
function streamOf(queued: QueuedLine) {
  return {
    stream: { job: "portset", host: queued.host, kind: queued.kind },
    values: [[queued.ns, queued.line]],
  };
}
