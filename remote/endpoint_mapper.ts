/**
 * Asking an RPC endpoint mapper (port 135) for every endpoint it has registered, as PortQry does
 * when port 135 answers: `ept_lookup` over TCP (ncacn_ip_tcp: bind to the `ept` interface, then
 * request after request on one connection) or over UDP (ncadg_ip_udp: one connectionless request
 * per datagram, through a {@linkcode UdpProber}), following the returned entry handle until the
 * server says the map is exhausted.
 *
 * Every way a conversation can fail (no connection, silence, a bind_nak, a fault or reject, a
 * reply that is short, fragmented or not DCE/RPC at all) ends in one {@linkcode EndpointMapperError}
 * with a one-line message.
 *
 * @module
 */

import type { UdpProbeOutcome, UdpProber } from "../collectors/probe.ts";
import { formatAddressPort } from "../model/address.ts";
import {
  bindNakReasonText,
  CL_FLAGS1,
  CO_HEADER_SIZE,
  contextResultText,
  type CoPdu,
  DceRpcError,
  decodeClPdu,
  decodeCoHeader,
  decodeCoPdu,
  decodeEptLookupReply,
  encodeBind,
  encodeClRequest,
  encodeCoRequest,
  encodeEptLookup,
  EPMAPPER_SYNTAX,
  EPT_LOOKUP_OPNUM,
  EPT_S_NOT_REGISTERED,
  type EptLookupReply,
  isNilHandle,
  NDR_SYNTAX,
  NIL_HANDLE,
  PFC,
  PTYPE,
  statusText,
} from "./protocols/dcerpc/mod.ts";
import { describeFailure, UDP_SELF_REASON } from "./failure_text.ts";
import { describeEndpoints, type EndpointEntry, endpointEntry } from "./protocols/epmap.ts";

/** The endpoint mapper's port, TCP and UDP. */
export const EPMAP_PORT = 135;

/**
 * The most `ept_lookup` calls one lookup makes: a server that keeps handing back a handle (a
 * buggy or hostile one) cannot keep the query going for ever. 400 calls at 5 entries each cover
 * {@linkcode MAX_ENDPOINTS}.
 */
export const MAX_LOOKUP_CALLS = 400;

/** The most endpoints one lookup collects; a busy Windows server registers a few hundred. */
export const MAX_ENDPOINTS = 2000;

/** Entries asked per call over TCP, where a reply may span fragments and is reassembled. */
export const TCP_ENTRIES_PER_CALL = 100;

/**
 * Entries asked per call over UDP. A connectionless server fragments a reply longer than it can
 * send in one datagram (at first 1464 bytes with the header, the size C706 makes every
 * implementation receive), and reading fragments would need an exchange of fack PDUs that a probe
 * socket cannot make; so each reply must fit one. The reply's fixed part is 120 bytes with the
 * header, and an entry is at most about 225: its object (16), tower pointer (4), annotation
 * (8 + up to 64) and tower (8 + about 130 for a named pipe on a long host name). Five stay near
 * 1250 even at the worst.
 */
export const UDP_ENTRIES_PER_CALL = 5;

/** The largest fragment this client offers to send and receive over TCP (as [MS-RPCE] clients). */
const MAX_FRAGMENT = 4280;

/** The largest reassembled TCP reply accepted: far above 100 entries' worth. */
const MAX_REPLY_BYTES = 256 * 1024;

/** Times the UDP lookup asks again after a `working` answer (the server is still busy). */
const WORKING_RETRIES = 3;

/** How a lookup failed. */
export type EndpointMapperFailure =
  /** TCP reset or ICMP port unreachable: nothing listens at the port. */
  | "refused"
  /** Host or network unreachable, or no connection could be made. */
  | "unreachable"
  /** Nothing (more) came back in time. */
  | "timeout"
  /** The connection ended before a whole reply came. */
  | "closed"
  /** The server said no: bind_nak, a refused context, fault, reject, a failure status. */
  | "rejected"
  /** The server answered with something that is not the reply it should be. */
  | "malformed";

/** A lookup that did not complete; the message says why, in one line. */
export class EndpointMapperError extends Error {
  override name = "EndpointMapperError";

  constructor(
    message: string,
    readonly kind: EndpointMapperFailure,
    /**
     * Whether anything answered at the port (a TCP connection was accepted, or a datagram came
     * back): a UDP port that answered is listening, even when the answer was not usable.
     */
    readonly answered: boolean,
    /**
     * Over UDP, when the port's own answer settled it (silence, an ICMP error, a socket that
     * reached itself): that probe outcome, so the caller states the port as for any UDP port.
     */
    readonly outcome: UdpProbeOutcome | null = null,
  ) {
    super(message);
  }
}

