/**
 * Endpoint values for unit tests of views and ordering: a complete model object with the fields
 * a test cares about overridden.
 *
 * @module
 */

import type { Endpoint, ProcessInfo, Snapshot } from "../../model/endpoint.ts";

/** An sshd-like TCP listener, with `overrides` applied. */
export function makeEndpoint(overrides: Partial<Endpoint> = {}): Endpoint {
  return {
    protocol: "tcp",
    localAddress: "0.0.0.0",
    localPort: 22,
    remoteAddress: null,
    remotePort: null,
    state: "LISTENING",
    pid: 812,
    process: "sshd",
    path: "/usr/sbin/sshd",
    user: "root",
    inode: 12345,
    socketUid: 0,
    receiveQueue: 0,
    sendQueue: 128,
    interface: null,
    v6only: null,
    created: null,
    ...overrides,
  };
}

/** The sshd of {@linkcode makeEndpoint} as a process, with `overrides` applied. */
export function makeProcessInfo(overrides: Partial<ProcessInfo> = {}): ProcessInfo {
  return {
    pid: 812,
    process: "sshd",
    path: "/usr/sbin/sshd",
    user: "root",
    uid: 0,
    ppid: 1,
    started: null,
    services: [],
    modules: [{ path: "/usr/lib/x86_64-linux-gnu/libc.so.6", baseAddress: "0x7f0000000000" }],
    ...overrides,
  };
}

/** A snapshot holding `endpoints`, with no processes. */
export function makeSnapshot(endpoints: Endpoint[], overrides: Partial<Snapshot> = {}): Snapshot {
  return {
    host: "test",
    time: "2026-01-01T00:00:00.000Z",
    endpoints,
    processes: new Map(),
    warnings: [],
    source: "netlink",
    ...overrides,
  };
}
