/**
 * The probers behind remote queries (`-n HOST`): how each OS's socket API tells what became of a
 * TCP connection attempt or a UDP datagram sent to one port. Each OS implements these interfaces
 * under its own folder; the remote queries (remote/) see only them, and turn what the OS said
 * into a port state.
 *
 * UDP needs a connected socket through the OS API, the only kind the kernel tells about an ICMP
 * "port unreachable" (Deno's node:dgram does not report it); TCP needs one where a whole range is
 * probed at once without a promise and a timer per port.
 *
 * @module
 */

/** An ICMP error the kernel received about a probe, when the OS says which one it was. */
export interface IcmpMessage {
  /** ICMP for IPv4, ICMPv6 for IPv6: the type and code numbers mean different things. */
  family: 4 | 6;
  /** The ICMP type, as its family numbers it (destination unreachable: 3, in ICMPv6 1). */
  type: number;
  /** The code under that type (port unreachable: 3, in ICMPv6 4). */
  code: number;
  /** The address that sent it (the target, or a router or firewall on the way); null if unknown. */
  from: string | null;
}

/**
 * An OS error about one probe: anything but an answer, a refusal and silence. It settles that
 * port (FILTERED, with this as the reason) and never the whole query.
 */
export interface ProbeFailure {
  /** The POSIX errno name (`EHOSTUNREACH`, `ENOPROTOOPT`, `EACCES`, ...); Windows maps to these. */
  code: string;
  /** The OS's own text for it, as a fallback for codes the query has no words for. */
  text: string;
  /** The ICMP message behind it, when the OS passed it on. */
  icmp: IcmpMessage | null;
}

/** One UDP probe: send each payload in turn, waiting for an answer after each. */
export interface UdpProbeRequest {
  /** Numeric IPv4 or IPv6 address. */
  address: string;
  /** The target UDP port. */
  port: number;
  /** Local port to send from (`-sp`); null lets the OS pick one. */
  sourcePort: number | null;
  /** Datagrams to send, in order, until one is answered. An empty one is allowed. */
  payloads: readonly Uint8Array[];
  /** How long to wait for an answer after each datagram. */
  waitMs: number;
}

/** What came back. */
export type UdpProbeOutcome =
  /** A datagram came back, in answer to `payloads[payloadIndex]`. */
  | { kind: "reply"; bytes: Uint8Array; payloadIndex: number }
  /** ICMP port unreachable: no process has the port (`icmp` says who said so, when known). */
  | { kind: "refused"; icmp: IcmpMessage | null }
  /**
   * The socket was connected to itself: the target is this host and the source port (`-sp`) is
   * the target port, so every datagram would come back from the probe's own socket. `alone`
   * tells whether any other socket holds that port (checked by binding it exclusively).
   */
  | { kind: "self"; alone: boolean }
  /** Any other error: ICMP host, network or protocol unreachable, prohibited, a local firewall. */
  | { kind: "failed"; failure: ProbeFailure }
  /** Nothing within the wait after any payload. */
  | { kind: "silent" };

/** Sends UDP probes. Probes may run concurrently; none blocks the event loop for long. */
export interface UdpProber {
  /** Sends one probe's payloads and says what came back; OS errors become its outcome. */
  probe(request: UdpProbeRequest): Promise<UdpProbeOutcome>;
  /** Releases what the prober holds (libraries, threads), once its probes are done. */
  close(): void;
}

/** How to read what a server sends first when a TCP connection is accepted. */
export interface GreetingRead {
  /** How long to wait for it after the connection is accepted. */
  waitMs: number;
  /** At most this many bytes are kept. */
  maxBytes: number;
  /** Whether what has come so far is the whole greeting, so that the wait can end early. */
  complete(bytes: Uint8Array): boolean;
}