/** The query's name, as the report frames it. */
export const ENDPOINT_MAPPER_QUERY = "RPC endpoint mapper";

/** A lookup's lines for the report: every endpoint, the total, and a word when it was cut. */
export function describeLookup(lookup: EndpointLookup): string[] {
  const lines = describeEndpoints(lookup.entries);
  if (lookup.truncated) {
    lines.push(
      `(the list stops here: portset asks at most ${MAX_LOOKUP_CALLS} times for at most ` +
        `${MAX_ENDPOINTS} endpoints)`,
    );
  }
  return lines;
}

/** A lookup's result. */
export interface EndpointLookup {
  /** In the order the server gave them. */
  entries: EndpointEntry[];
  /** How many `ept_lookup` calls it took. */
  calls: number;
  /** True when the lookup stopped at {@linkcode MAX_LOOKUP_CALLS} or {@linkcode MAX_ENDPOINTS}. */
  truncated: boolean;
}

/** One `ept_lookup` call: the handle to continue from, and how many entries to ask. */
type LookupCall = (entryHandle: Uint8Array, maxEntries: number) => Promise<EptLookupReply>;

/**
 * Calls `ept_lookup` until the map is exhausted. Servers say so in three ways: status
 * EPT_S_NOT_REGISTERED on a call that finds nothing more (Samba's AD DC), the same status with the
 * last entries (Samba's file server epmapper; those entries count), or a nil handle with status 0
 * (Windows, where impacket's rpcdump, which stops only there, works). A call that returns no
 * entries ends it too, whatever the handle.
 */
async function lookupAll(call: LookupCall, perCall: number): Promise<EndpointLookup> {
  const entries: EndpointEntry[] = [];
  let handle = NIL_HANDLE;
  for (let calls = 0;;) {
    if (calls >= MAX_LOOKUP_CALLS || entries.length >= MAX_ENDPOINTS) {
      return { entries, calls, truncated: true };
    }
    const asked = Math.min(perCall, MAX_ENDPOINTS - entries.length);
    const reply = await call(handle, asked);
    calls++;
    if (reply.status !== 0 && reply.status !== EPT_S_NOT_REGISTERED) {
      throw new EndpointMapperError(
        `the endpoint mapper answered ept_lookup with status ${statusText(reply.status)}`,
        "rejected",
        true,
      );
    }
    if (reply.entries.length > asked) {
      throw new EndpointMapperError(
        `the endpoint mapper returned ${reply.entries.length} entries when ${asked} were asked`,
        "malformed",
        true,
      );
    }
    entries.push(...reply.entries.map(endpointEntry));
    if (
      reply.status === EPT_S_NOT_REGISTERED || isNilHandle(reply.entryHandle) ||
      reply.entries.length === 0
    ) {
      return { entries, calls, truncated: false };
    }
    handle = reply.entryHandle;
  }
}

// ---- TCP ------------------------------------------------------------------------------------

/** A lookup over TCP. */
export interface TcpLookupOptions {
  /** Numeric IPv4 or IPv6 address. */
  address: string;
  /** Default 135. */
  port?: number;
  /** The whole conversation's deadline: the connection, the bind and every call. */
  timeoutMs: number;
}

/**
 * Looks up every endpoint over TCP: connects (with `Deno.connect`, the same on every OS), binds
 * to `ept` v3.0 with NDR, and calls `ept_lookup` until the map is exhausted. The connection is
 * closed at the end whatever happens, which also frees the lookup handle on the server.
 *
 * @throws {EndpointMapperError} for every failure.
 */
