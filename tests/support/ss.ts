/**
 * `ss` as an oracle: its listening sockets as PortSet keys.
 *
 * @module
 */

import { type Endpoint, endpointKey } from "../../model/endpoint.ts";

/** Runs `ss ARGS` and returns its lines. */
export async function ss(args: string[]): Promise<string[]> {
  const output = await new Deno.Command("ss", { args, stdout: "piped", stderr: "inherit" })
    .output();
  if (!output.success) throw new Error(`ss ${args.join(" ")} failed`);
  return new TextDecoder().decode(output.stdout).split("\n").filter((line) => line.trim() !== "");
}

/**
 * Turns ss's `Local Address:Port` column into portset's protocol and address text. ss writes a
 * dual-stack wildcard as `*`, brackets IPv6, and appends `%iface` for sockets bound to a device;
 * portset keeps the interface only as a link-local address's scope.
 */
export function ssLocalKey(netid: string, local: string): string {
  const colon = local.lastIndexOf(":");
  let address = local.slice(0, colon);
  const port = local.slice(colon + 1);
  let scope = "";
  const percent = address.lastIndexOf("%");
  if (percent >= 0 && !address.endsWith("]")) {
    scope = address.slice(percent + 1);
    address = address.slice(0, percent);
  }
  const ipv6 = address.startsWith("[") || address === "*";
  address = address === "*" ? "::" : address.replace(/^\[|\]$/g, "");
  if (ipv6 && scope && /^fe[89ab]|^ff.2/i.test(address)) address += `%${scope}`;
  return `${netid}${ipv6 ? "6" : ""}/${address}/${port}`;
}

/** The keys of every listening socket `ss -Htuln` reports, one entry per socket. */
export async function ssListeningKeys(): Promise<string[]> {
  return (await ss(["-Htuln"])).map((line) => {
    const [netid, , , , local] = line.trim().split(/\s+/);
    return ssLocalKey(netid, local);
  }).sort();
}

/** One socket as `ss -tuanpe` reports it, in portset's terms. */
export interface SsSocket {
  key: string;
  /** `address:port` of the peer, or null. */
  peer: string | null;
  /** PortQry state name for TCP, null for UDP. */
  state: string | null;
  /** Holders' pids, sorted. */
  pids: number[];
}

const SS_STATES: Record<string, string> = {
  "LISTEN": "LISTENING",
  "ESTAB": "ESTABLISHED",
  "SYN-SENT": "SYN_SENT",
  "SYN-RECV": "SYN_RECEIVED",
  "FIN-WAIT-1": "FIN_WAIT1",
  "FIN-WAIT-2": "FIN_WAIT2",
  "TIME-WAIT": "TIME_WAIT",
  "UNCONN": "CLOSED",
  "CLOSE-WAIT": "CLOSE_WAIT",
  "LAST-ACK": "LAST_ACK",
  "CLOSING": "CLOSING",
};

/** Every socket with an inode that `ss -Htuanpe` lists, by inode. */
export async function ssSocketsByInode(): Promise<Map<number, SsSocket>> {
  const sockets = new Map<number, SsSocket>();
  for (const line of await ss(["-Htuanpe"])) {
    const [netid, state, , , local, peer] = line.trim().split(/\s+/);
    const inode = Number(/\bino:(\d+)/.exec(line)?.[1] ?? 0);
    if (inode === 0) continue;
    const key = ssLocalKey(netid, local);
    const peerKey = peer.endsWith(":*")
      ? null
      : ssLocalKey(netid, peer).split("/").slice(1).join(":");
    const pids = [...line.matchAll(/pid=(\d+)/g)].map((match) => Number(match[1]));
    sockets.set(inode, {
      key,
      peer: peerKey,
      state: netid === "tcp" ? SS_STATES[state] ?? state : null,
      pids: [...new Set(pids)].sort((a, b) => a - b),
    });
  }
  return sockets;
}

/**
 * `ss -Htu[l]anp` output as `key pids` lines, sorted: each socket's key and its holders' pids, in
 * the view {@linkcode ownedEndpointKeys} gives of portset's endpoints.
 */
export function ssOwnedKeys(output: string): string[] {
  return output.split("\n").filter((line) => line.trim() !== "").map((line) => {
    const [netid, , , , local] = line.trim().split(/\s+/);
    const pids = [...line.matchAll(/pid=(\d+)/g)].map((match) => match[1]).sort().join(",");
    return `${ssLocalKey(netid, local)} ${pids}`;
  }).sort();
}

/** portset's endpoints as `key pids` lines, sorted, as {@linkcode ssOwnedKeys} reads ss. */
export function ownedEndpointKeys(endpoints: readonly Endpoint[]): string[] {
  return endpoints.map((endpoint) => {
    const pids = endpoint.owners?.map((owner) => owner.pid) ??
      (endpoint.pid === null ? [] : [endpoint.pid]);
    return `${endpointKey(endpoint)} ${pids.map(String).sort().join(",")}`;
  }).sort();
}