/** One connection attempt to each of `ports` on one address. */
export interface TcpConnectBatch {
  /** Numeric IPv4 or IPv6 address. */
  address: string;
  /** The target ports, in the order their outcomes are wanted. */
  ports: readonly number[];
  /** Local port to connect from (`-sp`); null lets the OS pick one. */
  sourcePort: number | null;
  /** How long each attempt waits for the handshake. */
  timeoutMs: number;
  /** Attempts in flight at once. */
  concurrency: number;
  /** For the ports whose greeting is wanted, how to read it; null for the rest. */
  greeting?: (port: number) => GreetingRead | null;
}

/** How one connection attempt ended. */
export type TcpConnectOutcome =
  /** Accepted; `greeting` holds what the server sent first when it was asked for and came. */
  | { kind: "connected"; greeting: Uint8Array | null }
  /** A reset, or an ICMP port unreachable (then `icmp` says so, when the OS passed it on). */
  | { kind: "refused"; icmp: IcmpMessage | null }
  /**
   * The connection reached itself: with the source port fixed (`-sp`) and equal to the target
   * port on this host, TCP's simultaneous open connects a socket to itself. Nothing else can
   * listen there (the bind would have failed), so the port is not listening. Without `-sp` the
   * prober never reports this: it tries again from another port, as nmap does.
   */
  | { kind: "self" }
  /** An OS error about this attempt (ICMP unreachable, prohibited, a local firewall, ...). */
  | { kind: "failed"; failure: ProbeFailure }
  /** No answer within the timeout. */
  | { kind: "timeout" };

/** Makes TCP connection attempts. */
export interface TcpProber {
  /**
   * One attempt per port of `batch`, at most `batch.concurrency` at once; the outcomes come in
   * the ports' order. Throws {@linkcode ProbeError} only when no attempt can be made at all.
   */
  connectAll(batch: TcpConnectBatch): Promise<TcpConnectOutcome[]>;
  /** Releases what the prober holds (libraries, threads), once its batches are done. */
  close(): void;
}

/** A probe could not be made at all (the source port is taken, no sockets left); says why. */
export class ProbeError extends Error {
  /** The error's name, as traces and `String(error)` show it. */
  override name = "ProbeError";
}

/** The largest UDP payload: the size of the buffer a prober receives into. */
export const UDP_RECEIVE_SIZE = 65536;

/** The outcomes without a payload, shared rather than made anew for each of 65,535 ports. */
export const TIMEOUT: TcpConnectOutcome = Object.freeze({ kind: "timeout" });
/** A TCP reset (no ICMP behind it). */
export const RESET: TcpConnectOutcome = Object.freeze({ kind: "refused", icmp: null });
/** A TCP connection to itself under `-sp`. */
export const SELF: TcpConnectOutcome = Object.freeze({ kind: "self" });

/**
 * The payload loop every UDP prober shares: sends each of `payloads` in turn with `send`, then
 * `wait`s for what comes back. `send` returns the outcome when the send itself settles the probe
 * (an ICMP error already queued on the socket), else null; `wait` returns a datagram's bytes, or
 * an outcome (`silent` moves on to the next payload).
 */
export async function sendPayloads(
  payloads: readonly Uint8Array[],
  send: (data: Uint8Array<ArrayBuffer>, length: number) => UdpProbeOutcome | null,
  wait: () => Promise<Uint8Array | UdpProbeOutcome>,
): Promise<UdpProbeOutcome> {
  for (let index = 0; index < payloads.length; index++) {
    const payload = payloads[index];
    // send() takes a pointer even for an empty datagram: give it a byte it will not read.
    const data = payload.length > 0 ? Uint8Array.from(payload) : new Uint8Array(1);
    const failure = send(data, payload.length);
    if (failure) return failure;
    const answer = await wait();
    if (answer instanceof Uint8Array) return { kind: "reply", bytes: answer, payloadIndex: index };
    if (answer.kind !== "silent") return answer;
  }
  return { kind: "silent" };
}
