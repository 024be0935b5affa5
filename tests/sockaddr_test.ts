/**
 * collectors/sockaddr.ts and the Windows prober's fd_set: the structs the UDP probers hand to
 * libc and Winsock, laid out as the x64 headers define them.
 */

import assert from "node:assert/strict";
import { parseIpAddress } from "../model/address.ts";
import { anyAddress, encodeSockaddr } from "../collectors/sockaddr.ts";
import { fdSetOf, WINDOWS_FAMILIES } from "../collectors/windows/udp_probe.ts";

const LINUX_FAMILIES = { inet: 2, inet6: 10 };

Deno.test("encodeSockaddr: sockaddr_in, family little endian, port big endian", () => {
  const bytes = encodeSockaddr(parseIpAddress("192.0.2.1")!, 0x1234, LINUX_FAMILIES);
  assert.deepEqual([...bytes], [2, 0, 0x12, 0x34, 192, 0, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
  const windows = encodeSockaddr(parseIpAddress("192.0.2.1")!, 0x1234, WINDOWS_FAMILIES);
  assert.deepEqual([...windows], [...bytes], "the same on Windows");
});

Deno.test("encodeSockaddr: sockaddr_in6 with flowinfo 0 and the scope id at 24", () => {
  const linux = encodeSockaddr(parseIpAddress("fe80::1%3")!, 53, LINUX_FAMILIES);
  assert.equal(linux.length, 28);
  assert.deepEqual([...linux.subarray(0, 8)], [10, 0, 0, 53, 0, 0, 0, 0]);
  assert.deepEqual([...linux.subarray(8, 24)], [0xfe, 0x80, ...new Array(13).fill(0), 1]);
  assert.deepEqual([...linux.subarray(24)], [3, 0, 0, 0]);
  const windows = encodeSockaddr(parseIpAddress("::1")!, 53, WINDOWS_FAMILIES);
  assert.deepEqual([...windows.subarray(0, 4)], [23, 0, 0, 53], "AF_INET6 is 23 on Windows");
  assert.deepEqual([...encodeSockaddr(anyAddress(6), 1, LINUX_FAMILIES).subarray(8)], [
    ...new Array(20).fill(0),
  ]);
});

Deno.test("fdSetOf: fd_count, then the SOCKET at offset 8", () => {
  const set = fdSetOf(0x1122334455n);
  assert.equal(set.length, 520);
  assert.deepEqual([...set.subarray(0, 16)], [
    1,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0x55,
    0x44,
    0x33,
    0x22,
    0x11,
    0,
    0,
    0,
  ]);
});
