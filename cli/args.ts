/**
 * Command-line parsing. PortQry's single-dash flags (`-local`, `-wport 80`, `-l FILE`) and the
 * usual double-dash ones (`--json`, `--help`) side by side; every mistake is a {@linkcode UsageError}
 * with one line that says what is wrong.
 *
 * @module
 */

/** A command line portset cannot run. main.ts prints the message and exits with code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** What the command line asks for. */
export type Command =
  | { mode: "help" }
  | { mode: "version" }
  | LocalCommand
  | WatchCommand;

/** Output options shared by the local modes. */
interface OutputOptions {
  format: "text" | "json" | "csv";
  verbose: boolean;
  /** `-l FILE`: also write the output to this file. */
  logFile: string | null;
  /** `-y`: overwrite the log file without asking. */
  overwrite: boolean;
}

/** `-local`: dump every endpoint. */
export interface LocalCommand extends OutputOptions {
  mode: "local";
}

/** `-wport PORT` / `-wpid PID`: watch one port or process. */
export interface WatchCommand extends OutputOptions {
  mode: "watch";
  port: number | null;
  pid: number | null;
  intervalSeconds: number;
}

interface FlagSpec {
  names: readonly string[];
  key: string;
  /** Placeholder for the value this flag takes; absent for switches. */
  value?: string;
  /** Inclusive range a numeric value must fall in. */
  range?: readonly [number, number];
}

const FLAGS: readonly FlagSpec[] = [
  { names: ["-local", "--local"], key: "local" },
  { names: ["-wport", "--wport"], key: "wport", value: "PORT", range: [1, 65535] },
  { names: ["-wpid", "--wpid"], key: "wpid", value: "PID", range: [1, 4194304] },
  { names: ["-wt", "--wt"], key: "wt", value: "SECONDS", range: [1, 1200] },
  { names: ["-v", "--verbose"], key: "verbose" },
  { names: ["-l", "--log"], key: "log", value: "FILE" },
  { names: ["-y", "--yes"], key: "yes" },
  { names: ["--json", "-json"], key: "json" },
  { names: ["--csv", "-csv"], key: "csv" },
  { names: ["--help", "-h", "-help", "-?", "/?"], key: "help" },
  { names: ["--version", "-version"], key: "version" },
];

const FLAG_BY_NAME = new Map(FLAGS.flatMap((flag) => flag.names.map((name) => [name, flag])));

/** Default `-wt`, as PortQry's. */
export const DEFAULT_WATCH_SECONDS = 60;

/** Parses `Deno.args`. Throws {@linkcode UsageError} for anything it cannot run. */
export function parseArgs(args: readonly string[]): Command {
  const given = new Map<string, { name: string; value: string | number | true }>();
  for (let i = 0; i < args.length; i++) {
    const argument = args[i];
    const equals = argument.startsWith("--") ? argument.indexOf("=") : -1;
    const name = equals > 0 ? argument.slice(0, equals) : argument;
    const flag = FLAG_BY_NAME.get(name);
    if (!flag) {
      throw new UsageError(
        argument.startsWith("-") || argument.startsWith("/")
          ? `unknown option '${argument}'; see 'portset --help'`
          : `unexpected argument '${argument}'; see 'portset --help'`,
      );
    }
    const previous = given.get(flag.key);
    if (previous) throw new UsageError(`${name} is given more than once`);
    let value: string | number | true = true;
    if (flag.value) {
      const text = equals > 0 ? argument.slice(equals + 1) : args[++i];
      if (!text || (equals < 0 && text.startsWith("-") && text.length > 1)) {
        throw new UsageError(`${name} needs a ${flag.value}`);
      }
      value = flag.range ? parseWhole(name, flag.value, text, flag.range) : text;
    } else if (equals > 0) {
      throw new UsageError(`${name} takes no value`);
    }
    given.set(flag.key, { name, value });
  }

  if (given.has("help") || given.size === 0) return { mode: "help" };
  if (given.has("version")) return { mode: "version" };

  const modes = ["local", "wport", "wpid"].filter((key) => given.has(key));
  if (modes.length > 1) {
    throw new UsageError(
      `${modes.map((key) => given.get(key)!.name).join(" and ")} cannot be used together`,
    );
  }
  if (modes.length === 0) {
    throw new UsageError("say what to do: -local, -wport PORT or -wpid PID; see 'portset --help'");
  }
  if (given.has("json") && given.has("csv")) {
    throw new UsageError("--json and --csv cannot be used together");
  }
  if (given.has("yes") && !given.has("log")) throw new UsageError("-y goes with -l FILE");

  const output: OutputOptions = {
    format: given.has("json") ? "json" : given.has("csv") ? "csv" : "text",
    verbose: given.has("verbose"),
    logFile: (given.get("log")?.value as string | undefined) ?? null,
    overwrite: given.has("yes"),
  };
  if (modes[0] === "local") {
    if (given.has("wt")) throw new UsageError("-wt goes with -wport or -wpid");
    return { mode: "local", ...output };
  }
  return {
    mode: "watch",
    ...output,
    port: (given.get("wport")?.value as number | undefined) ?? null,
    pid: (given.get("wpid")?.value as number | undefined) ?? null,
    intervalSeconds: (given.get("wt")?.value as number | undefined) ?? DEFAULT_WATCH_SECONDS,
  };
}

function parseWhole(
  name: string,
  placeholder: string,
  text: string,
  [low, high]: readonly [number, number],
): number {
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(value >= low && value <= high)) {
    throw new UsageError(
      `${name} ${placeholder} must be a whole number from ${low} to ${high}, not '${text}'`,
    );
  }
  return value;
}

/** `portset --help`. */
export const HELP = `portset: TCP/UDP port monitor

Usage:
  portset -local [-v] [--json | --csv] [-l FILE [-y]]
  portset --help | --version

Local mode:
  -local          list every TCP/UDP endpoint (IPv4 and IPv6) with its state and owner:
                  pid, process, executable path, user, services, and with -v loaded modules
  -v              verbose: list each owning process's loaded modules
  --json          one JSON object with an "endpoints" array (and "processes")
  --csv           one CSV line per endpoint, with a header line
  -l FILE         also write the output to FILE (asks before replacing it on a terminal)
  -y              replace FILE without asking

Run as root for every owner; without root, other users' sockets are listed with pid null.

Exit codes: 0 done, 1 the system could not be read, 2 bad command line.
`;
