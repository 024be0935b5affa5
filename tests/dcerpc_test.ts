/**
 * remote/protocols/dcerpc/ and epmap.ts byte by byte: every PDU encoded is checked field by
 * field at the offsets C706 gives, and every decoder reads PDUs laid out here by hand (replies,
 * faults, rejects, truncated and lying ones), so the codecs and these tests cannot share a
 * mistake. Towers for each protocol sequence PortQry prints, and its endpoint list.
 */

import assert from "node:assert/strict";
import {
  bindNakReasonText,
  CL_FLAGS1,
  contextResultText,
  DceRpcError,
  decodeClPdu,
  decodeCoHeader,
  decodeCoPdu,
  decodeEptLookupReply,
  decodeUuid,
  encodeBind,
  encodeClRequest,
  encodeCoRequest,
  encodeEptLookup,
  encodeUuid,
  EPMAPPER_SYNTAX,
  EPT_S_NOT_REGISTERED,
  isNilHandle,
  NDR_SYNTAX,
  NIL_HANDLE,
  statusText,
} from "../remote/protocols/dcerpc/mod.ts";
import {
  decodeTower,
  describeEndpoints,
  type EndpointEntry,
  endpointEntry,
  floorSyntax,
  towerBinding,
} from "../remote/protocols/epmap.ts";
import { ascii, be16, be32, le16, le32 } from "./support/bytes.ts";

// ---- byte helpers, written apart from the codecs ----------------------------------------------

const pad4 = (bytes: number[]) => [...bytes, ...new Array((4 - bytes.length % 4) % 4).fill(0)];

/**
 * A UUID's 16 bytes as NDR lays out uuid_t in little-endian: the first three groups reversed,
 * the last two as written. Done by string slicing, unlike the codec's DataView.
 */
function uuidLe(uuid: string): number[] {
  const hex = uuid.replaceAll("-", "");
  const pairs = (from: number, to: number) =>
    Array.from(
      { length: (to - from) / 2 },
      (_, i) => parseInt(hex.slice(from + 2 * i, from + 2 * i + 2), 16),
    );
  return [
    ...pairs(0, 8).reverse(),
    ...pairs(8, 12).reverse(),
    ...pairs(12, 16).reverse(),
    ...pairs(16, 32),
  ];
}

/** The same, big-endian: the bytes in the order the text writes them. */
function uuidBe(uuid: string): number[] {
  const hex = uuid.replaceAll("-", "");
  return Array.from({ length: 16 }, (_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16));
}

const EPM_UUID = "e1af8308-5d1f-11c9-91a4-08002b14a0fa";
const NDR_UUID = "8a885d04-1ceb-11c9-9fe8-08002b104860";
const DRS_UUID = "e3514235-4b06-11d1-ab04-00c04fc2dcd2";
const ACTIVITY = "6d2a1b3c-4e5f-4a7b-8c9d-0e1f2a3b4c5d";
const HANDLE = [0, 0, 0, 0, ...uuidLe("11223344-5566-7788-99aa-bbccddeeff00")];

/** A connection-oriented header, little-endian, one whole fragment. */
function coHeader(ptype: number, length: number, callId: number, flags = 0x03): number[] {
  return [5, 0, ptype, flags, 0x10, 0, 0, 0, ...le16(length), ...le16(0), ...le32(callId)];
}

/** A connectionless header, little-endian. */
function clHeader(
  ptype: number,
  bodyLength: number,
  { flags1 = 0, seqnum = 0, activity = ACTIVITY, fragnum = 0, boot = 0x5eed } = {},
): number[] {
  return [
    4,
    ptype,
    flags1,
    0,
    0x10,
    0,
    0,
    0,
    ...new Array(16).fill(0),
    ...uuidLe(EPM_UUID),
    ...uuidLe(activity),
    ...le32(boot),
    ...le32(3),
    ...le32(seqnum),
    ...le16(2),
    ...le16(0xffff),
    ...le16(0xffff),
    ...le16(bodyLength),
    ...le16(fragnum),
    0,
    0,
  ];
}

// ---- towers -----------------------------------------------------------------------------------

function floor(lhs: number[], rhs: number[]): number[] {
  return [...le16(lhs.length), ...lhs, ...le16(rhs.length), ...rhs];
}

function tower(...floors: number[][]): Uint8Array {
  return new Uint8Array([...le16(floors.length), ...floors.flat()]);
}

