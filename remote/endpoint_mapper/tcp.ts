/**
 * The endpoint mapper over TCP (ncacn_ip_tcp): one connection, a bind to the `ept` interface,
 * then `ept_lookup` request after request on it, each reply reassembled from its fragments.
 *
 * @module
 */

import { formatAddressPort } from "../../model/address.ts";
import {
  bindNakReasonText,
  CO_HEADER_SIZE,
  contextResultText,
  type CoPdu,
  DceRpcError,
  decodeCoHeader,
  decodeCoPdu,
  decodeEptLookupReply,
  encodeBind,
  encodeCoRequest,
  encodeEptLookup,
  EPMAPPER_SYNTAX,
  EPT_LOOKUP_OPNUM,
  type EptLookupReply,
  NDR_SYNTAX,
  PFC,
  statusText,
} from "../protocols/dcerpc/mod.ts";
import { EndpointMapperError } from "./error.ts";
import { type EndpointLookup, EPMAP_PORT, lookupAll } from "./lookup.ts";

/** Entries asked per call over TCP, where a reply may span fragments and is reassembled. */
export const TCP_ENTRIES_PER_CALL = 100;

/** The largest fragment this client offers to send and receive over TCP (as [MS-RPCE] clients). */
const MAX_FRAGMENT = 4280;

/** The largest reassembled TCP reply accepted: far above 100 entries' worth. */
const MAX_REPLY_BYTES = 256 * 1024;

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

/** `parts` joined in one buffer of `length` bytes (their lengths' sum). */
function concat(parts: readonly Uint8Array[], length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.length;
  }
  return bytes;
}
