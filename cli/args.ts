/**
 * Command-line parsing. PortQry's single-dash flags (`-local`, `-wport 80`, `-l FILE`) and the
 * usual double-dash ones (`--json`, `--help`) side by side; every mistake is a {@linkcode UsageError}
 * with one line that says what is wrong.
 *
 * @module
 */

import { DEFAULT_RETENTION, type Retention } from "../port_reporter/retention.ts";
import { parsePortList, parsePortRange, PortSpecError, type Protocol } from "../remote/targets.ts";

/** A command line portset cannot run. main.ts prints the message and exits with code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** What the command line asks for. */
export type Command =
  | { mode: "help" }
  | { mode: "version" }
  | LocalCommand
  | WatchCommand
  | QueryCommand
  | ScanCommand
  | BaselineCommand
  | CheckCommand
  | MonitorCommand
  | ServiceCommand
  | ReportCommand;

/** `portset report LOGDIR`: what a directory of Port Reporter logs says. */
export interface ReportCommand {
  mode: "report";
  /** The log directory, or one log file. */
  directory: string;
  format: "text" | "json";
  /** Also write the HTML report here. */
  html: string | null;
  /** `-y`: replace the HTML file without asking. */
  overwrite: boolean;
  /** A JSON file of ports, processes … of interest, on top of the defaults. */
  interests: string | null;
  /** Expected listeners: a portset baseline, or a file of PortSet keys. */
  baseline: string | null;
  /** How the original's slashed dates are ordered. */
  dateOrder: "ymd" | "mdy" | "dmy";
  /** Rows per ranking in the text report. */
  top: number;
}

/** `portset service install|uninstall|status`. */
export interface ServiceCommand {
  mode: "service";
  action: "install" | "uninstall" | "status";
  dryRun: boolean;
  /** Stage the files under this directory instead of `/` (for packagers). */
  root: string;
  logDirectory: string | null;
  intervalSeconds: number;
  rule: string | null;
  /**
   * `auto` (the default): start at boot and now; `manual`: installed only, started by hand, as the
   * original's installer does by default.
   */
  start: "auto" | "manual";
}

/** `portset monitor`: the Port Reporter service's logs and real-time rule events. */
export interface MonitorCommand {
  mode: "monitor";
  /** Port Reporter logs go here. */
  logDirectory: string | null;
  intervalSeconds: number;
  maxBytes: number;
  /** How much of the log directory to keep (`--keep-size`, `--keep-days`). */
  retention: Retention;
  /** Rule whose events are reported as they happen. */
  rule: string | null;
  /** How often a rule with no onChange set is evaluated. */
  ruleIntervalSeconds: number;
  format: "text" | "jsonl" | "cef";
  /** `udp://host:port` or `tcp://host:port`: also send rule events there, RFC 5424. */
  syslog: string | null;
  /** Run under the Windows Service Control Manager (the installed service's command line). */
  windowsService: boolean;
}

/** Default monitor tick. */
export const DEFAULT_MONITOR_SECONDS = 5;
/** Default interval for rules without onChange. */
export const DEFAULT_RULE_SECONDS = 3600;

/** `portset scan RULE [--json]`: the entities a rule selects now. */
export interface ScanCommand {
  mode: "scan";
  rule: string;
  format: "text" | "json";
}

/** `portset baseline RULE -o FILE`: remember what a rule selects now. */
export interface BaselineCommand {
  mode: "baseline";
  rule: string;
  output: string;
}

/** `portset check RULE --baseline FILE`: compare now with a baseline. */
export interface CheckCommand {
  mode: "check";
  rule: string;
  baseline: string;
  format: "text" | "json" | "jsonl" | "cef";
  /** Rewrite the baseline after reporting. */
  update: boolean;
}

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

/** `-n HOST`: PortQry's remote query of TCP/UDP ports. */
export interface QueryCommand {
  mode: "query";
  host: string;
  protocols: Protocol[];
  /** Ports in the order to report them: `-e`'s one, `-r`'s range, or `-o`'s list. */
  ports: number[];
  /** The ports came from `-r`: PortQry then skips the endpoint mapper's query. */
  range: boolean;
  /** `-q`: print nothing; the exit code tells. */
  quiet: boolean;
  /** `-sl`: wait longer for UDP answers. */
  slowLink: boolean;
  /** False with `-nr`. */
  reverseLookup: boolean;
  /** `-sp PORT`: the local port to probe from. */
  sourcePort: number | null;
  /** `-cn`: SNMP community. */
  community: string;
  format: "text" | "json";
  logFile: string | null;
  overwrite: boolean;
}

