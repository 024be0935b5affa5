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

/** Output of one CLI run. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `portset ARGS` from the repository, as the README's task does. */
export async function runCli(args: string[], options: Deno.CommandOptions = {}): Promise<CliRun> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", `${REPO_ROOT}main.ts`, ...args],
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
