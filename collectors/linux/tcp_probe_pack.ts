/**
 * TCP connection outcomes packed for the trip between threads: one byte per port for the common
 * outcomes, which the receiving side turns back into the shared constant objects, and the rare
 * ones (an ICMP refusal, an OS error, a greeting) kept whole in a sparse list.
 *
 * @module
 */

import { RESET, SELF, type TcpConnectOutcome, TIMEOUT } from "../probe.ts";

const KIND_CONNECTED = 0, KIND_RESET = 1, KIND_SELF = 2, KIND_TIMEOUT = 3, KIND_OTHER = 4;

/** An accepted connection without a greeting. */
const CONNECTED: TcpConnectOutcome = Object.freeze({ kind: "connected", greeting: null });

/** Outcomes packed: `kinds[i]` for port i, the others by index. */
export interface PackedOutcomes {
  kinds: Uint8Array;
  others: [number, TcpConnectOutcome][];
}

/** What the worker posts back. */
export type WorkerReply =
  | { ok: true; packed: PackedOutcomes }
  /** `probeError`: the batch could not be made at all (a ProbeError, to be raised again). */
  | { ok: false; message: string; probeError: boolean };

/** Packs `outcomes`. */
export function packOutcomes(outcomes: readonly TcpConnectOutcome[]): PackedOutcomes {
  const kinds = new Uint8Array(outcomes.length);
  const others: [number, TcpConnectOutcome][] = [];
  outcomes.forEach((outcome, i) => {
    if (outcome.kind === "connected" && outcome.greeting === null) kinds[i] = KIND_CONNECTED;
    else if (outcome.kind === "refused" && outcome.icmp === null) kinds[i] = KIND_RESET;
    else if (outcome.kind === "self") kinds[i] = KIND_SELF;
    else if (outcome.kind === "timeout") kinds[i] = KIND_TIMEOUT;
    else {
      kinds[i] = KIND_OTHER;
      others.push([i, outcome]);
    }
  });
  return { kinds, others };
}

/** The outcomes `packed` holds, the common ones as the shared constants. */
export function unpackOutcomes(packed: PackedOutcomes): TcpConnectOutcome[] {
  const common = [CONNECTED, RESET, SELF, TIMEOUT];
  const outcomes = Array.from(packed.kinds, (kind) => common[kind]);
  for (const [index, outcome] of packed.others) outcomes[index] = outcome;
  return outcomes;
}