/** `-e`'s default, as PortQry's. */
export const DEFAULT_QUERY_PORT = 80;
/** `-cn`'s default. */
export const DEFAULT_COMMUNITY = "public";

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
  { names: ["-n", "--n"], key: "host", value: "HOST" },
  { names: ["-p", "--p"], key: "protocol", value: "PROTOCOL" },
  { names: ["-e", "--e"], key: "endpoint", value: "PORT", range: [1, 65535] },
  { names: ["-r", "--r"], key: "range", value: "START:END" },
  { names: ["-o", "--o"], key: "ports", value: "P1,P2,..." },
  { names: ["-q", "--q"], key: "quiet" },
  { names: ["-sl", "--sl"], key: "slowLink" },
  { names: ["-nr", "--nr"], key: "noReverse" },
  { names: ["-sp", "--sp"], key: "sourcePort", value: "PORT", range: [1, 65535] },
  { names: ["-cn", "--cn"], key: "community", value: "COMMUNITY" },
  { names: ["-v", "--verbose"], key: "verbose" },
  { names: ["-l", "--log"], key: "log", value: "FILE" },
  { names: ["-y", "--yes"], key: "yes" },
  { names: ["--json", "-json"], key: "json" },
  { names: ["--csv", "-csv"], key: "csv" },
  { names: ["--help", "-h", "-help", "-?", "/?"], key: "help" },
  { names: ["--version", "-version"], key: "version" },
];

/** The rule commands' flags. */
const RULE_FLAGS: Record<"scan" | "baseline" | "check", readonly FlagSpec[]> = {
  scan: [{ names: ["--json", "-json"], key: "json" }],
  baseline: [{ names: ["-o", "--output"], key: "output", value: "FILE" }],
  check: [
    { names: ["--baseline", "-baseline"], key: "baseline", value: "FILE" },
    { names: ["--json", "-json"], key: "json" },
    { names: ["--jsonl", "-jsonl"], key: "jsonl" },
    { names: ["--cef", "-cef"], key: "cef" },
    { names: ["--update", "-update"], key: "update" },
  ],
};

const HELP_FLAG: FlagSpec = { names: ["--help", "-h", "-help", "-?", "/?"], key: "help" };

type Given = Map<string, { name: string; value: string | number | true }>;

/**
 * Reads flags by `table` into a map keyed by each flag's key; arguments that are not flags are
 * returned in order when `positional` allows them, and refused otherwise.
 */
function readFlags(
  args: readonly string[],
  table: readonly FlagSpec[],
  positional: boolean,
): { given: Given; operands: string[] } {
  const byName = new Map(table.flatMap((flag) => flag.names.map((name) => [name, flag])));
  const given: Given = new Map();
  const operands: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const argument = args[i];
    const equals = argument.startsWith("-") ? argument.indexOf("=") : -1;
    const name = equals > 0 ? argument.slice(0, equals) : argument;
    // Every flag takes one dash or two, PortQry's way or the GNU way: -local, --local, --v.
    const flag = byName.get(name) ??
      byName.get(name.startsWith("--") ? name.slice(1) : name.startsWith("-") ? `-${name}` : name);
    if (!flag) {
      const looksLikeFlag = (argument.startsWith("-") && argument !== "-") ||
        argument.startsWith("/?");
      if (!looksLikeFlag && positional) {
        operands.push(argument);
        continue;
      }
      throw new UsageError(
        looksLikeFlag || argument.startsWith("/")
          ? `unknown option '${argument}'; see 'portset --help'`
          : `unexpected argument '${argument}'; see 'portset --help'`,
      );
    }
    if (given.has(flag.key)) throw new UsageError(`${name} is given more than once`);
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
  return { given, operands };
}

/** Refuses more than one of `keys`, naming them as the user spelled them. */
function atMostOne(given: Given, keys: readonly string[]): void {
  const present = keys.filter((key) => given.has(key));
  if (present.length > 1) {
    throw new UsageError(
      `${present.map((key) => given.get(key)!.name).join(" and ")} cannot be used together`,
    );
  }
}

