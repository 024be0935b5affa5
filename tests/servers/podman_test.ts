/**
 * A real container: Debian's podman runs python3 in a network namespace of its own
 * (`--network none`, loopback only) holding a TCP listener and a UDP socket on 127.0.0.1, and
 * `portset -local` must tie both sockets to that container as podman itself names it: runtime
 * `podman`, the id `podman inspect` gives, the pid it gives, the endpoints `ss` lists inside the
 * namespace, the label `podman:<12 digits>` in the text report, and `--netns podman:<12>`
 * keeping exactly them.
 *
 * No image is pulled (CI reaches no registry): the container's root is the host's own, through a
 * throw-away overlay (`--rootfs /:O`), so its python3 is the host's.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Endpoint } from "../../model/endpoint.ts";
import { assertValid } from "../support/schemas.ts";
import { ownedEndpointKeys, ssOwnedKeys } from "../support/ss.ts";
import { describeRun, runCommand, waitUntil } from "./support/netns.ts";
import { cacheDependencies, REPO_ROOT } from "./support/portset.ts";
import { type Need, serverTest, systemPython, type Tools } from "./support/requirements.ts";

/**
 * runc, not podman's default crun: Debian's crun 1.8 refuses a host whose cgroups are hybrid (v1
 * controllers, and a v2 hierarchy with one controller of its own, as CI's VM has) with "cgroups
 * in hybrid mode not supported"; runc runs there and on a pure v2 host alike.
 */
const NEEDS: Need[] = [
  { tool: "podman", pkg: "podman" },
  { tool: "runc", pkg: "runc" },
  { tool: "nsenter", pkg: "util-linux" },
];

/**
 * The container's process: a listener and a UDP socket on loopback, then it waits (ten minutes
 * at most, should a crashed test leave the container behind).
 */
const HOLDER = [
  "import socket, time",
  "t = socket.socket(); t.bind(('127.0.0.1', 0)); t.listen()",
  "u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(('127.0.0.1', 0))",
  "print('ready', flush=True)",
  "time.sleep(600)",
].join("\n");

/** The test process's hard limit on `resource` ("Max open files"), -1 for unlimited. */
function hardLimit(resource: string): number {
  const line = Deno.readTextFileSync("/proc/self/limits").split("\n")
    .find((line) => line.startsWith(resource));
  const hard = line?.slice(resource.length).trim().split(/\s+/)[1];
  if (hard === undefined) throw new Error(`no '${resource}' in /proc/self/limits`);
  return hard === "unlimited" ? -1 : Number(hard);
}

/** The number of processes podman itself is limited to: it sets its own RLIMIT_NPROC to 32768. */
const PODMAN_NPROC = 32768;

/**
 * `--ulimit` options that ask for no more than podman has: its defaults (1048576 open files and
 * processes) exceed its hard limits on a host that denies root CAP_SYS_RESOURCE, as CI's VM does,
 * and the runtime then fails with "setrlimit `RLIMIT_NOFILE`: Operation not permitted" (and
 * "error setting rlimit type 6" for the processes).
 */
function ulimits(): string[] {
  const nofile = hardLimit("Max open files");
  const hardNproc = hardLimit("Max processes");
  const nproc = hardNproc === -1 ? PODMAN_NPROC : Math.min(hardNproc, PODMAN_NPROC);
  return ["--ulimit", `nofile=${nofile}:${nofile}`, "--ulimit", `nproc=${nproc}:${nproc}`];
}

/** Runs podman with a deadline; fails with its output unless it exits 0. Returns stdout. */
async function podman(tools: Tools, args: string[], timeoutMs = 60_000): Promise<string> {
  const command = [tools.podman, ...args];
  const result = await runCommand(command, { timeoutMs });
  if (result.code !== 0 || result.timedOut) throw new Error(describeRun(command, result));
  return result.stdout;
}

/** What `nsenter -t PID -n ss -Htuanp` lists in the container's namespace: key and pids. */
async function ssInContainer(tools: Tools, pid: number): Promise<string[]> {
  const command = [tools.nsenter, "-t", String(pid), "-n", "ss", "-Htuanp"];
  const result = await runCommand(command, { timeoutMs: 10_000 });
  if (result.code !== 0 || result.timedOut) throw new Error(describeRun(command, result));
  return ssOwnedKeys(result.stdout);
}

