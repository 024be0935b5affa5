/**
 * The `portset -local --json` benchmark (`deno task bench`): times portset on the host as it is
 * against an empty `deno run`, then opens thousands of loopback sockets in farm processes, checks
 * they exist, times portset against `ss`, `netstat`, `lsof` and psutil on the same host state and
 * prints a Markdown report on stdout.
 *
 * The farms are stopped however the benchmark ends: normally, by an error, or by Ctrl-C.
 *
 * @module
 */

import {
  checkContenders,
  CONTENDERS,
  GNU_TIME_TOOL,
  PORTSET,
  PORTSET_TEXT,
  QUIET_CONTENDERS,
  SS_WITH_OWNERS,
} from "./contenders.ts";
import { diagnose } from "./diagnosis.ts";
import { SocketFarms } from "./farms.ts";
import { BenchNamespaces } from "./namespaces.ts";
import { describeMachine } from "./machine.ts";
import { type BenchOptions, OptionsError, parseOptions, USAGE } from "./options.ts";
import { progress } from "./progress.ts";
import { measureQuietHost } from "./quiet_host.ts";
import { formatReport } from "./report.ts";
import { runRounds } from "./rounds.ts";
import { countOwnedBy, countPortsetEndpoints, countSsSockets } from "./socket_census.ts";
import { harnessOverheadMs } from "./timed_run.ts";
import { ensureTool } from "./tools.ts";

/** Exit code after SIGINT or SIGTERM, as a shell reports a process killed by SIGINT. */
const EXIT_INTERRUPTED = 130;

async function bench(
  options: BenchOptions,
  farms: SocketFarms,
  namespaces: BenchNamespaces,
): Promise<string> {
  const machine = await describeMachine();
  const noTime = await ensureTool(GNU_TIME_TOOL);
  if (noTime) throw new Error(`GNU time is needed for peak memory: ${noTime}`);
  const availability = await checkContenders(CONTENDERS);
  const overheadMs = await harnessOverheadMs();
  const ssWithOwners = CONTENDERS.find((contender) => contender.name === SS_WITH_OWNERS)!;
  if (availability.get(ssWithOwners)) {
    throw new Error(`ss is needed to check the sockets: ${availability.get(ssWithOwners)}`);
  }

  await namespaces.start(options.namespaces);
  // First, the host as it is: the farms' sockets would make it a busy one.
  const quiet = options.quietRounds > 0
    ? await measureQuietHost(QUIET_CONTENDERS, { ...options, rounds: options.quietRounds })
    : null;

  const ssBaseline = await countSsSockets();
  progress(`opening ${options.sockets} loopback sockets in ${options.farms} farm processes`);
  const opened = await farms.start(options.farms, options.sockets, options.readyTimeoutMs);
  // Verify from outside what the farms say: timing a host without the sockets would mean nothing.
  const ownedByFarms = await countOwnedBy(farms.pids);
  const ssWithFarms = await countSsSockets();
  if (opened !== options.sockets || ownedByFarms < options.sockets) {
    throw new Error(
      `asked for ${options.sockets} sockets; the farms report ${opened}, ` +
        `ss -tuanp attributes ${ownedByFarms} to them`,
    );
  }
  progress(`sockets ready: ss -Htuan lists ${ssWithFarms}, ${ownedByFarms} of them the farms'`);

  const ssBefore = await countSsSockets();
  const portsetEndpoints = await countPortsetEndpoints(PORTSET);
  const ssAfter = await countSsSockets();

  const measured = CONTENDERS.filter((contender) => !availability.get(contender));
  const results = await runRounds(measured, options);
  const diagnosis = options.diagnosis
    ? await diagnose(options.rounds, options.warmup, options.timeoutMs)
    : null;

  return formatReport({
    machine,
    overheadMs,
    rounds: options.rounds,
    warmup: options.warmup,
    farms: options.farms,
    opened,
    ownedByFarms,
    ssBaseline,
    ssWithFarms,
    endpointCheck: {
      ssBefore,
      portset: portsetEndpoints,
      ssAfter,
      namespaces: namespaces.sockets,
    },
    contenders: CONTENDERS,
    availability,
    results,
    portset: PORTSET,
    portsetText: PORTSET_TEXT,
    ssWithOwners,
    diagnosis,
    quiet,
  });
}

async function main(): Promise<number> {
  let options;
  try {
    options = parseOptions(Deno.args);
  } catch (error) {
    if (!(error instanceof OptionsError)) throw error;
    console.error(`bench: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (options === null) {
    console.log(USAGE);
    return 0;
  }

  const farms = new SocketFarms();
  const namespaces = new BenchNamespaces();
  const interrupted = () => {
    progress("interrupted: stopping the socket farms");
    Promise.all([farms.stop(), namespaces.stop()]).finally(() => Deno.exit(EXIT_INTERRUPTED));
  };
  Deno.addSignalListener("SIGINT", interrupted);
  Deno.addSignalListener("SIGTERM", interrupted);
  try {
    const report = await bench(options, farms, namespaces);
    console.log(report);
    return 0;
  } catch (error) {
    console.error(`bench: ${error instanceof Error ? error.message : error}`);
    return 1;
  } finally {
    await farms.stop();
    await namespaces.stop();
    Deno.removeSignalListener("SIGINT", interrupted);
    Deno.removeSignalListener("SIGTERM", interrupted);
  }
}

if (import.meta.main) Deno.exit(await main());
