/**
 * remote/protocols/dns.ts: the root NS query byte for byte, replies with compressed names, and
 * replies that lie about their lengths or loop.
 */

import assert from "node:assert/strict";
import {
  decodeDnsReply,
  describeDnsReply,
  encodeDnsQuery,
  readName,
} from "../remote/protocols/dns.ts";
import { dnsResponder } from "./support/udp_servers.ts";

const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(" ");

Deno.test("encodeDnsQuery: `.` NS IN, recursion not desired", () => {
  assert.equal(hex(encodeDnsQuery(0x1234)), "12 34 00 00 00 01 00 00 00 00 00 00 00 00 02 00 01");
  assert.equal(
    hex(encodeDnsQuery(1, "version.bind", 16)).slice(36),
    "07 76 65 72 73 69 6f 6e 04 62 69 6e 64 00 00 10 00 01",
  );
});

Deno.test("decodeDnsReply: rcode, flags and NS names, compressed ones included", () => {
  const reply = decodeDnsReply(dnsResponder(encodeDnsQuery(7))!);
  assert.equal(reply.id, 7);
  assert.equal(reply.rcode, "NOERROR");
  assert.equal(reply.authoritative, true);
  assert.equal(reply.recursionAvailable, false);
  assert.deepEqual(
    reply.answers.map((record) => [record.name, record.type, record.ttl, record.data]),
    [
      [".", 2, 3600, "a.test."],
      [".", 2, 3600, "b.test."],
    ],
  );
  assert.deepEqual(describeDnsReply(reply), [
    "DNS server answered: NOERROR, 2 answer(s), 0 authority record(s), authoritative",
    ". -> a.test.",
    ". -> b.test.",
  ]);
});

Deno.test("decodeDnsReply: REFUSED with no records, and malformed replies", () => {
  const refused = new Uint8Array([0, 9, 0x80, 0x05, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 1]);
  const reply = decodeDnsReply(refused);
  assert.equal(reply.rcode, "REFUSED");
  assert.equal(reply.answers.length, 0);
  assert.throws(() => decodeDnsReply(refused.subarray(0, 8)), /8 bytes/);
  assert.throws(() => decodeDnsReply(encodeDnsQuery(1)), /not a reply/);
  const truncated = dnsResponder(encodeDnsQuery(7))!.subarray(0, 40);
  assert.throws(() => decodeDnsReply(truncated));
});

Deno.test("readName: pointers must lead backwards, so a looping name is refused", () => {
  const looping = new Uint8Array([1, 0x61, 0xc0, 0]); // "a" then a pointer back to itself
  assert.throws(() => readName(looping, 0), /backwards/);
  const forward = new Uint8Array([0xc0, 2, 1, 0x61, 0]);
  assert.throws(() => readName(forward, 0), /backwards/);
  assert.deepEqual(readName(new Uint8Array([1, 0x61, 0, 0xc0, 0]), 3), { name: "a.", next: 5 });
});
