/**
 * remote/protocols/snmp.ts: the v1 GetRequest for sysDescr.0 byte for byte, and GetResponses
 * read from bytes laid out independently (tests/support/udp_servers.ts).
 */

import assert from "node:assert/strict";
import {
  decodeSnmpResponse,
  describeSnmpResponse,
  encodeSnmpGet,
  SYS_DESCR_OID,
} from "../remote/protocols/snmp.ts";
import { snmpResponder, SYS_DESCR } from "./support/udp_servers.ts";

const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(" ");

Deno.test("encodeSnmpGet: the well-known sysDescr.0 GetRequest", () => {
  assert.equal(
    hex(encodeSnmpGet("public", 1)),
    "30 26 02 01 00 04 06 70 75 62 6c 69 63 a0 19 02 01 01 02 01 00 02 01 00 " +
      "30 0e 30 0c 06 08 2b 06 01 02 01 01 01 00 05 00",
  );
});

Deno.test("decodeSnmpResponse: sysDescr from an agent's GetResponse", () => {
  const reply = snmpResponder("private")(encodeSnmpGet("private", 4242))!;
  assert.ok(reply, "the responder accepts the request");
  const response = decodeSnmpResponse(reply);
  assert.equal(response.version, 0);
  assert.equal(response.community, "private");
  assert.equal(response.requestId, 4242);
  assert.equal(response.errorStatus, "noError");
  assert.deepEqual(response.bindings, [{ oid: SYS_DESCR_OID, value: SYS_DESCR }]);
  assert.deepEqual(describeSnmpResponse(response), [
    "SNMP agent answered community 'private'",
    `sysDescr: ${SYS_DESCR}`,
  ]);
});

Deno.test("snmp: a wrong community gets no answer; error statuses and junk are reported", () => {
  assert.equal(snmpResponder("private")(encodeSnmpGet("public", 1)), null);
  const noSuchName = new Uint8Array([
    0x30,
    0x1c,
    0x02,
    0x01,
    0x00,
    0x04,
    0x01,
    0x63,
    0xa2,
    0x14,
    0x02,
    0x01,
    0x07,
    0x02,
    0x01,
    0x02,
    0x02,
    0x01,
    0x01,
    0x30,
    0x09,
    0x30,
    0x07,
    0x06,
    0x03,
    0x2b,
    0x06,
    0x01,
    0x05,
    0x00,
  ]);
  const response = decodeSnmpResponse(noSuchName);
  assert.equal(response.errorStatus, "noSuchName");
  assert.deepEqual(response.bindings, [{ oid: "1.3.6.1", value: null }]);
  assert.match(describeSnmpResponse(response)[0], /noSuchName/);
  assert.throws(() => decodeSnmpResponse(noSuchName.subarray(0, 12)));
  assert.throws(() => decodeSnmpResponse(encodeSnmpGet("public", 1)), /expected element 0xa2/);
});
