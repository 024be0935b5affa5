/**
 * The syslog sink: each rule event sent to a syslog server as an RFC 5424 message, over UDP (one
 * datagram each), or TCP or TLS (octet counting, RFC 6587 and RFC 5425) through a queue that
 * holds them while the server is away. outputs/syslog.ts formats the messages.
 *
 * @module
 */

import { createSocket, type Socket } from "node:dgram";
import type { Transport } from "../model/endpoint.ts";
import type { Sink } from "../monitor/sink.ts";
import { formatEventSyslog } from "../outputs/syslog.ts";
import type { ChangeEvent } from "../rules/changes.ts";
import { formatBytes } from "../text/units.ts";
import type { MessageQueue } from "./message_queue.ts";
import { settleWithin } from "./retry.ts";
import { formatAddressPort } from "../model/address.ts";
import { StreamSender } from "./syslog_stream.ts";

/**
 * Where syslog messages go: `udp://HOST[:PORT]`, `tcp://HOST[:PORT]` or `tls://HOST[:PORT]`,
 * read.
 */
export interface SyslogTarget {
  transport: SyslogTransport;
  /** A name or an address; an IPv6 address without its brackets. */
  host: string;
  port: number;
  /** TLS: a PEM file of the certificate authorities to trust; null for the system's. */
  caFile: string | null;
}

/** How messages go: UDP datagrams, or frames over TCP or TLS. */
export type SyslogTransport = Transport | "tls";

/**
 * Sends messages as UDP datagrams: best effort, as UDP is (a receiver that is down cannot be
 * told from one that is up). A failure to send is said once, until another one.
 */
export class UdpSyslogSender {
  #socket: Socket;
  #encoder = new TextEncoder();
  /** Sends not yet handed to the kernel: the close waits for them. */
  #pending = new Set<Promise<void>>();
  #said: string | null = null;

  /** A socket for `host`'s family, sending to `host`:`port`; failures told through `say`. */
  constructor(readonly host: string, readonly port: number, readonly say: (line: string) => void) {
    this.#socket = createSocket(host.includes(":") ? "udp6" : "udp4");
    this.#socket.on("error", (error) => this.#failed(error.message));
  }

  /** Sends one message; a failure is said, never thrown. */
  send(message: string): void {
    const sent: Promise<void> = new Promise<void>((resolve, reject) =>
      this.#socket.send(
        this.#encoder.encode(message),
        this.port,
        this.host,
        (error) => (error ? reject(error) : resolve()),
      )
    ).catch((error) => this.#failed((error as Error).message))
      .finally(() => this.#pending.delete(sent));
    this.#pending.add(sent);
  }

  /**
   * Closes the socket once the messages given are sent (within `deadlineMs`): a monitor stopped
   * right after an event still sends it.
   */
  async close(deadlineMs = 2_000): Promise<void> {
    await settleWithin(Promise.all(this.#pending), deadlineMs);
    this.#socket.close();
  }

  #failed(text: string): void {
    if (text !== this.#said) this.say(`portset: syslog: ${text}`);
    this.#said = text;
  }
}

/** Options of {@linkcode SyslogSink}. */
export interface SyslogSinkOptions {
  /** The event as the monitor writes it (CEF, a JSON line, text), which becomes the message. */
  formatEvent(event: ChangeEvent): string;
  /** Says one line on stderr (an outage, its end, a full queue), as the monitor says things. */
  say(line: string): void;
  /** TCP and TLS: where messages wait while the server is away (message_queue.ts). */
  queue: MessageQueue;
  /** TLS: the authorities' PEM text (the caller reads `caFile`); null for the system's. */
  caCerts: string[] | null;
}

/**
 * Rule events to a syslog server, one RFC 5424 message each; sockets and looks are not its
 * business. Over TCP and TLS every message is delivered once, in order, through the server's
 * restarts (syslog_stream.ts); over UDP, each is sent once.
 */
export class SyslogSink implements Sink {
  private constructor(
    readonly sender: UdpSyslogSender | StreamSender,
    readonly options: SyslogSinkOptions,
  ) {}

  /**
   * Opens the way to `target`; rejects when a TCP or TLS server cannot be reached, or its
   * certificate is not trusted, or the CA file cannot be read.
   */
  static async open(target: SyslogTarget, options: SyslogSinkOptions): Promise<SyslogSink> {
    if (target.transport === "udp") {
      return new SyslogSink(new UdpSyslogSender(target.host, target.port, options.say), options);
    }
    const url = `${target.transport}://${formatAddressPort(target.host, target.port)}`;
    const { queue, caCerts } = options;
    const sender = await StreamSender.open(
      { transport: target.transport, host: target.host, port: target.port, caCerts },
      queue,
      {
        onOutage: (reason) =>
          options.say(
            `portset: syslog: cannot deliver to ${url} (${reason}); events wait in ` +
              `${queue.where === "memory" ? "memory" : `the queue in ${queue.where}`}, ` +
              `up to ${formatBytes(queue.maxBytes)}`,
          ),
        onRecovery: (delivered, dropped) =>
          options.say(
            `portset: syslog: delivering to ${url} again; ${delivered} event${
              delivered === 1 ? "" : "s"
            } waited${dropped > 0 ? `, ${dropped} dropped because the queue was full` : ""}`,
          ),
        onFull: () =>
          options.say(
            `portset: syslog: the queue (${
              formatBytes(queue.maxBytes)
            }) is full: new events are dropped, and counted, until ${url} is back`,
          ),
      },
    );
    return new SyslogSink(sender, options);
  }

  start(): void {}

  tick(): void {}

  events(events: readonly ChangeEvent[]): void {
    for (const event of events) {
      this.sender.send(formatEventSyslog(event, this.options.formatEvent(event).trimEnd()));
    }
  }

  /** Delivers what it can in a moment, then closes; a disk queue keeps the rest. */
  async stop(): Promise<void> {
    await this.sender.close();
  }
}
