/**
 * What a log record says about its socket, as the analysis reads it: whether it listens, whether
 * its connection is over, which socket it is, and how its port and addresses are named.
 *
 * @module
 */

import type { Protocol, Transport } from "../model/endpoint.ts";
import type { LogProtocol } from "../port_reporter/layout.ts";
import type { PortsRecord } from "../port_reporter/ports_log.ts";

/**
 * A connection in TIME_WAIT (or CLOSED) is over for its process; the kernel only holds the port
 * pair for a while. It no longer counts as the port or the process in use.
 */
export function isOver(record: Pick<PortsRecord, "state">): boolean {
  return record.state === "TIME_WAIT" || record.state === "CLOSED";
}

/** A listener: TCP in LISTENING (or logged as listen), UDP with no peer. */
export function isListeningRecord(record: PortsRecord): boolean {
  if (record.remoteAddress !== null) return false;
  if (record.protocol === "UDP") return true;
  return record.change === "listen" || record.state === "LISTENING" || record.state === "LISTEN";
}

/** One socket: its network namespace, protocol and family, both ends. */
export function socketIdentity(record: PortsRecord): string {
  return `${record.namespace == null ? "" : `${record.namespace} `}${record.protocol}${
    record.ipv6 ? 6 : 4
  } ${record.localAddress} ${record.localPort} ${record.remoteAddress ?? "*"} ${
    record.remotePort ?? "*"
  }`;
}

/** `TCP 4444`: a port as the interests and flags name it. */
export function portKey(protocol: LogProtocol, port: number): string {
  return `${protocol} ${port}`;
}

/** A port as one number: TCP ports 0–65535, UDP ports 65536 on. */
export function portNumber(protocol: LogProtocol, port: number): number {
  return (protocol === "UDP" ? 65536 : 0) + port;
}

/** `C:\...` or `\\server\...`: a path compared without regard to case. */
export function isWindowsPath(path: string): boolean {
  return /^([a-z]:)?\\/i.test(path);
}

/** 127.0.0.0/8, ::1 and IPv4-mapped loopback: the other end is on this host too. */
export function isLoopback(address: string): boolean {
  return address.startsWith("127.") || address === "::1" || address.startsWith("::ffff:127.");
}

/** `sshd (PID 812)`, or `an unknown process`: who a record's socket belongs to, for details. */
export function owner(record: Pick<PortsRecord, "process" | "pid">): string {
  return record.process
    ? `${record.process}${record.pid === null ? "" : ` (PID ${record.pid})`}`
    : "an unknown process";
}

/** `tcp` or `udp`: the logs' `TCP` and `UDP` in the words every JSON output uses. */
export function transportOf(protocol: LogProtocol): Transport {
  return protocol === "UDP" ? "udp" : "tcp";
}

/** `tcp`, `tcp6`, `udp` or `udp6`: a record's protocol and address family. */
export function protocolOf(record: Pick<PortsRecord, "protocol" | "ipv6">): Protocol {
  return `${transportOf(record.protocol)}${record.ipv6 ? "6" : ""}`;
}
