/**
 * DCE/RPC (The Open Group's C706, DCE 1.1 RPC, with Microsoft's [MS-RPCE] extensions): the PDUs
 * an endpoint mapper client exchanges, and the NDR of one call, `ept_lookup`. Connection-oriented
 * PDUs (version 5: bind, bind_ack, bind_nak, request, response, fault) carry it over TCP;
 * connectionless ones (version 4: request, response, fault, reject) over UDP.
 *
 * Requests are written little-endian, ASCII, IEEE (data representation 0x10 0 0 0), as every
 * Windows client writes them. Replies are read in whatever integer byte order their own data
 * representation says, since a server may answer in its native order. Every length a reply gives
 * is checked against the bytes there are, so a short or lying reply is a {@linkcode DceRpcError},
 * never a misread or an exception from deep inside.
 *
 * @module
 */

/** Packet types (C706 12.5.1 and 12.6.1). */
export const PTYPE = {
  REQUEST: 0,
  PING: 1,
  RESPONSE: 2,
  FAULT: 3,
  WORKING: 4,
  NOCALL: 5,
  REJECT: 6,
  ACK: 7,
  CL_CANCEL: 8,
  FACK: 9,
  CANCEL_ACK: 10,
  BIND: 11,
  BIND_ACK: 12,
  BIND_NAK: 13,
  ALTER_CONTEXT: 14,
  ALTER_CONTEXT_RESP: 15,
  SHUTDOWN: 17,
  CO_CANCEL: 18,
  ORPHANED: 19,
} as const;

/** Connection-oriented `pfc_flags` bits (C706 12.6.3.1). */
export const PFC = {
  FIRST_FRAG: 0x01,
  LAST_FRAG: 0x02,
  PENDING_CANCEL: 0x04,
  CONC_MPX: 0x10,
  DID_NOT_EXECUTE: 0x20,
  MAYBE: 0x40,
  OBJECT_UUID: 0x80,
} as const;

/** Connectionless `flags1` bits (C706 12.5.3.1). */
export const CL_FLAGS1 = {
  LAST_FRAG: 0x02,
  FRAG: 0x04,
  NO_FACK: 0x08,
  MAYBE: 0x10,
  IDEMPOTENT: 0x20,
  BROADCAST: 0x40,
} as const;

/** An interface or transfer syntax: a UUID and a major.minor version. */
export interface SyntaxId {
  /** Lowercase, `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`. */
  uuid: string;
  major: number;
  minor: number;
}

/** The endpoint mapper's interface, `ept` v3.0 (C706 appendix O). */
export const EPMAPPER_SYNTAX: SyntaxId = {
  uuid: "e1af8308-5d1f-11c9-91a4-08002b14a0fa",
  major: 3,
  minor: 0,
};

/** The NDR transfer syntax, version 2 (C706 14). */
export const NDR_SYNTAX: SyntaxId = {
  uuid: "8a885d04-1ceb-11c9-9fe8-08002b104860",
  major: 2,
  minor: 0,
};

/** `ept_lookup`'s operation number in the `ept` interface. */
export const EPT_LOOKUP_OPNUM = 2;
/** `ept_lookup` inquiry type: every element of the map, whatever object or interface. */
export const RPC_C_EP_ALL_ELTS = 0;
/** `ept_lookup` version option: any version (ignored with RPC_C_EP_ALL_ELTS, but must be valid). */
export const RPC_C_VERS_ALL = 1;
/** The status the endpoint mapper returns when the map has no (more) entries to give. */
export const EPT_S_NOT_REGISTERED = 0x16c9a0d6;

/** The connection-oriented common header's size. */
export const CO_HEADER_SIZE = 16;
/** The connectionless header's size. */
export const CL_HEADER_SIZE = 80;
/** A context handle's size on the wire: 4 bytes of attributes and a UUID. */
export const CONTEXT_HANDLE_SIZE = 20;
/** The nil context handle: what a first `ept_lookup` passes, and what the last one returns. */
export const NIL_HANDLE: Uint8Array = new Uint8Array(CONTEXT_HANDLE_SIZE);

