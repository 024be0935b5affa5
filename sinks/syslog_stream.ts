/**
 * Syslog over a connection, TCP or TLS, with octet-counting framing (RFC 6587, RFC 5425), that
 * loses nothing while the server is away: every message goes through a queue (message_queue.ts),
 * and is taken out only once it was written to a connection that was open; when the server goes
 * away the sender reconnects, backing off to a retry every 30 s, and delivers what waited, in
 * order (the loop is queue_drain.ts, shared with the Loki sink). The server closing its end
 * (rsyslog stopping) is noticed as it happens, by a read that ends, so that messages wait rather
 * than go into a connection that is gone.
 *
 * What it cannot know: a message written in the instant between the server's close and its
 * notice arriving. Plain syslog has no acknowledgement; that window is a few milliseconds.
 *
 * @module
 */

import type { MessageQueue } from "./message_queue.ts";
import { QueueDrain } from "./queue_drain.ts";

/** A TCP or TLS syslog server. */
export interface StreamTarget {
  transport: "tcp" | "tls";
  /** A name or an address; for TLS, the name the server's certificate must carry. */
  host: string;
  port: number;
  /** TLS: the PEM certificates of the authorities to trust; null for the system's. */
  caCerts: string[] | null;
}

/** What the sender tells of its connection: an outage, and its end. */
export interface StreamReports {
  /** The server cannot be reached or written to; messages wait. Said once per outage. */
  onOutage(reason: string): void;
  /** Delivering again after an outage: how many messages waited, how many were dropped. */
  onRecovery(delivered: number, dropped: number): void;
  /** The queue is full: messages are being dropped. Said once per outage. */
  onFull(): void;
}

const encoder = new TextEncoder();

/** Sends each message once, in order, through reconnects; see the module's notes. */
export class StreamSender {
  #connection: Deno.Conn | null = null;
  #drain: QueueDrain;
  /** Set while the server is away: what was said, and the messages delivered and dropped since. */
  #outage: Outage | null = null;

  private constructor(
    readonly target: StreamTarget,
    readonly queue: MessageQueue,
    readonly reports: StreamReports,
  ) {
    this.#drain = new QueueDrain(queue, {
      deliver: (message) => this.#deliver(message),
      away: (reason) => this.#away(reason),
      idle: () => this.#idle(),
    }, 250);
  }

  /**
   * Connects to `target` (and for TLS completes the handshake, checking the certificate), then
   * delivers what `queue` holds from an earlier run. Rejects when the server cannot be reached:
   * a mistyped address is better said at start than waited for.
   */
  static async open(
    target: StreamTarget,
    queue: MessageQueue,
    reports: StreamReports,
  ): Promise<StreamSender> {
    const sender = new StreamSender(target, queue, reports);
    sender.#adopt(await connect(target));
    sender.#drain.kick();
    return sender;
  }

  /** Queues `message` and delivers what waits, as the connection allows. */
  send(message: string): void {
    if (this.#drain.closed) return;
    if (!this.queue.push(message)) {
      const outage = this.#outage ?? (this.#outage = newOutage());
      outage.dropped++;
      if (!outage.full) this.reports.onFull();
      outage.full = true;
    }
    this.#drain.kick();
  }

  /** Resolves when nothing waits (or the server is away): for tests and for stopping. */
  async settled(): Promise<void> {
    await this.#drain.settled();
  }

  /**
   * Delivers what it can within `deadlineMs`, then closes the connection and the queue; what
   * did not go waits on disk (a disk queue) for the next run.
   */
  async close(deadlineMs = 2_000): Promise<void> {
    if (this.#drain.closed) return;
    await this.#drain.close(deadlineMs, !this.queue.empty && this.#connection !== null);
    this.#drop();
  }

  /**
   * Writes `message` to the connection, connecting first when there is none; says why not when
   * it could not, or when the server closed the connection while the frame went out.
   */
  async #deliver(message: string): Promise<string | null> {
    if (this.#connection === null) {
      try {
        this.#adopt(await connect(this.target));
      } catch (error) {
        return describe(error);
      }
    }
    const connection = this.#connection!;
    try {
      await writeFrame(connection, message);
    } catch (error) {
      if (this.#connection === connection) this.#drop();
      return describe(error);
    }
    if (this.#connection !== connection) {
      // Closed by the server while the frame went out: it may not have arrived. Send again.
      return "the server closed the connection";
    }
    if (this.#outage) this.#outage.delivered++;
    return null;
  }

  /** Nothing waits: an outage is over once all that waited went. */
  #idle(): void {
    if (this.#outage && this.queue.empty) {
      this.reports.onRecovery(this.#outage.delivered, this.#outage.dropped);
      this.#outage = null;
      this.#drain.recovered();
    }
  }

  /** Uses `connection`, and watches for the server closing it. */
  #adopt(connection: Deno.Conn): void {
    this.#connection = connection;
    (async () => {
      const buffer = new Uint8Array(512);
      try {
        // A syslog server sends nothing: any end of this read is the end of the connection.
        while ((await connection.read(buffer)) !== null) {
          // data from a syslog server means nothing to portset
        }
      } catch {
        // reset or closed
      }
      if (this.#connection === connection) {
        this.#drop();
        if (!this.queue.empty) this.#drain.kick();
      }
    })();
  }

  #drop(): void {
    const connection = this.#connection;
    this.#connection = null;
    try {
      connection?.close();
    } catch {
      // already closed
    }
  }

  /** The server is away: say so once; the drain tries again later, each time a little later. */
  #away(reason: string): void {
    const outage = this.#outage ?? (this.#outage = newOutage());
    if (!outage.said) this.reports.onOutage(reason);
    outage.said = true;
  }
}

/** An outage of the server, from the first failure to the first delivery of all that waited. */
interface Outage {
  /** Whether it was told through {@linkcode StreamReports.onOutage}. */
  said: boolean;
  /** Whether the queue filled, told through {@linkcode StreamReports.onFull}. */
  full: boolean;
  delivered: number;
  dropped: number;
}

function newOutage(): Outage {
  return { said: false, full: false, delivered: 0, dropped: 0 };
}

async function connect(target: StreamTarget): Promise<Deno.Conn> {
  if (target.transport === "tcp") {
    return await Deno.connect({ hostname: target.host, port: target.port });
  }
  const connection = await Deno.connectTls({
    hostname: target.host,
    port: target.port,
    ...(target.caCerts ? { caCerts: target.caCerts } : {}),
  });
  try {
    await connection.handshake(); // the certificate is checked now, not at the first message
  } catch (error) {
    connection.close();
    throw error;
  }
  return connection;
}

/** Octet counting: the message's length in bytes, a space, the message; written whole. */
async function writeFrame(connection: Deno.Conn, message: string): Promise<void> {
  const bytes = encoder.encode(message);
  const frame = encoder.encode(`${bytes.length} `);
  const whole = new Uint8Array(frame.length + bytes.length);
  whole.set(frame);
  whole.set(bytes, frame.length);
  for (let written = 0; written < whole.length;) {
    written += await connection.write(whole.subarray(written));
  }
}

function describe(error: unknown): string {
  if (error instanceof Deno.errors.ConnectionRefused) return "connection refused";
  if (error instanceof Deno.errors.ConnectionReset) return "connection reset";
  if (error instanceof Deno.errors.BrokenPipe) return "the server closed the connection";
  return error instanceof Error ? error.message : String(error);
}
