/**
 * remote/protocols/netbios.ts: the wildcard node status request byte for byte, every NAME_FLAGS
 * bit, and a node status reply captured from Samba's nmbd, described as nmblookup described it.
 */

import assert from "node:assert/strict";
import {
  decodeNodeStatusResponse,
  describeNetbiosName,
  describeNodeStatus,
  encodeNodeStatusRequest,
  type NetbiosName,
} from "../remote/protocols/netbios.ts";
import { netbiosResponder } from "./support/udp_servers.ts";
import { ascii } from "./support/bytes.ts";

function fromHex(hex: string): Uint8Array {
  return new Uint8Array(hex.match(/../g)!.map((pair) => parseInt(pair, 16)));
}

Deno.test("encodeNodeStatusRequest: `*` first-level encoded, NBSTAT IN", () => {
  const request = encodeNodeStatusRequest(0x0102);
  const expected = [
    1,
    2,
    0,
    0,
    0,
    1,
    0,
    0,
    0,
    0,
    0,
    0,
    0x20,
    ..."CK".split("").map((c) => c.charCodeAt(0)),
    ...new Array(30).fill(0x41),
    0,
    0,
    0x21,
    0,
    1,
  ]; // deno-fmt-ignore
  assert.deepEqual([...request], expected);
});

/**
 * Samba 4.17's nmbd (Debian 2:4.17.12), netbios name PSTESTHOST, workgroup PSWORKGRP, local master
 * browser, in a network namespace, answering the request encodeNodeStatusRequest(0x1234) makes,
 * sent to 127.0.0.1:137 from a Python socket.
 */
const NMBD_REPLY = fromHex(
  "12348400000000010000000020434b414141414141414141414141414141414141414141414141414141414141000021" +
    "00010000000000ad07505354455354484f53542020202020000400505354455354484f53542020202020030400505354" +
    "455354484f5354202020202020040001025f5f4d5342524f5753455f5f020184005053574f524b475250202020202020" +
    "0084005053574f524b4752502020202020201d04005053574f524b4752502020202020201e8400000000000000000000" +
    "00000000000000000000000000000000000000000000000000000000000000000000000000",
);

/**
 * `nmblookup -A 127.0.0.1` against the same nmbd, a moment later, after its `Looking up status
 * of 127.0.0.1` line, each line's leading tab and trailing spaces removed and the final blank
 * line dropped.
 */
const NMBLOOKUP_LINES = [
  "PSTESTHOST      <00> -         B <ACTIVE>",
  "PSTESTHOST      <03> -         B <ACTIVE>",
  "PSTESTHOST      <20> -         B <ACTIVE>",
  "..__MSBROWSE__. <01> - <GROUP> B <ACTIVE>",
  "PSWORKGRP       <00> - <GROUP> B <ACTIVE>",
  "PSWORKGRP       <1d> -         B <ACTIVE>",
  "PSWORKGRP       <1e> - <GROUP> B <ACTIVE>",
  "",
  "MAC Address = 00-00-00-00-00-00",
];

Deno.test("decodeNodeStatusResponse: nmbd's reply, described line for line as nmblookup", () => {
  const status = decodeNodeStatusResponse(NMBD_REPLY);
  assert.equal(status.names.length, 7);
  assert.deepEqual(status.names[3], {
    name: "\x01\x02__MSBROWSE__\x02",
    suffix: 0x01,
    group: true,
    nodeType: "B",
    deregistering: false,
    conflict: false,
    active: true,
    permanent: false,
  });
  assert.equal(status.mac, "00-00-00-00-00-00");
  assert.deepEqual(describeNodeStatus(status), NMBLOOKUP_LINES);
});

Deno.test("decodeNodeStatusResponse: the responder's table and MAC address", () => {
  const status = decodeNodeStatusResponse(netbiosResponder(encodeNodeStatusRequest(9))!);
  const flags = { nodeType: "B", deregistering: false, conflict: false, permanent: false };
  assert.deepEqual(status.names, [
    { name: "TESTHOST", suffix: 0x00, group: false, active: true, ...flags },
    { name: "WORKGROUP", suffix: 0x00, group: true, active: true, ...flags },
    { name: "TESTHOST", suffix: 0x20, group: false, active: true, ...flags },
  ]);
  assert.equal(status.mac, "02-00-5E-10-20-30");
  assert.deepEqual(describeNodeStatus(status), [
    "TESTHOST        <00> -         B <ACTIVE>",
    "WORKGROUP       <00> - <GROUP> B <ACTIVE>",
    "TESTHOST        <20> -         B <ACTIVE>",
    "",
    "MAC Address = 02-00-5E-10-20-30",
  ]);
});

