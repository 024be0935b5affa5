/**
 * Reads a fleet's logs into a {@linkcode FleetReport}: each host's directories are read as one
 * set of logs (report/read_logs.ts) into a one-host report, which the fleet's tallies fold in
 * (report/fleet.ts) before the next host is read. Hosts are read one after another, so memory is
 * one host's analysis at a time plus the fleet's bounded tallies.
 *
 * @module
 */

import { FleetAggregator } from "./fleet.ts";
import type { FleetReport } from "./fleet_model.ts";
import type { FoundHosts } from "./log_hosts.ts";
import { readLogDirectories, type ReadLogsOptions } from "./read_logs.ts";

/** How to read a fleet's logs: as one host's, with progress over every host's bytes. */
export interface ReadFleetOptions extends Omit<ReadLogsOptions, "onProgress"> {
  /** Called as bytes are read: bytes so far, bytes in all, the host and file being read. */
  onProgress?: (done: number, total: number, file: string) => void;
}

/**
 * Reads every host `found` names. `directories` are those named on the command line, as the
 * report says them.
 */
export async function readFleet(
  directories: readonly string[],
  found: FoundHosts,
  options: ReadFleetOptions,
): Promise<FleetReport> {
  const fleet = new FleetAggregator();
  const total = found.hosts.reduce((sum, host) => sum + host.bytes, 0);
  let before = 0;
  for (const host of found.hosts) {
    const { report, duplicates } = await readLogDirectories(host.directories, {
      ...options,
      onProgress: options.onProgress &&
        ((done, _total, file) =>
          options.onProgress!(Math.min(total, before + done), total, `${host.name}: ${file}`)),
    });
    fleet.add(host, report, duplicates);
    before += host.bytes;
  }
  return fleet.finish({
    directories,
    problems: found.problems,
    interests: options.interests.source,
    baseline: options.baseline?.source ?? null,
  });
}
