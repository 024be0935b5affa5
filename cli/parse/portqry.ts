/**
 * PortQry's command line: `-local`, `-wport PORT` / `-wpid PID` and `-n HOST` are modes of one
 * flag table (PortQry takes its flags in any order), with `--help` and `--version`. This module
 * reads the table and the local and watch modes; a remote query's flags and `-local`'s filters
 * are read by modules loaded only when they are given.
 *
 * @module
 */

import { UsageError } from "../errors.ts";
import {
  atMostOne,
  type FlagSpec,
  HELP_FLAG,
  JSON_FLAG,
  numberOf,
  readFlags,
  refuseWith,
  textOf,
  YES_FLAG,
} from "../flags.ts";
import type { HelpTopic } from "../help.ts";
import type { LocalFilter } from "./local_filters.ts";
import type { QueryCommand } from "./query.ts";

/** Output options shared by the local modes. */
export interface OutputOptions {
  format: "text" | "json" | "csv";
  verbose: boolean;
  /** `-l FILE`: also write the output to this file. */
  logFile: string | null;
  /** `-y`: overwrite the log file without asking. */
  overwrite: boolean;
}

/** `-local`: dump every endpoint, or those the filters keep. */
export interface LocalCommand extends OutputOptions {
  mode: "local";
  /** `--listening`, `--state`, ...: which endpoints to show; null shows every one. */
  filter: LocalFilter | null;
}

/** `-wport PORT` / `-wpid PID`: watch one port or process. */
export interface WatchCommand extends OutputOptions {
  mode: "watch";
  port: number | null;
  pid: number | null;
  intervalSeconds: number;
}

/** What PortQry's command line asks for. */
export type PortQryCommand =
  | { mode: "help"; topic: HelpTopic | null }
  | { mode: "version" }
  | LocalCommand
  | WatchCommand
  | QueryCommand;

/** Default `-wt`, as PortQry's. */
export const DEFAULT_WATCH_SECONDS = 60;

const flag = (names: string[], key: string, more: Partial<FlagSpec> = {}): FlagSpec => ({
  names,
  key,
  ...more,
});

const VERBOSE = flag(["-v", "--verbose"], "verbose");
const LOG = flag(["-l", "--log"], "log", { value: "FILE" });

/** `-local`'s filters (see local_filters.ts): each narrows what is shown, together with AND. */
const FILTER_FLAGS: readonly FlagSpec[] = [
  flag(["--listening", "-listening"], "listening"),
  flag(["--state", "-state"], "state", { value: "NAME", repeatable: true }),
  flag(["--port", "-port"], "port", { value: "N[,N...]", repeatable: true }),
  flag(["--pid", "-pid"], "pid", { value: "N[,N...]", repeatable: true }),
  flag(["--process", "-process"], "process", { value: "GLOB", repeatable: true }),
  flag(["--proto", "-proto"], "proto", { value: "tcp|udp|4|6", repeatable: true }),
  flag(["--key", "-key"], "key", { value: "GLOB", repeatable: true }),
  flag(["--netns", "-netns"], "netns", { value: "current|NAME|INODE", repeatable: true }),
];

/** `-local`'s flags. */
export const LOCAL_FLAGS: readonly FlagSpec[] = [
  flag(["-local", "--local"], "local"),
  ...FILTER_FLAGS,
  VERBOSE,
  JSON_FLAG,
  flag(["--csv", "-csv"], "csv"),
  LOG,
  YES_FLAG,
];

/** `-wport` and `-wpid`'s flags. */
export const WATCH_FLAGS: readonly FlagSpec[] = [
  flag(["-wport", "--wport"], "wport", { value: "PORT", range: [1, 65535] }),
  flag(["-wpid", "--wpid"], "wpid", { value: "PID", range: [1, 4194304] }),
  flag(["-wt", "--wt"], "wt", { value: "SECONDS", range: [1, 1200] }),
  VERBOSE,
  JSON_FLAG,
  LOG,
  YES_FLAG,
];