/** The text a flag was given, or null when it was not. */
function textOf(given: Given, key: string): string | null {
  return (given.get(key)?.value as string | undefined) ?? null;
}

/** The number a flag was given (checked against its range), or null when it was not. */
function numberOf(given: Given, key: string): number | null {
  return (given.get(key)?.value as number | undefined) ?? null;
}

/** Default `-wt`, as PortQry's. */
export const DEFAULT_WATCH_SECONDS = 60;

/** Parses `Deno.args`. Throws {@linkcode UsageError} for anything it cannot run. */
export function parseArgs(args: readonly string[]): Command {
  const command = args[0];
  if (command === "scan" || command === "baseline" || command === "check") {
    return parseRuleCommand(command, args.slice(1));
  }
  if (command === "monitor") return parseMonitorCommand(args.slice(1));
  if (command === "service") return parseServiceCommand(args.slice(1));
  if (command === "report") return parseReportCommand(args.slice(1));
  const { given } = readFlags(args, FLAGS, false);

  if (given.has("help") || given.size === 0) return { mode: "help" };
  if (given.has("version")) return { mode: "version" };

  const modes = ["local", "wport", "wpid", "host"].filter((key) => given.has(key));
  atMostOne(given, modes);
  if (modes.length === 0) {
    throw new UsageError(
      "say what to do: -local, -wport PORT, -wpid PID or -n HOST; see 'portset --help'",
    );
  }
  if (modes[0] === "host") return parseQueryCommand(given);
  for (const key of QUERY_KEYS) {
    if (given.has(key)) throw new UsageError(`${given.get(key)!.name} goes with -n HOST`);
  }
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
    return { mode: "local", ...output };
  }
  if (given.has("csv")) throw new UsageError("--csv does not go with -wport or -wpid; --json does");
  return {
    mode: "watch",
    ...output,
    port: numberOf(given, "wport"),
    pid: numberOf(given, "wpid"),
    intervalSeconds: numberOf(given, "wt") ?? DEFAULT_WATCH_SECONDS,
  };
}

/** Flags only a remote query takes. */
const QUERY_KEYS = [
  "protocol",
  "endpoint",
  "range",
  "ports",
  "quiet",
  "slowLink",
  "noReverse",
  "sourcePort",
  "community",
] as const;

function parseQueryCommand(given: Given): QueryCommand {
  for (const key of ["verbose", "csv", "wt"]) {
    if (given.has(key)) throw new UsageError(`${given.get(key)!.name} does not go with -n HOST`);
  }
  atMostOne(given, ["endpoint", "range", "ports"]);
  if (given.has("quiet")) {
    for (const key of ["json", "log"]) {
      if (given.has(key)) {
        throw new UsageError(`-q prints nothing: it does not go with ${given.get(key)!.name}`);
      }
    }
  }
  if (given.has("yes") && !given.has("log")) throw new UsageError("-y goes with -l FILE");
  const host = textOf(given, "host")!;
  const protocol = (textOf(given, "protocol") ?? "tcp").toLowerCase();
  const protocols: Protocol[] | undefined = (
    { tcp: ["tcp"], udp: ["udp"], both: ["tcp", "udp"] } as Record<string, Protocol[]>
  )[protocol];
  if (!protocols) {
    throw new UsageError(
      `-p PROTOCOL must be tcp, udp or both, not '${textOf(given, "protocol")}'`,
    );
  }
  let ports: number[];
  try {
    ports = given.has("range")
      ? parsePortRange(textOf(given, "range")!)
      : given.has("ports")
      ? parsePortList(textOf(given, "ports")!)
      : [numberOf(given, "endpoint") ?? DEFAULT_QUERY_PORT];
  } catch (error) {
    if (!(error instanceof PortSpecError)) throw error;
    const flag = given.get(given.has("range") ? "range" : "ports")!.name;
    throw new UsageError(`${flag}: ${error.message}`);
  }
  const community = textOf(given, "community") ?? DEFAULT_COMMUNITY;
  return {
    mode: "query",
    host,
    protocols,
    ports,
    range: given.has("range"),
    quiet: given.has("quiet"),
    slowLink: given.has("slowLink"),
    reverseLookup: !given.has("noReverse"),
    sourcePort: numberOf(given, "sourcePort"),
    community,
    format: given.has("json") ? "json" : "text",
    logFile: textOf(given, "log"),
    overwrite: given.has("yes"),
  };
}

