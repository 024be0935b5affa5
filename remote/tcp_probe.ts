/**
 * TCP probes: connect, and read what the state is from how the connection attempt ends. An
 * accepted connection is LISTENING, a reset (ECONNREFUSED) NOT LISTENING, and no answer at all is
 * tried again, up to the tries asked for, before it is FILTERED.
 *
 * @module
 */

import net from "node:net";
import { ProbeError } from "../collectors/probe.ts";
import { formatAddressPort } from "../model/address.ts";
import { BANNER_MAX_BYTES, BANNER_PORTS, describeBanner } from "./banners.ts";
import type { PortState } from "./port_result.ts";

/** How one connection attempt ended. */
export type ConnectOutcome =
  /** Accepted; `greeting` holds what the server sent first when it was asked for. */
  | { kind: "connected"; greeting: Uint8Array | null }
  | { kind: "refused" }
  /** An ICMP host or network unreachable came back. */
  | { kind: "unreachable"; reason: string }
  /** Nothing came back within the timeout. */
  | { kind: "timeout" };

/** One connection attempt to `address:port`. */
export type ConnectAttempt = (target: ConnectTarget) => Promise<ConnectOutcome>;

/** What one attempt is told. */
export interface ConnectTarget {
  address: string;
  port: number;
  sourcePort: number | null;
  timeoutMs: number;
  /** When set, wait this long after connecting for the server's greeting. */
  greetingWaitMs: number | null;
}

/** One TCP probe. */
export interface TcpProbeOptions {
  address: string;
  port: number;
  sourcePort: number | null;
  /** Per attempt. */
  timeoutMs: number;
  /** Attempts when nothing answers (PortQry's default is 3). */
  tries: number;
  /** How long to wait for a greeting on the banner ports. */
  greetingWaitMs: number;
  /** The attempt itself; tests may pass their own. */
  attempt?: ConnectAttempt;
}

/** A TCP probe's finding. */
export interface TcpProbeResult {
  state: PortState;
  detail: string[];
  /** How many connection attempts were made. */
  attempts: number;
}

/** Probes one TCP port. Throws {@linkcode ProbeError} when no attempt can be made at all. */
export async function probeTcp(options: TcpProbeOptions): Promise<TcpProbeResult> {
  const attempt = options.attempt ?? connectFastest;
  for (let attempts = 1;; attempts++) {
    const outcome = await attempt({
      address: options.address,
      port: options.port,
      sourcePort: options.sourcePort,
      timeoutMs: options.timeoutMs,
      greetingWaitMs: BANNER_PORTS.has(options.port) ? options.greetingWaitMs : null,
    });
    switch (outcome.kind) {
      case "connected":
        return {
          state: "LISTENING",
          detail: outcome.greeting?.length ? describeBanner(options.port, outcome.greeting) : [],
          attempts,
        };
      case "refused":
        return { state: "NOT LISTENING", detail: [], attempts };
      case "unreachable":
        return { state: "FILTERED", detail: [outcome.reason], attempts };
      case "timeout":
        if (attempts >= options.tries) return { state: "FILTERED", detail: [], attempts };
    }
  }
}

/** Errors that mean the host or network is unreachable: the port's state cannot be known. */
const UNREACHABLE = new Map([
  ["EHOSTUNREACH", "host unreachable"],
  ["ENETUNREACH", "network unreachable"],
]);

/**
 * One attempt, the cheapest way that can do what it asks: `Deno.connect`, a third of the CPU of
 * node:net per probe (which matters over a 65,535-port range), when there is no source port to
 * bind and no greeting to read; node:net otherwise.
 */
export function connectFastest(target: ConnectTarget): Promise<ConnectOutcome> {
  return target.sourcePort === null && target.greetingWaitMs === null
    ? connectPlain(target)
    : connectOnce(target);
}

