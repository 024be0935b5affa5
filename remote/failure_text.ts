/**
 * Words for why a port could not be reached: the ICMP message that came back (when the OS passed
 * it on) or the OS error. TCP and UDP probes use these same words, so one firewall rule reads the
 * same whichever protocol met it.
 *
 * @module
 */

import type { IcmpMessage, ProbeFailure } from "../collectors/probe.ts";

/** Why a TCP port whose probe connected to itself is NOT LISTENING. */
export const SELF_CONNECT_REASON = "the probe connected to itself: the source port is the " +
  "target port on this host, so nothing else listens on it";

/** Why a UDP port whose probe reached its own socket has its state (the rest is said after). */
export const UDP_SELF_REASON = "the probe reached its own socket: the source port is the " +
  "target port on this host";

/** ICMP (IPv4) destination unreachable codes, RFC 792 and RFC 1812. */
const ICMP4_UNREACHABLE = [
  "network unreachable",
  "host unreachable",
  "protocol unreachable",
  "port unreachable",
  "fragmentation needed",
  "source route failed",
  "destination network unknown",
  "destination host unknown",
  "source host isolated",
  "network administratively prohibited",
  "host administratively prohibited",
  "network unreachable for the type of service",
  "host unreachable for the type of service",
  "communication administratively prohibited",
  "host precedence violation",
  "precedence cutoff in effect",
];

/** ICMPv6 destination unreachable codes, RFC 4443. */
const ICMP6_UNREACHABLE = [
  "no route to destination",
  "communication administratively prohibited",
  "beyond the scope of the source address",
  "address unreachable",
  "port unreachable",
  "source address failed ingress/egress policy",
  "reject route to destination",
  "error in source routing header",
];

/** What an errno means for a probe, when no ICMP message says more. */
const ERROR_WORDS: ReadonlyMap<string, string> = new Map([
  ["ECONNREFUSED", "refused"],
  ["EHOSTUNREACH", "host unreachable"],
  ["ENETUNREACH", "network unreachable"],
  ["ENOPROTOOPT", "protocol unreachable"],
  ["EACCES", "administratively prohibited"],
  ["EPERM", "not permitted by this host's firewall"],
  ["EHOSTDOWN", "host down"],
  ["ENONET", "source host isolated"],
  ["EMSGSIZE", "fragmentation needed"],
  ["ETIMEDOUT", "timed out"],
  ["ENETDOWN", "network down"],
  ["EADDRNOTAVAIL", "no local address or port available"],
  ["ECONNRESET", "connection reset"],
  ["ECONNABORTED", "connection aborted"],
  ["EPROTO", "protocol error"],
  ["EOPNOTSUPP", "source route failed"],
]);

/**
 * An ICMP message in words: `ICMP protocol unreachable (type 3, code 2) from 127.0.0.1`.
 */
export function describeIcmp(icmp: IcmpMessage): string {
  const unreachable = icmp.family === 4 ? icmp.type === 3 : icmp.type === 1;
  const timeExceeded = icmp.family === 4 ? icmp.type === 11 : icmp.type === 3;
  const table = icmp.family === 4 ? ICMP4_UNREACHABLE : ICMP6_UNREACHABLE;
  const words = unreachable
    ? table[icmp.code] ?? "destination unreachable"
    : timeExceeded
    ? "time exceeded"
    : "error";
  const name = icmp.family === 4 ? "ICMP" : "ICMPv6";
  return `${name} ${words} (type ${icmp.type}, code ${icmp.code})` +
    (icmp.from ? ` from ${icmp.from}` : "");
}

/**
 * A probe's OS error in words: the ICMP message behind it when there was one, else what the
 * error means and its name: `host unreachable (EHOSTUNREACH)`.
 */
export function describeFailure(failure: ProbeFailure): string {
  if (failure.icmp) return describeIcmp(failure.icmp);
  const words = ERROR_WORDS.get(failure.code) ?? failure.text.toLowerCase();
  return `${words} (${failure.code})`;
}