function parseRuleCommand(
  command: "scan" | "baseline" | "check",
  args: readonly string[],
): Command {
  const { given, operands } = readFlags(args, [...RULE_FLAGS[command], HELP_FLAG], true);
  if (given.has("help")) return { mode: "help" };
  if (operands.length === 0) throw new UsageError(`portset ${command} needs a RULE file`);
  if (operands.length > 1) {
    throw new UsageError(
      `unexpected argument '${operands[1]}'; portset ${command} takes one RULE file`,
    );
  }
  const rule = operands[0];
  switch (command) {
    case "scan":
      return { mode: "scan", rule, format: given.has("json") ? "json" : "text" };
    case "baseline": {
      const output = textOf(given, "output");
      if (!output) {
        throw new UsageError("portset baseline needs -o FILE, where to write the baseline");
      }
      return { mode: "baseline", rule, output };
    }
    case "check": {
      const baseline = textOf(given, "baseline");
      if (!baseline) throw new UsageError("portset check needs --baseline FILE");
      const formats = ["json", "jsonl", "cef"] as const;
      atMostOne(given, formats);
      const format = formats.find((key) => given.has(key)) ?? "text";
      return { mode: "check", rule, baseline, format, update: given.has("update") };
    }
  }
}

const MONITOR_FLAGS: readonly FlagSpec[] = [
  { names: ["--log-dir"], key: "logDir", value: "DIR" },
  { names: ["--interval"], key: "interval", value: "SECONDS", range: [1, 3600] },
  { names: ["--max-size"], key: "maxSize", value: "SIZE" },
  { names: ["--keep-size"], key: "keepSize", value: "SIZE" },
  { names: ["--keep-days"], key: "keepDays", value: "N" },
  { names: ["--rule"], key: "rule", value: "RULE" },
  { names: ["--rule-interval"], key: "ruleInterval", value: "SECONDS", range: [1, 86400] },
  { names: ["--jsonl"], key: "jsonl" },
  { names: ["--cef"], key: "cef" },
  { names: ["--syslog"], key: "syslog", value: "URL" },
  { names: ["--windows-service"], key: "windowsService" },
  HELP_FLAG,
];

function parseMonitorCommand(args: readonly string[]): Command {
  const { given } = readFlags(args, MONITOR_FLAGS, false);
  if (given.has("help")) return { mode: "help" };
  const text = (key: string) => textOf(given, key);
  const number = (key: string, fallback: number) => numberOf(given, key) ?? fallback;
  const logDirectory = text("logDir"), rule = text("rule");
  if (!logDirectory && !rule) {
    throw new UsageError(
      "portset monitor needs --log-dir DIR (Port Reporter logs), --rule RULE.xml, or both",
    );
  }
  atMostOne(given, ["jsonl", "cef"]);
  const syslog = text("syslog");
  if (syslog !== null) {
    if (!rule) throw new UsageError("--syslog sends rule events: it goes with --rule");
    parseSyslogUrl(syslog);
  }
  for (const key of ["maxSize", "keepSize", "keepDays"]) {
    if (given.has(key) && !logDirectory) {
      throw new UsageError(`${given.get(key)!.name} is about the logs: it goes with --log-dir DIR`);
    }
  }
  const maxBytes = given.has("maxSize") ? parseSize(text("maxSize")!) : 5 * 1024 * 1024;
  const retention = { ...DEFAULT_RETENTION };
  const keepSize = text("keepSize"), keepDays = text("keepDays");
  if (keepSize !== null) {
    retention.maxBytes = isOff(keepSize) ? null : parseSize(keepSize, "--keep-size", 1024 ** 4);
  }
  if (keepDays !== null) {
    retention.maxDays = isOff(keepDays) ? null : parseWhole("--keep-days", "N", keepDays, [
      1,
      36500,
    ]);
  }
  if (retention.maxBytes !== null && retention.maxBytes < maxBytes) {
    throw new UsageError(
      `--keep-size SIZE must be at least --max-size (${
        formatSize(maxBytes)
      }), the size of one log; 0 or off for no limit`,
    );
  }
  return {
    mode: "monitor",
    logDirectory,
    intervalSeconds: number("interval", DEFAULT_MONITOR_SECONDS),
    maxBytes,
    retention,
    rule,
    ruleIntervalSeconds: number("ruleInterval", DEFAULT_RULE_SECONDS),
    format: given.has("jsonl") ? "jsonl" : given.has("cef") ? "cef" : "text",
    syslog,
    windowsService: given.has("windowsService"),
  };
}

