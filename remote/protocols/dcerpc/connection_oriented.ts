/**
 * Connection-oriented DCE/RPC PDUs (C706 12.6, version 5), what ncacn_ip_tcp carries: the bind
 * and request a client sends, and the bind_ack, bind_nak, response and fault it reads back, in
 * whatever integer byte order the server's data representation says.
 *
 * @module
 */

import { CO_HEADER_SIZE, PFC, PTYPE, type SyntaxId } from "./constants.ts";
import { cString, DceRpcError, integerOrder, Reader, Writer } from "./wire.ts";

/** The 16-byte header every connection-oriented PDU begins with (C706 12.6.3.1). */
export interface CoHeader {
  ptype: number;
  flags: number;
  /** The integer byte order the rest of the PDU is in. */
  littleEndian: boolean;
  /** The whole PDU's length, header included. */
  fragLength: number;
  authLength: number;
  callId: number;
}

/** The common header fields every PDU this client sends shares. */
function coHeader(writer: Writer, ptype: number, fragLength: number, callId: number): Writer {
  return writer
    .u8(5) // rpc_vers
    .u8(0) // rpc_vers_minor
    .u8(ptype)
    .u8(PFC.FIRST_FRAG | PFC.LAST_FRAG) // every PDU sent here is one whole fragment
    .u8(0x10).u8(0).u8(0).u8(0) // little-endian integers, ASCII, IEEE floats
    .u16(fragLength)
    .u16(0) // no authentication
    .u32(callId);
}

/** What a bind proposes: one presentation context. */
export interface BindOptions {
  callId: number;
  /** The largest fragment this end sends, and receives; [MS-RPCE] clients offer 5840 or 4280. */
  maxFragment: number;
  contextId: number;
  abstractSyntax: SyntaxId;
  transferSyntax: SyntaxId;
}

/**
 * A bind PDU (C706 12.6.4.3) with one presentation context and one transfer syntax: the header,
 * max_xmit_frag and max_recv_frag, assoc_group_id 0 (a new association group), then the context
 * list: its count (1), 3 reserved bytes, the context id, the count of transfer syntaxes (1), a
 * reserved byte, the abstract syntax and the transfer syntax (20 bytes each).
 */
export function encodeBind(options: BindOptions): Uint8Array {
  const size = CO_HEADER_SIZE + 8 + 4 + 4 + 20 + 20;
  return coHeader(new Writer(size), PTYPE.BIND, size, options.callId)
    .u16(options.maxFragment)
    .u16(options.maxFragment)
    .u32(0)
    .u8(1).u8(0).u16(0)
    .u16(options.contextId)
    .u8(1).u8(0)
    .syntax(options.abstractSyntax)
    .syntax(options.transferSyntax)
    .bytes;
}

/** A request's call. */
export interface CoRequestOptions {
  callId: number;
  contextId: number;
  opnum: number;
  /** The NDR of the call's [in] parameters. */
  stub: Uint8Array;
}

/**
 * A request PDU (C706 12.6.4.9), one fragment, no object UUID: the header, alloc_hint (the stub's
 * length), p_cont_id, opnum, then the stub.
 */
export function encodeCoRequest(options: CoRequestOptions): Uint8Array {
  const size = CO_HEADER_SIZE + 8 + options.stub.length;
  if (size > 0xffff) throw new DceRpcError(`a ${size}-byte request does not fit one fragment`);
  return coHeader(new Writer(size), PTYPE.REQUEST, size, options.callId)
    .u32(options.stub.length)
    .u16(options.contextId)
    .u16(options.opnum)
    .put(options.stub)
    .bytes;
}

/**
 * Reads the common header at the start of `bytes` (at least 16 bytes), so a stream reader knows
 * how long the PDU is. Throws for anything not a version 5.0 PDU.
 */
export function decodeCoHeader(bytes: Uint8Array): CoHeader {
  if (bytes.length < CO_HEADER_SIZE) {
    throw new DceRpcError(`a ${bytes.length}-byte PDU header (16 expected)`);
  }
  if (bytes[0] !== 5 || bytes[1] !== 0) {
    throw new DceRpcError(`not a DCE/RPC 5.0 PDU (version ${bytes[0]}.${bytes[1]})`);
  }
  const littleEndian = integerOrder(bytes[4], "the PDU");
  const reader = new Reader(bytes, littleEndian, "the PDU header", 8);
  const header = {
    ptype: bytes[2],
    flags: bytes[3],
    littleEndian,
    fragLength: reader.u16("frag_length"),
    authLength: reader.u16("auth_length"),
    callId: reader.u32("call_id"),
  };
  if (header.fragLength < CO_HEADER_SIZE) {
    throw new DceRpcError(
      `a PDU whose frag_length ${header.fragLength} is shorter than its header`,
    );
  }
  return header;
}

