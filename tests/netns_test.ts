/**
 * Every network namespace: sockets held in namespaces the tests create (`ip netns add`, and an
 * unnamed one from `unshare -n`) are listed by `-local` in every format, with their owner and
 * their namespace, exactly as `ip netns exec NAME ss -tulnp` lists them; the host's own come
 * first; `--netns` keeps one; a collector that runs on sees namespaces come and go.
 */

import assert from "node:assert/strict";
import { LinuxCollector } from "../collectors/linux/mod.ts";
import type { Endpoint, Snapshot } from "../model/endpoint.ts";
import { endpointKey } from "../model/endpoint.ts";
import { holdSockets, Namespace, namespaceUnavailable } from "./support/netns.ts";
import { runCli, RunningCli, SYSTEM_PYTHON } from "./support/processes.ts";
import { pollUntil } from "./support/poll.ts";
import { assertValid } from "./support/schemas.ts";
import { ownedEndpointKeys, ssOwnedKeys } from "./support/ss.ts";
import { TestSockets } from "./support/sockets.ts";
import { exists } from "./support/processes.ts";
import { portsLines } from "./support/port_reporter_logs.ts";

const unavailable = namespaceUnavailable("ss") ??
  (exists(SYSTEM_PYTHON) ? null : "needs Debian's python3 (apt-get install python3)");
if (unavailable) console.error(`netns_test.ts: skipped: ${unavailable}`);

/** What `ip netns exec NAME ss -Htulnp` lists: each socket's key and holders' pids. */
async function ssInNamespace(namespace: Namespace): Promise<string[]> {
  const out = await namespace.runOk(["ss", "-Htulnp"]);
  return ssOwnedKeys(out);
}

/** The inode of a named namespace, as `ls -i /run/netns/NAME` shows it. */
function namedInode(namespace: Namespace): number {
  return Deno.statSync(`/run/netns/${namespace.name}`).ino!;
}

