/**
 * The syslog sink: each rule event sent to a syslog server as an RFC 5424 message, over UDP (one
 * datagram each) or TCP (octet counting, RFC 6587). outputs/syslog.ts formats the messages.
 *
 * @module
 */

import { createSocket, type Socket } from "node:dgram";
import type { Transport } from "../model/endpoint.ts";
import type { Sink } from "../monitor/sink.ts";
import { formatEventSyslog } from "../outputs/syslog.ts";
import type { ChangeEvent } from "../rules/changes.ts";

/** Where syslog messages go: `udp://HOST[:PORT]` or `tcp://HOST[:PORT]`, read. */
export interface SyslogTarget {
  transport: Transport;
  /** A name or an address; an IPv6 address without its brackets. */
  host: string;
  port: number;
}

/** Sends messages to a syslog server; sending is best effort and never stops the monitor. */
export class SyslogSender {
  #udp: Socket | null = null;
  #tcp: Deno.TcpConn | null = null;
  #encoder = new TextEncoder();
  /** The send in progress: the next one starts when it has ended. */
  #sending: Promise<void> = Promise.resolve();
  /** The last delivery failure, reported once by the caller. */
  failure: string | null = null;

  private constructor(
    /** How messages go. */
    readonly transport: Transport,
    /** The server. */
    readonly host: string,
    /** The server's port. */
    readonly port: number,
  ) {}

  /** Opens the way to `target`: a TCP connection, or a UDP socket; rejects when TCP cannot connect. */
  static async open(target: SyslogTarget): Promise<SyslogSender> {
    const sender = new SyslogSender(target.transport, target.host, target.port);
    if (target.transport === "udp") {
      sender.#udp = createSocket(target.host.includes(":") ? "udp6" : "udp4");
      sender.#udp.on("error", (error) => sender.failure = error.message);
    } else {
      sender.#tcp = await Deno.connect({ hostname: target.host, port: target.port });
    }
    return sender;
  }

  /**
   * Sends one message; never rejects (a failure is kept in {@linkcode failure}). Messages go one
   * at a time, in the order given: a tick with several events sends them without waiting for
   * each other, and over TCP each frame's length and text must not interleave with another's.
   */
  send(message: string): Promise<void> {
    this.#sending = this.#sending.then(() => this.#send(message));
    return this.#sending;
  }

  async #send(message: string): Promise<void> {
    try {
      if (this.#udp) {
        const bytes = this.#encoder.encode(message);
        await new Promise<void>((resolve, reject) =>
          this.#udp!.send(
            bytes,
            this.port,
            this.host,
            (error) => (error ? reject(error) : resolve()),
          )
        );
      } else if (this.#tcp) {
        // Octet counting: the message's length in bytes, a space, the message; one buffer, so
        // a short write resumes where it stopped, the length included.
        const bytes = this.#encoder.encode(message);
        const length = this.#encoder.encode(`${bytes.length} `);
        const frame = new Uint8Array(length.length + bytes.length);
        frame.set(length);
        frame.set(bytes, length.length);
        for (let written = 0; written < frame.length;) {
          written += await this.#tcp.write(frame.subarray(written));
        }
      }
    } catch (error) {
      this.failure = (error as Error).message;
    }
  }

  /** Closes the socket; messages still queued are dropped. */
  close(): void {
    this.#udp?.close();
    try {
      this.#tcp?.close();
    } catch {
      // already closed by the peer
    }
  }
}

/** Options of {@linkcode SyslogSink}. */
export interface SyslogSinkOptions {
  /** The event as the monitor writes it (CEF, a JSON line, text), which becomes the message. */
  formatEvent(event: ChangeEvent): string;
  /** Told when a message could not be delivered (the caller says it once). */
  onFailure(message: string): void;
}

/** Rule events to a syslog server, one message each; sockets and looks are not its business. */
export class SyslogSink implements Sink {
  private constructor(readonly sender: SyslogSender, readonly options: SyslogSinkOptions) {}

  /** Opens the way to `target`; rejects when a TCP server cannot be reached. */
  static async open(target: SyslogTarget, options: SyslogSinkOptions): Promise<SyslogSink> {
    return new SyslogSink(await SyslogSender.open(target), options);
  }

  start(): void {}

  tick(): void {}

  events(events: readonly ChangeEvent[]): void {
    for (const event of events) {
      const message = formatEventSyslog(event, this.options.formatEvent(event).trimEnd());
      this.sender.send(message).then(() => {
        if (this.sender.failure) this.options.onFailure(`syslog: ${this.sender.failure}`);
      });
    }
  }

  stop(): void {
    this.sender.close();
  }
}
