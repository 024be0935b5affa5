/**
 * The fallback when sock_diag is unavailable: `/proc/net/{tcp,tcp6,udp,udp6}` parsed into the same
 * {@linkcode DiagSocket} records, so the rest of the collector cannot tell the difference.
 *
 * What the text tables lack, and how it is made up for:
 * - the bound interface: a link-local address gets its scope from `/proc/net/if_inet6`, which
 *   names the interface holding that address; a wildcard bound to a device has no interface;
 * - a listener's backlog (sock_diag's send queue): left null;
 * - the socket cookie and IPV6_V6ONLY: left null.
 *
 * @module
 */

import { formatIpv4, formatIpv6, ipv6NeedsScope } from "../../model/address.ts";
import { HOST_LITTLE_ENDIAN } from "./ffi.ts";
import {
  AF_INET,
  AF_INET6,
  type DiagSocket,
  IPPROTO_TCP,
  IPPROTO_UDP,
  TCP_LISTEN,
} from "./netlink.ts";
import type { DiagDump } from "./sock_diag.ts";

/** The tables, in the same order as the sock_diag dumps. */
export const PROC_NET_TABLES = [
  { file: "tcp", family: AF_INET, protocol: IPPROTO_TCP },
  { file: "tcp6", family: AF_INET6, protocol: IPPROTO_TCP },
  { file: "udp", family: AF_INET, protocol: IPPROTO_UDP },
  { file: "udp6", family: AF_INET6, protocol: IPPROTO_UDP },
] as const;

/** Link-local IPv6 address text (no scope) → interface name, from `/proc/net/if_inet6`. */
export function parseIfInet6(text: string): Map<string, string> {
  const scopes = new Map<string, string>();
  for (const line of text.split("\n")) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 6 || fields[0].length !== 32) continue;
    const bytes = new Uint8Array(16);
    for (let i = 0; i < 16; i++) bytes[i] = parseInt(fields[0].slice(2 * i, 2 * i + 2), 16);
    if (ipv6NeedsScope(bytes)) scopes.set(formatIpv6(bytes), fields[5]);
  }
  return scopes;
}

/**
 * Decodes a `/proc/net` address: hex of the 32-bit words of the address as they lie in memory,
 * each printed as a host-order number.
 */
function decodeAddress(hex: string, bytes: Uint8Array): void {
  for (let word = 0; word < hex.length / 8; word++) {
    const value = parseInt(hex.slice(word * 8, word * 8 + 8), 16);
    for (let i = 0; i < 4; i++) {
      const shift = HOST_LITTLE_ENDIAN ? 8 * i : 8 * (3 - i);
      bytes[word * 4 + i] = (value >>> shift) & 0xff;
    }
  }
}

/** Parses one `/proc/net/{tcp,tcp6,udp,udp6}` table. Malformed lines are skipped. */
export function parseProcNetTable(
  text: string,
  family: typeof AF_INET | typeof AF_INET6,
  linkLocalScopes: Map<string, string> = new Map(),
): DiagSocket[] {
  const sockets: DiagSocket[] = [];
  const bytes = new Uint8Array(16);
  // `ADDRESS:PORT` in hex, the address 8 or 32 digits long.
  const endpointPattern = family === AF_INET
    ? /^[0-9A-Fa-f]{8}:[0-9A-Fa-f]{4}$/
    : /^[0-9A-Fa-f]{32}:[0-9A-Fa-f]{4}$/;
  const lines = text.split("\n");
  for (let i = 1; i < lines.length; i++) {
    const fields = lines[i].trim().split(/\s+/);
    if (fields.length < 10) continue;
    const [local, remote, state, queues, , , uid, , inode] = fields.slice(1);
    if (!endpointPattern.test(local) || !endpointPattern.test(remote)) continue;
    if (!/^[0-9A-Fa-f]+:[0-9A-Fa-f]+$/.test(queues)) continue;
    const [localHex, localPortHex] = local.split(":");
    const [remoteHex, remotePortHex] = remote.split(":");
    const [sendHex, receiveHex] = queues.split(":");

    const text = (hex: string): string => {
      decodeAddress(hex, bytes);
      if (family === AF_INET) return formatIpv4(bytes);
      return formatIpv6(bytes);
    };
    let localAddress = text(localHex);
    let remoteAddress = text(remoteHex);
    let scope: string | undefined;
    if (family === AF_INET6) {
      scope = linkLocalScopes.get(localAddress);
      if (scope !== undefined) localAddress += "%" + scope;
      decodeAddress(remoteHex, bytes);
      if (scope !== undefined && ipv6NeedsScope(bytes)) remoteAddress += "%" + scope;
    }
    const stateNumber = parseInt(state, 16);
    sockets.push({
      family,
      state: stateNumber,
      localAddress,
      localPort: parseInt(localPortHex, 16),
      remoteAddress,
      remotePort: parseInt(remotePortHex, 16),
      interfaceIndex: 0,
      receiveQueue: parseInt(receiveHex, 16),
      // For a listener the kernel prints 0 here, not the backlog sock_diag reports: unknown.
      sendQueue: stateNumber === TCP_LISTEN ? null : parseInt(sendHex, 16),
      uid: Number(uid),
      inode: Number(inode),
      cookie: null,
      v6only: null,
      protocol: null,
    });
  }
  return sockets;
}

/** Reads all four tables; the dumps come out as sock_diag's would. */
export function readProcNet(root = "/proc"): DiagDump[] {
  let scopes = new Map<string, string>();
  try {
    scopes = parseIfInet6(Deno.readTextFileSync(`${root}/net/if_inet6`));
  } catch {
    // No IPv6 on this host: no scopes to add.
  }
  return PROC_NET_TABLES.map(({ file, family, protocol }) => {
    let text = "";
    try {
      text = Deno.readTextFileSync(`${root}/net/${file}`);
    } catch (error) {
      // tcp6/udp6 are absent when IPv6 is disabled; the others are always there.
      if (!(error instanceof Deno.errors.NotFound) || family === AF_INET) throw error;
    }
    return { protocol, sockets: parseProcNetTable(text, family, scopes) };
  });
}
