/**
 * What the TCP and the UDP lookup share: the endpoint mapper's port, the caps on one lookup, the
 * loop that follows `ept_lookup`'s entry handle until the server says the map is exhausted
 * (whichever transport makes each call), and the lookup's lines for the report.
 *
 * @module
 */

import {
  EPT_S_NOT_REGISTERED,
  type EptLookupReply,
  isNilHandle,
  NIL_HANDLE,
  statusText,
} from "../protocols/dcerpc/mod.ts";
import { describeEndpoints, type EndpointEntry, endpointEntry } from "../protocols/epmap.ts";
import { EndpointMapperError } from "./error.ts";

/** The endpoint mapper's port, TCP and UDP. */
export const EPMAP_PORT = 135;

/**
 * The most `ept_lookup` calls one lookup makes: a server that keeps handing back a handle (a
 * buggy or hostile one) cannot keep the query going for ever. 400 calls at 5 entries each cover
 * {@linkcode MAX_ENDPOINTS}.
 */
export const MAX_LOOKUP_CALLS = 400;

/** The most endpoints one lookup collects; a busy Windows server registers a few hundred. */
export const MAX_ENDPOINTS = 2000;

/** The query's name, as the report frames it. */
export const ENDPOINT_MAPPER_QUERY = "RPC endpoint mapper";

/** A lookup's lines for the report: every endpoint, the total, and a word when it was cut. */
export function describeLookup(lookup: EndpointLookup): string[] {
  const lines = describeEndpoints(lookup.entries);
  if (lookup.stoppedBy !== undefined) {
    lines.push(`(the list stops here: ${lookup.stoppedBy})`);
  } else if (lookup.truncated) {
    lines.push(
      `(the list stops here: portset asks at most ${MAX_LOOKUP_CALLS} times for at most ` +
        `${MAX_ENDPOINTS} endpoints)`,
    );
  }
  return lines;
}

/** A lookup's result. */
export interface EndpointLookup {
  /** In the order the server gave them. */
  entries: EndpointEntry[];
  /** How many `ept_lookup` calls it took. */
  calls: number;
  /**
   * True when the lookup stopped before the map's end: at {@linkcode MAX_LOOKUP_CALLS} or
   * {@linkcode MAX_ENDPOINTS}, or for {@linkcode stoppedBy}.
   */
  truncated: boolean;
  /** Why a lookup that had entries stopped before the map's end, other than at the caps. */
  stoppedBy?: string;
}

/** One `ept_lookup` call: the handle to continue from, and how many entries to ask. */
export type LookupCall = (entryHandle: Uint8Array, maxEntries: number) => Promise<EptLookupReply>;

/**
 * Calls `ept_lookup` until the map is exhausted. Servers say so in three ways: status
 * EPT_S_NOT_REGISTERED on a call that finds nothing more (Samba's AD DC), the same status with the
 * last entries (Samba's file server epmapper; those entries count), or a nil handle with status 0
 * (Windows, where impacket's rpcdump, which stops only there, works). A call that returns no
 * entries ends it too, whatever the handle.
 */
export async function lookupAll(call: LookupCall, perCall: number): Promise<EndpointLookup> {
  const entries: EndpointEntry[] = [];
  let handle = NIL_HANDLE;
  for (let calls = 0;;) {
    if (calls >= MAX_LOOKUP_CALLS || entries.length >= MAX_ENDPOINTS) {
      return { entries, calls, truncated: true };
    }
    const asked = Math.min(perCall, MAX_ENDPOINTS - entries.length);
    let reply: EptLookupReply;
    try {
      reply = await call(handle, asked);
    } catch (error) {
      // Time ran out with part of the map read: that part is the answer, said to be cut.
      if (!(error instanceof EndpointMapperError) || error.kind !== "timeout" || !entries.length) {
        throw error;
      }
      return { entries, calls, truncated: true, stoppedBy: error.message };
    }
    calls++;
    if (reply.status !== 0 && reply.status !== EPT_S_NOT_REGISTERED) {
      throw new EndpointMapperError(
        `the endpoint mapper answered ept_lookup with status ${statusText(reply.status)}`,
        "rejected",
        true,
      );
    }
    if (reply.entries.length > asked) {
      throw new EndpointMapperError(
        `the endpoint mapper returned ${reply.entries.length} entries when ${asked} were asked`,
        "malformed",
        true,
      );
    }
    entries.push(...reply.entries.map(endpointEntry));
    if (
      reply.status === EPT_S_NOT_REGISTERED || isNilHandle(reply.entryHandle) ||
      reply.entries.length === 0
    ) {
      return { entries, calls, truncated: false };
    }
    handle = reply.entryHandle;
  }
}
