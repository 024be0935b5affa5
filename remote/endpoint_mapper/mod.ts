/**
 * Asking an RPC endpoint mapper (port 135) for every endpoint it has registered, as PortQry does
 * when port 135 answers: `ept_lookup` over TCP (ncacn_ip_tcp: bind to the `ept` interface, then
 * request after request on one connection) or over UDP (ncadg_ip_udp: one connectionless request
 * per datagram, through a `UdpProber`), following the returned entry handle until the
 * server says the map is exhausted.
 *
 * Every way a conversation can fail (no connection, silence, a bind_nak, a fault or reject, a
 * reply that is short, fragmented or not DCE/RPC at all) ends in one {@linkcode EndpointMapperError}
 * with a one-line message.
 *
 * @module
 */

export { EndpointMapperError, type EndpointMapperFailure } from "./error.ts";
export {
  describeLookup,
  ENDPOINT_MAPPER_QUERY,
  type EndpointLookup,
  EPMAP_PORT,
  MAX_ENDPOINTS,
  MAX_LOOKUP_CALLS,
} from "./lookup.ts";
export { lookupEndpointsTcp, TCP_ENTRIES_PER_CALL, type TcpLookupOptions } from "./tcp.ts";
export {
  lookupEndpointsUdp,
  UDP_ENTRIES_PER_CALL,
  UDP_LOOKUP_WAITS,
  type UdpLookupOptions,
} from "./udp.ts";