/**
 * One attempt with `Deno.connect`, cancelled at the timeout by its signal. It cannot reset the
 * connection as {@linkcode connectOnce} does, so an open port leaves this end in TIME_WAIT on an
 * ephemeral port: harmless, since no fixed source port is reused.
 */
async function connectPlain(target: ConnectTarget): Promise<ConnectOutcome> {
  try {
    const connection = await Deno.connect({
      hostname: target.address,
      port: target.port,
      signal: AbortSignal.timeout(target.timeoutMs),
    });
    connection.close();
    return { kind: "connected", greeting: null };
  } catch (error) {
    if (error instanceof Deno.errors.ConnectionRefused) return { kind: "refused" };
    const code = (error as { code?: string }).code ?? "";
    const unreachable = UNREACHABLE.get(code);
    if (unreachable) return { kind: "unreachable", reason: unreachable };
    if ((error as Error).name === "TimeoutError" || code === "ETIMEDOUT") {
      return { kind: "timeout" };
    }
    // Anything else: node:net's attempt says what went wrong the way the rest of the probe does.
    return connectOnce(target);
  }
}

/** One attempt with node:net. */
export function connectOnce(target: ConnectTarget): Promise<ConnectOutcome> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({
      host: target.address,
      port: target.port,
      ...(target.sourcePort !== null ? { localPort: target.sourcePort } : {}),
    });
    let settled = false;
    const chunks: Uint8Array[] = [];
    let received = 0;
    const finish = (outcome: ConnectOutcome | Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // Close an open connection with a reset, not a FIN: the prober's end then never lingers in
      // TIME_WAIT, which would hold the port pair (and a fixed -sp source port) for a minute.
      if (socket.readyState === "open") socket.resetAndDestroy();
      else socket.destroy();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    let timer = setTimeout(() => finish({ kind: "timeout" }), target.timeoutMs);
    const greeting = () => ({ kind: "connected", greeting: concat(chunks, received) }) as const;
    socket.on("connect", () => {
      if (target.greetingWaitMs === null) return finish({ kind: "connected", greeting: null });
      clearTimeout(timer);
      timer = setTimeout(() => finish(greeting()), target.greetingWaitMs);
    });
    socket.on("data", (chunk: Uint8Array) => {
      chunks.push(chunk);
      received += chunk.length;
      if (received >= BANNER_MAX_BYTES || chunk.includes(0x0a)) finish(greeting());
    });
    socket.on("end", () => finish(greeting()));
    socket.on("error", (error: NodeJS.ErrnoException) => {
      if (socket.readyState === "open" || chunks.length > 0) return finish(greeting());
      if (error.code === "ECONNREFUSED") return finish({ kind: "refused" });
      const unreachable = UNREACHABLE.get(error.code ?? "");
      if (unreachable) return finish({ kind: "unreachable", reason: unreachable });
      if (error.code === "ETIMEDOUT") return finish({ kind: "timeout" });
      finish(new ProbeError(connectFailure(target, error)));
    });
  });
}

/** A one-line account of a connection that failed for a reason other than the port's state. */
function connectFailure(target: ConnectTarget, error: NodeJS.ErrnoException): string {
  const to = formatAddressPort(target.address, target.port);
  if (
    target.sourcePort !== null && (error.code === "EADDRINUSE" || error.code === "EADDRNOTAVAIL")
  ) {
    return `cannot connect from source port ${target.sourcePort} to ${to}: the port pair is in ` +
      `use (a listener on that port, or a connection to ${to} from it not yet closed)`;
  }
  return `cannot connect to ${to}: ${error.code ?? error.message}`;
}

function concat(chunks: Uint8Array[], length: number): Uint8Array {
  const bytes = new Uint8Array(Math.min(length, BANNER_MAX_BYTES));
  let offset = 0;
  for (const chunk of chunks) {
    const part = chunk.subarray(0, bytes.length - offset);
    bytes.set(part, offset);
    offset += part.length;
    if (offset >= bytes.length) break;
  }
  return bytes;
}
