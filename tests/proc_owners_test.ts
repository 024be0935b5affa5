/**
 * collectors/linux/proc_owners.ts: `socketInode` reads the inode straight from the bytes readlink
 * wrote into a reused buffer, so it must look only at the first `length` bytes.
 */

import assert from "node:assert/strict";
import { socketInode } from "../collectors/linux/proc_owners.ts";

/** A 64-byte link buffer as scanSocketOwners uses it, `stale` left over from an earlier link. */
function link(text: string, stale = ""): [Uint8Array, number] {
  const buffer = new Uint8Array(64);
  new TextEncoder().encodeInto(stale, buffer);
  const written = new TextEncoder().encodeInto(text, buffer).written;
  return [buffer, written];
}

Deno.test("socketInode reads the inode of socket:[N]", () => {
  assert.equal(socketInode(...link("socket:[123]")), 123);
  assert.equal(socketInode(...link("socket:[0]")), 0);
  assert.equal(socketInode(...link("socket:[7]")), 7);
  // Inodes above 2^31 must not overflow into negative numbers.
  assert.equal(socketInode(...link("socket:[4026531993]")), 4026531993);
  assert.equal(socketInode(...link("socket:[4294967295]")), 4294967295);
});

Deno.test("socketInode returns 0 for links that are not sockets", () => {
  for (
    const text of [
      "pipe:[1]",
      "anon_inode:[eventfd]",
      "anon_inode:[eventpoll]",
      "/dev/null",
      "/home/user/socket:[123]",
      "net:[4026531840]",
      "Socket:[123]",
      "socket[123]",
      "socket:(123)",
    ]
  ) {
    assert.equal(socketInode(...link(text)), 0, text);
  }
});

Deno.test("socketInode returns 0 for malformed or truncated socket links", () => {
  for (
    const text of [
      "socket:[]",
      "socket:[",
      "socket:[123",
      "socket:[12a]",
      "socket:[-1]",
      "socket:[ 1]",
    ]
  ) {
    assert.equal(socketInode(...link(text)), 0, text);
  }
  // readlink(2) truncates silently at the buffer size: no closing bracket in what came back.
  const long = "socket:[" + "9".repeat(80) + "]";
  const buffer = new Uint8Array(64);
  new TextEncoder().encodeInto(long, buffer);
  assert.equal(socketInode(buffer, 64), 0);
});

Deno.test("socketInode returns 0 for a failed readlink (-1) or an empty link", () => {
  const [buffer] = link("socket:[123]");
  assert.equal(socketInode(buffer, -1), 0);
  assert.equal(socketInode(buffer, 0), 0);
});

Deno.test("socketInode reads only `length` bytes of a reused buffer", () => {
  // An earlier, longer link left its tail in the buffer.
  assert.equal(socketInode(...link("socket:[42]", "socket:[123456789]")), 42);
  // The stale tail would complete a torn link: it must not.
  assert.equal(socketInode(...link("socket:[42", "socket:[123456789]")), 0);
  // A non-socket link over a stale socket link.
  assert.equal(socketInode(...link("pipe:[9]", "socket:[123456789]")), 0);
  // A shorter length cuts the same bytes.
  const [buffer] = link("socket:[123]");
  assert.equal(socketInode(buffer, 11), 0);
});

Deno.test("socketInode agrees with the kernel on this process's own socket fds", {
  ignore: Deno.build.os !== "linux",
}, () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const inodes: number[] = [];
    for (const entry of Deno.readDirSync("/proc/self/fd")) {
      let target: string;
      try {
        target = Deno.readLinkSync(`/proc/self/fd/${entry.name}`);
      } catch {
        continue; // the fd of the directory listing itself
      }
      const inode = socketInode(...link(target));
      const match = /^socket:\[(\d+)\]$/.exec(target);
      assert.equal(inode, match ? Number(match[1]) : 0, target);
      if (inode) inodes.push(inode);
    }
    // Our listener's inode is in /proc/net/tcp (127.0.0.1 is 0100007F in host order on little
    // endian); at least that one must have been found.
    const port = (listener.addr as Deno.NetAddr).port.toString(16).toUpperCase().padStart(4, "0");
    const line = Deno.readTextFileSync("/proc/net/tcp").split("\n")
      .find((l) => l.includes(` 0100007F:${port} `) && l.trim().split(/\s+/)[3] === "0A");
    assert.ok(line, "listener in /proc/net/tcp");
    assert.ok(inodes.includes(Number(line.trim().split(/\s+/)[9])));
  } finally {
    listener.close();
  }
});
