/**
 * remote/protocols/ntp.ts: the client request, server replies (stratum 1 and 2, era 1, every
 * leap indicator), and two replies captured from chronyd, synchronised to its local clock and
 * not synchronised at all, read as `chronyc tracking` read the daemon.
 */

import assert from "node:assert/strict";
import { decodeNtpReply, describeNtpReply, encodeNtpRequest } from "../remote/protocols/ntp.ts";
import { NTP_TIME, ntpResponder } from "./support/udp_servers.ts";

function fromHex(hex: string): Uint8Array {
  return new Uint8Array(hex.match(/../g)!.map((pair) => parseInt(pair, 16)));
}

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
    "leap indicator: 0 (no warning)",
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

Deno.test("describeNtpReply: each leap indicator", () => {
  const bytes = ntpResponder(encodeNtpRequest())!;
  const meanings = [0, 1, 2, 3].map((leap) => {
    bytes[0] = (leap << 6) | (bytes[0] & 0x3f);
    const reply = decodeNtpReply(bytes);
    assert.equal(reply.leap, leap);
    return describeNtpReply(reply).at(-1);
  });
  assert.deepEqual(meanings, [
    "leap indicator: 0 (no warning)",
    "leap indicator: 1 (last minute has 61 seconds)",
    "leap indicator: 2 (last minute has 59 seconds)",
    "leap indicator: 3 (alarm: clock not synchronized)",
  ]);
});

/**
 * chronyd 4.3 (Debian), run as `chronyd -d -x -f CONF` in a network namespace with no sources and
 * `local stratum 8` (allow, bindaddress 127.0.0.1, port 123, cmdport 323, cmdallow 127.0.0.1),
 * answering encodeNtpRequest() on 127.0.0.1:123. `chronyc -h 127.0.0.1 tracking` said: Reference
 * ID 7F7F0101, Stratum 8, Ref time 13:40:50 (UTC), Root delay 0, Root dispersion 0, Leap status
 * Normal.
 */
const CHRONY_LOCAL = fromHex(
  "240800e600000000000000007f7f0101eebd41623be6cc270000000000000000eebd416376d61417" +
    "eebd416376fd6792",
);

/**
 * The same chronyd without `local`: never synchronised. chronyc tracking said: Reference ID
 * 00000000, Stratum 0, Root delay 1 s, Root dispersion 1 s, Leap status Not synchronised.
 */
const CHRONY_UNSYNCHRONISED = fromHex(
  "e40000e600010000000100000000000000000000000000000000000000000000eebd41757ca80271" +
    "eebd41757cb1aaf6",
);

Deno.test("decodeNtpReply: chronyd's replies agree with chronyc tracking", () => {
  const local = decodeNtpReply(CHRONY_LOCAL);
  // Reference ID 7F7F0101 is chronyd's local reference, 127.127.1.1 in dotted form.
  assert.deepEqual(
    [local.leap, local.version, local.mode, local.stratum, local.reference],
    [0, 4, 4, 8, "127.127.1.1"],
  );
  // The reference timestamp, which chronyc printed as its Ref time.
  assert.equal(
    new DataView(CHRONY_LOCAL.buffer).getUint32(16) - 2_208_988_800,
    Date.UTC(2026, 11, 4, 13, 40, 50) / 1000,
  );
  assert.deepEqual(describeNtpReply(local), [
    "NTP server version 4, stratum 8, reference 127.127.1.1",
    "server time: 2026-12-04T13:40:51.465Z",
    "leap indicator: 0 (no warning)",
  ]);
  const unsynchronised = decodeNtpReply(CHRONY_UNSYNCHRONISED);
  assert.deepEqual(
    [unsynchronised.leap, unsynchronised.stratum, unsynchronised.reference],
    [3, 0, ""],
  );
  assert.deepEqual(describeNtpReply(unsynchronised), [
    "NTP server version 4, stratum 0 (unsynchronised), reference -",
    "server time: 2026-12-04T13:41:09.487Z",
    "leap indicator: 3 (alarm: clock not synchronized)",
  ]);
});
