/**
 * A single look (`-local`, scan, baseline, check) loads the Linux collector's later parts (the
 * other namespaces' readers, destroy notifications, the /proc/net fallback) only when the host
 * needs them: not on a host of one network namespace, where they would only cost start-up time;
 * yes, and with the other namespace's sockets listed, when there is another. Each look runs in a
 * process of its own, whose module state starts empty. The one-namespace host is made by
 * `unshare --pid --mount-proc` (its /proc shows only its own processes) with an empty /run/netns.
 * That the parts' modules stay unread, not only unasked for, is checked on the module graph as
 * Deno resolves it: no static import leads to them from the collector's entry point.
 */

import assert from "node:assert/strict";
import { holdSockets, Namespace, namespaceUnavailable } from "./support/netns.ts";
import { exists, REPO_ROOT, SYSTEM_PYTHON } from "./support/processes.ts";

const unavailable = namespaceUnavailable("unshare", "mount") ??
  (exists(SYSTEM_PYTHON) ? null : "needs Debian's python3 (apt-get install python3)");
if (unavailable) console.error(`later_parts_test.ts: skipped: ${unavailable}`);

/** Takes one snapshot as `-local` does, in a process of its own (see the fixture). */
const SINGLE_LOOK = new URL("./fixtures/single_look.ts", import.meta.url).pathname;

interface Look {
  loaded: boolean;
  ports: number[];
  source: string;
  warnings: string[];
}

/** Runs {@linkcode SINGLE_LOOK} in a new process, under `wrapper` when given. */
async function look(wrapper: readonly string[] = [], options = {}): Promise<Look> {
  const deno = [
    Deno.execPath(),
    "run",
    "--allow-all",
    `--config=${REPO_ROOT}deno.json`,
    SINGLE_LOOK,
    JSON.stringify(options),
  ];
  const [command, ...args] = [...wrapper, ...deno];
  const { code, stdout, stderr } = await new Deno.Command(command, {
    args,
    stdin: "null",
    env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
  }).output();
  const text = new TextDecoder();
  assert.equal(code, 0, `the look failed: ${text.decode(stderr)}`);
  return JSON.parse(text.decode(stdout));
}

/** The later parts' modules, none of which may load with the collector itself. */
const LATER_MODULES = [
  "collectors/linux/other_namespaces.ts",
  "collectors/linux/netns_sock_diag.ts",
  "collectors/linux/sock_diag_events.ts",
  "collectors/linux/proc_net.ts",
];

Deno.test("no static import leads from the Linux collector to its later parts", async () => {
  const { code, stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", `--config=${REPO_ROOT}deno.json`, "collectors/linux/mod.ts"],
    cwd: REPO_ROOT,
    env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
    stdout: "piped",
  }).output();
  assert.equal(code, 0);
  const graph = JSON.parse(new TextDecoder().decode(stdout)) as {
    roots: string[];
    modules: {
      specifier: string;
      dependencies?: { code?: { specifier: string }; isDynamic?: boolean }[];
    }[];
  };
  const bySpecifier = new Map(graph.modules.map((module) => [module.specifier, module]));
  // The modules loaded with mod.ts: reached by imports that are neither dynamic nor type-only.
  const loaded = new Set<string>();
  const pending = [...graph.roots];
  while (pending.length > 0) {
    const specifier = pending.pop()!;
    if (loaded.has(specifier)) continue;
    loaded.add(specifier);
    for (const dependency of bySpecifier.get(specifier)?.dependencies ?? []) {
      if (dependency.code && !dependency.isDynamic) pending.push(dependency.code.specifier);
    }
  }
  const root = new URL(REPO_ROOT, "file:///").href;
  assert.ok(loaded.has(`${root}collectors/linux/collector.ts`), "the walk reached the collector");
  for (const module of LATER_MODULES) {
    assert.ok(!loaded.has(`${root}${module}`), `${module} loads only when wanted`);
  }
});

Deno.test({
  name: "a single look on a host of one network namespace loads none of the later parts",
  ignore: unavailable !== null,
  async fn() {
    // A pid namespace with its own /proc, and an empty /run/netns: only this namespace is in use.
    const result = await look([
      "unshare",
      "--mount",
      "--pid",
      "--fork",
      "--mount-proc",
      "sh",
      "-c",
      'if [ -d /run/netns ]; then mount -t tmpfs none /run/netns; fi; exec "$@"',
      "sh",
    ]);
    assert.equal(result.loaded, false, "the later parts stay unloaded");
    assert.deepEqual(result.warnings, []);
  },
});

Deno.test({
  name: "a single look that finds another network namespace loads them and lists its sockets",
  ignore: unavailable !== null,
  async fn() {
    await using namespace = await Namespace.create("later");
    const held = await holdSockets(namespace, ["tcp/127.0.0.1/0"]);
    try {
      const port = Number(held.keys[0].split("/").at(-1));
      const result = await look();
      assert.equal(result.loaded, true, "the other namespaces' readers were loaded");
      assert.ok(result.ports.includes(port), `the namespace's listener on ${port} is listed`);
    } finally {
      await held.stop();
    }
  },
});

Deno.test("a single look that has to read /proc/net loads the fallback and lists what it reads", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const result = await look([], { procNetOnly: true });
  assert.equal(result.loaded, true, "the /proc/net reader was loaded");
  assert.equal(result.source, "procfs");
  assert.ok(result.ports.includes(listener.addr.port), "the test's listener is listed");
});
