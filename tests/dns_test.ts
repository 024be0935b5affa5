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

Deno.test("readName: a name is at most 255 bytes, however its pointers chain labels", () => {
  // 127 one-letter labels and the root: 255 bytes, the most a name may take.
  const longest = new Uint8Array([...new Array(127).fill([1, 0x61]).flat(), 0]);
  assert.equal(readName(longest, 0).name, "a.".repeat(127));
  const tooLong = new Uint8Array([1, 0x62, ...longest]);
  assert.throws(() => readName(tooLong, 0), /DNS name longer than 255 bytes/);
  // Each link is a label and a pointer to the link before it, so every link is legal; from the
  // last one the name has 4,000 labels.
  const chain = [1, 0x61, 0];
  let previous = 0;
  while (chain.length + 4 <= 0x3fff) {
    const here = chain.length;
    chain.push(1, 0x61, 0xc0 | (previous >> 8), previous & 0xff);
    previous = here;
  }
  assert.throws(
    () => readName(new Uint8Array(chain), previous),
    /DNS name longer than 255 bytes/,
  );
});

Deno.test("decodeDnsReply: thousands of records naming a 4,000-label chain are refused at once", () => {
  // One 64 KB datagram: a record whose (unread) data is the chain of links above, then NS
  // records whose owner and data each point at its last link. Read as names, they came to
  // 28 million labels: 6 s of work and 175 MB for portset -n HOST -p udp -e 53.
  const header = [0, 7, 0x81, 0x80, 0, 0, 0, 0, 0, 0, 0, 0];
  const chainStart = header.length + 11;
  const chain = [1, 0x61, 0];
  let last = chainStart;
  while (chainStart + chain.length + 4 <= 0x3fff) {
    const here = chainStart + chain.length;
    chain.push(1, 0x61, 0xc0 | (last >> 8), last & 0xff);
    last = here;
  }
  const pointer = [0xc0 | (last >> 8), last & 0xff];
  const first = [0, 0, 99, 0, 1, 0, 0, 0, 0, chain.length >> 8, chain.length & 0xff, ...chain];
  const ns = [...pointer, 0, 2, 0, 1, 0, 0, 0, 0, 0, 2, ...pointer];
  const count = Math.floor((65000 - header.length - first.length) / ns.length) + 1;
  header[6] = count >> 8;
  header[7] = count & 0xff;
  const reply = new Uint8Array([
    ...header,
    ...first,
    ...new Array(count - 1).fill(ns).flat(),
  ]);
  const started = performance.now();
  assert.throws(() => decodeDnsReply(reply), /DNS name longer than 255 bytes/);
  assert.ok(performance.now() - started < 500, `${performance.now() - started} ms`);
});