const SERVICE_FLAGS: readonly FlagSpec[] = [
  { names: ["--dry-run"], key: "dryRun" },
  { names: ["--root"], key: "root", value: "DIR" },
  { names: ["--log-dir"], key: "logDir", value: "DIR" },
  { names: ["--interval"], key: "interval", value: "SECONDS", range: [1, 3600] },
  { names: ["--rule"], key: "rule", value: "RULE" },
  { names: ["--start"], key: "start", value: "auto|manual" },
  HELP_FLAG,
];

function parseServiceCommand(args: readonly string[]): Command {
  const { given, operands } = readFlags(args, SERVICE_FLAGS, true);
  if (given.has("help")) return { mode: "help" };
  const action = operands[0];
  if (action !== "install" && action !== "uninstall" && action !== "status") {
    throw new UsageError(
      action === undefined
        ? "portset service needs install, uninstall or status"
        : `unknown service action '${action}'; expected install, uninstall or status`,
    );
  }
  if (operands.length > 1) throw new UsageError(`unexpected argument '${operands[1]}'`);
  if (action !== "install") {
    for (const key of ["logDir", "interval", "rule", "start"]) {
      if (given.has(key)) throw new UsageError(`${given.get(key)!.name} goes with service install`);
    }
  }
  const start = textOf(given, "start") ?? "auto";
  if (start !== "auto" && start !== "manual") {
    throw new UsageError(`--start must be auto or manual, not '${start}'`);
  }
  return {
    mode: "service",
    action,
    start,
    dryRun: given.has("dryRun"),
    root: textOf(given, "root") ?? "/",
    logDirectory: textOf(given, "logDir"),
    intervalSeconds: numberOf(given, "interval") ??
      DEFAULT_MONITOR_SECONDS,
    rule: textOf(given, "rule"),
  };
}

const REPORT_FLAGS: readonly FlagSpec[] = [
  { names: ["--json", "-json"], key: "json" },
  { names: ["--html", "-html"], key: "html", value: "FILE" },
  { names: ["-y", "--yes"], key: "yes" },
  { names: ["--interests"], key: "interests", value: "FILE" },
  { names: ["--baseline"], key: "baseline", value: "FILE" },
  { names: ["--date-order"], key: "dateOrder", value: "ORDER" },
  { names: ["--top"], key: "top", value: "N", range: [1, 100000] },
  HELP_FLAG,
];

function parseReportCommand(args: readonly string[]): Command {
  const { given, operands } = readFlags(args, REPORT_FLAGS, true);
  if (given.has("help")) return { mode: "help" };
  if (operands.length === 0) {
    throw new UsageError("portset report needs LOGDIR, a directory of logs");
  }
  if (operands.length > 1) {
    throw new UsageError(`unexpected argument '${operands[1]}'; portset report takes one LOGDIR`);
  }
  const text = (key: string) => textOf(given, key);
  const dateOrder = text("dateOrder") ?? "ymd";
  if (dateOrder !== "ymd" && dateOrder !== "mdy" && dateOrder !== "dmy") {
    throw new UsageError(`--date-order must be ymd, mdy or dmy, not '${dateOrder}'`);
  }
  if (given.has("yes") && !given.has("html")) throw new UsageError("-y goes with --html FILE");
  return {
    mode: "report",
    directory: operands[0],
    format: given.has("json") ? "json" : "text",
    html: text("html"),
    overwrite: given.has("yes"),
    interests: text("interests"),
    baseline: text("baseline"),
    dateOrder,
    top: numberOf(given, "top") ?? 20,
  };
}