/** One presentation context's result in a bind_ack. */
export interface ContextResult {
  /** 0 acceptance, 1 user rejection, 2 provider rejection (3 [MS-RPCE] negotiate ack). */
  result: number;
  reason: number;
  transferSyntax: SyntaxId;
}

/** A connection-oriented PDU a server sends, read. */
export type CoPdu =
  | {
    kind: "bind_ack";
    header: CoHeader;
    maxXmitFrag: number;
    maxRecvFrag: number;
    assocGroup: number;
    /** The secondary address: the port the association is on, as text ("135"), or "". */
    secondaryAddress: string;
    results: ContextResult[];
  }
  | {
    kind: "bind_nak";
    header: CoHeader;
    /** `p_reject_reason_t`; see {@linkcode bindNakReasonText}. */
    reason: number;
    versions: { major: number; minor: number }[];
  }
  | {
    kind: "response";
    header: CoHeader;
    allocHint: number;
    contextId: number;
    cancelCount: number;
    stub: Uint8Array;
  }
  | {
    kind: "fault";
    header: CoHeader;
    allocHint: number;
    contextId: number;
    cancelCount: number;
    status: number;
  }
  /** Any other type (shutdown, alter_context_resp...): the header only. */
  | { kind: "other"; header: CoHeader };

/** Reads one whole connection-oriented PDU (exactly `frag_length` bytes, or more). */
export function decodeCoPdu(bytes: Uint8Array): CoPdu {
  const header = decodeCoHeader(bytes);
  if (bytes.length < header.fragLength) {
    throw new DceRpcError(
      `a PDU of ${bytes.length} bytes whose frag_length says ${header.fragLength}`,
    );
  }
  const pdu = bytes.subarray(0, header.fragLength);
  // The body ends where an authentication verifier (8-byte sec_trailer, then auth_length
  // bytes) begins, when the server sent one.
  let bodyEnd = header.fragLength;
  if (header.authLength > 0) {
    bodyEnd -= 8 + header.authLength;
    if (bodyEnd < CO_HEADER_SIZE) throw new DceRpcError("an auth_length longer than the PDU");
    bodyEnd -= pdu[bodyEnd + 2]; // auth_pad_length: padding before the sec_trailer
    if (bodyEnd < CO_HEADER_SIZE) throw new DceRpcError("an auth padding longer than the PDU");
  }
  const names: Record<number, string> = {
    [PTYPE.BIND_ACK]: "bind_ack",
    [PTYPE.BIND_NAK]: "bind_nak",
    [PTYPE.RESPONSE]: "response",
    [PTYPE.FAULT]: "fault",
  };
  const reader = new Reader(
    pdu.subarray(0, bodyEnd),
    header.littleEndian,
    names[header.ptype] ?? "the PDU",
    CO_HEADER_SIZE,
  );
  switch (header.ptype) {
    case PTYPE.BIND_ACK: {
      const maxXmitFrag = reader.u16("max_xmit_frag");
      const maxRecvFrag = reader.u16("max_recv_frag");
      const assocGroup = reader.u32("assoc_group_id");
      const addressLength = reader.u16("the secondary address length");
      const address = reader.take(addressLength, "the secondary address");
      reader.align(4);
      const count = reader.u8("the result count");
      reader.skip(3, "reserved bytes");
      const results: ContextResult[] = [];
      for (let i = 0; i < count; i++) {
        const result = reader.u16("a context result");
        const reason = reader.u16("a context result's reason");
        const uuid = reader.uuid("a transfer syntax");
        const major = reader.u16("a transfer syntax version");
        const minor = reader.u16("a transfer syntax version");
        results.push({ result, reason, transferSyntax: { uuid, major, minor } });
      }
      return {
        kind: "bind_ack",
        header,
        maxXmitFrag,
        maxRecvFrag,
        assocGroup,
        secondaryAddress: cString(address),
        results,
      };
    }
    case PTYPE.BIND_NAK: {
      const reason = reader.u16("provider_reject_reason");
      const versions: { major: number; minor: number }[] = [];
      // The supported versions are optional in practice: some servers end the PDU here.
      if (reader.offset < bodyEnd) {
        const count = reader.u8("the protocol version count");
        for (let i = 0; i < count; i++) {
          versions.push({ major: reader.u8("a protocol version"), minor: reader.u8("a version") });
        }
      }
      return { kind: "bind_nak", header, reason, versions };
    }
    case PTYPE.RESPONSE:
    case PTYPE.FAULT: {
      const allocHint = reader.u32("alloc_hint");
      const contextId = reader.u16("p_cont_id");
      const cancelCount = reader.u8("cancel_count");
      reader.skip(1, "a reserved byte");
      if (header.ptype === PTYPE.FAULT) {
        const status = reader.u32("the fault status");
        return { kind: "fault", header, allocHint, contextId, cancelCount, status };
      }
      const stub = pdu.subarray(reader.offset, bodyEnd);
      return { kind: "response", header, allocHint, contextId, cancelCount, stub };
    }
    default:
      return { kind: "other", header };
  }
}
