/**
 * How an endpoint mapper lookup fails: one error class for every way a conversation over TCP or
 * UDP can end without the map, with the kind of failure and whether anything answered, so the
 * caller can state the port without reading the message.
 *
 * @module
 */

import type { UdpProbeOutcome } from "../../collectors/probe.ts";

/** How a lookup failed. */
export type EndpointMapperFailure =
  /** TCP reset or ICMP port unreachable: nothing listens at the port. */
  | "refused"
  /** Host or network unreachable, or no connection could be made. */
  | "unreachable"
  /** Nothing (more) came back in time. */
  | "timeout"
  /** The connection ended before a whole reply came. */
  | "closed"
  /** The server said no: bind_nak, a refused context, fault, reject, a failure status. */
  | "rejected"
  /** The server answered with something that is not the reply it should be. */
  | "malformed";

/** A lookup that did not complete; the message says why, in one line. */
export class EndpointMapperError extends Error {
  override name = "EndpointMapperError";

  constructor(
    message: string,
    readonly kind: EndpointMapperFailure,
    /**
     * Whether anything answered at the port (a TCP connection was accepted, or a datagram came
     * back): a UDP port that answered is listening, even when the answer was not usable.
     */
    readonly answered: boolean,
    /**
     * Over UDP, when the port's own answer settled it (silence, an ICMP error, a socket that
     * reached itself): that probe outcome, so the caller states the port as for any UDP port.
     */
    readonly outcome: UdpProbeOutcome | null = null,
  ) {
    super(message);
  }
}
