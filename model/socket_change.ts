/**
 * What happened to a socket between two looks: the monitor finds these, the Port Reporter logs
 * and the watch modes write them. A type of the model, so that the writers need not reach up
 * into the monitor that finds them.
 *
 * @module
 */

import type { Endpoint } from "./endpoint.ts";

/**
 * What happened to a socket, in the order a socket's life goes through them: it started listening
 * (`listen`: a TCP listener), was bound (`bind`: a UDP socket with no peer), connected
 * (`connect`), changed TCP state (`state`) or owner (`owner`), or closed (`close`).
 */
export const SOCKET_CHANGE_KINDS = [
  "listen",
  "bind",
  "connect",
  "state",
  "owner",
  "close",
] as const;

/** What happened to a socket: one of {@linkcode SOCKET_CHANGE_KINDS}. */
export type SocketChangeKind = typeof SOCKET_CHANGE_KINDS[number];

/** One change, with the socket as it is now (as last seen, for `close`). */
export interface SocketChange {
  /** What happened. */
  kind: SocketChangeKind;
  /** The socket. */
  endpoint: Endpoint;
  /** The socket as it was, for `state` and `owner`. */
  previous?: Endpoint;
  /** Seen only in the OS's report of destroyed sockets: it opened and closed between two looks. */
  betweenLooks?: boolean;
}