/** A reply that is not the DCE/RPC it should be; the message says where it went wrong. */
export class DceRpcError extends Error {
  override name = "DceRpcError";
}

// ---- status codes ---------------------------------------------------------------------------

/** Names of the statuses a fault or reject most often carries (C706 appendix E, [MS-RPCE]). */
const STATUS_NAMES = new Map<number, string>([
  [0x00000005, "access denied"],
  [0x000006d8, "operation cannot be performed"],
  [0x000006f7, "bad stub data"],
  [0x1c000001, "nca_s_fault_int_div_by_zero"],
  [0x1c000002, "nca_s_fault_addr_error"],
  [0x1c00000d, "nca_s_fault_cancel"],
  [0x1c000012, "nca_s_fault_unspec"],
  [0x1c00001a, "nca_s_fault_context_mismatch"],
  [0x1c00001b, "nca_s_fault_remote_no_memory"],
  [0x1c00001c, "nca_s_invalid_pres_context_id"],
  [0x1c00001d, "nca_s_unsupported_authn_level"],
  [0x1c010002, "nca_s_op_rng_error"],
  [0x1c010003, "nca_s_unk_if"],
  [0x1c010006, "nca_s_wrong_boot_time"],
  [0x1c010009, "nca_s_you_crashed"],
  [0x1c01000b, "nca_s_proto_error"],
  [0x1c010013, "nca_s_out_args_too_big"],
  [0x1c010014, "nca_s_server_too_busy"],
  [0x1c010017, "nca_s_unsupported_type"],
  [EPT_S_NOT_REGISTERED, "ept_s_not_registered"],
]);

/** A status for a message: `0x1c010003 (nca_s_unk_if)`, or just the hex for one not known. */
export function statusText(status: number): string {
  const name = STATUS_NAMES.get(status);
  const hex = `0x${status.toString(16).padStart(8, "0")}`;
  return name ? `${hex} (${name})` : hex;
}

/** Why a bind_nak refused (C706 12.6.3.9, `p_reject_reason_t`). */
const BIND_NAK_REASONS = [
  "reason not specified",
  "temporary congestion",
  "local limit exceeded",
  "called presentation address unknown",
  "protocol version not supported",
  "default context not supported",
  "user data not readable",
  "no presentation service access point available",
  "authentication type not recognized",
  "invalid checksum",
];

/** A bind_nak's reason for a message. */
export function bindNakReasonText(reason: number): string {
  return BIND_NAK_REASONS[reason] ?? `reason ${reason}`;
}

/** Why a presentation context was refused (C706 12.6.3.1, `p_provider_reason_t`). */
const PROVIDER_REASONS = [
  "reason not specified",
  "abstract syntax not supported",
  "proposed transfer syntaxes not supported",
  "local limit exceeded",
];

/** A bind_ack context result for a message: `provider rejection: abstract syntax not supported`. */
export function contextResultText(result: number, reason: number): string {
  const results = ["acceptance", "user rejection", "provider rejection", "negotiate ack"];
  const what = results[result] ?? `result ${result}`;
  return result === 0 ? what : `${what}: ${PROVIDER_REASONS[reason] ?? `reason ${reason}`}`;
}

// ---- UUIDs ----------------------------------------------------------------------------------

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A UUID as NDR lays out its `uuid_t` struct: time_low (4 bytes), time_mid and
 * time_hi_and_version (2 each) in the given byte order, then clock_seq and node (8 single bytes)
 * as written.
 */
