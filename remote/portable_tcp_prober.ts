/**
 * TCP connection attempts through Deno's own sockets, for the OSes without a prober of their own
 * under collectors/ (Windows and macOS): `Deno.connect` where nothing else is needed, a node:net
 * socket where a source port must be bound or a greeting read. A promise per port, so a whole
 * range costs more here than through Linux's epoll prober, but the answers are the same.
 *
 * @module
 */

import net from "node:net";
import {
  type GreetingRead,
  ProbeError,
  RESET,
  SELF,
  type TcpConnectBatch,
  type TcpConnectOutcome,
  type TcpProber,
  TIMEOUT,
} from "../collectors/probe.ts";
import { mapBounded } from "./bounded.ts";

const CONNECTED: TcpConnectOutcome = Object.freeze({ kind: "connected", greeting: null });

/** How often one port may reach its own socket before the attempt settles as it is. */
const MAX_SELF_RETRIES = 8;

/** One attempt, with what it is told. */
interface Attempt {
  address: string;
  port: number;
  sourcePort: number | null;
  timeoutMs: number;
  greeting: GreetingRead | null;
}

/** The portable {@linkcode TcpProber}. */
export class PortableTcpProber implements TcpProber {
  connectAll(batch: TcpConnectBatch): Promise<TcpConnectOutcome[]> {
    return mapBounded(batch.ports, batch.concurrency, (port) =>
      this.#attempt({
        address: batch.address,
        port,
        sourcePort: batch.sourcePort,
        timeoutMs: batch.timeoutMs,
        greeting: batch.greeting?.(port) ?? null,
      }));
  }

  /**
   * One port's attempt. A connection that reached its own socket (the kernel picked the target
   * port as the source port on this host) is held open while the attempt is made again, so the
   * next one gets another port.
   */
  async #attempt(attempt: Attempt): Promise<TcpConnectOutcome> {
    const held: { close(): void }[] = [];
    try {
      for (let tries = 0;; tries++) {
        const { outcome, self } = attempt.sourcePort === null && attempt.greeting === null
          ? await connectPlain(attempt)
          : await connectNode(attempt);
        if (!self) return outcome;
        if (attempt.sourcePort !== null || tries >= MAX_SELF_RETRIES) {
          self.close();
          return SELF;
        }
        held.push(self);
      }
    } finally {
      for (const connection of held) connection.close();
    }
  }

  close(): void {
    // Nothing is kept between batches.
  }
}

/** An attempt's outcome, or the open connection when it reached its own socket. */
interface Attempted {
  outcome: TcpConnectOutcome;
  self: { close(): void } | null;
}

/** One attempt with `Deno.connect`, cancelled at the timeout by its signal. */
async function connectPlain(attempt: Attempt): Promise<Attempted> {
  try {
    const connection = await Deno.connect({
      hostname: attempt.address,
      port: attempt.port,
      signal: AbortSignal.timeout(attempt.timeoutMs),
    });
    const local = connection.localAddr as Deno.NetAddr;
    const remote = connection.remoteAddr as Deno.NetAddr;
    if (local.port === remote.port && local.hostname === remote.hostname) {
      return { outcome: SELF, self: connection };
    }
    connection.close();
    return { outcome: CONNECTED, self: null };
  } catch (error) {
    return { outcome: outcomeOfError(error), self: null };
  }
}

/** One attempt with node:net: a bound source port, or a greeting to read. */
function connectNode(attempt: Attempt): Promise<Attempted> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({
      host: attempt.address,
      port: attempt.port,
      ...(attempt.sourcePort !== null ? { localPort: attempt.sourcePort } : {}),
    });
    let settled = false;
    const chunks: Uint8Array[] = [];
    let received = 0;
    const finish = (outcome: TcpConnectOutcome | Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // Close an open connection with a reset, not a FIN: the prober's end then never lingers in
      // TIME_WAIT, which would hold the port pair (and a fixed -sp source port) for a minute.
      if (socket.readyState === "open") socket.resetAndDestroy();
      else socket.destroy();
      if (outcome instanceof Error) reject(outcome);
      else resolve({ outcome, self: null });
    };
    let timer = setTimeout(() => finish(TIMEOUT), attempt.timeoutMs);
    const greeting = (): TcpConnectOutcome =>
      received > 0 ? { kind: "connected", greeting: concat(chunks, received) } : CONNECTED;
    socket.on("connect", () => {
      if (socket.localPort === socket.remotePort && socket.localAddress === socket.remoteAddress) {
        settled = true;
        clearTimeout(timer);
        return resolve({ outcome: SELF, self: { close: () => socket.destroy() } });
      }
      if (attempt.greeting === null) return finish(CONNECTED);
      clearTimeout(timer);
      timer = setTimeout(() => finish(greeting()), attempt.greeting.waitMs);
    });
    socket.on("data", (chunk: Uint8Array) => {
      if (settled) return;
      chunks.push(chunk);
      received += chunk.length;
      const read = attempt.greeting;
      if (!read || received >= read.maxBytes || read.complete(concat(chunks, received))) {
        finish(greeting());
      }
    });
    socket.on("end", () => finish(greeting()));
    socket.on("error", (error: NodeJS.ErrnoException) => {
      if (socket.readyState === "open" || chunks.length > 0) return finish(greeting());
      if (attempt.sourcePort !== null && error.code === "EADDRINUSE") {
        return finish(
          new ProbeError(
            `cannot connect from source port ${attempt.sourcePort}: it is in use (a listener ` +
              `holds it)`,
          ),
        );
      }
      finish(outcomeOfError(error));
    });
  });
}

/** The outcome an error from a connection attempt stands for. */
function outcomeOfError(error: unknown): TcpConnectOutcome {
  if (error instanceof Deno.errors.ConnectionRefused) return RESET;
  const code = (error as { code?: string }).code ?? "";
  if (code === "ECONNREFUSED") return RESET;
  if ((error as Error).name === "TimeoutError" || code === "ETIMEDOUT") return TIMEOUT;
  return {
    kind: "failed",
    failure: { code: code || "EIO", text: (error as Error).message, icmp: null },
  };
}

function concat(chunks: Uint8Array[], length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk.subarray(0, length - offset), offset);
    offset += chunk.length;
    if (offset >= length) break;
  }
  return bytes;
}
