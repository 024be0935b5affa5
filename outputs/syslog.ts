/**
 * Syslog messages as RFC 5424 frames them, sent over UDP (one datagram each) or TCP (octet
 * counting, RFC 6587).
 *
 * @module
 */

import { createSocket, type Socket } from "node:dgram";
import type { Transport } from "../model/endpoint.ts";
import { printableField } from "../text/printable.ts";
import { VERSION } from "../version.ts";

/** Facility 13, log audit: integrity events belong with the audit trail. */
const FACILITY_LOG_AUDIT = 13;

/** Syslog severities portset uses. */
export const SEVERITY = { warning: 4, notice: 5, informational: 6 } as const;

/**
 * One RFC 5424 message: `<PRI>1 TIMESTAMP HOST APP PROCID MSGID - MSG`. The message is one line,
 * its line breaks a space and any other control character `?`: a process's name goes into it,
 * and a receiver that splits on line breaks, or a terminal tailing its file, must meet neither.
 * Header fields are printable ASCII, as RFC 5424 asks: whitespace `_`, anything else `?`.
 */
export function formatSyslog(
  message: string,
  options: { severity: number; time: Date; host: string; messageId: string },
): string {
  const field = (text: string) =>
    text === "" ? "-" : text.replace(/\s+/g, "_").replace(/[^\x21-\x7e]/g, "?").slice(0, 48);
  const priority = FACILITY_LOG_AUDIT * 8 + options.severity;
  return `<${priority}>1 ${options.time.toISOString()} ${
    field(options.host)
  } portset ${Deno.pid} ` +
    `${field(options.messageId)} [portset@32473 version="${VERSION}"] ${
      printableField(message.replace(/\r?\n/g, " "))
    }`;
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
    readonly transport: Transport,
    readonly host: string,
    readonly port: number,
  ) {}

  static async open(
    target: { transport: Transport; host: string; port: number },
  ): Promise<SyslogSender> {
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

  close(): void {
    this.#udp?.close();
    try {
      this.#tcp?.close();
    } catch {
      // already closed by the peer
    }
  }
}
