/**
 * remote/protocols/netbios.ts: the wildcard node status request byte for byte, and a name table
 * read from a response.
 */

import assert from "node:assert/strict";
import {
  decodeNodeStatusResponse,
  describeNodeStatus,
  encodeNodeStatusRequest,
} from "../remote/protocols/netbios.ts";
import { netbiosResponder } from "./support/udp_servers.ts";

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

Deno.test("decodeNodeStatusResponse: the name table and the MAC address", () => {
  const status = decodeNodeStatusResponse(netbiosResponder(encodeNodeStatusRequest(9))!);
  assert.deepEqual(status.names, [
    { name: "TESTHOST", suffix: 0x00, group: false, status: "registered" },
    { name: "WORKGROUP", suffix: 0x00, group: true, status: "registered" },
    { name: "TESTHOST", suffix: 0x20, group: false, status: "registered" },
  ]);
  assert.equal(status.mac, "02:00:5e:10:20:30");
  assert.deepEqual(describeNodeStatus(status), [
    "NetBIOS name table (3 name(s)):",
    "  TESTHOST        <00>  UNIQUE  registered",
    "  WORKGROUP       <00>  GROUP   registered",
    "  TESTHOST        <20>  UNIQUE  registered",
    "MAC address: 02:00:5e:10:20:30",
  ]);
});

Deno.test("decodeNodeStatusResponse: truncated tables and requests are refused", () => {
  const reply = netbiosResponder(encodeNodeStatusRequest(9))!;
  assert.throws(() => decodeNodeStatusResponse(reply.subarray(0, 80)), /runs past/);
  assert.throws(() => decodeNodeStatusResponse(encodeNodeStatusRequest(1)), /not a response/);
  assert.throws(() => decodeNodeStatusResponse(reply.subarray(0, 10)), /10 bytes/);
});