Deno.test({
  name: "-local lists a fresh namespace's listeners with pid, process and namespace, as ss there",
  ignore: unavailable !== null,
  async fn() {
    await using namespace = await Namespace.create("local");
    // The same key in the host's namespace and in the new one: both are listed, apart.
    using sockets = new TestSockets();
    const port = sockets.tcpListen("127.0.0.1").port;
    const held = await holdSockets(namespace, [
      `tcp/127.0.0.1/${port}`,
      "udp/127.0.0.1/0",
      "tcp6/::1/0",
    ]);
    try {
      const json = await runCli(["-local", "--json"]);
      assert.equal(json.code, 0, json.stderr);
      const report = JSON.parse(json.stdout);
      assertValid("local", report, "-local --json with another namespace");
      const inNamespace = report.endpoints.filter((e: Endpoint) =>
        e.netns?.name === namespace.name
      );
      assert.deepEqual(
        ownedEndpointKeys(inNamespace),
        await ssInNamespace(namespace),
        "as ss there",
      );
      assert.deepEqual(inNamespace.map(endpointKey).sort(), [...held.keys].sort());
      for (const endpoint of inNamespace) {
        assert.equal(endpoint.pid, held.pid);
        assert.equal(endpoint.process, "python3");
        assert.deepEqual(endpoint.netns, {
          inode: namedInode(namespace),
          name: namespace.name,
          container: null,
          current: false,
        });
      }
      const hostOwn = report.endpoints.filter((e: Endpoint) =>
        endpointKey(e) === `tcp/127.0.0.1/${port}` && e.pid === Deno.pid
      );
      assert.equal(hostOwn.length, 1, "the host's listener on the same key");
      assert.equal(hostOwn[0].netns.current, true);
      assert.equal(hostOwn[0].netns.inode, Deno.statSync("/proc/self/ns/net").ino);
      // The namespace portset runs in comes first.
      const firstOther = report.endpoints.findIndex((e: Endpoint) => !e.netns!.current);
      const lastCurrent = report.endpoints.findLastIndex((e: Endpoint) => e.netns!.current);
      assert.ok(firstOther > lastCurrent, `current first: ${lastCurrent} before ${firstOther}`);

      const filtered = await runCli(["-local", "--json", "--netns", namespace.name]);
      const only = JSON.parse(filtered.stdout).endpoints;
      assert.deepEqual(
        ownedEndpointKeys(only),
        ownedEndpointKeys(inNamespace),
        "--netns NAME keeps it alone",
      );
      const byInode = await runCli(["-local", "--json", "--netns", String(namedInode(namespace))]);
      assert.deepEqual(
        ownedEndpointKeys(JSON.parse(byInode.stdout).endpoints),
        ownedEndpointKeys(only),
      );
      const current = await runCli(["-local", "--json", "--netns", "current", "--port", `${port}`]);
      // Another process of the host may hold the same port number on another address (the
      // bench's socket farms do): the test's own listener is there, the namespace's is not.
      const currentPids = JSON.parse(current.stdout).endpoints.map((e: Endpoint) => e.pid);
      assert.ok(
        currentPids.includes(Deno.pid) && !currentPids.includes(held.pid),
        `--netns current leaves the namespace out: ${currentPids}`,
      );

      const csv = await runCli(["-local", "--csv", "--netns", namespace.name]);
      const lines = csv.stdout.trimEnd().split("\n");
      const header = lines[0].split(",");
      assert.equal(lines.length, 1 + held.keys.length, csv.stdout);
      for (const line of lines.slice(1)) {
        const row = Object.fromEntries(line.split(",").map((cell, i) => [header[i], cell]));
        assert.equal(row.netns, namespace.name);
        assert.equal(row.netnsInode, String(namedInode(namespace)));
        assert.equal(row.pid, String(held.pid));
      }

      const text = await runCli(["-local", "--port", `${port}`]);
      assert.match(
        text.stdout,
        new RegExp(`Network namespaces: current and \\d+ more \\(.*${namespace.name}`),
      );
      const rows = text.stdout.split("\n").filter((line) => line.startsWith(` TCP ${port} `));
      assert.ok(rows.some((row) => row.trimEnd().endsWith(` ${namespace.name}`)), text.stdout);
      // The current namespace's rows end at the peer: their Namespace cell is blank.
      assert.ok(rows.some((row) => /(0\.0\.0\.0|\[::\]):0$/.test(row)), text.stdout);
      assert.ok(!rows.some((row) => row.trimEnd().endsWith(" current")), text.stdout);
    } finally {
      await held.stop();
    }
  },
});

Deno.test({
  name: "a namespace with no name (unshare -n) is found by its process, labelled by its inode",
  ignore: unavailable !== null,
  async fn() {
    const held = await holdSockets(null, ["tcp/127.0.0.1/0"]);
    try {
      const link = Deno.readLinkSync(`/proc/${held.pid}/ns/net`);
      const inode = Number(/^net:\[(\d+)\]$/.exec(link)![1]);
      const run = await runCli(["-local", "--csv", "--netns", String(inode)]);
      assert.equal(run.code, 0, run.stderr);
      const [header, ...rows] = run.stdout.trimEnd().split("\n");
      assert.equal(rows.length, 1, run.stdout);
      const row = Object.fromEntries(
        rows[0].split(",").map((cell, i) => [header.split(",")[i], cell]),
      );
      assert.equal(row.key, held.keys[0]);
      assert.equal(row.pid, String(held.pid));
      assert.equal(row.netns, `net:[${inode}]`);
    } finally {
      await held.stop();
    }
  },
});

