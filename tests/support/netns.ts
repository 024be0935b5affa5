/**
 * Running a shell script inside a network namespace of its own (`unshare -n`, as root): only a
 * loopback interface, brought up by the script's preamble, no listener of the host's, and
 * firewall rules and sysctls that vanish with it. portset runs inside through `PORTSET`, the
 * command line that starts the CLI from the repository.
 *
 * For tests that hold sockets on fixed ports or addresses while portset runs: the server tests'
 * {@linkcode Namespace} (`ip netns`), {@linkcode serve} to hold the sockets in it, and
 * {@linkcode runCliIn} to run portset there.
 *
 * @module
 */

import { type CommandResult, Daemon, Namespace, waitUntil } from "../servers/support/netns.ts";
import { cacheDependencies } from "../servers/support/portset.ts";
import { exists, isRoot, REPO_ROOT, SYSTEM_PYTHON } from "./processes.ts";
import type { FdScanLibc } from "../../collectors/linux/ffi.ts";
import { type NamespaceCensus, NamespaceFinder } from "../../collectors/linux/netns.ts";

export { Namespace };

/** Why namespace tests cannot run here, or null when they can. */
export function namespaceUnavailable(...commands: string[]): string | null {
  if (!isRoot()) return "needs root to create a network namespace";
  for (const command of ["unshare", "ip", ...commands]) {
    const found = ["/usr/sbin", "/usr/bin", "/sbin", "/bin"].some((dir) =>
      exists(`${dir}/${command}`)
    );
    if (!found) return `needs ${command} (apt-get install ${packageOf(command)})`;
  }
  return null;
}

function packageOf(command: string): string {
  return { ip: "iproute2", unshare: "util-linux", ip6tables: "iptables" }[command] ?? command;
}

/** What a script in a namespace printed, and its exit code. */
export interface NamespaceRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `script` (sh) in a new network namespace whose loopback is up. The script can run
 * portset as `$PORTSET ARGS`.
 */
