/**
 * remote/protocols/ber.ts: the BER elements SNMP and LDAP are built of, byte for byte, and a
 * reader that refuses what does not add up.
 */

import assert from "node:assert/strict";
import {
  BER,
  berElement,
  BerError,
  berInteger,
  berOid,
  BerReader,
  berString,
  berToInteger,
  berToOid,
} from "../remote/protocols/ber.ts";

const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(" ");

Deno.test("berInteger: the fewest two's complement bytes", () => {
  const cases: [number, string][] = [
    [0, "02 01 00"],
    [127, "02 01 7f"],
    [128, "02 02 00 80"],
    [256, "02 02 01 00"],
    [-1, "02 01 ff"],
    [-128, "02 01 80"],
    [-129, "02 02 ff 7f"],
    [0x7fffffff, "02 04 7f ff ff ff"],
  ];
  for (const [value, expected] of cases) {
    assert.equal(hex(berInteger(value)), expected, String(value));
    assert.equal(berToInteger(berInteger(value).subarray(2)), value, `${value} read back`);
  }
  assert.equal(hex(berInteger(2, BER.ENUMERATED)), "0a 01 02");
});

Deno.test("berOid: base-128 arcs, the first two packed", () => {
  assert.equal(hex(berOid("1.3.6.1.2.1.1.1.0")), "06 08 2b 06 01 02 01 01 01 00");
  assert.equal(hex(berOid("1.3.6.1.4.1.311")), "06 07 2b 06 01 04 01 82 37");
  assert.equal(berToOid(berOid("1.3.6.1.4.1.311.21.20").subarray(2)), "1.3.6.1.4.1.311.21.20");
  assert.equal(berToOid(berOid("2.999.3").subarray(2)), "2.999.3");
  assert.throws(() => berOid("1"), BerError);
});

Deno.test("berElement: short and long definite lengths", () => {
  assert.equal(hex(berString("hi")), "04 02 68 69");
  const long = berElement(BER.OCTET_STRING, new Uint8Array(200));
  assert.equal(hex(long.subarray(0, 3)), "04 81 c8");
  const longer = berElement(BER.OCTET_STRING, new Uint8Array(300));
  assert.equal(hex(longer.subarray(0, 4)), "04 82 01 2c");
  assert.equal(new BerReader(longer).read().contents.length, 300);
  assert.equal(hex(berElement(BER.NULL)), "05 00");
});

Deno.test("BerReader: nested elements, and errors for short or mismatched input", () => {
  const message = berElement(BER.SEQUENCE, berInteger(5), berString("x"));
  const sequence = new BerReader(message).enter(BER.SEQUENCE);
  assert.equal(sequence.integer(), 5);
  assert.equal(sequence.string(), "x");
  assert.equal(sequence.more, false);

  assert.throws(() => new BerReader(message.subarray(0, 4)).read(), /fewer are left/);
  assert.throws(() => new BerReader(new Uint8Array([0x30])).read(), /header/);
  assert.throws(() => new BerReader(message).read(BER.INTEGER), /expected element 0x02/);
  assert.throws(() => new BerReader(new Uint8Array([0x04, 0x85, 1, 1, 1, 1, 1])).read(), BerError);
  assert.throws(() => berToInteger(new Uint8Array(0)), BerError);
});
