/**
 * collectors/linux/address_texts.ts: a remembered text must be the text of the bytes asked about,
 * whichever address last used the same slot.
 */

import assert from "node:assert/strict";
import { AddressTexts } from "../collectors/linux/address_texts.ts";
import { formatIpv4, formatIpv6 } from "../model/address.ts";

Deno.test("AddressTexts gives formatIpv4's and formatIpv6's text for every address, collisions included", () => {
  const texts = new AddressTexts();
  let seed = 3;
  const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  const bytes = new Uint8Array(20);
  for (let i = 0; i < 20000; i++) {
    // Few distinct values per byte: repeats, and many addresses sharing a slot.
    for (let b = 0; b < bytes.length; b++) bytes[b] = random(3) === 0 ? random(256) : random(2);
    const offset = random(4);
    assert.equal(texts.ipv4(bytes, offset), formatIpv4(bytes, offset));
    assert.equal(texts.ipv6(bytes, offset), formatIpv6(bytes, offset));
  }
});

Deno.test("AddressTexts knows 0.0.0.0 and :: from a slot never filled", () => {
  const texts = new AddressTexts();
  assert.equal(texts.ipv4(new Uint8Array(4), 0), "0.0.0.0");
  assert.equal(texts.ipv6(new Uint8Array(16), 0), "::");
  assert.equal(texts.ipv4(new Uint8Array(4), 0), "0.0.0.0");
});