Deno.test({
  name: "a collector that runs on sees namespaces appear and go, and keeps no socket of a gone one",
  ignore: unavailable !== null,
  async fn() {
    const collector = await LinuxCollector.open();
    // This process's sockets, by inode: the sock_diag sockets it opens in other namespaces are
    // among them. (Other namespaces, other tests', may come and go meanwhile: counting fds
    // would count their sockets too.)
    const openSockets = () =>
      new Set(
        [...Deno.readDirSync("/proc/self/fd")].flatMap(({ name }) => {
          try {
            return [Deno.readLinkSync(`/proc/self/fd/${name}`)].filter((link) =>
              link.startsWith("socket:")
            );
          } catch {
            return []; // the directory's own fd, closed
          }
        }),
      );
    try {
      const inNamespace = (snapshot: Snapshot, name: string) =>
        snapshot.endpoints.filter((endpoint) => endpoint.netns?.name === name);
      collector.collect({ reuseOwners: true });
      const before = openSockets();
      let name: string;
      let opened: string[];
      {
        await using namespace = await Namespace.create("appear");
        name = namespace.name;
        const held = await holdSockets(namespace, ["tcp/127.0.0.1/0"]);
        const seen = inNamespace(collector.collect({ reuseOwners: true }), name);
        assert.deepEqual(ownedEndpointKeys(seen), await ssInNamespace(namespace), "appeared");
        assert.equal(seen[0].pid, held.pid);
        opened = [...openSockets()].filter((socket) => !before.has(socket));
        // The sock_diag socket lives in the namespace: ss there lists it as this process's.
        const netlink = await namespace.runOk(["ss", "-Hf", "netlink", "-p"]);
        assert.match(netlink, new RegExp(`tcpdiag:deno/${Deno.pid}\\b`), netlink);
        await held.stop();
      }
      const after = collector.collect({ reuseOwners: true });
      assert.deepEqual(inNamespace(after, name), [], "gone with its namespace");
      const still = openSockets();
      assert.ok(opened.length > 0, "a socket was opened for the namespace");
      assert.deepEqual(opened.filter((socket) => still.has(socket)), [], "and closed");
    } finally {
      collector.close();
    }
  },
});

/** A temporary directory for a test's files, removed after. */
function withDirectory(): { path: string } & Disposable {
  const path = Deno.makeTempDirSync({ prefix: "portset-netns-" });
  return { path, [Symbol.dispose]: () => Deno.removeSync(path, { recursive: true }) };
}

Deno.test({
  name: "check: a listener in a fresh namespace on the host's key is Created, in that namespace",
  ignore: unavailable !== null,
  async fn() {
    using dir = withDirectory();
    using sockets = new TestSockets();
    const port = sockets.tcpListen("127.0.0.1").port;
    const key = `tcp/127.0.0.1/${port}`;
    const everyNamespace = `${dir.path}/every.xml`, hostOnly = `${dir.path}/host.xml`;
    Deno.writeTextFileSync(everyNamespace, `<PortSet><include key="${key}"/></PortSet>\n`);
    Deno.writeTextFileSync(
      hostOnly,
      `<PortSet><include key="${key}"/><exclude namespace="*"/></PortSet>\n`,
    );
    for (const rule of [everyNamespace, hostOnly]) {
      const made = await runCli(["baseline", rule, "-o", `${rule}.json`]);
      assert.equal(made.code, 0, made.stderr);
    }
    const baseline = JSON.parse(Deno.readTextFileSync(`${everyNamespace}.json`));
    assertValid("baseline", baseline);
    assert.deepEqual(
      baseline.entities.map((e: { key: string; namespace: string | null }) => [e.key, e.namespace]),
      [[key, null]],
      "the host's listener, in the host's namespace",
    );

    await using namespace = await Namespace.create("check");
    const held = await holdSockets(namespace, [key]);
    try {
      const check = await runCli([
        "check",
        everyNamespace,
        "--baseline",
        `${everyNamespace}.json`,
        "--json",
      ]);
      assert.equal(check.code, 1, `something changed: ${check.stderr}`);
      const report = JSON.parse(check.stdout);
      assertValid("check", report);
      assert.deepEqual(
        report.events.map((
          e: Record<string, unknown>,
        ) => [e.change, e.key, e.namespace, e.pid, e.process]),
        [["Created", key, namespace.name, held.pid, "python3"]],
      );
      const text = await runCli(["check", everyNamespace, "--baseline", `${everyNamespace}.json`]);
      assert.match(text.stdout, new RegExp(`^Created +${key} netns=${namespace.name} `, "m"));
      const cef = await runCli([
        "check",
        everyNamespace,
        "--baseline",
        `${everyNamespace}.json`,
        "--cef",
      ]);
      assert.match(cef.stdout, new RegExp(`cs3Label=namespace cs3=${namespace.name} `));
      const scan = await runCli(["scan", everyNamespace]);
      assert.match(scan.stdout, new RegExp(`^${key} +netns=current `, "m"));
      assert.match(scan.stdout, new RegExp(`^${key} +netns=${namespace.name} `, "m"));

      const host = await runCli(["check", hostOnly, "--baseline", `${hostOnly}.json`, "--json"]);
      assert.equal(host.code, 0, `<exclude namespace="*"/> keeps the host's alone: ${host.stdout}`);
    } finally {
      await held.stop();
    }
  },
});

