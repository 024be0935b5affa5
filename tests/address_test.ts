/**
 * model/address.ts: address text must be what glibc writes, so keys agree whichever collector
 * produced them. formatIpv6 is checked against glibc's own inet_ntop through Debian's python3.
 */

import assert from "node:assert/strict";
import {
  formatAddressPort,
  formatIpv4,
  formatIpv6,
  ipv6NeedsScope,
  parseIpAddress,
} from "../model/address.ts";
import { seededRandom } from "./support/random.ts";

const PYTHON = "/usr/bin/python3";

function haveGlibcPython(): boolean {
  if (Deno.build.os !== "linux") return false;
  try {
    return Deno.statSync(PYTHON).isFile;
  } catch {
    return false;
  }
}

function fromWords(words: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(16);
  words.forEach((word, i) => {
    bytes[2 * i] = word >> 8;
    bytes[2 * i + 1] = word & 0xff;
  });
  return bytes;
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Addresses that exercise every branch of inet_ntop's `::` and dotted-tail rules. */
function oracleCases(): Uint8Array[] {
  const next = seededRandom(0x5eed);
  const nonZeroWord = () => {
    // Mix short and long hex so leading-zero suppression is exercised too.
    const kind = Math.floor(next() * 4);
    const value = kind === 0
      ? 1 + Math.floor(next() * 0xf)
      : kind === 1
      ? 0x10 + Math.floor(next() * 0xf0)
      : kind === 2
      ? 0xffff
      : 1 + Math.floor(next() * 0xfffe);
    return value;
  };
  const cases: Uint8Array[] = [];

  // Every pattern of zero / non-zero words: runs at every position and length, ties between
  // equal runs, single zero words, all-zero and no-zero addresses. Three fillings of each.
  for (let mask = 0; mask < 256; mask++) {
    for (let fill = 0; fill < 3; fill++) {
      const words = [];
      for (let i = 0; i < 8; i++) words.push(mask & (1 << i) ? 0 : nonZeroWord());
      cases.push(fromWords(words));
    }
  }

  // Dotted-tail candidates: IPv4-mapped, IPv4-compatible, SIIT (::ffff:0:a.b.c.d), NAT64, and
  // near misses (0xffff in other words, a non-zero word before ffff).
  const tails = [
    [0, 0, 0, 0],
    [0, 0, 0, 1],
    [0, 0, 1, 0],
    [0, 1, 0, 0],
    [1, 0, 0, 0],
    [127, 0, 0, 1],
    [192, 168, 1, 254],
    [255, 255, 255, 255],
    [10, 0, 0, 0],
  ];
  for (const tail of tails) {
    const w6 = (tail[0] << 8) | tail[1], w7 = (tail[2] << 8) | tail[3];
    cases.push(fromWords([0, 0, 0, 0, 0, 0xffff, w6, w7]));
    cases.push(fromWords([0, 0, 0, 0, 0, 0, w6, w7]));
    cases.push(fromWords([0, 0, 0, 0, 0xffff, 0, w6, w7]));
    cases.push(fromWords([0x64, 0xff9b, 0, 0, 0, 0, w6, w7]));
    cases.push(fromWords([0, 0, 0, 0, 1, 0xffff, w6, w7]));
    cases.push(fromWords([0, 0, 0, 0, 0, 0xfffe, w6, w7]));
    cases.push(fromWords([1, 0, 0, 0, 0, 0xffff, w6, w7]));
    cases.push(fromWords([0, 0, 0, 0, 0, 0, 0, w7]));
  }
  cases.push(fromWords([0, 0, 0, 0, 0, 0, 0, 0]));
  cases.push(fromWords([0, 0, 0, 0, 0, 0, 0, 1]));
  cases.push(fromWords([0xfe80, 0, 0, 0, 0, 0, 0, 1]));
  cases.push(fromWords([0xff02, 0, 0, 0, 0, 0, 0, 0xfb]));
  cases.push(fromWords([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1]));
  cases.push(fromWords([0x2001, 0xdb8, 0, 1, 0, 0, 0, 1]));

  // Random addresses whose words are zero often enough to form runs.
  for (let n = 0; n < 3000; n++) {
    const words = [];
    for (let i = 0; i < 8; i++) words.push(next() < 0.4 ? 0 : nonZeroWord());
    cases.push(fromWords(words));
  }
  // Fully random bytes.
  for (let n = 0; n < 500; n++) {
    cases.push(Uint8Array.from({ length: 16 }, () => Math.floor(next() * 256)));
  }
  return cases;
}

Deno.test({
  name: "formatIpv6 matches glibc inet_ntop for every zero-run pattern and thousands of addresses",
  ignore: !haveGlibcPython(),
  async fn() {
    const cases = oracleCases();
    const script = "import socket, sys\n" +
      "for line in sys.stdin:\n" +
      "    line = line.strip()\n" +
      "    if line:\n" +
      "        print(socket.inet_ntop(socket.AF_INET6, bytes.fromhex(line)))\n";
    const child = new Deno.Command(PYTHON, {
      args: ["-c", script],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(cases.map(hex).join("\n") + "\n"));
    await writer.close();
    const output = await child.output();
    assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
    const expected = new TextDecoder().decode(output.stdout).trimEnd().split("\n");
    assert.equal(expected.length, cases.length);
    const mismatches: string[] = [];
    cases.forEach((bytes, i) => {
      const actual = formatIpv6(bytes);
      if (actual !== expected[i]) {
        mismatches.push(`${hex(bytes)}: glibc ${expected[i]}, formatIpv6 ${actual}`);
      }
    });
    assert.deepEqual(mismatches.slice(0, 20), [], `${mismatches.length} of ${cases.length} differ`);
  },
});

Deno.test("formatIpv6 writes the forms glibc is known to write", () => {
  const cases: [number[], string][] = [
    [[0, 0, 0, 0, 0, 0, 0, 0], "::"],
    [[0, 0, 0, 0, 0, 0, 0, 1], "::1"],
    [[0xfe80, 0, 0, 0, 0x00fc, 0x00ff, 0xfe00, 1], "fe80::fc:ff:fe00:1"],
    // A single zero group is written `0`, not `::`.
    [[0x2001, 0xdb8, 0, 1, 1, 1, 1, 1], "2001:db8:0:1:1:1:1:1"],
    // Of two equally long runs the first is compressed.
    [[0x2001, 0xdb8, 0, 0, 1, 0, 0, 1], "2001:db8::1:0:0:1"],
    // A longer later run wins over an earlier one.
    [[0x2001, 0, 0, 1, 0, 0, 0, 1], "2001:0:0:1::1"],
    [[0, 0, 0, 0, 0, 0xffff, 0x7f00, 1], "::ffff:127.0.0.1"],
    [[0, 0, 0, 0, 0, 0, 0xc0a8, 0x0101], "::192.168.1.1"],
    [
      [0x3ffe, 0x1900, 0x4545, 3, 0x200, 0xf8ff, 0xfe21, 0x67cf],
      "3ffe:1900:4545:3:200:f8ff:fe21:67cf",
    ],
    [[1, 0, 0, 0, 0, 0, 0, 0], "1::"],
  ];
  for (const [words, text] of cases) assert.equal(formatIpv6(fromWords(words)), text);
});

Deno.test("formatIpv6 and formatIpv4 read at the given offset", () => {
  const buffer = new Uint8Array(40).fill(0xaa);
  buffer.set(fromWords([0, 0, 0, 0, 0, 0, 0, 1]), 7);
  assert.equal(formatIpv6(buffer, 7), "::1");
  buffer.set([10, 1, 2, 3], 30);
  assert.equal(formatIpv4(buffer, 30), "10.1.2.3");
  assert.equal(formatIpv4(buffer, 0), "170.170.170.170");
});

Deno.test("formatIpv4 writes dotted decimal without leading zeros", () => {
  assert.equal(formatIpv4(new Uint8Array([127, 0, 0, 1])), "127.0.0.1");
  assert.equal(formatIpv4(new Uint8Array([0, 0, 0, 0])), "0.0.0.0");
  assert.equal(formatIpv4(new Uint8Array([255, 255, 255, 255])), "255.255.255.255");
  assert.equal(formatIpv4(new Uint8Array([8, 8, 4, 4])), "8.8.4.4");
});

Deno.test("ipv6NeedsScope: link-local unicast and link-local multicast only", () => {
  const needs: number[][] = [
    [0xfe80, 0, 0, 0, 0, 0, 0, 1],
    [0xfebf, 0xffff, 0, 0, 0, 0, 0, 1], // top of fe80::/10
    [0xff02, 0, 0, 0, 0, 0, 0, 1],
    [0xff12, 0, 0, 0, 0, 0, 0, 0xfb], // transient link-local multicast
    [0xff32, 0, 0, 0, 0, 0, 0, 1],
  ];
  const not: number[][] = [
    [0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 1],
    [0xfec0, 0, 0, 0, 0, 0, 0, 1], // site-local, outside fe80::/10
    [0xfe00, 0, 0, 0, 0, 0, 0, 1],
    [0xfd00, 0, 0, 0, 0, 0, 0, 2],
    [0x2001, 0xdb8, 0, 0, 0, 0, 0, 1],
    [0xff05, 0, 0, 0, 0, 0, 0, 2], // site-local multicast
    [0xff0e, 0, 0, 0, 0, 0, 0, 0x101], // global multicast
    [0, 0, 0, 0, 0, 0xffff, 0xa9fe, 1], // ::ffff:169.254.0.1
  ];
  for (const words of needs) {
    assert.equal(ipv6NeedsScope(fromWords(words)), true, hex(fromWords(words)));
  }
  for (const words of not) {
    assert.equal(ipv6NeedsScope(fromWords(words)), false, hex(fromWords(words)));
  }
  const shifted = new Uint8Array(20);
  shifted.set(fromWords([0xfe80, 0, 0, 0, 0, 0, 0, 1]), 4);
  assert.equal(ipv6NeedsScope(shifted, 4), true);
  assert.equal(ipv6NeedsScope(shifted, 0), false);
});

Deno.test("formatAddressPort brackets IPv6 and leaves IPv4 bare", () => {
  assert.equal(formatAddressPort("127.0.0.1", 80), "127.0.0.1:80");
  assert.equal(formatAddressPort("::1", 80), "[::1]:80");
  assert.equal(formatAddressPort("::", "*"), "[::]:*");
  assert.equal(formatAddressPort("fe80::1%eth0", 5353), "[fe80::1%eth0]:5353");
  assert.equal(formatAddressPort("::ffff:10.0.0.1", 443), "[::ffff:10.0.0.1]:443");
  assert.equal(formatAddressPort("0.0.0.0", "*"), "0.0.0.0:*");
});

Deno.test("parseIpAddress: IPv4, IPv6 forms, numeric scopes; null for anything else", () => {
  const text = (input: string) => {
    const parsed = parseIpAddress(input);
    if (!parsed) return null;
    const address = parsed.family === 4 ? formatIpv4(parsed.bytes) : formatIpv6(parsed.bytes);
    return `${parsed.family} ${address} ${parsed.scopeId}`;
  };
  assert.equal(text("127.0.0.1"), "4 127.0.0.1 0");
  assert.equal(text("::1"), "6 ::1 0");
  assert.equal(text("::"), "6 :: 0");
  assert.equal(text("2001:db8::8:800:200c:417a"), "6 2001:db8::8:800:200c:417a 0");
  assert.equal(text("1:2:3:4:5:6:7:8"), "6 1:2:3:4:5:6:7:8 0");
  assert.equal(text("::ffff:192.0.2.1"), "6 ::ffff:192.0.2.1 0");
  assert.equal(text("fe80::1%7"), "6 fe80::1 7");
  for (
    const bad of [
      "localhost",
      "256.0.0.1",
      "1.2.3",
      "1.2.3.4.5",
      "1::2::3",
      "1:2:3:4:5:6:7:8:9",
      "1:2:3:4:5:6:7",
      "12345::",
      "fe80::1%eth0",
      "",
    ]
  ) {
    assert.equal(parseIpAddress(bad), null, bad);
  }
});
