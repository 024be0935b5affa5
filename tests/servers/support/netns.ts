/**
 * Network namespaces for the server tests. Each test makes its own namespace, with only its
 * loopback interface up, so that the daemons it starts listen on ports that collide neither with
 * the host's nor with another test's, and so that portset's probes and the reference clients'
 * queries never leave it. Everything started in a namespace is stopped, and the namespace and
 * its files deleted, when the namespace is disposed, whether or not the test passed.
 *
 * @module
 */

import type { Transport } from "../../../model/endpoint.ts";
import { findTool } from "./requirements.ts";

/** What a finished command printed. */
export interface CommandResult {
  /** The exit code. */
  code: number;
  /** All of stdout, as text. */
  stdout: string;
  /** All of stderr, as text. */
  stderr: string;
  /** True when the command was killed at its deadline. */
  timedOut: boolean;
}

/** Options of a command run to completion. */
export interface RunOptions {
  /** Killed after this long; every command has a deadline, so a hung tool fails the test. */
  timeoutMs?: number;
  /** Variables added to the environment. */
  env?: Record<string, string>;
  /** Text written to the command's stdin (otherwise stdin is /dev/null). */
  stdin?: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;
/** How long a daemon has to exit after SIGTERM before it is killed. */
const STOP_GRACE_MS = 5_000;
/** The most of a daemon's output kept for a failure message. */
const LOG_LIMIT = 64 * 1024;

let namespaceCount = 0;

function ipPath(): string {
  const ip = findTool("ip");
  if (ip === null) throw new Error("no 'ip' (package iproute2)");
  return ip;
}

/** Runs `command` (argv) to completion on the host, with a deadline. */
export async function runCommand(
  command: readonly string[],
  options: RunOptions = {},
): Promise<CommandResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const deadline = AbortSignal.timeout(timeoutMs);
  const child = new Deno.Command(command[0], {
    args: command.slice(1),
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    env: options.env,
    signal: deadline,
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin)).catch(() => {});
    await writer.close().catch(() => {});
  }
  const output = await child.output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
    timedOut: deadline.aborted,
  };
}

/** A one-paragraph account of a command's run, for failure messages. */
export function describeRun(command: readonly string[], result: CommandResult): string {
  return `${command.join(" ")}: ${
    result.timedOut ? "killed at its deadline" : `exit code ${result.code}`
  }\n--- stdout\n${result.stdout}--- stderr\n${result.stderr}`;
}

/** A long-running process started in a namespace, its output kept for failure messages. */
export class Daemon {
  /** What failure messages call it. */
  readonly name: string;
  /** The process id (of `ip netns exec`, which becomes the daemon). */
  readonly pid: number;
  /** Resolves when the process has exited. */
  readonly exited: Promise<Deno.CommandStatus>;
  #child: Deno.ChildProcess;
  #log = "";
  #reading: Promise<unknown>;
  #status: Deno.CommandStatus | null = null;

