/**
 * Network namespaces for the benchmark (`--namespaces N`), as a host running containers has
 * them: each made with `ip netns add`, its loopback up, and one process in it holding a TCP
 * listener and a UDP socket on 127.0.0.1. portset reads every namespace in use (issue 16); ss
 * reads only its own, so the endpoint check counts these sockets apart.
 *
 * @module
 */

import { progress } from "./progress.ts";

/** Sockets each namespace's holder opens. */
export const SOCKETS_PER_NAMESPACE = 2;

const HOLDER = [
  "import socket, sys",
  "t = socket.socket(); t.bind(('127.0.0.1', 0)); t.listen()",
  "u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(('127.0.0.1', 0))",
  "print('ready', flush=True)",
  "sys.stdin.read()",
].join("\n");

/** The namespaces made, and their holders; {@linkcode stop} removes them all. */
export class BenchNamespaces {
  #names: string[] = [];
  #holders: Deno.ChildProcess[] = [];

  /** Sockets the namespaces hold, for the endpoint check. */
  get sockets(): number {
    return this.#holders.length * SOCKETS_PER_NAMESPACE;
  }

  /** Makes `count` namespaces, each with its holder ready. */
  async start(count: number): Promise<void> {
    if (count === 0) return;
    progress(`making ${count} network namespaces, each with a listener and a UDP socket`);
    for (let i = 0; i < count; i++) {
      const name = `portset-bench-${Deno.pid}-${i}`;
      await run(["ip", "netns", "add", name]);
      this.#names.push(name);
      await run(["ip", "netns", "exec", name, "ip", "link", "set", "lo", "up"]);
      const holder = new Deno.Command("ip", {
        args: ["netns", "exec", name, "python3", "-c", HOLDER],
        stdin: "piped",
        stdout: "piped",
        stderr: "inherit",
      }).spawn();
      this.#holders.push(holder);
      const reader = holder.stdout.pipeThrough(new TextDecoderStream()).getReader();
      const { value } = await reader.read();
      reader.releaseLock();
      if (!value?.startsWith("ready")) throw new Error(`the holder in ${name} did not start`);
    }
  }

  /** Ends the holders and removes the namespaces; never throws. */
  async stop(): Promise<void> {
    for (const holder of this.#holders) {
      await holder.stdin.close().catch(() => {});
      await holder.stdout.cancel().catch(() => {});
      await holder.status;
    }
    this.#holders = [];
    for (const name of this.#names) await run(["ip", "netns", "del", name]).catch(() => {});
    this.#names = [];
  }
}

async function run(argv: string[]): Promise<void> {
  const output = await new Deno.Command(argv[0], { args: argv.slice(1), stderr: "piped" })
    .output();
  if (!output.success) {
    throw new Error(`${argv.join(" ")}: ${new TextDecoder().decode(output.stderr).trim()}`);
  }
}
