/**
 * The benchmark's command line. Defaults are the setting (16,000 sockets over 4
 * processes, 9 timed rounds after 1 warm-up); `--sockets 400 --rounds 2` is a quick smoke run.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { MIN_FARM_SOCKETS } from "./farm_plan.ts";

/** What one benchmark run does. */
export interface BenchOptions {
  /** Sockets the farms open in total. */
  sockets: number;
  /** Farm processes sharing them. */
  farms: number;
  /** Timed rounds; each runs every command once. */
  rounds: number;
  /** Untimed rounds first, to fill caches (Deno's transpile cache, the page cache). */
  warmup: number;
  /** Limit for one run of one command. */
  timeoutMs: number;
  /** Limit for the farms to open their sockets. */
  readyTimeoutMs: number;
  /** Also time the parts of a portset run, to explain its total. */
  diagnosis: boolean;
  /** Rounds on the quiet host, before the farms start; 0 skips that case. */
  quietRounds: number;
  /** Network namespaces to make first, each with a listener and a UDP socket (issue 16). */
  namespaces: number;
}

/** The usage text. */
export const USAGE = `Usage: deno task bench [options]

First times portset -local --json on the host as it is (the quiet case) against an empty deno run.
Then opens loopback sockets in farm processes and times portset -local --json and the text report
against ss, netstat, lsof and psutil, alternating between them round by round. The report goes to
stdout.

Options:
  --sockets N        sockets to open in total (default 16000)
  --farms N          processes holding them (default 4)
  --rounds N         timed rounds (default 9)
  --warmup N         untimed rounds before them (default 1)
  --timeout S        seconds one command may take (default 120)
  --ready-timeout S  seconds the farms may take to open their sockets (default 120)
  --quiet-rounds N   timed rounds on the quiet host (default 20; 0 skips the quiet case)
  --skip-diagnosis   do not time the parts of a portset run
  --namespaces N     first make N network namespaces, each with a listener and a UDP socket,
                     as a host running containers has them (default 0; needs root)
  --help             this text
`;

/** Raised for a bad command line; the message is for the user. */
export class OptionsError extends Error {
  override name = "OptionsError";
}

function positiveInteger(name: string, text: string | undefined, fallback: number, min = 1) {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) {
    throw new OptionsError(`--${name} must be an integer of at least ${min}, not ${text}`);
  }
  return value;
}

/** Parses the command line; null means help was asked for. */
export function parseOptions(args: readonly string[]): BenchOptions | null {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        sockets: { type: "string" },
        farms: { type: "string" },
        rounds: { type: "string" },
        warmup: { type: "string" },
        timeout: { type: "string" },
        "ready-timeout": { type: "string" },
        "quiet-rounds": { type: "string" },
        "skip-diagnosis": { type: "boolean" },
        namespaces: { type: "string" },
        help: { type: "boolean" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new OptionsError((error as Error).message);
  }
  if (values.help) return null;
  const farms = positiveInteger("farms", values.farms, 4);
  if (farms > 255) throw new OptionsError("--farms must be at most 255 (one 127.K.0.0/24 each)");
  const sockets = positiveInteger("sockets", values.sockets, 16000, farms * MIN_FARM_SOCKETS);
  return {
    sockets,
    farms,
    rounds: positiveInteger("rounds", values.rounds, 9),
    warmup: positiveInteger("warmup", values.warmup, 1, 0),
    timeoutMs: positiveInteger("timeout", values.timeout, 120) * 1000,
    readyTimeoutMs: positiveInteger("ready-timeout", values["ready-timeout"], 120) * 1000,
    diagnosis: !values["skip-diagnosis"],
    quietRounds: positiveInteger("quiet-rounds", values["quiet-rounds"], 20, 0),
    namespaces: positiveInteger("namespaces", values.namespaces, 0, 0),
  };
}