const SIZE_SCALES: Record<string, number> = {
  "": 1,
  K: 1024,
  M: 1024 ** 2,
  G: 1024 ** 3,
  T: 1024 ** 4,
};

/** `512K`, `5M`, `5MB`, `1048576`: a size in bytes, from 1 KiB to `max` (1 GiB for `--max-size`). */
export function parseSize(text: string, flag = "--max-size", max = 1024 ** 3): number {
  const match = /^(\d+)\s*([KMGT]?)(i?B)?$/i.exec(text.trim());
  const scale = SIZE_SCALES[(match?.[2] ?? "").toUpperCase()];
  const bytes = match && scale !== undefined ? Number(match[1]) * scale : NaN;
  if (!(bytes >= 1024 && bytes <= max)) {
    throw new UsageError(
      `${flag} SIZE must be from 1K to ${formatSize(max)} (e.g. 512K, 5M), not '${text}'`,
    );
  }
  return bytes;
}

/** `5M`, `1G`: a size as the flags take it, in the largest unit that divides it. */
export function formatSize(bytes: number): string {
  const unit = ["T", "G", "M", "K"].find((unit) => bytes % SIZE_SCALES[unit] === 0);
  return unit ? `${bytes / SIZE_SCALES[unit]}${unit}` : String(bytes);
}

/** `0` or `off`: a limit switched off. */
function isOff(text: string): boolean {
  return /^(0+|off)$/i.test(text.trim());
}