/** `-n`'s flags. */
export const QUERY_FLAGS: readonly FlagSpec[] = [
  flag(["-n", "--n"], "host", { value: "HOST" }),
  flag(["-p", "--p"], "protocol", { value: "PROTOCOL" }),
  flag(["-e", "--e"], "endpoint", { value: "PORT", range: [1, 65535] }),
  flag(["-r", "--r"], "range", { value: "START:END" }),
  flag(["-o", "--o"], "ports", { value: "P1,P2,..." }),
  flag(["-q", "--q"], "quiet"),
  flag(["-sl", "--sl"], "slowLink"),
  flag(["-nr", "--nr"], "noReverse"),
  flag(["-sp", "--sp"], "sourcePort", { value: "PORT", range: [1, 65535] }),
  flag(["-cn", "--cn"], "community", { value: "COMMUNITY" }),
  JSON_FLAG,
  LOG,
  YES_FLAG,
];

/** `--version`, which goes with nothing else. */
export const VERSION_FLAG: FlagSpec = flag(["--version", "-version"], "version");

/** The whole table, each flag once. */
const PORTQRY_FLAGS: readonly FlagSpec[] = [
  ...new Set([...LOCAL_FLAGS, ...WATCH_FLAGS, ...QUERY_FLAGS, HELP_FLAG, VERSION_FLAG]),
];

const keysOf = (table: readonly FlagSpec[]) => new Set(table.map((flag) => flag.key));
const LOCAL_KEYS = keysOf(LOCAL_FLAGS), WATCH_KEYS = keysOf(WATCH_FLAGS);
const FILTER_KEYS = [...keysOf(FILTER_FLAGS)];
/** Flags only a remote query takes. */
const QUERY_ONLY_KEYS = [...keysOf(QUERY_FLAGS)].filter((key) => !WATCH_KEYS.has(key));

/** The help each mode flag's `--help` prints. */
const TOPIC_OF_MODE: Record<string, HelpTopic> = {
  local: "local",
  wport: "watch",
  wpid: "watch",
  host: "query",
};

/** Reads a PortQry-style command line. */
export async function parsePortQry(args: readonly string[]): Promise<PortQryCommand> {
  const { given } = readFlags(args, {
    table: PORTQRY_FLAGS,
    positional: false,
    command: "portset",
  });
  const modes = ["local", "wport", "wpid", "host"].filter((key) => given.has(key));

  // Help wins over everything else on the line: it is what someone unsure of the rest asks for.
  if (given.has("help") || given.size === 0) {
    return { mode: "help", topic: modes.length === 0 ? null : TOPIC_OF_MODE[modes[0]] };
  }
  if (given.has("version")) return { mode: "version" };

  atMostOne(given, modes);
  if (modes.length === 0) {
    throw new UsageError(
      "say what to do: -local, -wport PORT, -wpid PID or -n HOST; see 'portset --help'",
    );
  }
  if (modes[0] === "host") {
    refuseWith(given, FILTER_KEYS, "-local");
    return (await import("./query.ts")).parseQuery(given);
  }
  refuseWith(given, QUERY_ONLY_KEYS, "-n HOST");
  atMostOne(given, ["json", "csv"]);
  if (given.has("verbose") && given.has("csv")) {
    throw new UsageError(
      "-v does not go with --csv: modules are listed by the text report and --json",
    );
  }
  if (given.has("yes") && !given.has("log")) throw new UsageError("-y goes with -l FILE");

  const output: OutputOptions = {
    format: given.has("json") ? "json" : given.has("csv") ? "csv" : "text",
    verbose: given.has("verbose"),
    logFile: textOf(given, "log"),
    overwrite: given.has("yes"),
  };
  if (modes[0] === "local") {
    if (given.has("wt")) throw new UsageError("-wt goes with -wport or -wpid");
    const filtered = FILTER_KEYS.some((key) => given.has(key));
    const filter = filtered ? (await import("./local_filters.ts")).parseLocalFilter(given) : null;
    return { mode: "local", ...output, filter };
  }
  refuseWith(
    given,
    [...LOCAL_KEYS].filter((key) => !WATCH_KEYS.has(key) && key !== "csv"),
    "-local",
  );
  if (given.has("csv")) throw new UsageError("--csv does not go with -wport or -wpid; --json does");
  return {
    mode: "watch",
    ...output,
    port: numberOf(given, "wport"),
    pid: numberOf(given, "wpid"),
    intervalSeconds: numberOf(given, "wt") ?? DEFAULT_WATCH_SECONDS,
  };
}