/** A reply whose table holds one entry per `[name bytes, suffix, flags]`, and `statistics`. */
function replyWith(entries: [number[], number, number][], statistics: number[]): Uint8Array {
  const data = [entries.length];
  for (const [name, suffix, flags] of entries) {
    const padded = [...name, ...new Array(15 - name.length).fill(0x20)];
    data.push(...padded, suffix, flags >> 8, flags & 0xff);
  }
  data.push(...statistics);
  const header = [0, 1, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0];
  const answerName = [...encodeNodeStatusRequest(1).subarray(12, 46)];
  const answer = [0, 0x21, 0, 1, 0, 0, 0, 0, data.length >> 8, data.length & 0xff];
  return new Uint8Array([...header, ...answerName, ...answer, ...data]);
}

Deno.test("decodeNodeStatusResponse: each NAME_FLAGS bit and node type", () => {
  const status = decodeNodeStatusResponse(replyWith([
    [ascii("B-NODE"), 0x00, 0x0000],
    [ascii("P-NODE"), 0x20, 0x2000 | 0x0400],
    [ascii("M-NODE"), 0x1b, 0x4000 | 0x1000],
    [ascii("H-NODE"), 0x1c, 0x8000 | 0x6000 | 0x0800],
    [ascii("PERMANENT"), 0x03, 0x0200],
    [ascii("EVERYTHING"), 0xff, 0xfe00],
  ], [0x00, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e]));
  const pick = (
    { name, nodeType, group, deregistering, conflict, active, permanent }: NetbiosName,
  ) => [name, nodeType, group, deregistering, conflict, active, permanent];
  assert.deepEqual(status.names.map(pick), [
    ["B-NODE", "B", false, false, false, false, false],
    ["P-NODE", "P", false, false, false, true, false],
    ["M-NODE", "M", false, true, false, false, false],
    ["H-NODE", "H", true, false, true, false, false],
    ["PERMANENT", "B", false, false, false, false, true],
    ["EVERYTHING", "H", true, true, true, true, true],
  ]);
  // nmblookup's node_status_flags() appends "<FLAG> " pieces; the line's last space is trimmed.
  assert.deepEqual(describeNodeStatus(status), [
    "B-NODE          <00> -         B",
    "P-NODE          <20> -         P <ACTIVE>",
    "M-NODE          <1b> -         M <DEREGISTERING>",
    "H-NODE          <1c> - <GROUP> H <CONFLICT>",
    "PERMANENT       <03> -         B <PERMANENT>",
    "EVERYTHING      <ff> - <GROUP> H <DEREGISTERING> <CONFLICT> <ACTIVE> <PERMANENT>",
    "",
    "MAC Address = 00-1A-2B-3C-4D-5E",
  ]);
});

Deno.test("decodeNodeStatusResponse: names cut at a NUL, unprintable bytes shown as dots", () => {
  const status = decodeNodeStatusResponse(replyWith([
    [[0x2a, ...new Array(14).fill(0)], 0x00, 0x0400],
    [[...ascii("TAB"), 0x09, ...ascii("DEL"), 0x7f, 0xe9], 0x20, 0x0400],
    [ascii("FIFTEEN-CHARSXY"), 0x00, 0x0400],
  ], []));
  assert.deepEqual(status.names.map((entry) => entry.name), [
    "*",
    "TAB\tDEL\x7f\xe9",
    "FIFTEEN-CHARSXY",
  ]);
  assert.equal(status.mac, null, "no statistics, no MAC address");
  assert.deepEqual(describeNodeStatus(status), [
    "*               <00> -         B <ACTIVE>",
    "TAB.DEL..       <20> -         B <ACTIVE>",
    "FIFTEEN-CHARSXY <00> -         B <ACTIVE>",
  ]);
  assert.equal(describeNetbiosName(status.names[0]), "*               <00> -         B <ACTIVE>");
});

Deno.test("decodeNodeStatusResponse: truncated tables and requests are refused", () => {
  assert.throws(() => decodeNodeStatusResponse(NMBD_REPLY.subarray(0, 80)), /runs past/);
  assert.throws(() => decodeNodeStatusResponse(encodeNodeStatusRequest(1)), /not a response/);
  assert.throws(() => decodeNodeStatusResponse(NMBD_REPLY.subarray(0, 10)), /10 bytes/);
  assert.throws(() => decodeNodeStatusResponse(NMBD_REPLY.subarray(0, 56)), /inside its answer/);
});