export function encodeUuid(uuid: string, littleEndian = true): Uint8Array {
  if (!UUID_PATTERN.test(uuid)) throw new DceRpcError(`not a UUID: ${uuid}`);
  const hex = uuid.replaceAll("-", "");
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, parseInt(hex.slice(0, 8), 16), littleEndian);
  view.setUint16(4, parseInt(hex.slice(8, 12), 16), littleEndian);
  view.setUint16(6, parseInt(hex.slice(12, 16), 16), littleEndian);
  for (let i = 0; i < 8; i++) bytes[8 + i] = parseInt(hex.slice(16 + 2 * i, 18 + 2 * i), 16);
  return bytes;
}

/** The UUID in the 16 bytes at `offset`, laid out as {@linkcode encodeUuid} writes one. */
export function decodeUuid(bytes: Uint8Array, offset = 0, littleEndian = true): string {
  if (offset + 16 > bytes.length) throw new DceRpcError("a UUID runs past the data");
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, 16);
  const hex = (value: number, digits: number) => value.toString(16).padStart(digits, "0");
  const tail = [...bytes.subarray(offset + 8, offset + 16)].map((byte) => hex(byte, 2)).join("");
  return `${hex(view.getUint32(0, littleEndian), 8)}-${hex(view.getUint16(4, littleEndian), 4)}-` +
    `${hex(view.getUint16(6, littleEndian), 4)}-${tail.slice(0, 4)}-${tail.slice(4)}`;
}

// ---- a bounds-checked little or big-endian reader --------------------------------------------

