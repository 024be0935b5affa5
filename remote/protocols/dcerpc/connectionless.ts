/**
 * Connectionless DCE/RPC PDUs (C706 12.5, version 4), what ncadg_ip_udp carries: the request a
 * client sends, one datagram, and the response, fault, reject or other PDU it reads back, in
 * whatever integer byte order the server's data representation says.
 *
 * @module
 */

import { CL_HEADER_SIZE, PTYPE, type SyntaxId } from "./constants.ts";
import { DceRpcError, encodeUuid, integerOrder, Reader, Writer } from "./wire.ts";

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
