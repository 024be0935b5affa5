/**
 * The second core's share of a long TCP batch: a worker that runs {@linkcode LinuxTcpProber} on
 * the ports it is sent and posts the outcomes back packed (a kind per port, the few outcomes that
 * carry more as a sparse list), so that 30,000 results cross threads as one small message.
 *
 * @module
 */

/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />

import { ProbeError, type TcpConnectBatch } from "../probe.ts";
import { LinuxTcpProber } from "./tcp_probe.ts";
import { packOutcomes, type WorkerReply } from "./tcp_probe_pack.ts";

self.onmessage = async (event: MessageEvent<Omit<TcpConnectBatch, "greeting">>) => {
  let reply: WorkerReply;
  try {
    const prober = new LinuxTcpProber({ shareLongBatches: false });
    const outcomes = await prober.connectAll(event.data);
    reply = { ok: true, packed: packOutcomes(outcomes) };
  } catch (error) {
    reply = {
      ok: false,
      message: error instanceof Error ? error.message : String(error),
      probeError: error instanceof ProbeError,
    };
  }
  self.postMessage(reply);
};
