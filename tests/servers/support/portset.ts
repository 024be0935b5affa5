/**
 * portset run inside a test's namespace, as a user runs it (`deno run -A main.ts -n HOST ...
 * -nr --json`), and helpers to read its JSON report, which every run checks against
 * schemas/query.schema.json.
 *
 * @module
 */

import type { Protocol, Transport } from "../../../model/endpoint.ts";
import type { PortState } from "../../../remote/port_result.ts";
import { assertValid } from "../../support/schemas.ts";
import { describeRun, type Namespace } from "./netns.ts";

/** The repository's root: the portset under test. */
export const REPO_ROOT: string = new URL("../../../", import.meta.url).pathname;

/** One port of the JSON report (only the fields these tests read). */
export interface JsonResult {
  /** `tcp` or `udp`, `tcp6` or `udp6` when the address probed is IPv6. */
  protocol: Protocol;
  /** The port number. */
  port: number;
  /** Its name in the services file, or null. */
  service: string | null;
  /** What portset found. */
  state: PortState;
  /** The decoded answer, lines joined with `\n`, or null. */
  detail: string | null;
}

/** The JSON report. */
export interface JsonReport {
  /** The host as given with `-n` (`host` is the machine portset ran on). */
  target: string;
  /** The address probed. */
  address: string;
  /** One per port and protocol. */
  results: JsonResult[];
}

/** A finished portset run, parsed. */
export interface PortsetRun {
  /** The parsed report. */
  report: JsonReport;
  /** The command line, for failure messages. */
  command: string;
  /** What portset printed. */
  stdout: string;
  /** What portset printed on stderr. */
  stderr: string;
}

let cached: Promise<void> | null = null;

/**
 * Fetches portset's dependencies once, on the host side, since a namespace has no network: call
 * it before running portset in one.
 */
export function cacheDependencies(): Promise<void> {
  cached ??= (async () => {
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["cache", `${REPO_ROOT}main.ts`],
      cwd: REPO_ROOT,
      stdout: "null",
      stderr: "piped",
      env: { DENO_NO_UPDATE_CHECK: "1" },
    }).output();
    if (!output.success) {
      throw new Error(`deno cache main.ts failed: ${new TextDecoder().decode(output.stderr)}`);
    }
  })();
  return cached;
}

/**
 * Runs `portset ARGS -nr --json` in `namespace` and parses the report; fails unless it exits 0
 * with a JSON object on stdout.
 */
export async function runPortset(
  namespace: Namespace,
  args: readonly string[],
  timeoutMs = 120_000,
): Promise<PortsetRun> {
  await cacheDependencies();
  const command = [Deno.execPath(), "run", "-A", `${REPO_ROOT}main.ts`, ...args, "-nr", "--json"];
  const result = await namespace.run(command, {
    timeoutMs,
    env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
  });
  const shown = `portset ${args.join(" ")} -nr --json`;
  if (result.code !== 0 || result.timedOut) throw new Error(describeRun([shown], result));
  let report: JsonReport;
  try {
    report = JSON.parse(result.stdout);
  } catch (error) {
    throw new Error(`${shown}: not JSON (${(error as Error).message}):\n${result.stdout}`);
  }
  assertValid("query", report, shown);
  return { report, command: shown, stdout: result.stdout, stderr: result.stderr };
}

/** The result for one port and protocol; fails, showing the whole report, when it is absent. */
export function resultFor(run: PortsetRun, protocol: Transport, port: number): JsonResult {
  const found = run.report.results.find((result) =>
    transport(result) === protocol && result.port === port
  );
  if (!found) throw new Error(`${run.command}: no ${protocol} ${port} in\n${run.stdout}`);
  return found;
}

/** `tcp` or `udp`: a result's protocol whichever the address family. */
export function transport(result: JsonResult): Transport {
  return result.protocol.startsWith("udp") ? "udp" : "tcp";
}

/** A result's detail as lines, without surrounding blanks; none when there is no detail. */
export function detailLines(result: JsonResult): string[] {
  return (result.detail ?? "").split("\n").map((line) => line.trim());
}

/** A failure message showing which run said what. */
export function explain(run: PortsetRun, ...oracles: string[]): string {
  return [`${run.command} printed:`, run.stdout, ...oracles].join("\n");
}