export async function inNewNamespace(script: string): Promise<NamespaceRun> {
  const portset = `${Deno.execPath()} run --allow-all ${REPO_ROOT}main.ts`;
  const output = await new Deno.Command("unshare", {
    args: ["-n", "sh", "-c", `set -e; ip link set lo up; ${script}`],
    env: { PORTSET: portset, DENO_NO_UPDATE_CHECK: "1" },
    stdin: "null",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** One result line of `portset -n --json`. */
export interface JsonResult {
  protocol: string;
  port: number;
  state: string;
  reason: string | null;
  query: string | null;
  detail: string | null;
}

/** The results of `portset -n ... --json` output; throws with the output when it is not JSON. */
export function jsonResults(run: NamespaceRun): JsonResult[] {
  try {
    return JSON.parse(run.stdout).results;
  } catch {
    throw new Error(`not portset's JSON (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
}

/** Sockets that tests/fixtures/serve.ts holds inside a namespace. */
export interface Served {
  /** The keys asked for, each with the port it got (`udp/127.0.0.1/0` became `.../41234`). */
  keys: string[];
  /** The client port of each `=connected` listener's connection, by key. */
  clients: Record<string, number>;
  /** The datagrams a UDP key has received so far, in order. */
  received(key: string): { bytes: Uint8Array; from: number }[];
  /** Stops serve.ts, which closes every socket it holds; the namespace would at its end. */
  stop(): Promise<void>;
}

const SERVE = new URL("../fixtures/serve.ts", import.meta.url).pathname;

/**
 * Starts tests/fixtures/serve.ts in `namespace`, holding the sockets `specs` name
 * (`PROTOCOL/ADDRESS/PORT[=RESPONDER]`), and waits until they are open. Inside the namespace a
 * fixed port is free whatever the host runs; the server stops with the namespace.
 */
export async function serve(namespace: Namespace, specs: readonly string[]): Promise<Served> {
  const daemon = namespace.start(
    "serve.ts",
    [Deno.execPath(), "run", "--allow-net", SERVE, ...specs],
    { DENO_NO_UPDATE_CHECK: "1" },
  );
  const records = () =>
    daemon.log.split("\n").flatMap((line) => {
      try {
        return [JSON.parse(line)];
      } catch {
        return []; // a partial last line, or a warning
      }
    });
  const ready = await waitUntil(
    `serve.ts holds ${specs.join(" ")}`,
    () => Promise.resolve(records().find((record) => Array.isArray(record.keys))),
    { daemon },
  );
  return {
    keys: ready.keys,
    clients: ready.clients,
    stop: () => daemon.stop(),
    received: (key) =>
      records().filter((record) => record.received === key).map((record) => ({
        bytes: new Uint8Array((record.hex.match(/../g) ?? []).map((h: string) => parseInt(h, 16))),
        from: record.from,
      })),
  };
}

/** Runs the Deno program `script` with `args` inside `namespace`, with every permission. */
export async function runScriptIn(
  namespace: Namespace,
  script: string,
  args: readonly string[],
  timeoutMs = 60_000,
): Promise<CommandResult> {
  const run = await namespace.run([Deno.execPath(), "run", "--allow-all", script, ...args], {
    timeoutMs,
    env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
  });
  if (run.timedOut) throw new Error(`${script} ${args.join(" ")}: killed at its deadline`);
  return run;
}

/**
 * Runs `portset ARGS` inside `namespace` as runCli runs it on the host (from the repository, its
 * dependencies cached beforehand: a namespace has no network).
 */
export async function runCliIn(
  namespace: Namespace,
  args: readonly string[],
  timeoutMs = 60_000,
): Promise<CommandResult> {
  await cacheDependencies();
  return await runScriptIn(namespace, `${REPO_ROOT}main.ts`, args, timeoutMs);
}

const PROBE = new URL("../fixtures/probe.ts", import.meta.url).pathname;

/**
 * The outcome of tests/fixtures/probe.ts's one probe inside `namespace` (`tcp-linux`,
 * `tcp-portable` or `udp`, then ADDRESS PORT SOURCE_PORT [shared]), parsed from its JSON.
 */
export async function probeIn(namespace: Namespace, args: readonly string[]): Promise<unknown> {
  const run = await runScriptIn(namespace, PROBE, args);
  if (run.code !== 0) {
    throw new Error(`probe.ts ${args.join(" ")}: exit ${run.code}\n${run.stderr}`);
  }
  return JSON.parse(run.stdout);
}

const HOLD_SOCKETS = new URL("../fixtures/hold_sockets.py", import.meta.url).pathname;

/** Sockets tests/fixtures/hold_sockets.py holds in a namespace, and the process holding them. */
export interface HeldSockets {
  /** The holder's pid: `ip netns exec` and `unshare` exec python3, so it is theirs. */
  pid: number;
  /** The keys asked for, each with the port it got. */
  keys: string[];
  /** Stops the holder, which closes its sockets. */
  stop(): Promise<void>;
}

/**
 * Starts Debian's python3 holding `keys` (`tcp/127.0.0.1/0`; see tests/fixtures/hold_sockets.py)
 * in `namespace`, or in a new namespace of its own with no name (`unshare -n`) when it is null,
 * and waits until they are open.
 */
export async function holdSockets(
  namespace: Namespace | null,
  keys: readonly string[],
): Promise<HeldSockets> {
  const python = [SYSTEM_PYTHON, HOLD_SOCKETS, ...keys];
  let daemon: Daemon;
  if (namespace) {
    daemon = namespace.start("hold_sockets.py", python);
  } else {
    const child = new Deno.Command("unshare", {
      args: ["-n", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", ...python],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    daemon = new Daemon("hold_sockets.py (unshare -n)", child);
  }
  try {
    const ready = await waitUntil(`hold_sockets.py holds ${keys.join(" ")}`, () => {
      const line = daemon.log.split("\n").find((line) => line.startsWith("{"));
      return Promise.resolve(line ? JSON.parse(line) as { pid: number; keys: string[] } : null);
    }, { daemon });
    return { pid: ready.pid, keys: ready.keys, stop: () => daemon.stop() };
  } catch (error) {
    await daemon.stop();
    throw error;
  }
}

/**
 * The real finder of namespaces, with `after` run right after each of its looks: for tests that
 * make something happen between a look and the dumps it leads to.
 */
export function finderAfterEachLook(
  libc: FdScanLibc,
  after: (census: NamespaceCensus) => void,
): NamespaceFinder {
  const finder = new NamespaceFinder(libc);
  return new Proxy(finder, {
    get(target, property) {
      if (property !== "find") {
        const value = Reflect.get(target, property, target);
        return typeof value === "function" ? value.bind(target) : value;
      }
      return (pids: readonly number[]) => {
        const census = target.find(pids);
        after(census);
        return census;
      };
    },
  });
}
