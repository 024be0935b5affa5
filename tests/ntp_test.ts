/**
 * remote/protocols/ntp.ts: the client request, and server replies (stratum 1 and 2, era 1).
 */

import assert from "node:assert/strict";
import { decodeNtpReply, describeNtpReply, encodeNtpRequest } from "../remote/protocols/ntp.ts";
import { NTP_TIME, ntpResponder } from "./support/udp_servers.ts";

Deno.test("encodeNtpRequest: 48 bytes, version 4, mode 3", () => {
  const request = encodeNtpRequest();
  assert.equal(request.length, 48);
  assert.equal(request[0], 0x23);
  assert.ok(request.subarray(1).every((byte) => byte === 0));
});

Deno.test("decodeNtpReply: version, stratum, reference and the server's clock", () => {
  const reply = decodeNtpReply(ntpResponder(encodeNtpRequest())!);
  assert.deepEqual(
    [reply.leap, reply.version, reply.mode, reply.stratum, reply.reference],
    [0, 4, 4, 2, "192.0.2.7"],
  );
  assert.equal(reply.time?.toISOString(), NTP_TIME.toISOString());
  assert.deepEqual(describeNtpReply(reply), [
    "NTP server version 4, stratum 2, reference 192.0.2.7",
    `server time: ${NTP_TIME.toISOString()}`,
  ]);
});

Deno.test("decodeNtpReply: a stratum 1 source code, era 1 times, and what is not a reply", () => {
  const bytes = new Uint8Array(48);
  bytes[0] = 0x1c; // version 3, mode 4
  bytes[1] = 1;
  bytes.set([0x47, 0x50, 0x53, 0], 12); // "GPS"
  new DataView(bytes.buffer).setUint32(40, 1000); // 1000 s into era 1: 2036-02-07T06:44:56Z (era 1 starts 06:28:16)
  const reply = decodeNtpReply(bytes);
  assert.equal(reply.reference, "GPS");
  assert.equal(reply.time?.toISOString(), "2036-02-07T06:44:56.000Z");
  bytes.fill(0, 40);
  assert.equal(decodeNtpReply(bytes).time, null);
  assert.throws(() => decodeNtpReply(encodeNtpRequest()), /mode 3/);
  assert.throws(() => decodeNtpReply(bytes.subarray(0, 47)), /47 bytes/);
});