export async function lookupEndpointsTcp(options: TcpLookupOptions): Promise<EndpointLookup> {
  const port = options.port ?? EPMAP_PORT;
  const where = formatAddressPort(options.address, port);
  const signal = AbortSignal.timeout(options.timeoutMs);
  const timedOut = () =>
    new EndpointMapperError(
      `no answer from the endpoint mapper at ${where} within ${options.timeoutMs} ms`,
      "timeout",
      true,
    );
  let connection: Deno.TcpConn;
  try {
    connection = await Deno.connect({ hostname: options.address, port, signal });
  } catch (error) {
    throw connectFailure(error, where, options.timeoutMs, signal.aborted);
  }
  // At the deadline, closing the connection makes a pending read fail, which ends the wait.
  const close = () => {
    try {
      connection.close();
    } catch {
      // already closed
    }
  };
  signal.addEventListener("abort", close, { once: true });
  const stream = new PduStream(connection);
  try {
    await bind(stream);
    let callId = 1;
    return await lookupAll(async (handle, maxEntries) => {
      callId++;
      const request = encodeCoRequest({
        callId,
        contextId: 0,
        opnum: EPT_LOOKUP_OPNUM,
        stub: encodeEptLookup(handle, maxEntries),
      });
      await stream.write(request);
      return await readLookupReply(stream, callId);
    }, TCP_ENTRIES_PER_CALL);
  } catch (error) {
    if (signal.aborted && !(error instanceof EndpointMapperError)) throw timedOut();
    throw asLookupError(error);
  } finally {
    signal.removeEventListener("abort", close);
    close();
  }
}

/** Binds the connection to the endpoint mapper's interface; throws unless it is accepted. */
async function bind(stream: PduStream): Promise<void> {
  await stream.write(encodeBind({
    callId: 1,
    maxFragment: MAX_FRAGMENT,
    contextId: 0,
    abstractSyntax: EPMAPPER_SYNTAX,
    transferSyntax: NDR_SYNTAX,
  }));
  const pdu = decodeCoPdu(await stream.read());
  switch (pdu.kind) {
    case "bind_ack": {
      const result = pdu.results[0];
      if (!result) {
        throw new EndpointMapperError(
          "the endpoint mapper's bind_ack has no result",
          "malformed",
          true,
        );
      }
      if (result.result !== 0) {
        throw new EndpointMapperError(
          `the endpoint mapper refused the bind: ${
            contextResultText(result.result, result.reason)
          }`,
          "rejected",
          true,
        );
      }
      return;
    }
    case "bind_nak":
      throw new EndpointMapperError(
        `the endpoint mapper refused the bind (bind_nak): ${bindNakReasonText(pdu.reason)}`,
        "rejected",
        true,
      );
    case "fault":
      throw new EndpointMapperError(
        `the endpoint mapper answered the bind with a fault, status ${statusText(pdu.status)}`,
        "rejected",
        true,
      );
    default:
      throw unexpected(pdu, "the bind");
  }
}

/** Reads one call's reply, reassembling its fragments, and decodes the lookup's result. */
async function readLookupReply(stream: PduStream, callId: number): Promise<EptLookupReply> {
  const parts: Uint8Array[] = [];
  let length = 0;
  let littleEndian = true;
  for (;;) {
    const pdu = decodeCoPdu(await stream.read());
    if (pdu.kind === "fault") {
      throw new EndpointMapperError(
        `the endpoint mapper answered ept_lookup with a fault, status ${statusText(pdu.status)}`,
        "rejected",
        true,
      );
    }
    if (pdu.kind !== "response") throw unexpected(pdu, "ept_lookup");
    if (pdu.header.callId !== callId) {
      throw new EndpointMapperError(
        `the endpoint mapper answered call ${pdu.header.callId} when call ${callId} was made`,
        "malformed",
        true,
      );
    }
    if (parts.length === 0) littleEndian = pdu.header.littleEndian;
    parts.push(pdu.stub);
    length += pdu.stub.length;
    if (length > MAX_REPLY_BYTES) {
      throw new EndpointMapperError(
        `the endpoint mapper's reply runs past ${MAX_REPLY_BYTES} bytes`,
        "malformed",
        true,
      );
    }
    if (pdu.header.flags & PFC.LAST_FRAG) break;
  }
  return decodeEptLookupReply(concat(parts, length), littleEndian);
}

/** Whole PDUs read from a connection, and whole writes to it. */
class PduStream {
  #pending: Uint8Array = new Uint8Array(0);

  constructor(readonly connection: Deno.Conn) {}

  async write(bytes: Uint8Array): Promise<void> {
    for (let written = 0; written < bytes.length;) {
      written += await this.connection.write(bytes.subarray(written));
    }
  }

  /** The next PDU: its 16-byte header, then the rest its frag_length says. */
  async read(): Promise<Uint8Array> {
    const header = await this.#readExactly(CO_HEADER_SIZE, 0, 0);
    const { fragLength } = decodeCoHeader(header);
    const rest = await this.#readExactly(fragLength - CO_HEADER_SIZE, CO_HEADER_SIZE, fragLength);
    return concat([header, rest], fragLength);
  }