/** `udp://host:port` or `tcp://host:port` (port default 514). */
export function parseSyslogUrl(
  text: string,
): { transport: "udp" | "tcp"; host: string; port: number } {
  const match = /^(udp|tcp):\/\/(\[[^\]]+\]|[^:/]+)(?::(\d+))?\/?$/.exec(text);
  const port = Number(match?.[3] ?? 514);
  if (!match || !(port >= 1 && port <= 65535)) {
    throw new UsageError(
      `--syslog URL must be udp://HOST[:PORT] or tcp://HOST[:PORT], not '${text}'`,
    );
  }
  return { transport: match[1] as "udp" | "tcp", host: match[2].replace(/^\[|\]$/g, ""), port };
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
  portset -wport PORT | -wpid PID [-wt SECONDS] [-v] [--json] [-l FILE [-y]]
  portset -n HOST [-p tcp|udp|both] [-e PORT | -r START:END | -o P1,P2,...] [-q] [-sl] [-nr]
                  [-sp PORT] [-cn COMMUNITY] [--json] [-l FILE [-y]]
  portset scan RULE.xml [--json]
  portset baseline RULE.xml -o BASELINE.json
  portset check RULE.xml --baseline BASELINE.json [--json | --jsonl | --cef] [--update]
  portset monitor [--log-dir DIR] [--rule RULE.xml] [--interval SECONDS] [--max-size SIZE]
                  [--keep-size SIZE] [--keep-days N] [--rule-interval SECONDS]
                  [--jsonl | --cef] [--syslog udp://HOST[:PORT]]
  portset service install [--log-dir DIR] [--interval SECONDS] [--rule RULE.xml]
                          [--start auto|manual] [--dry-run]
  portset service uninstall [--dry-run] | portset service status
  portset report LOGDIR [--json] [--html FILE [-y]] [--interests FILE] [--baseline FILE]
                 [--date-order ymd|mdy|dmy] [--top N]
  portset --help | --version

Local mode:
  -local          list every TCP/UDP endpoint (IPv4 and IPv6) with its state and owner:
                  pid, process, executable path, user, services, and with -v loaded modules
  -v              verbose: list each owning process's loaded modules
  --json          one JSON object with an "endpoints" array (and "processes")
  --csv           one CSV line per endpoint, with a header line
  -l FILE         also write the output to FILE (asks before replacing it on a terminal)
  -y              replace FILE without asking

Watch modes (stop with Ctrl+C; the log stays complete):
  -wport PORT     watch one local port, TCP and UDP: listeners, connections, state changes
  -wpid PID       watch every socket of one process, until it exits
  -wt SECONDS     how often to look, 1 to 1200 (default 60)
  --json          one JSON line per change (and start and end records)

Remote queries (PortQry's -n mode):
  -n HOST         the host to query, a name or an IPv4/IPv6 address
  -p PROTOCOL     tcp (default), udp or both
  -e PORT         one port (default 80); or -r START:END, a range; or -o P1,P2,..., a list
  -q              quiet: print nothing, answer by exit code: 0 LISTENING, 1 NOT LISTENING,
                  2 FILTERED or LISTENING or FILTERED; for several ports the least certain
                  answer wins (2 over 1 over 0), so 0 means every port listens. Note that 2 is
                  also the exit code of a bad command line (PortQry's codes, kept as they are)
  -sl             slow link: wait 3 s instead of 1 s for UDP answers and greetings
  -nr             do not look up the name of an IP address given as HOST
  -sp PORT        send from this local port (TCP and UDP)
  -cn COMMUNITY   SNMP community for UDP 161 (default public)
  --json          one JSON object: host, address, name, results [{protocol, port, service,
                  state, detail}]
  States: LISTENING (connection accepted, UDP answer), NOT LISTENING (TCP reset, ICMP port
  unreachable), FILTERED (no TCP answer to 3 tries of 1 s), LISTENING or FILTERED (UDP silence).
  UDP 53, 123, 137, 161 and 389 are asked a DNS, NTP, NetBIOS, SNMP or CLDAP question, and the
  answer is shown; TCP 21, 25, 110 and 143 have their greeting read. Without -q, the exit code is
  0 when the query ran, 1 when HOST cannot be resolved or probed.

PortSet rules (RULE.xml holds a <PortSet>, or several entity sets under one root element):
  scan            the listening ports the rule selects now, with their monitored attributes
  baseline        write them to BASELINE.json (atomically), with the rule's digest
  check           one event per difference from the baseline: Created, Updated, Deleted;
                  exit 0 when nothing changed, 1 when something did
  --update        after reporting, rewrite the baseline with what is there now

Monitor (the Port Reporter service; stops cleanly on Ctrl+C or SIGTERM):
  --log-dir DIR   write PR-INITIAL, PR-PORTS and PR-PIDS logs there (created 0700; refused
                  when another user owns it or others can write it); new PR-PORTS/PR-PIDS
                  files at midnight and past --max-size (default 5M)
  --keep-size     remove the oldest logs to keep the directory within SIZE (default 1G)
  --keep-days     remove logs last written more than N days ago (default 90);
                  0 or off for either: no limit
  --interval      seconds between looks, 1 to 3600 (default 5)
  --rule          report the rule's Created/Updated/Deleted events as they happen (every look
                  when a PortSet has onChange="true", else every --rule-interval, default 3600)
  --syslog        also send rule events to a syslog server, RFC 5424 over UDP or TCP

Service (runs the monitor from boot; install and uninstall need root):
  install         Linux: /etc/systemd/system/portset.service, enabled and started;
                  macOS: /Library/LaunchDaemons/org.portset.monitor.plist, bootstrapped;
                  Windows: service portset, log directory for Administrators and SYSTEM.
                  Refused (exit 2) when the rule does not parse or the service could not see
                  the program, the rule or the log directory (under /tmp, say)
  --start         auto (default): start at boot and now; manual: install only
  --dry-run       print the file and the commands instead of acting
  status          exit 0 running, 3 installed but not running, 4 not installed

Report (reads Port Reporter logs: portset's, and the original's CSV dialect):
  LOGDIR          a directory of PR-INITIAL, PR-PORTS and PR-PIDS logs (or one log file);
                  read streaming, with a progress bar on a terminal
  --json          the report as one JSON object (format "portset-report/1")
  --html FILE     also write a self-contained HTML report: timeline, hours, top processes
                  and remote addresses, a filterable table of changes
  --interests     a JSON file of ports, processes, modules, users, remote addresses and
                  expected directories of interest, added to the defaults
  --baseline      listeners expected (a portset baseline file, or PortSet keys one per line);
                  others are flagged as new. Default: those of the first start-up snapshot
  --date-order    how the original's slashed dates read: ymd (its own), mdy or dmy
  --top N         rows per ranking in the text report (default 20)

Run as root for every owner; without root, other users' sockets are listed with pid null.

Exit codes: 0 done (check: no change); 1 the system could not be read or output could not be
written (check: something changed); 2 bad command line, rule file, baseline or output file
(check: any error); 70 an internal error (a bug: please report it).
`;