  /** Starts collecting `child`'s output. */
  constructor(name: string, child: Deno.ChildProcess) {
    this.name = name;
    this.#child = child;
    this.pid = child.pid;
    const read = async (stream: ReadableStream<Uint8Array>) => {
      const decoder = new TextDecoder();
      for await (const chunk of stream) {
        this.#log = (this.#log + decoder.decode(chunk, { stream: true })).slice(-LOG_LIMIT);
      }
      this.#log += decoder.decode();
    };
    this.#reading = Promise.all([read(child.stdout), read(child.stderr)]).catch(() => {});
    this.exited = child.status.then((status) => this.#status = status);
  }

  /** Everything the daemon printed so far (the last 64 KiB). */
  get log(): string {
    return this.#log;
  }

  /** The exit status, or null while it runs. */
  get status(): Deno.CommandStatus | null {
    return this.#status;
  }

  /** SIGTERM, then SIGKILL if it has not exited within a grace period; waits for the exit. */
  async stop(): Promise<void> {
    if (this.#status === null) {
      try {
        this.#child.kill("SIGTERM");
      } catch {
        // it exited meanwhile
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<"late">((resolve) => {
        timer = setTimeout(() => resolve("late"), STOP_GRACE_MS);
      });
      const outcome = await Promise.race([this.exited, late]);
      clearTimeout(timer);
      if (outcome === "late") {
        try {
          this.#child.kill("SIGKILL");
        } catch {
          // it exited meanwhile
        }
        await this.exited;
      }
    }
    await this.#reading;
  }
}

/** Options of {@linkcode waitUntil}. */
export interface WaitOptions {
  /** Give up after this long (default 20 s). */
  deadlineMs?: number;
  /** Between checks (default 100 ms). */
  intervalMs?: number;
  /** A daemon whose exit means waiting longer is pointless; its log goes in the failure. */
  daemon?: Daemon;
}

/**
 * Polls `check` until it returns something other than null/undefined/false, and returns that;
 * fails with `what` when the deadline passes or the daemon exits first. A check that throws
 * counts as not yet, and its error is shown if the wait fails.
 */
export async function waitUntil<T>(
  what: string,
  check: () => Promise<T | null | undefined | false>,
  options: WaitOptions = {},
): Promise<T> {
  const deadlineMs = options.deadlineMs ?? 20_000;
  const deadline = Date.now() + deadlineMs;
  let last = "";
  for (;;) {
    const daemon = options.daemon;
    if (daemon?.status) {
      throw new Error(
        `${daemon.name} exited (code ${daemon.status.code}) before ${what}:\n${daemon.log}`,
      );
    }
    try {
      const value = await check();
      if (value !== null && value !== undefined && value !== false) return value;
      last = "";
    } catch (error) {
      last = (error as Error).message;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `not ${what} within ${deadlineMs} ms` + (last ? `; last check: ${last}` : "") +
          (daemon ? `\n--- ${daemon.name}'s output\n${daemon.log}` : ""),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
  }
}

/**
 * A network namespace of this test's own, with a private temporary directory for the
 * configuration, pid and state files of what runs in it.
 */
export class Namespace implements AsyncDisposable {
  /** The namespace's name, unique to this process and test (`portset-LABEL-PID-N`). */
  readonly name: string;
  /** The private directory; deleted with the namespace. */
  readonly dir: string;
  #daemons: Daemon[] = [];

  private constructor(name: string, dir: string) {
    this.name = name;
    this.dir = dir;
  }

  /** Makes a namespace with its loopback interface up. */
  static async create(label: string): Promise<Namespace> {
    const name = `portset-${label}-${Deno.pid}-${++namespaceCount}`;
    const dir = await Deno.makeTempDir({ prefix: `portset-${label}-` });
    const add = [ipPath(), "netns", "add", name];
    const added = await runCommand(add);
    if (added.code !== 0) {
      await Deno.remove(dir, { recursive: true });
      throw new Error(describeRun(add, added));
    }
    const namespace = new Namespace(name, dir);
    try {
      await namespace.runOk(["ip", "link", "set", "lo", "up"]);
    } catch (error) {
      await namespace[Symbol.asyncDispose]();
      throw error;
    }
    return namespace;
  }

  /** The argv that runs `command` inside the namespace. */
  wrap(command: readonly string[]): string[] {
    const [tool, ...args] = command;
    // Absolute paths where we know them: `ip netns exec` searches the caller's PATH, which may
    // lack sbin.
    const path = tool.startsWith("/") ? tool : findTool(tool) ?? tool;
    return [ipPath(), "netns", "exec", this.name, path, ...args];
  }

  /** Runs `command` inside the namespace to completion, with a deadline. */
  run(command: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    return runCommand(this.wrap(command), options);
  }

  /** {@linkcode run}, failing with the command's output unless it exits 0. */
  async runOk(command: readonly string[], options: RunOptions = {}): Promise<string> {
    const result = await this.run(command, options);
    if (result.code !== 0 || result.timedOut) throw new Error(describeRun(command, result));
    return result.stdout;
  }

  /** Starts a long-running `command` inside the namespace; it is stopped on dispose. */
  start(name: string, command: readonly string[], env?: Record<string, string>): Daemon {
    const argv = this.wrap(command);
    const child = new Deno.Command(argv[0], {
      args: argv.slice(1),
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env,
    }).spawn();
    const daemon = new Daemon(name, child);
    this.#daemons.push(daemon);
    return daemon;
  }

  /** Writes `text` to `name` in the private directory; returns the file's path. */
  async writeFile(name: string, text: string): Promise<string> {
    const path = `${this.dir}/${name}`;
    await Deno.writeTextFile(path, text);
    return path;
  }

  /** Makes a directory (and its parents) under the private directory; returns its path. */
  async makeDir(name: string, mode = 0o755): Promise<string> {
    const path = `${this.dir}/${name}`;
    await Deno.mkdir(path, { recursive: true, mode });
    return path;
  }

  /** The ports with a listening socket in the namespace (`ss`), for the protocol. */
  async listeningPorts(protocol: Transport): Promise<Set<number>> {
    const out = await this.runOk(["ss", "-Hn", protocol === "tcp" ? "-tl" : "-ul"]);
    const ports = new Set<number>();
    for (const line of out.split("\n")) {
      const local = line.trim().split(/\s+/)[3];
      const port = local?.match(/:(\d+)$/)?.[1];
      if (port) ports.add(Number(port));
    }
    return ports;
  }

  /**
   * Stops the daemons (last started first), kills whatever else still runs in the namespace (the
   * children a daemon forked: every process in it was started by this test), deletes the
   * namespace and the private directory. Every step runs even when one before it failed.
   */
  async [Symbol.asyncDispose](): Promise<void> {
    const errors: unknown[] = [];
    for (const daemon of this.#daemons.reverse()) {
      await daemon.stop().catch((error) => errors.push(error));
    }
    try {
      await this.#killLeftovers();
    } catch (error) {
      errors.push(error);
    }
    const del = [ipPath(), "netns", "del", this.name];
    const deleted = await runCommand(del);
    if (deleted.code !== 0) errors.push(new Error(describeRun(del, deleted)));
    await Deno.remove(this.dir, { recursive: true }).catch((error) => errors.push(error));
    if (errors.length > 0) {
      throw new AggregateError(errors, `cleaning up namespace ${this.name} failed`);
    }
  }

  async #killLeftovers(): Promise<void> {
    const deadline = Date.now() + STOP_GRACE_MS;
    for (;;) {
      const listed = await runCommand([ipPath(), "netns", "pids", this.name]);
      const pids = listed.stdout.split(/\s+/).filter((pid) => /^\d+$/.test(pid)).map(Number);
      if (pids.length === 0) return;
      if (Date.now() > deadline) {
        throw new Error(`processes ${pids.join(", ")} still run in ${this.name}`);
      }
      for (const pid of pids) {
        try {
          Deno.kill(pid, "SIGKILL");
        } catch {
          // exited meanwhile
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