/** `portset ARGS` on the host, as a user runs it; fails unless it exits 0. */
async function portset(args: string[]): Promise<string> {
  await cacheDependencies();
  const command = [Deno.execPath(), "run", "-A", `${REPO_ROOT}main.ts`, ...args];
  const result = await runCommand(command, {
    timeoutMs: 60_000,
    env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
  });
  if (result.code !== 0 || result.timedOut) throw new Error(describeRun(command, result));
  return result.stdout;
}

await serverTest("a podman container's sockets: runtime, id, pid and label as podman gives them", {
  needs: NEEDS,
  fn: async (tools) => {
    const name = `portset-test-${Deno.pid}`;
    try {
      await podman(tools, [
        "run",
        "--detach",
        "--name",
        name,
        "--runtime",
        tools.runc,
        "--network",
        "none",
        ...ulimits(),
        "--rootfs",
        "/:O",
        systemPython(),
        "-c",
        HOLDER,
      ]);
      const id = (await podman(tools, ["inspect", "--format", "{{.Id}}", name])).trim();
      assert.match(id, /^[0-9a-f]{64}$/, "podman inspect's id");
      const pid = Number(await podman(tools, ["inspect", "--format", "{{.State.Pid}}", name]));
      assert.ok(pid > 0, `podman inspect's pid: ${pid}`);
      // The holder is the container's pid 1: podman top's only process, whose host pid is that.
      const top = (await podman(tools, ["top", name, "hpid"])).trim().split("\n").slice(1);
      assert.deepEqual(top.map((line) => Number(line.trim())), [pid], "podman top's host pids");
      const cgroup = Deno.readTextFileSync(`/proc/${pid}/cgroup`);
      const sockets = await waitUntil("the container's two sockets bound", async () => {
        const listed = await ssInContainer(tools, pid);
        return listed.length === 2 ? listed : null;
      }, { deadlineMs: 30_000 });
      const logs = await podman(tools, ["logs", name]);
      assert.match(logs, /^ready$/m, "the holder's output");
      const why = `podman's ${id}, pid ${pid}; its /proc/${pid}/cgroup:\n${cgroup}` +
        `ss in its namespace:\n${sockets.join("\n")}`;
      const inode = Deno.statSync(`/proc/${pid}/ns/net`).ino;
      assert.notEqual(inode, Deno.statSync("/proc/self/ns/net").ino, "a namespace of its own");
      const label = `podman:${id.slice(0, 12)}`;

      const report = JSON.parse(await portset(["-local", "--json"]));
      assertValid("local", report, "-local --json with a podman container");
      const inContainer: Endpoint[] = report.endpoints.filter((endpoint: Endpoint) =>
        endpoint.netns?.inode === inode
      );
      assert.deepEqual(ownedEndpointKeys(inContainer), sockets, `the endpoints ss lists\n${why}`);
      assert.deepEqual(
        inContainer.map((endpoint) => endpoint.protocol).sort(),
        ["tcp", "udp"],
        why,
      );
      for (const endpoint of inContainer) {
        assert.equal(endpoint.pid, pid, why);
        assert.equal(endpoint.process, "python3", why);
        assert.deepEqual(endpoint.netns, {
          inode,
          name: null,
          container: { runtime: "podman", id },
          current: false,
        }, why);
      }

      const selected = JSON.parse(await portset(["-local", "--json", "--netns", label]));
      assert.deepEqual(
        ownedEndpointKeys(selected.endpoints),
        sockets,
        `--netns ${label} keeps exactly the container's sockets\n${why}`,
      );

      const text = await portset(["-local", "--netns", label]);
      // The mappings table and the container's process block each list both sockets.
      const rows = text.split("\n").filter((line) => /\b(TCP|UDP) \d+ +127\.0\.0\.1 /.test(line));
      assert.ok(rows.length > 0, text);
      for (const row of rows) assert.ok(row.trimEnd().endsWith(` ${label}`), text);
      const shown = new Set(rows.map((row) => {
        const [protocol, port] = /\b(TCP|UDP) (\d+) /.exec(row)!.slice(1);
        return `${protocol.toLowerCase()}/127.0.0.1/${port} ${pid}`;
      }));
      assert.deepEqual([...shown].sort(), sockets, `the text report's rows\n${text}`);
      assert.ok(text.includes(` ${pid}:python3 `), `the owner ${pid}:python3 in\n${text}`);
      assert.match(text, new RegExp(`Network namespaces: .*${label}`), text);
    } finally {
      await runCommand([tools.podman, "rm", "--force", "--time", "0", name], {
        timeoutMs: 60_000,
      });
    }
  },
});
