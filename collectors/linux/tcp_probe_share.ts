/**
 * A long TCP batch shared between this thread and a worker (tcp_probe_worker.ts), this thread's
 * side: which ports go where, starting the worker, and putting the two halves' outcomes back in
 * the batch's order. Each thread makes its attempts with its own sockets and epoll set; the
 * outcomes come back packed (tcp_probe_pack.ts).
 *
 * @module
 */

import { ProbeError, type TcpConnectBatch, type TcpConnectOutcome } from "../probe.ts";
import { unpackOutcomes, type WorkerReply } from "./tcp_probe_pack.ts";

/**
 * Batches at least this long are shared with a second thread. A worker costs about 15 ms and
 * 15 MiB to start, which a long range repays (each thread then has half of it) and a short list
 * does not.
 */
export const SHARED_BATCH_MIN = 4096;

/**
 * Makes `batch`'s attempts on two threads: every other port, and every port whose greeting is
 * to be read (its callback cannot cross to another thread), through `connectHere` on this one;
 * the rest in a worker. The outcomes are in the batch's order, as `connectHere` would give them.
 */
export async function connectShared(
  batch: TcpConnectBatch,
  connectHere: (batch: TcpConnectBatch) => Promise<TcpConnectOutcome[]>,
): Promise<TcpConnectOutcome[]> {
  const mine: number[] = [], theirs: number[] = [];
  batch.ports.forEach((port, i) => {
    // Alternate ports, so a stretch of silent (filtered) ports slows both sides alike.
    (i % 2 === 0 || batch.greeting?.(port) ? mine : theirs).push(i);
  });
  const pick = (indexes: number[]) => indexes.map((i) => batch.ports[i]);
  // The worker first: this thread's loop may run its whole share before it next yields.
  const there = connectInWorker({ ...withoutGreeting(batch), ports: pick(theirs) });
  let here: TcpConnectOutcome[];
  try {
    here = await connectHere({ ...batch, ports: pick(mine) });
  } catch (error) {
    there.catch(() => {}); // this failure is the one to report
    throw error;
  }
  const theirOutcomes = await there;
  const outcomes = new Array<TcpConnectOutcome>(batch.ports.length);
  mine.forEach((index, i) => outcomes[index] = here[i]);
  theirs.forEach((index, i) => outcomes[index] = theirOutcomes[i]);
  return outcomes;
}

/** `batch` without its greeting callback, which cannot cross to another thread. */
function withoutGreeting(batch: TcpConnectBatch): Omit<TcpConnectBatch, "greeting"> {
  const { greeting: _greeting, ...rest } = batch;
  return rest;
}

/** Makes `batch`'s attempts in a worker thread (collectors/linux/tcp_probe_worker.ts). */
async function connectInWorker(
  batch: Omit<TcpConnectBatch, "greeting">,
): Promise<TcpConnectOutcome[]> {
  const worker = new Worker(new URL("./tcp_probe_worker.ts", import.meta.url), { type: "module" });
  try {
    const reply = await new Promise<WorkerReply>((resolve, reject) => {
      worker.onmessage = (event: MessageEvent<WorkerReply>) => resolve(event.data);
      worker.onerror = (event: ErrorEvent) => {
        event.preventDefault();
        reject(new ProbeError(`the probing thread failed: ${event.message}`));
      };
      worker.postMessage(batch);
    });
    if (reply.ok) return unpackOutcomes(reply.packed);
    throw reply.probeError ? new ProbeError(reply.message) : new Error(reply.message);
  } finally {
    worker.terminate();
  }
}