/** Floors 1 and 2: the interface (UUID, major on the left, minor on the right) and NDR v2. */
function syntaxFloors(uuid: string, major: number, minor: number): number[][] {
  return [
    floor([0x0d, ...uuidLe(uuid), ...le16(major)], le16(minor)),
    floor([0x0d, ...uuidLe(NDR_UUID), ...le16(2)], le16(0)),
  ];
}

const cstr = (text: string) => [...ascii(text), 0];

const TOWERS = {
  tcp: tower(
    ...syntaxFloors(DRS_UUID, 4, 0),
    floor([0x0b], le16(0)),
    floor([0x07], be16(1030)),
    floor([0x09], [169, 254, 12, 191]),
  ),
  udp: tower(
    ...syntaxFloors(DRS_UUID, 4, 0),
    floor([0x0a], le16(0)),
    floor([0x08], be16(1032)),
    floor([0x09], [169, 254, 12, 191]),
  ),
  np: tower(
    ...syntaxFloors("ecec0d70-a603-11d0-96b1-00a0c91ece30", 1, 0),
    floor([0x0b], le16(0)),
    floor([0x0f], cstr("\\PIPE\\lsass")),
    floor([0x11], cstr("\\\\MYSERVER")),
  ),
  lrpc: tower(
    ...syntaxFloors("12345778-1234-abcd-ef00-0123456789ab", 0, 0),
    floor([0x0c], le16(0)),
    floor([0x10], cstr("LRPC-2f1c5b6e0a9d4f3b1c")),
  ),
  http: tower(
    ...syntaxFloors(EPM_UUID, 3, 0),
    floor([0x0b], le16(0)),
    floor([0x1f], be16(593)),
    floor([0x09], [10, 0, 0, 5]),
  ),
  // Samba's named pipes: an empty NetBIOS name in floor 5.
  npNoHost: tower(
    ...syntaxFloors(EPM_UUID, 3, 0),
    floor([0x0b], le16(0)),
    floor([0x0f], cstr("\\pipe\\epmapper")),
    floor([0x11], [0]),
  ),
  spx: tower(
    ...syntaxFloors(EPM_UUID, 3, 0),
    floor([0x0b], le16(0)),
    floor([0x13], [0x12, 0x34]),
    floor([0x0e], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
  ),
};

Deno.test("decodeTower: floors, lengths little-endian, values as given", () => {
  const floors = decodeTower(TOWERS.tcp);
  assert.deepEqual(floors.map((f) => f.protocol), [0x0d, 0x0d, 0x0b, 0x07, 0x09]);
  assert.deepEqual([...floors[3].rhs], [0x04, 0x06]);
  assert.deepEqual(floorSyntax(floors[0]), { uuid: DRS_UUID, major: 4, minor: 0 });
  assert.deepEqual(floorSyntax(floors[1]), { uuid: NDR_UUID, major: 2, minor: 0 });
  assert.equal(floorSyntax(floors[2]), null, "floor 3 names no syntax");
});

Deno.test("towerBinding: PortQry's string binding for each protocol sequence", () => {
  const binding = (bytes: Uint8Array) => towerBinding(decodeTower(bytes));
  assert.equal(binding(TOWERS.tcp), "ncacn_ip_tcp:169.254.12.191[1030]");
  assert.equal(binding(TOWERS.udp), "ncadg_ip_udp:169.254.12.191[1032]");
  assert.equal(binding(TOWERS.np), "ncacn_np:\\\\MYSERVER[\\PIPE\\lsass]");
  assert.equal(binding(TOWERS.lrpc), "ncalrpc:[LRPC-2f1c5b6e0a9d4f3b1c]");
  assert.equal(binding(TOWERS.http), "ncacn_http:10.0.0.5[593]");
  assert.equal(binding(TOWERS.npNoHost), "ncacn_np:[\\pipe\\epmapper]");
  assert.equal(binding(TOWERS.spx), "unknown:ncacn spx=0x1234 ipx=0x0102030405060708090a");
  // Floors past a known shape, or too few, are not forced into a binding.
  assert.equal(
    binding(tower(...syntaxFloors(EPM_UUID, 3, 0), floor([0x0b], le16(0)))),
    "unknown:ncacn",
  );
  assert.equal(binding(tower(...syntaxFloors(EPM_UUID, 3, 0))), "unknown:(no transport floors)");
  assert.equal(
    binding(
      tower(
        ...syntaxFloors(EPM_UUID, 3, 0),
        floor([0x0b], le16(0)),
        floor([0x07], be16(135)),
        floor([0x11], cstr("HOST")),
      ),
    ),
    "unknown:ncacn tcp=135 netbios=HOST",
    "a TCP port with a NetBIOS host is no binding PortQry names",
  );
  // A control character in a name is not passed to the terminal.
  assert.equal(
    binding(
      tower(
        ...syntaxFloors(EPM_UUID, 3, 0),
        floor([0x0c], le16(0)),
        floor([0x10], [0x41, 0x1b, 0x42, 0]),
      ),
    ),
    "ncalrpc:[A?B]",
  );
});

Deno.test("decodeTower: a floor longer than the tower is an error; endpointEntry says so", () => {
  const bad = new Uint8Array([...le16(1), ...le16(19), 0x0d, 1, 2]);
  assert.throws(() => decodeTower(bad), DceRpcError);
  assert.throws(() => decodeTower(new Uint8Array([1])), /floor count/);
  const entry = endpointEntry({ object: NIL_UUID, tower: bad, annotation: "x" });
  assert.equal(entry.interface, null);
  assert.match(entry.binding, /^unreadable tower of 7 bytes: floor 1's left-hand side of 19 bytes/);
  assert.equal(
    endpointEntry({ object: NIL_UUID, tower: null, annotation: "" }).binding,
    "(no protocol tower)",
  );
});

const NIL_UUID = "00000000-0000-0000-0000-000000000000";

// ---- UUIDs ------------------------------------------------------------------------------------

Deno.test("encodeUuid/decodeUuid: NDR's uuid_t layout, both byte orders", () => {
  assert.deepEqual(
    [...encodeUuid(EPM_UUID)],
    [
      0x08,
      0x83,
      0xaf,
      0xe1,
      0x1f,
      0x5d,
      0xc9,
      0x11,
      0x91,
      0xa4,
      0x08,
      0x00,
      0x2b,
      0x14,
      0xa0,
      0xfa,
    ],
  );
  assert.deepEqual([...encodeUuid(EPM_UUID, false)], uuidBe(EPM_UUID));
  assert.equal(decodeUuid(new Uint8Array(uuidLe(DRS_UUID))), DRS_UUID);
  assert.equal(decodeUuid(new Uint8Array([9, ...uuidBe(DRS_UUID)]), 1, false), DRS_UUID);
  assert.equal(decodeUuid(encodeUuid(DRS_UUID.toUpperCase())), DRS_UUID, "printed lowercase");
  assert.throws(() => encodeUuid("not-a-uuid"), DceRpcError);
  assert.throws(() => decodeUuid(new Uint8Array(15)), DceRpcError);
});

// ---- connection-oriented encoders -------------------------------------------------------------

Deno.test("encodeBind: C706 12.6.4.3, field by field", () => {
  const bind = encodeBind({
    callId: 7,
    maxFragment: 4280,
    contextId: 0,
    abstractSyntax: EPMAPPER_SYNTAX,
    transferSyntax: NDR_SYNTAX,
  });
  assert.equal(bind.length, 72);
  assert.deepEqual([...bind.subarray(0, 4)], [5, 0, 11, 0x03], "version 5.0, bind, first+last");
  assert.deepEqual([...bind.subarray(4, 8)], [0x10, 0, 0, 0], "little-endian, ASCII, IEEE");
  assert.deepEqual([...bind.subarray(8, 10)], le16(72), "frag_length");
  assert.deepEqual([...bind.subarray(10, 12)], [0, 0], "auth_length");
  assert.deepEqual([...bind.subarray(12, 16)], le32(7), "call_id");
  assert.deepEqual([...bind.subarray(16, 18)], le16(4280), "max_xmit_frag");
  assert.deepEqual([...bind.subarray(18, 20)], le16(4280), "max_recv_frag");
  assert.deepEqual([...bind.subarray(20, 24)], [0, 0, 0, 0], "assoc_group_id: a new group");
  assert.deepEqual([...bind.subarray(24, 28)], [1, 0, 0, 0], "one context, reserved");
  assert.deepEqual([...bind.subarray(28, 30)], [0, 0], "p_cont_id");
  assert.deepEqual([...bind.subarray(30, 32)], [1, 0], "one transfer syntax, reserved");
  assert.deepEqual([...bind.subarray(32, 48)], uuidLe(EPM_UUID), "abstract syntax");
  assert.deepEqual([...bind.subarray(48, 52)], [3, 0, 0, 0], "v3.0");
  assert.deepEqual([...bind.subarray(52, 68)], uuidLe(NDR_UUID), "transfer syntax");
  assert.deepEqual([...bind.subarray(68, 72)], [2, 0, 0, 0], "v2");
});

Deno.test("encodeEptLookup: ept_lookup's [in] parameters, 40 bytes of NDR", () => {
  const stub = encodeEptLookup(new Uint8Array(HANDLE), 5);
  assert.equal(stub.length, 40);
  assert.deepEqual([...stub.subarray(0, 4)], [0, 0, 0, 0], "inquiry_type RPC_C_EP_ALL_ELTS");
  assert.deepEqual([...stub.subarray(4, 8)], [0, 0, 0, 0], "object: null pointer");
  assert.deepEqual([...stub.subarray(8, 12)], [0, 0, 0, 0], "interface_id: null pointer");
  assert.deepEqual([...stub.subarray(12, 16)], [1, 0, 0, 0], "vers_option RPC_C_VERS_ALL");
  assert.deepEqual([...stub.subarray(16, 36)], HANDLE, "entry_handle");
  assert.deepEqual([...stub.subarray(36, 40)], le32(5), "max_ents");
  assert.deepEqual([...encodeEptLookup(NIL_HANDLE, 100).subarray(16, 36)], new Array(20).fill(0));
  assert.throws(() => encodeEptLookup(new Uint8Array(16), 1), DceRpcError);
});

Deno.test("encodeCoRequest: C706 12.6.4.9, field by field", () => {
  const stub = encodeEptLookup(NIL_HANDLE, 100);
  const request = encodeCoRequest({ callId: 2, contextId: 0, opnum: 2, stub });
  assert.equal(request.length, 64);
  assert.deepEqual([...request.subarray(0, 8)], [5, 0, 0, 0x03, 0x10, 0, 0, 0], "request");
  assert.deepEqual([...request.subarray(8, 10)], le16(64), "frag_length");
  assert.deepEqual([...request.subarray(10, 12)], [0, 0], "auth_length");
  assert.deepEqual([...request.subarray(12, 16)], le32(2), "call_id");
  assert.deepEqual([...request.subarray(16, 20)], le32(40), "alloc_hint: the stub's length");
  assert.deepEqual([...request.subarray(20, 22)], [0, 0], "p_cont_id");
  assert.deepEqual([...request.subarray(22, 24)], le16(2), "opnum: ept_lookup");
  assert.deepEqual([...request.subarray(24)], [...stub]);
});

// ---- connection-oriented decoders -------------------------------------------------------------

/** A bind_ack as Samba sends it: secondary address "135", padded to 4, one result. */
function bindAck(result: number, reason: number): Uint8Array {
  const body = [
    ...le16(4280),
    ...le16(4280),
    ...le32(0x1234),
    ...le16(4),
    ...ascii("135"),
    0,
    0,
    0, // 16 + 8 + 2 + 4 = 30: two bytes of padding to 32
    1,
    0,
    0,
    0,
    ...le16(result),
    ...le16(reason),
    ...uuidLe(NDR_UUID),
    ...le32(2),
  ];
  return new Uint8Array([...coHeader(12, 16 + body.length, 1), ...body]);
}

Deno.test("decodeCoPdu: a bind_ack, accepted and refused", () => {
  const accepted = bindAck(0, 0);
  assert.equal(accepted.length, 60);
  const pdu = decodeCoPdu(accepted);
  assert.equal(pdu.kind, "bind_ack");
  if (pdu.kind !== "bind_ack") return;
  assert.equal(pdu.maxXmitFrag, 4280);
  assert.equal(pdu.assocGroup, 0x1234);
  assert.equal(pdu.secondaryAddress, "135");
  assert.deepEqual(pdu.results, [{ result: 0, reason: 0, transferSyntax: NDR_SYNTAX }]);
  const refused = decodeCoPdu(bindAck(2, 1));
  assert.equal(refused.kind === "bind_ack" && refused.results[0].result, 2);
  assert.equal(contextResultText(2, 1), "provider rejection: abstract syntax not supported");
  assert.equal(contextResultText(0, 0), "acceptance");
});

Deno.test("decodeCoPdu: a bind_nak, with and without its version list", () => {
  const nak = new Uint8Array([...coHeader(13, 21, 1), ...le16(4), 1, 5, 0]);
  assert.deepEqual(decodeCoPdu(nak), {
    kind: "bind_nak",
    header: decodeCoHeader(nak),
    reason: 4,
    versions: [{ major: 5, minor: 0 }],
  });
  const bare = decodeCoPdu(new Uint8Array([...coHeader(13, 18, 1), ...le16(0)]));
  assert.equal(bare.kind === "bind_nak" && bare.versions.length, 0);
  assert.equal(bindNakReasonText(4), "protocol version not supported");
  assert.equal(bindNakReasonText(99), "reason 99");
});

Deno.test("decodeCoPdu: a response's stub, and a fault's status", () => {
  const stub = [1, 2, 3, 4, 5];
  const response = new Uint8Array([
    ...coHeader(2, 29, 9, 0x01),
    ...le32(5),
    ...le16(0),
    0,
    0,
    ...stub,
  ]);
  const pdu = decodeCoPdu(response);
  assert.equal(pdu.kind, "response");
  if (pdu.kind !== "response") return;
  assert.deepEqual([...pdu.stub], stub);
  assert.equal(pdu.header.callId, 9);
  assert.equal(pdu.header.flags, 0x01, "a first fragment, not the last");
  assert.equal(pdu.allocHint, 5);

  const fault = new Uint8Array([
    ...coHeader(3, 32, 2),
    ...le32(32),
    ...le16(0),
    0,
    0,
    ...le32(0x1c010003),
    ...le32(0),
  ]);
  const faultPdu = decodeCoPdu(fault);
  assert.equal(faultPdu.kind === "fault" && faultPdu.status, 0x1c010003);
  assert.equal(statusText(0x1c010003), "0x1c010003 (nca_s_unk_if)");
  assert.equal(statusText(0x12345678), "0x12345678");
  assert.equal(statusText(EPT_S_NOT_REGISTERED), "0x16c9a0d6 (ept_s_not_registered)");
});

Deno.test("decodeCoPdu: a big-endian response is read in its own byte order", () => {
  const response = new Uint8Array([
    5,
    0,
    2,
    0x03,
    0x00,
    0,
    0,
    0,
    ...be16(26),
    ...be16(0),
    ...be32(3),
    ...be32(2),
    ...be16(0),
    0,
    0,
    0xaa,
    0xbb,
  ]);
  const pdu = decodeCoPdu(response);
  assert.equal(pdu.header.littleEndian, false);
  assert.equal(pdu.header.fragLength, 26);
  assert.equal(pdu.header.callId, 3);
  assert.deepEqual(pdu.kind === "response" && [...pdu.stub], [0xaa, 0xbb]);
});

Deno.test("decodeCoPdu: an authentication verifier is not part of the stub", () => {
  // stub (4) + 4 bytes of padding + sec_trailer (8, auth_pad_length 4) + 16-byte verifier
  const body = [...le32(4), ...le16(0), 0, 0, 9, 9, 9, 9, 0, 0, 0, 0, 10, 2, 4, 0, ...le32(0)];
  const length = 16 + body.length + 16;
  const pdu = decodeCoPdu(
    new Uint8Array([
      5,
      0,
      2,
      3,
      0x10,
      0,
      0,
      0,
      ...le16(length),
      ...le16(16),
      ...le32(2),
      ...body,
      ...new Array(16).fill(7),
    ]),
  );
  assert.deepEqual(pdu.kind === "response" && [...pdu.stub], [9, 9, 9, 9]);
});

Deno.test("decodeCoPdu: short, lying and foreign PDUs are DceRpcErrors", () => {
  const ack = bindAck(0, 0);
  assert.throws(() => decodeCoPdu(ack.subarray(0, 10)), /10-byte PDU header/);
  assert.throws(() => decodeCoPdu(ack.subarray(0, 40)), /40 bytes whose frag_length says 60/);
  assert.throws(
    () => decodeCoPdu(new Uint8Array([...ascii("HTTP/1.1 400 Bad Request\r\n")])),
    /not a DCE\/RPC 5.0 PDU/,
  );
  const lying = new Uint8Array(ack);
  lying[24] = 200; // a secondary address longer than the PDU
  assert.throws(() => decodeCoPdu(lying), /bind_ack ends inside the secondary address/);
  const tiny = new Uint8Array(coHeader(2, 8, 1));
  assert.throws(() => decodeCoPdu(tiny), /shorter than its header/);
  const ebcdic = new Uint8Array(ack);
  ebcdic[4] = 0x11;
  assert.throws(() => decodeCoPdu(ebcdic), /EBCDIC/);
  const shortFault = new Uint8Array([...coHeader(3, 26, 1), ...le32(0), ...le16(0), 0, 0, 1, 2]);
  assert.throws(() => decodeCoPdu(shortFault), /fault ends inside the fault status/);
});

// ---- connectionless ---------------------------------------------------------------------------

Deno.test("encodeClRequest: C706 12.5.2, all 80 header bytes", () => {
  const stub = encodeEptLookup(NIL_HANDLE, 5);
  const request = encodeClRequest({
    activity: ACTIVITY,
    seqnum: 3,
    serverBoot: 0x01020304,
    interface: EPMAPPER_SYNTAX,
    opnum: 2,
    flags1: CL_FLAGS1.IDEMPOTENT,
    stub,
  });
  assert.equal(request.length, 120);
  assert.deepEqual([...request.subarray(0, 4)], [4, 0, 0x20, 0], "version 4, request, idempotent");
  assert.deepEqual([...request.subarray(4, 7)], [0x10, 0, 0], "drep");
  assert.equal(request[7], 0, "serial_hi");
  assert.deepEqual([...request.subarray(8, 24)], new Array(16).fill(0), "nil object");
  assert.deepEqual([...request.subarray(24, 40)], uuidLe(EPM_UUID), "if_id");
  assert.deepEqual([...request.subarray(40, 56)], uuidLe(ACTIVITY), "act_id");
  assert.deepEqual([...request.subarray(56, 60)], le32(0x01020304), "server_boot");
  assert.deepEqual([...request.subarray(60, 64)], le32(3), "if_vers: 3.0");
  assert.deepEqual([...request.subarray(64, 68)], le32(3), "seqnum");
  assert.deepEqual([...request.subarray(68, 70)], le16(2), "opnum");
  assert.deepEqual([...request.subarray(70, 72)], [0xff, 0xff], "ihint: none");
  assert.deepEqual([...request.subarray(72, 74)], [0xff, 0xff], "ahint: none");
  assert.deepEqual([...request.subarray(74, 76)], le16(40), "len");
  assert.deepEqual([...request.subarray(76, 78)], [0, 0], "fragnum");
  assert.deepEqual([...request.subarray(78, 80)], [0, 0], "auth_proto, serial_lo");
  assert.deepEqual([...request.subarray(80)], [...stub]);
});

Deno.test("decodeClPdu: a response, a fault and a reject", () => {
  const response = decodeClPdu(
    new Uint8Array([...clHeader(2, 3, { seqnum: 4, fragnum: 0, boot: 77 }), 7, 8, 9, 0xee]),
  );
  assert.equal(response.kind, "response");
  assert.equal(response.header.activity, ACTIVITY);
  assert.equal(response.header.interfaceId, EPM_UUID);
  assert.equal(response.header.seqnum, 4);
  assert.equal(response.header.serverBoot, 77);
  assert.equal(response.header.interfaceVersion, 3);
  assert.equal(response.header.opnum, 2);
  assert.deepEqual(response.kind === "response" && [...response.stub], [7, 8, 9], "len bytes only");

  const fault = decodeClPdu(new Uint8Array([...clHeader(3, 4), ...le32(0x1c010002)]));
  assert.equal(fault.kind === "fault" && fault.status, 0x1c010002);
  const reject = decodeClPdu(new Uint8Array([...clHeader(6, 4), ...le32(0x1c010003)]));
  assert.equal(reject.kind === "reject" && reject.status, 0x1c010003);
  const working = decodeClPdu(new Uint8Array(clHeader(4, 0)));
  assert.equal(working.kind, "other");
  assert.equal(working.header.ptype, 4);
});

Deno.test("decodeClPdu: a big-endian datagram", () => {
  const header = [
    4,
    2,
    0,
    0,
    0x00,
    0,
    0,
    0,
    ...new Array(16).fill(0),
    ...uuidBe(EPM_UUID),
    ...uuidBe(ACTIVITY),
    ...be32(9),
    ...be32(3),
    ...be32(1),
    ...be16(2),
    ...be16(0xffff),
    ...be16(0xffff),
    ...be16(1),
    ...be16(0),
    0,
    0,
  ];
  const pdu = decodeClPdu(new Uint8Array([...header, 0x42]));
  assert.equal(pdu.header.littleEndian, false);
  assert.equal(pdu.header.activity, ACTIVITY);
  assert.equal(pdu.header.seqnum, 1);
  assert.equal(pdu.header.serverBoot, 9);
  assert.deepEqual(pdu.kind === "response" && [...pdu.stub], [0x42]);
});

Deno.test("decodeClPdu: short, truncated and foreign datagrams are DceRpcErrors", () => {
  assert.throws(() => decodeClPdu(new Uint8Array(40)), /40-byte datagram/);
  assert.throws(
    () => decodeClPdu(new Uint8Array([...clHeader(2, 100), 1, 2, 3])),
    /truncated datagram: its header says a 100-byte body, 3 came/,
  );
  const v5 = new Uint8Array(clHeader(2, 0));
  v5[0] = 5;
  assert.throws(() => decodeClPdu(v5), /not a DCE\/RPC 4 datagram/);
  assert.throws(() => decodeClPdu(new Uint8Array([...clHeader(3, 2), 1, 2])), /the status/);
  const odd = new Uint8Array(clHeader(2, 0));
  odd[4] = 0x20; // integer representation 2
  assert.throws(() => decodeClPdu(odd), /unknown integer representation/);
});

// ---- ept_lookup's reply -----------------------------------------------------------------------

/** One entry's inline part: object, tower referent, annotation (offset, length with NUL, bytes). */
function entryInline(object: string, referent: number, annotation: string | null): number[] {
  const text = annotation === null ? [] : cstr(annotation);
  return pad4([...uuidLe(object), ...le32(referent), ...le32(0), ...le32(text.length), ...text]);
}

/** A deferred tower: conformance, tower_length, octets, padded. */
function towerPointee(bytes: Uint8Array): number[] {
  return pad4([...le32(bytes.length), ...le32(bytes.length), ...bytes]);
}

Deno.test("decodeEptLookupReply: entries, deferred towers, a shared and a null tower", () => {
  const stub = new Uint8Array([
    ...HANDLE,
    ...le32(4), // num_ents
    ...le32(5), // max_count: max_ents as asked
    ...le32(0), // offset
    ...le32(4), // actual_count
    ...entryInline(NIL_UUID, 0x20000, "MS NT Directory DRS Interface"),
    ...entryInline(NIL_UUID, 0, ""),
    ...entryInline("01020304-0506-0708-090a-0b0c0d0e0f10", 0x20004, null),
    ...entryInline(NIL_UUID, 0x20000, "again"), // the first entry's tower, by its referent id
    ...towerPointee(TOWERS.tcp),
    ...towerPointee(TOWERS.np),
    ...le32(0),
  ]);
  const reply = decodeEptLookupReply(stub);
  assert.deepEqual([...reply.entryHandle], HANDLE);
  assert.equal(reply.status, 0);
  assert.equal(reply.entries.length, 4);
  assert.deepEqual(reply.entries.map((entry) => entry.annotation), [
    "MS NT Directory DRS Interface",
    "",
    "",
    "again",
  ]);
  assert.deepEqual([...reply.entries[0].tower!], [...TOWERS.tcp]);
  assert.equal(reply.entries[1].tower, null);
  assert.equal(reply.entries[2].object, "01020304-0506-0708-090a-0b0c0d0e0f10");
  assert.deepEqual([...reply.entries[2].tower!], [...TOWERS.np]);
  assert.equal(reply.entries[3].tower, reply.entries[0].tower);
  assert.equal(isNilHandle(reply.entryHandle), false);
});

Deno.test("decodeEptLookupReply: the end of the map, and a big-endian reply", () => {
  const end = decodeEptLookupReply(
    new Uint8Array([
      ...new Array(20).fill(0),
      ...le32(0),
      ...le32(5),
      ...le32(0),
      ...le32(0),
      ...le32(EPT_S_NOT_REGISTERED),
    ]),
  );
  assert.equal(end.status, EPT_S_NOT_REGISTERED);
  assert.equal(end.entries.length, 0);
  assert.equal(isNilHandle(end.entryHandle), true);

  // Big-endian: integers and the UUIDs in NDR flip; the tower's octets do not.
  const annotation = cstr("x");
  const stub = new Uint8Array([
    ...be32(0),
    ...uuidBe("11223344-5566-7788-99aa-bbccddeeff00"),
    ...be32(1),
    ...be32(1),
    ...be32(0),
    ...be32(1),
    ...uuidBe(DRS_UUID),
    ...be32(1),
    ...be32(0),
    ...be32(annotation.length),
    ...annotation,
    0,
    0, // padding to 4
    ...be32(TOWERS.udp.length),
    ...be32(TOWERS.udp.length),
    ...TOWERS.udp,
    ...new Array((4 - TOWERS.udp.length % 4) % 4).fill(0),
    ...be32(0),
  ]);
  const reply = decodeEptLookupReply(stub, false);
  assert.equal(reply.entries[0].object, DRS_UUID);
  assert.equal(reply.entries[0].annotation, "x");
  assert.equal(
    endpointEntry(reply.entries[0]).binding,
    "ncadg_ip_udp:169.254.12.191[1032]",
  );
});

Deno.test("decodeEptLookupReply: truncated and inconsistent replies are DceRpcErrors", () => {
  const good = [
    ...HANDLE,
    ...le32(1),
    ...le32(5),
    ...le32(0),
    ...le32(1),
    ...entryInline(NIL_UUID, 1, "a"),
    ...towerPointee(TOWERS.tcp),
    ...le32(0),
  ];
  assert.equal(decodeEptLookupReply(new Uint8Array(good)).entries.length, 1);
  for (const cut of [10, 22, 40, 70, good.length - 20, good.length - 2]) {
    assert.throws(
      () => decodeEptLookupReply(new Uint8Array(good.slice(0, cut))),
      (error: Error) =>
        error instanceof DceRpcError && /ept_lookup reply ends inside/.test(error.message),
      `cut at ${cut}`,
    );
  }
  const edit = (offset: number, value: number) => {
    const bytes = new Uint8Array(good);
    bytes.set(le32(value), offset);
    return bytes;
  };
  assert.throws(() => decodeEptLookupReply(edit(20, 2)), /says 2 entries, its array 1 of 5/);
  assert.throws(() => decodeEptLookupReply(edit(28, 1)), /entries start at 1/);
  assert.throws(
    () =>
      decodeEptLookupReply(
        new Uint8Array([
          ...good.slice(0, 20),
          ...le32(9999),
          ...le32(9999),
          ...le32(0),
          ...le32(9999),
        ]),
      ),
    /says 9999 entries in 36 bytes/,
  );
});

// ---- the report -------------------------------------------------------------------------------

Deno.test("describeEndpoints: PortQry's endpoint list, from towers", () => {
  const entry = (bytes: Uint8Array, annotation: string): EndpointEntry =>
    endpointEntry({ object: NIL_UUID, tower: bytes, annotation });
  const lines = describeEndpoints([
    entry(
      tower(
        ...syntaxFloors("50abc2a4-574d-40b3-9d66-ee4fd5fba076", 5, 0),
        floor([0x0b], le16(0)),
        floor([0x07], be16(4144)),
        floor([0x09], [169, 254, 12, 191]),
      ),
      "",
    ),
    entry(TOWERS.np, "NTDS Backup Interface"),
    entry(TOWERS.tcp, "MS NT Directory DRS Interface"),
    entry(TOWERS.udp, "MS NT Directory DRS Interface"),
  ]);
  assert.deepEqual(lines, [
    "UUID: 50abc2a4-574d-40b3-9d66-ee4fd5fba076",
    "ncacn_ip_tcp:169.254.12.191[4144]",
    "",
    "UUID: ecec0d70-a603-11d0-96b1-00a0c91ece30 NTDS Backup Interface",
    "ncacn_np:\\\\MYSERVER[\\PIPE\\lsass]",
    "",
    "UUID: e3514235-4b06-11d1-ab04-00c04fc2dcd2 MS NT Directory DRS Interface",
    "ncacn_ip_tcp:169.254.12.191[1030]",
    "",
    "UUID: e3514235-4b06-11d1-ab04-00c04fc2dcd2 MS NT Directory DRS Interface",
    "ncadg_ip_udp:169.254.12.191[1032]",
    "",
    "Total endpoints found: 4",
  ]);
  assert.deepEqual(describeEndpoints([]), ["Total endpoints found: 0"]);
  // An entry whose tower names no interface is listed by its object UUID.
  assert.deepEqual(
    describeEndpoints([endpointEntry({ object: DRS_UUID, tower: null, annotation: "" })]).slice(
      0,
      2,
    ),
    [`UUID: ${DRS_UUID}`, "(no protocol tower)"],
  );
});
