/**
 * The words of the Port Reporter format that its writers and readers share: which program wrote a
 * log, the change kinds a PR-PORTS line may carry, and its fields.
 *
 * @module
 */

import type { SocketChangeKind } from "../model/socket_change.ts";

/** A log line's change, as portset logs it; `seen` is a line of the original's, which has none. */
export type ChangeKind = SocketChangeKind | "seen";

/** Every change kind, in the order a socket's life goes through them (charts stack them so). */
export const CHANGE_KINDS: readonly ChangeKind[] = [
  "listen",
  "bind",
  "connect",
  "state",
  "owner",
  "close",
  "seen",
];

/** Which program wrote a log: portset, or the original Port Reporter (1.01). */
export type Dialect = "portset" | "port-reporter";

/** The PR-PORTS format line: the original's ten fields, then portset's. */
export const PORTS_FIELDS =
  "date,time,protocol,local port,local IP address,remote port,remote IP address,PID,module,user context,state,change,record";