Deno.test({
  name: "the monitor follows a namespace made while it runs: its lines and records name it",
  ignore: unavailable !== null,
  async fn() {
    using dir = withDirectory();
    const logs = `${dir.path}/logs`;
    const rule = `${dir.path}/rule.xml`;
    Deno.writeTextFileSync(rule, `<PortSet onChange="true"><include namespace="*"/></PortSet>\n`);
    await using monitor = new RunningCli([
      "monitor",
      "--log-dir",
      logs,
      "--interval",
      "1",
      "--rule",
      rule,
      "--jsonl",
    ]);
    await monitor.waitForError(/portset: monitoring every 1 s, logging to /);
    let name: string, pid: number, key: string;
    {
      await using namespace = await Namespace.create("monitor");
      name = namespace.name;
      const held = await holdSockets(namespace, ["tcp/127.0.0.1/0"]);
      [pid, key] = [held.pid, held.keys[0]];
      const port = key.split("/")[2];
      const listen = `,TCP,${port},127.0.0.1,,0.0.0.0,${pid},python3,<root>,LISTENING,listen,`;
      const line = await pollUntil(
        () => portsLines(logs).find((l) => l.includes(listen) && l.endsWith(`,${name}`)),
        { deadlineMs: 15_000 },
      );
      assert.ok(line, `no listen line in ${name}:\n${portsLines(logs).join("\n")}`);
      await monitor.waitFor(new RegExp(`"change":"Created","key":"${key}","namespace":"${name}"`));
      await held.stop();
      const closed = await pollUntil(
        () =>
          portsLines(logs).find((l) =>
            l.includes(`,TCP,${port},127.0.0.1,`) && l.includes(",close,") && l.endsWith(`,${name}`)
          ),
        { deadlineMs: 15_000 },
      );
      assert.ok(closed, `no close line in ${name}:\n${portsLines(logs).join("\n")}`);
    }
    await monitor.waitFor(new RegExp(`"change":"Deleted","key":"${key}","namespace":"${name}"`));
    const run = await monitor.stop("SIGINT");
    assert.equal(run.code, 0, run.stderr);
    const pids = [...Deno.readDirSync(logs)].filter((e) => e.name.startsWith("PR-PIDS-"))
      .map((e) => Deno.readTextFileSync(`${logs}/${e.name}`)).join("");
    assert.match(
      pids,
      new RegExp(
        `Change: listen TCP 127\\.0\\.0\\.1:${
          key.split("/")[2]
        } LISTENING\\nNetwork namespace: ${name}\\n`,
      ),
    );

    // The report reads the new field: the namespace's listener is a socket of its own.
    const report = await runCli(["report", logs, "--json"]);
    assert.equal(report.code, 0, report.stderr);
    assertValid("report", JSON.parse(report.stdout));
  },
});

