/**
 * Child processes that own sockets, for ownership tests, and a helper to run the CLI.
 *
 * @module
 */

export const REPO_ROOT = new URL("../../", import.meta.url).pathname;
const FIXTURES = new URL("../fixtures/", import.meta.url).pathname;

/** Debian's python3: it can fork after bind and run as another user. */
export const SYSTEM_PYTHON = "/usr/bin/python3";

/** A running child that holds sockets until it is closed. */
export interface SocketHolder extends AsyncDisposable {
  pid: number;
  /** The JSON line the child printed when ready. */
  ready: { port: number; pids?: number[] };
  close(): Promise<void>;
}

/** Starts a child and waits (with a deadline) for its one-line JSON readiness report. */
export async function startHolder(
  command: string,
  args: string[],
  deadlineMs = 20_000,
): Promise<SocketHolder> {
  const child = new Deno.Command(command, {
    args,
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const timer = setTimeout(() => child.kill("SIGKILL"), deadlineMs);
  try {
    while (!text.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`${command} ${args.join(" ")} exited before it was ready`);
      text += value;
    }
  } finally {
    clearTimeout(timer);
  }
  const close = async () => {
    reader.cancel().catch(() => {});
    await child.stdin.close().catch(() => {});
    await child.status;
  };
  return {
    pid: child.pid,
    ready: JSON.parse(text.slice(0, text.indexOf("\n"))),
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** A Deno child owning a TCP listener on `address` (and `port`, or one the kernel picks). */
export function startDenoListener(address = "127.0.0.1", port = 0): Promise<SocketHolder> {
  return startHolder(Deno.execPath(), [
    "run",
    "--allow-net",
    `${FIXTURES}listen.ts`,
    address,
    String(port),
  ]);
}

/** A python child owning a listener; `fork-listen` makes two processes hold it. */
export function startPythonHolder(
  mode: "listen" | "fork-listen",
  address: string,
  /** Numeric uid (and gid) to run as. */
  asUser?: string,
): Promise<SocketHolder> {
  const script = [SYSTEM_PYTHON, `${FIXTURES}hold_socket.py`, mode, address];
  return asUser === undefined ? startHolder(script[0], script.slice(1)) : startHolder("setpriv", [
    `--reuid=${asUser}`,
    `--regid=${asUser}`,
    "--clear-groups",
    ...script,
  ]);
}

/**
 * A TCP listener on a port of `address` the kernel picks, held by `python` (Debian's python3 by
 * default, or a copy of it at a path a test chose) renamed `name` first (comm: 15 bytes at most).
 */
export function startNamedListener(
  name: string,
  address = "127.0.0.1",
  python = SYSTEM_PYTHON,
): Promise<SocketHolder> {
  return startHolder(python, [`${FIXTURES}hold_socket.py`, "named-listen", address, name]);
}

/** Output of one CLI run. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The command line of `portset ARGS` from the repository, as the README's task runs it, with
 * `denoFlags` (`--v8-flags=...`) for Deno: for a test that runs it under another command.
 */
export function portsetCommand(args: string[], denoFlags: string[] = []): string[] {
  return [Deno.execPath(), "run", "--allow-all", ...denoFlags, `${REPO_ROOT}main.ts`, ...args];
}

/** Runs `portset ARGS` from the repository, as the README's task does. */
export async function runCli(args: string[], options: Deno.CommandOptions = {}): Promise<CliRun> {
  const [deno, ...command] = portsetCommand(args);
  const output = await new Deno.Command(deno, {
    args: command,
    cwd: REPO_ROOT,
    stdin: "null",
    ...options,
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** True when running as root (ownership of other users' sockets is visible). */
export function isRoot(): boolean {
  return Deno.uid() === 0;
}

/** True when `path` exists. */
export function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** A running CLI whose output a test reads as it comes. */
export class RunningCli implements AsyncDisposable {
  #child: Deno.ChildProcess;
  #output = "";
  #errors = "";
  #reading: Promise<unknown>;

  /**
   * Starts `portset ARGS`; `wrap` turns its command line into the one to run (a network
   * namespace's `ip netns exec`, say).
   */
  constructor(args: string[], wrap: (command: string[]) => string[] = (command) => command) {
    const [program, ...programArgs] = wrap([
      Deno.execPath(),
      "run",
      "--allow-all",
      `${REPO_ROOT}main.ts`,
      ...args,
    ]);
    const child = new Deno.Command(program, {
      args: programArgs,
      cwd: REPO_ROOT,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).spawn();
    this.#child = child;
    const read = async (stream: ReadableStream<Uint8Array>, add: (text: string) => void) => {
      const decoder = new TextDecoder();
      for await (const chunk of stream) add(decoder.decode(chunk, { stream: true }));
      add(decoder.decode());
    };
    this.#reading = Promise.all([
      read(child.stdout, (text) => this.#output += text),
      read(child.stderr, (text) => this.#errors += text),
    ]);
  }

  get pid(): number {
    return this.#child.pid;
  }

  /** Everything printed on stdout so far. */
  get output(): string {
    return this.#output;
  }

  /** Waits, with a deadline, until stdout matches `pattern`; fails the test otherwise. */
  waitFor(pattern: RegExp, deadlineMs = 15_000): Promise<RegExpMatchArray> {
    return this.#waitFor(() => this.#output, "output", pattern, deadlineMs);
  }

  /** The same for stderr. */
  waitForError(pattern: RegExp, deadlineMs = 15_000): Promise<RegExpMatchArray> {
    return this.#waitFor(() => this.#errors, "stderr", pattern, deadlineMs);
  }

  async #waitFor(
    text: () => string,
    name: string,
    pattern: RegExp,
    deadlineMs: number,
  ): Promise<RegExpMatchArray> {
    const deadline = Date.now() + deadlineMs;
    for (;;) {
      const match = text().match(pattern);
      if (match) return match;
      if (Date.now() > deadline) {
        throw new Error(`no ${pattern} in the ${name} within ${deadlineMs} ms:\n${text()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** Sends `signal` and waits for the exit; returns the code, all stdout and all stderr. */
  async stop(signal: Deno.Signal = "SIGINT"): Promise<CliRun> {
    try {
      this.#child.kill(signal);
    } catch {
      // already exited
    }
    return await this.finished();
  }

  /** Waits for the exit. */
  async finished(): Promise<CliRun> {
    const status = await this.#child.status;
    await this.#reading;
    return { code: status.code, stdout: this.#output, stderr: this.#errors };
  }

  async [Symbol.asyncDispose](): Promise<void> {
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // already exited
    }
    await this.#child.status;
    await this.#reading.catch(() => {});
  }
}

/** A child whose sockets' owner changes a step at a time (tests/fixtures/owner_turns.py). */
export interface OwnerTurns extends AsyncDisposable {
  /** The owner and port of the first step. */
  first: { pid: number; port: number };
  /** Takes the next step; its owner and port once it is ready. */
  next(): Promise<{ pid: number; port: number }>;
}

/**
 * Starts owner_turns.py in `mode` (`exec`: the owner execs `program`, keeping its listener;
 * `reuse`: the owner exits and `program`, given its pid, listens), each step's line read with a
 * deadline.
 */
export async function startOwnerTurns(
  mode: "exec" | "reuse",
  address: string,
  program: string,
  deadlineMs = 20_000,
): Promise<OwnerTurns> {
  const child = new Deno.Command(SYSTEM_PYTHON, {
    args: [`${FIXTURES}owner_turns.py`, mode, address, program],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const writer = child.stdin.getWriter();
  let text = "";
  const step = async () => {
    const timer = setTimeout(() => child.kill("SIGKILL"), deadlineMs);
    try {
      while (!text.includes("\n")) {
        const { value, done } = await lines.read();
        if (done) throw new Error(`owner_turns.py ${mode} exited before its step`);
        text += value;
      }
    } finally {
      clearTimeout(timer);
    }
    const line = text.slice(0, text.indexOf("\n"));
    text = text.slice(line.length + 1);
    return JSON.parse(line) as { pid: number; port: number };
  };
  const first = await step();
  return {
    first,
    async next() {
      await writer.write(new TextEncoder().encode("next\n"));
      return await step();
    },
    async [Symbol.asyncDispose]() {
      await writer.close().catch(() => {});
      lines.cancel().catch(() => {});
      await child.status;
    },
  };
}

/** `portset monitor` logging to `logs` every second, once it has said it started. */
export async function startMonitor(logs: string): Promise<RunningCli> {
  const monitor = new RunningCli(["monitor", "--log-dir", logs, "--interval", "1"]);
  await monitor.waitForError(/portset: monitoring every 1 s, logging to /);
  return monitor;
}