  /** `count` bytes; `before` and `whole` place them in the PDU for a short read's message. */
  async #readExactly(count: number, before: number, whole: number): Promise<Uint8Array> {
    while (this.#pending.length < count) {
      const chunk = new Uint8Array(Math.max(4096, count - this.#pending.length));
      const read = await this.connection.read(chunk);
      if (read === null) {
        const got = before + this.#pending.length;
        throw new EndpointMapperError(
          got === 0
            ? "the endpoint mapper closed the connection without answering"
            : `the endpoint mapper closed the connection after ${got} bytes of a ` +
              (whole ? `${whole}-byte PDU` : "PDU header"),
          "closed",
          true,
        );
      }
      // A read may bring the start of the next PDU too; it stays pending for the next call.
      this.#pending = concat([this.#pending, chunk.subarray(0, read)], this.#pending.length + read);
    }
    const bytes = this.#pending.slice(0, count);
    this.#pending = this.#pending.slice(count);
    return bytes;
  }
}

/** The error for a connection that could not be made. */
function connectFailure(
  error: unknown,
  where: string,
  timeoutMs: number,
  aborted: boolean,
): EndpointMapperError {
  if (error instanceof Deno.errors.ConnectionRefused) {
    return new EndpointMapperError(`${where} refused the connection`, "refused", false);
  }
  if (aborted || (error as Error).name === "TimeoutError") {
    return new EndpointMapperError(
      `no connection to ${where} within ${timeoutMs} ms`,
      "timeout",
      false,
    );
  }
  const code = (error as { code?: string }).code;
  return new EndpointMapperError(
    `cannot connect to ${where}: ${code ?? (error as Error).message}`,
    "unreachable",
    false,
  );
}

// ---- UDP ------------------------------------------------------------------------------------

/** A lookup over UDP. */
export interface UdpLookupOptions {
  /** Numeric IPv4 or IPv6 address. */
  address: string;
  /** Default 135. */
  port?: number;
  /** Local port to send from (`-sp`); null lets the OS pick. */
  sourcePort: number | null;
  /** How long to wait for an answer to each datagram. */
  waitMs: number;
  /**
   * Times each request is sent again when no answer comes, as a connectionless client
   * retransmits (the same activity and sequence number, so the server answers once). Default 1.
   */
  retransmits?: number;
}

/**
 * Looks up every endpoint over UDP: connectionless `ept_lookup` requests, one datagram each,
 * in one activity (a random UUID) with consecutive sequence numbers, marked idempotent, as
 * `ept_lookup` is, so the server answers without first calling back to check the activity. Each
 * reply must be one whole, unfragmented datagram; see {@linkcode UDP_ENTRIES_PER_CALL}. No ack is
 * sent after the last reply: an idempotent call's server keeps nothing waiting for one.
 *
 * @throws {EndpointMapperError} for every failure of the conversation; the prober's own
 * `ProbeError` when it cannot send at all (a source port in use).
 */
export async function lookupEndpointsUdp(
  prober: UdpProber,
  options: UdpLookupOptions,
): Promise<EndpointLookup> {
  const port = options.port ?? EPMAP_PORT;
  const where = formatAddressPort(options.address, port);
  const sends = 1 + (options.retransmits ?? 1);
  const activity = crypto.randomUUID();
  let serverBoot = 0;
  let answered = false;
  let calls = 0;
  const call: LookupCall = async (handle, maxEntries) => {
    // The sequence number is the call's index in the activity: 0, 1, 2...
    const seqnum = calls++;
    const request = encodeClRequest({
      activity,
      seqnum,
      serverBoot,
      interface: EPMAPPER_SYNTAX,
      opnum: EPT_LOOKUP_OPNUM,
      flags1: CL_FLAGS1.IDEMPOTENT,
      stub: encodeEptLookup(handle, maxEntries),
    });
    for (let working = 0;; working++) {
      const outcome = await prober.probe({
        address: options.address,
        port,
        sourcePort: options.sourcePort,
        payloads: new Array(sends).fill(request),
        waitMs: options.waitMs,
      });
      if (outcome.kind === "silent") {
        throw new EndpointMapperError(
          `no answer from the endpoint mapper at ${where} ` +
            `(${sends} datagram(s), ${options.waitMs} ms each)`,
          "timeout",
          answered,
          outcome,
        );
      }
      if (outcome.kind === "refused") {
        throw new EndpointMapperError(
          `nothing listens at UDP ${where} (ICMP port unreachable)`,
          "refused",
          answered,
          outcome,
        );
      }
      if (outcome.kind !== "reply") {
        throw new EndpointMapperError(
          `${where}: ${probeFailureText(outcome)}`,
          "unreachable",
          answered,
          outcome,
        );
      }
      answered = true;
      const pdu = decodeClPdu(outcome.bytes);
      if (pdu.header.ptype === PTYPE.REQUEST) {
        throw new EndpointMapperError(
          "the endpoint mapper called back (a conversation manager request), " +
            "which this client does not answer",
          "rejected",
          true,
        );
      }
      if (pdu.header.activity !== activity || pdu.header.seqnum !== seqnum) {
        throw new EndpointMapperError(
          `the endpoint mapper answered activity ${pdu.header.activity} call ` +
            `${pdu.header.seqnum}, not ${activity} call ${seqnum}`,
          "malformed",
          true,
        );
      }
      switch (pdu.kind) {
        case "response":
          if (pdu.header.flags1 & CL_FLAGS1.FRAG) {
            throw new EndpointMapperError(
              `the endpoint mapper sent a fragmented reply (fragment ${pdu.header.fragnum}, ` +
                `${outcome.bytes.length} bytes); only single-datagram replies are read`,
              "malformed",
              true,
            );
          }
          serverBoot = pdu.header.serverBoot;
          return decodeEptLookupReply(pdu.stub, pdu.header.littleEndian);
        case "fault":
          throw new EndpointMapperError(
            `the endpoint mapper answered ept_lookup with a fault, status ${
              statusText(pdu.status)
            }`,
            "rejected",
            true,
          );
        case "reject":
          throw new EndpointMapperError(
            `the endpoint mapper rejected ept_lookup, status ${statusText(pdu.status)}`,
            "rejected",
            true,
          );
      }
      // `working`: the call is still running; asking again (same sequence number) fetches the
      // reply once it is ready.
      if (pdu.header.ptype === PTYPE.WORKING && working < WORKING_RETRIES) continue;
      throw new EndpointMapperError(
        `the endpoint mapper answered ept_lookup with ${clTypeName(pdu.header.ptype)}`,
        pdu.header.ptype === PTYPE.NOCALL || pdu.header.ptype === PTYPE.WORKING
          ? "rejected"
          : "malformed",
        true,
      );
    }
  };
  try {
    return await lookupAll(call, UDP_ENTRIES_PER_CALL);
  } catch (error) {
    if (error instanceof DceRpcError) {
      throw new EndpointMapperError(
        `unreadable reply from the endpoint mapper at ${where}: ${error.message}`,
        "malformed",
        true,
      );
    }
    throw error;
  }
}

/** Words for a probe outcome other than a reply, silence or a refusal. */
function probeFailureText(outcome: UdpProbeOutcome): string {
  if (outcome.kind === "self") return UDP_SELF_REASON;
  if (outcome.kind === "failed") return describeFailure(outcome.failure);
  return outcome.kind;
}

// ---- shared ---------------------------------------------------------------------------------

/** A connectionless PDU type's name, for messages. */
function clTypeName(ptype: number): string {
  const names: Record<number, string> = {
    [PTYPE.PING]: "a ping",
    [PTYPE.WORKING]: "working (still running) more often than it is asked again",
    [PTYPE.NOCALL]: "nocall (it has no such call)",
    [PTYPE.ACK]: "an ack",
    [PTYPE.FACK]: "a fack",
    [PTYPE.CANCEL_ACK]: "a cancel_ack",
  };
  return names[ptype] ?? `a PDU of type ${ptype}`;
}

/** The error for a connection-oriented PDU that is not the answer expected. */
function unexpected(pdu: CoPdu, to: string): EndpointMapperError {
  return new EndpointMapperError(
    `the endpoint mapper answered ${to} with a PDU of type ${pdu.header.ptype}`,
    "malformed",
    true,
  );
}

/** Any error of a TCP conversation after the connection was made, as the one error class. */
function asLookupError(error: unknown): EndpointMapperError {
  if (error instanceof EndpointMapperError) return error;
  if (error instanceof DceRpcError) {
    return new EndpointMapperError(
      `unreadable reply from the endpoint mapper: ${error.message}`,
      "malformed",
      true,
    );
  }
  const reason = (error as { code?: string }).code ?? (error as Error).message;
  return new EndpointMapperError(
    `the connection to the endpoint mapper failed: ${reason}`,
    "closed",
    true,
  );
}

function concat(parts: readonly Uint8Array[], length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.length;
  }
  return bytes;
}