Deno.test({
  name:
    "a namespace's connections are listed with its listeners: every TCP socket, as ss -tan there",
  ignore: unavailable !== null,
  async fn() {
    // Listeners alone are read by a dump that skips the kernel's table of connections; a
    // namespace that has connections too must be read whole, or they would be missed.
    await using serving = await Namespace.create("serving");
    await using talking = await Namespace.create("talking");
    const pair = [
      "import json, os, signal, socket",
      "l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen()",
      "c = socket.create_connection(l.getsockname()); a, _ = l.accept()",
      "print(json.dumps({'pid': os.getpid()}), flush=True)",
      "signal.pause()",
    ].join("\n");
    const listenerOnly = await holdSockets(serving, ["tcp/127.0.0.1/0", "tcp6/::1/0"]);
    const talker = talking.start("pair.py", [SYSTEM_PYTHON, "-c", pair]);
    try {
      await pollUntil(() => talker.log.includes('"pid"') || undefined, { deadlineMs: 15_000 });
      const tcpKeys = async (namespace: Namespace) =>
        (await namespace.runOk(["ss", "-Htan"])).split("\n").filter((line) => line.trim())
          .map((line) => {
            const [state, , , local, peer] = line.trim().split(/\s+/);
            return `${local} ${peer} ${state}`;
          }).sort();
      const json = await runCli(["-local", "--json"]);
      assert.equal(json.code, 0, json.stderr);
      const endpoints: Endpoint[] = JSON.parse(json.stdout).endpoints;
      const shown = (namespace: Namespace) =>
        endpoints.filter((e) => e.netns?.name === namespace.name && e.protocol.startsWith("tcp"))
          .map((e) => {
            const address = (a: string | null, p: number | null) =>
              a === null
                ? (e.protocol === "tcp6" ? "[::]:*" : "0.0.0.0:*")
                : a.includes(":")
                ? `[${a}]:${p}`
                : `${a}:${p}`;
            const names: Record<string, string> = { LISTENING: "LISTEN", ESTABLISHED: "ESTAB" };
            const state = names[e.state ?? ""] ?? e.state;
            return `${address(e.localAddress, e.localPort)} ${
              address(e.remoteAddress, e.remotePort)
            } ${state}`;
          }).sort();
      assert.deepEqual(shown(talking), await tcpKeys(talking), "the listener and both ends");
      assert.equal(shown(talking).filter((key) => key.endsWith("ESTAB")).length, 2);
      assert.deepEqual(shown(serving), await tcpKeys(serving), "the listeners");
    } finally {
      await listenerOnly.stop();
    }
  },
});

Deno.test({
  name:
    "a listener in a container that opens and closes between two looks is logged, with its namespace",
  ignore: unavailable !== null,
  async fn() {
    using dir = withDirectory();
    const logs = `${dir.path}/logs`;
    // An empty namespace, there before the monitor starts, as a container between restarts.
    await using namespace = await Namespace.create("brief");
    await using monitor = new RunningCli(["monitor", "--log-dir", logs, "--interval", "3"]);
    await monitor.waitForError(/portset: monitoring every 3 s, logging to /);
    // Well within one interval: only the kernel's notice of its close can tell of it.
    const brief = [
      "import socket",
      "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()",
      "port = s.getsockname()[1]; s.close(); print(port, flush=True)",
    ].join("\n");
    const port = (await namespace.runOk([SYSTEM_PYTHON, "-c", brief])).trim();
    const name = namespace.name;
    const line = (change: string) =>
      portsLines(logs).find((l) =>
        l.includes(`,TCP,${port},127.0.0.1,`) && l.includes(`,${change},`) && l.endsWith(`,${name}`)
      );
    const listen = await pollUntil(() => line("listen"), { deadlineMs: 15_000 });
    const close = await pollUntil(() => line("close"), { deadlineMs: 15_000 });
    assert.ok(listen && close, `listen and close in ${name}:\n${portsLines(logs).join("\n")}`);
    assert.equal((await monitor.stop("SIGINT")).code, 0);
  },
});
