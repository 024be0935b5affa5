/**
 * The UDP prober: one connected UDP socket per probe, through the OS's socket API, because only
 * a connected socket hears the ICMP "port unreachable" that tells a closed UDP port from a silent
 * one (Deno's node:dgram does not report it). Each OS implements this interface under its own
 * folder; the remote queries (remote/) see only this.
 *
 * @module
 */

/** One UDP probe: send each payload in turn, waiting for an answer after each. */
export interface UdpProbeRequest {
  /** Numeric IPv4 or IPv6 address. */
  address: string;
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
  /** ICMP port unreachable: no process has the port. */
  | { kind: "refused" }
  /** ICMP host or network unreachable, or no route: the port's state is unknown. */
  | { kind: "unreachable"; reason: string }
  /** Nothing within the wait after any payload. */
  | { kind: "silent" };

/** Sends UDP probes. Probes may run concurrently; none blocks the event loop for long. */
export interface UdpProber {
  probe(request: UdpProbeRequest): Promise<UdpProbeOutcome>;
  close(): void;
}

/** A probe could not be made at all (the source port is taken, no sockets left); says why. */
export class ProbeError extends Error {
  override name = "ProbeError";
}

/** The largest UDP payload: the size of the buffer a prober receives into. */
export const UDP_RECEIVE_SIZE = 65536;

/**
 * The payload loop both OSes share: sends each of `payloads` in turn with `send`, then `wait`s
 * for what comes back. `send` returns the outcome when the send itself settles the probe (an ICMP
 * error already queued on the socket), else null; `wait` returns a datagram's bytes, or an outcome
 * (`silent` moves on to the next payload).
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