/** Reads NDR (or header) fields in order; every read checks there are enough bytes. */
class Reader {
  #offset: number;
  readonly #view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    readonly littleEndian: boolean,
    /** What is being read, for messages: "ept_lookup reply". */
    readonly what: string,
    offset = 0,
  ) {
    this.#offset = offset;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get offset(): number {
    return this.#offset;
  }

  /** Skips to the next multiple of `boundary` (NDR aligns each primitive to its size). */
  align(boundary: number): void {
    const rest = this.#offset % boundary;
    if (rest !== 0) this.skip(boundary - rest, "alignment padding");
  }

  skip(count: number, field: string): void {
    this.#need(count, field);
    this.#offset += count;
  }

  u8(field: string): number {
    this.#need(1, field);
    return this.bytes[this.#offset++];
  }

  u16(field: string): number {
    this.#need(2, field);
    const value = this.#view.getUint16(this.#offset, this.littleEndian);
    this.#offset += 2;
    return value;
  }

  u32(field: string): number {
    this.#need(4, field);
    const value = this.#view.getUint32(this.#offset, this.littleEndian);
    this.#offset += 4;
    return value;
  }

  uuid(field: string): string {
    this.#need(16, field);
    const value = decodeUuid(this.bytes, this.#offset, this.littleEndian);
    this.#offset += 16;
    return value;
  }

  /** `count` bytes, a view into the data. */
  take(count: number, field: string): Uint8Array {
    this.#need(count, field);
    const value = this.bytes.subarray(this.#offset, this.#offset + count);
    this.#offset += count;
    return value;
  }

  #need(count: number, field: string): void {
    if (this.#offset + count > this.bytes.length) {
      throw new DceRpcError(
        `${this.what} ends inside ${field} (${count} byte(s) at offset ${this.#offset}, ` +
          `${Math.max(0, this.bytes.length - this.#offset)} left)`,
      );
    }
  }
}

/** Writes fields little-endian into a buffer of known size. */
class Writer {
  readonly bytes: Uint8Array;
  readonly #view: DataView;
  #offset = 0;

  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.#view = new DataView(this.bytes.buffer);
  }

  u8(value: number): this {
    this.bytes[this.#offset++] = value;
    return this;
  }

  u16(value: number): this {
    this.#view.setUint16(this.#offset, value, true);
    this.#offset += 2;
    return this;
  }

  u32(value: number): this {
    this.#view.setUint32(this.#offset, value, true);
    this.#offset += 4;
    return this;
  }

  put(bytes: Uint8Array): this {
    this.bytes.set(bytes, this.#offset);
    this.#offset += bytes.length;
    return this;
  }

  /** A syntax id as a presentation context carries it: the UUID, then major and minor. */
  syntax(syntax: SyntaxId): this {
    return this.put(encodeUuid(syntax.uuid)).u16(syntax.major).u16(syntax.minor);
  }
}

/**
 * Whether a data representation's first byte says little-endian integers, after checking that
 * the characters are ASCII (EBCDIC would need every string translated, and no endpoint mapper
 * in use sends it).
 */
function integerOrder(drep0: number, what: string): boolean {
  if ((drep0 & 0x0f) !== 0) throw new DceRpcError(`${what} uses EBCDIC characters`);
  const order = drep0 >> 4;
  if (order > 1) throw new DceRpcError(`${what} has an unknown integer representation ${order}`);
  return order === 1;
}

// ---- connection-oriented PDUs (TCP) -----------------------------------------------------------

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

// ---- connectionless PDUs (UDP) --------------------------------------------------------------

/** The 80-byte connectionless header (C706 12.5.2). */
export interface ClHeader {
  ptype: number;
  flags1: number;
  flags2: number;
  /** The integer byte order of the header and the body. */
  littleEndian: boolean;
  /** The fragment's serial number (serial_hi and serial_lo together). */
  serial: number;
  object: string;
  interfaceId: string;
  /** The activity (the client's conversation) the PDU belongs to. */
  activity: string;
  /** The server's boot time, 0 in a client's first request. */
  serverBoot: number;
  /** major in the low 16 bits, minor in the high 16 bits. */
  interfaceVersion: number;
  seqnum: number;
  opnum: number;
  interfaceHint: number;
  activityHint: number;
  /** The body's length, after the header. */
  bodyLength: number;
  fragnum: number;
  authProto: number;
}

/** A connectionless request's call. */
export interface ClRequestOptions {
  activity: string;
  /** The call's sequence number within the activity: each call takes the next one. */
  seqnum: number;
  /** The server's boot time from an earlier reply in the activity, else 0. */
  serverBoot: number;
  interface: SyntaxId;
  opnum: number;
  /** flags1; idempotent calls need no at-most-once handshake with the server. */
  flags1: number;
  stub: Uint8Array;
}

/**
 * A connectionless request (C706 12.5.2, 12.5.3.1), one fragment: rpc_vers 4, ptype, flags1,
 * flags2 0, the data representation (3 bytes), serial_hi 0, a nil object UUID, the interface
 * UUID, the activity UUID, server_boot, the interface version (major in the low half), seqnum,
 * opnum, the interface and activity hints (0xffff: no hint), the body length, fragment number 0,
 * auth_proto 0 and serial_lo 0; then the stub.
 */
export function encodeClRequest(options: ClRequestOptions): Uint8Array {
  if (options.stub.length > 0xffff) {
    throw new DceRpcError(`a ${options.stub.length}-byte body does not fit one datagram`);
  }
  return new Writer(CL_HEADER_SIZE + options.stub.length)
    .u8(4)
    .u8(PTYPE.REQUEST)
    .u8(options.flags1)
    .u8(0)
    .u8(0x10).u8(0).u8(0) // little-endian integers, ASCII, IEEE floats
    .u8(0) // serial_hi
    .put(new Uint8Array(16)) // nil object
    .put(encodeUuid(options.interface.uuid))
    .put(encodeUuid(options.activity))
    .u32(options.serverBoot)
    .u32(options.interface.major | (options.interface.minor << 16))
    .u32(options.seqnum)
    .u16(options.opnum)
    .u16(0xffff)
    .u16(0xffff)
    .u16(options.stub.length)
    .u16(0) // fragnum
    .u8(0) // auth_proto: none
    .u8(0) // serial_lo
    .put(options.stub)
    .bytes;
}

/** A connectionless PDU a server sends, read. */
export type ClPdu =
  | { kind: "response"; header: ClHeader; stub: Uint8Array }
  | { kind: "fault"; header: ClHeader; status: number }
  | { kind: "reject"; header: ClHeader; status: number }
  /** working, nocall, a callback request, ack, fack...: the header and the body. */
  | { kind: "other"; header: ClHeader; body: Uint8Array };

/** Reads one connectionless datagram. Throws for a truncated or malformed one. */
export function decodeClPdu(bytes: Uint8Array): ClPdu {
  if (bytes.length < CL_HEADER_SIZE) {
    throw new DceRpcError(`a ${bytes.length}-byte datagram (a DCE/RPC header alone is 80)`);
  }
  if (bytes[0] !== 4) throw new DceRpcError(`not a DCE/RPC 4 datagram (version ${bytes[0]})`);
  const littleEndian = integerOrder(bytes[4], "the datagram");
  const reader = new Reader(bytes, littleEndian, "the datagram header");
  reader.skip(7, "the first header bytes");
  const serialHi = reader.u8("serial_hi");
  const object = reader.uuid("the object UUID");
  const interfaceId = reader.uuid("the interface UUID");
  const activity = reader.uuid("the activity UUID");
  const serverBoot = reader.u32("server_boot");
  const interfaceVersion = reader.u32("if_vers");
  const seqnum = reader.u32("seqnum");
  const opnum = reader.u16("opnum");
  const interfaceHint = reader.u16("ihint");
  const activityHint = reader.u16("ahint");
  const bodyLength = reader.u16("len");
  const fragnum = reader.u16("fragnum");
  const authProto = reader.u8("auth_proto");
  const serialLo = reader.u8("serial_lo");
  const header: ClHeader = {
    ptype: bytes[1],
    flags1: bytes[2],
    flags2: bytes[3],
    littleEndian,
    serial: (serialHi << 8) | serialLo,
    object,
    interfaceId,
    activity,
    serverBoot,
    interfaceVersion,
    seqnum,
    opnum,
    interfaceHint,
    activityHint,
    bodyLength,
    fragnum,
    authProto,
  };
  if (CL_HEADER_SIZE + bodyLength > bytes.length) {
    throw new DceRpcError(
      `a truncated datagram: its header says a ${bodyLength}-byte body, ` +
        `${bytes.length - CL_HEADER_SIZE} came`,
    );
  }
  const body = bytes.subarray(CL_HEADER_SIZE, CL_HEADER_SIZE + bodyLength);
  switch (header.ptype) {
    case PTYPE.RESPONSE:
      return { kind: "response", header, stub: body };
    case PTYPE.FAULT:
    case PTYPE.REJECT: {
      const status = new Reader(body, littleEndian, "the datagram body").u32("the status");
      return { kind: header.ptype === PTYPE.FAULT ? "fault" : "reject", header, status };
    }
    default:
      return { kind: "other", header, body };
  }
}

// ---- ept_lookup's NDR -------------------------------------------------------------------------

/**
 * The [in] parameters of `ept_lookup` (C706 appendix O), NDR: inquiry_type RPC_C_EP_ALL_ELTS,
 * a null object pointer and a null interface_id pointer (a 0 referent each), vers_option
 * RPC_C_VERS_ALL, the 20-byte entry_handle (nil on the first call, the returned one after), and
 * max_ents. 40 bytes, all 4-aligned.
 */
export function encodeEptLookup(entryHandle: Uint8Array, maxEntries: number): Uint8Array {
  if (entryHandle.length !== CONTEXT_HANDLE_SIZE) {
    throw new DceRpcError(`a ${entryHandle.length}-byte context handle`);
  }
  return new Writer(40)
    .u32(RPC_C_EP_ALL_ELTS)
    .u32(0)
    .u32(0)
    .u32(RPC_C_VERS_ALL)
    .put(entryHandle)
    .u32(maxEntries)
    .bytes;
}

/** One element of the endpoint map as `ept_lookup` returns it. */
export interface EptEntry {
  object: string;
  /** The protocol tower's octets, or null for a null tower pointer. */
  tower: Uint8Array | null;
  /** The annotation, without its terminating NUL. */
  annotation: string;
}

/** What one `ept_lookup` call returned. */
export interface EptLookupReply {
  /** Pass it to the next call; nil when the server has nothing more. */
  entryHandle: Uint8Array;
  entries: EptEntry[];
  /** 0, or EPT_S_NOT_REGISTERED when the map is exhausted (possibly with entries), or a failure. */
  status: number;
}

/**
 * Reads `ept_lookup`'s [out] parameters: the entry_handle (20 bytes), num_ents, the entries as a
 * conformant varying array (max_count, offset, actual_count, then each ept_entry_t: the object
 * UUID, a tower pointer's referent id, the annotation as a varying string: offset, length, bytes)
 * with the towers deferred after it (each: its conformance, tower_length, the octets), and last
 * the status. Towers behind a referent id seen before are shared, as full pointers allow.
 */
export function decodeEptLookupReply(stub: Uint8Array, littleEndian = true): EptLookupReply {
  const reader = new Reader(stub, littleEndian, "the ept_lookup reply");
  const entryHandle = reader.take(CONTEXT_HANDLE_SIZE, "the entry handle").slice();
  const count = reader.u32("num_ents");
  const maxCount = reader.u32("the entries' max_count");
  const offset = reader.u32("the entries' offset");
  const actualCount = reader.u32("the entries' actual_count");
  if (offset !== 0) throw new DceRpcError(`the ept_lookup reply's entries start at ${offset}`);
  if (actualCount !== count || actualCount > maxCount) {
    throw new DceRpcError(
      `the ept_lookup reply says ${count} entries, its array ${actualCount} of ${maxCount}`,
    );
  }
  // Each entry takes at least 28 bytes: a count beyond what the reply holds is a lie, found
  // before it sizes anything.
  if (actualCount * 28 > stub.length) {
    throw new DceRpcError(`the ept_lookup reply says ${count} entries in ${stub.length} bytes`);
  }
  const shells: { object: string; referent: number; annotation: string }[] = [];
  for (let i = 0; i < actualCount; i++) {
    reader.align(4);
    const object = reader.uuid("an entry's object");
    const referent = reader.u32("an entry's tower pointer");
    const annotationOffset = reader.u32("an annotation's offset");
    const annotationLength = reader.u32("an annotation's length");
    if (annotationOffset !== 0) {
      throw new DceRpcError(`an annotation starting at offset ${annotationOffset}`);
    }
    const annotation = cString(reader.take(annotationLength, "an annotation"));
    shells.push({ object, referent, annotation });
  }
  const towers = new Map<number, Uint8Array>();
  const entries = shells.map(({ object, referent, annotation }): EptEntry => {
    if (referent === 0) return { object, tower: null, annotation };
    let tower = towers.get(referent);
    if (!tower) {
      reader.align(4);
      const conformance = reader.u32("a tower's size");
      const length = reader.u32("a tower's length");
      if (conformance !== length) {
        throw new DceRpcError(`a tower of ${length} bytes in an array of ${conformance}`);
      }
      tower = reader.take(length, "a tower");
      towers.set(referent, tower);
    }
    return { object, tower, annotation };
  });
  reader.align(4);
  const status = reader.u32("the status");
  return { entryHandle, entries, status };
}

/** Whether a context handle is the nil one (all 20 bytes zero). */
export function isNilHandle(handle: Uint8Array): boolean {
  return handle.every((byte) => byte === 0);
}

/** A NUL-terminated (or not) single-byte string, made printable. */
export function cString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return printable(end < 0 ? bytes : bytes.subarray(0, end));
}

/**
 * Bytes as Latin-1 text with control characters shown as `?`: what a server puts in an
 * annotation or an endpoint name reaches a terminal, and must not drive it.
 */
function printable(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) {
    text += byte < 0x20 || (byte >= 0x7f && byte < 0xa0) ? "?" : String.fromCharCode(byte);
  }
  return text;
}
