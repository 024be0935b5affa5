/**
 * portset against Samba's nmbd: UDP 137 is LISTENING and every line of the node status that
 * `nmblookup -A` prints (each name, its suffix, type and flags, and the MAC address) appears in
 * portset's detail as it is, both right after start and once nmbd has won the browser election
 * and registered `..__MSBROWSE__.`, a name with non-printing bytes.
 *
 * @module
 */

import assert from "node:assert/strict";
import { type Daemon, Namespace, waitUntil } from "./support/netns.ts";
import { detailLines, explain, type PortsetRun, resultFor, runPortset } from "./support/portset.ts";
import { type Need, serverTest } from "./support/requirements.ts";

const NEEDS: Need[] = [
  { tool: "nmbd", pkg: "samba" },
  { tool: "nmblookup", pkg: "samba-common-bin" },
];

const NETBIOS_NAME = "PORTSETNB";
const WORKGROUP = "PSWORKGRP";
/** An address for nmbd's one broadcast interface (TEST-NET-1, on a veth pair in the namespace). */
const SUBNET_ADDRESS = "192.0.2.10/24";

/**
 * Gives the namespace a second interface: nmbd serves only when there is a broadcast-capable
 * IPv4 interface besides loopback ("No local IPv4 non-loopback interfaces available"). A veth
 * pair whose both ends stay in the namespace keeps its broadcasts in it. (A dummy interface
 * would do as well, where the kernel has the module.)
 */
async function addBroadcastInterface(namespace: Namespace): Promise<void> {
  await namespace.runOk(["ip", "link", "add", "psnb0", "type", "veth", "peer", "name", "psnb1"]);
  await namespace.runOk(["ip", "addr", "add", SUBNET_ADDRESS, "dev", "psnb0"]);
  await namespace.runOk(["ip", "link", "set", "psnb0", "up"]);
  await namespace.runOk(["ip", "link", "set", "psnb1", "up"]);
}

/** A minimal smb.conf keeping every file nmbd writes in the test's directory. */
async function writeSmbConf(namespace: Namespace): Promise<string> {
  const dir = namespace.dir;
  for (const sub of ["lock", "state", "cache", "private", "pid", "ncalrpc", "log", "nmbd"]) {
    await namespace.makeDir(sub);
  }
  return await namespace.writeFile(
    "smb.conf",
    [
      "[global]",
      `netbios name = ${NETBIOS_NAME}`,
      `workgroup = ${WORKGROUP}`,
      "interfaces = lo psnb0",
      // Bound to 0.0.0.0 as well as to the interfaces, nmbd answers on 127.0.0.1 too.
      "bind interfaces only = no",
      // Force an election at start, so that nmbd becomes the local master browser in seconds.
      "local master = yes",
      "preferred master = yes",
      "os level = 65",
      `lock directory = ${dir}/lock`,
      `state directory = ${dir}/state`,
      `cache directory = ${dir}/cache`,
      `private dir = ${dir}/private`,
      `pid directory = ${dir}/pid`,
      `ncalrpc dir = ${dir}/ncalrpc`,
      `log file = ${dir}/log/log.%m`,
      // The socket nmblookup asks nmbd for unexpected packets through; by default in /run/samba.
      `nmbd:socket dir = ${dir}/nmbd`,
      "",
    ].join("\n"),
  );
}

/** The lines `nmblookup -A 127.0.0.1` prints for the node status, tab and trailing blanks cut. */
async function nmblookup(namespace: Namespace, conf: string): Promise<string[]> {
  const result = await namespace.run(["nmblookup", "-s", conf, "-A", "127.0.0.1"], {
    timeoutMs: 10_000,
  });
  return result.stdout.split("\n")
    .filter((line) => line.startsWith("\t"))
    .map((line) => line.slice(1).trimEnd())
    .filter((line) => line !== "");
}

/**
 * nmblookup, portset, nmblookup again: the name table changes while nmbd registers names, so the
 * comparison counts only when nmblookup read the same table before and after portset's run.
 */
async function compareWithNmblookup(
  namespace: Namespace,
  conf: string,
  daemon: Daemon,
): Promise<{ expected: string[]; run: PortsetRun }> {
  return await waitUntil("the same name table twice around portset's run", async () => {
    const before = await nmblookup(namespace, conf);
    const run = await runPortset(namespace, ["-n", "127.0.0.1", "-p", "udp", "-e", "137"]);
    const after = await nmblookup(namespace, conf);
    return before.join("\n") === after.join("\n") ? { expected: after, run } : null;
  }, { daemon, deadlineMs: 30_000 });
}

function assertSameTable(expected: string[], run: PortsetRun): void {
  const result = resultFor(run, "udp", 137);
  const why = explain(run, "nmblookup -A 127.0.0.1 printed:", ...expected);
  assert.equal(result.state, "LISTENING", why);
  assert.ok(expected.some((line) => line.startsWith("MAC Address = ")), why);
  const lines = detailLines(result);
  const absent = expected.filter((line) => !lines.includes(line));
  assert.deepEqual(absent, [], `nmblookup's lines missing from portset's detail:\n${why}`);
}

await serverTest("nmbd: UDP 137 LISTENING, the node status as nmblookup -A prints it", {
  needs: NEEDS,
  fn: async (_tools, t) => {
    await using namespace = await Namespace.create("nmbd");
    await addBroadcastInterface(namespace);
    const conf = await writeSmbConf(namespace);
    const daemon = namespace.start("nmbd", [
      "nmbd",
      "--foreground",
      "--debug-stdout",
      "--no-process-group",
      "-s",
      conf,
      `--log-basename=${namespace.dir}/log`,
    ]);
    await waitUntil(`nmbd answering with ${NETBIOS_NAME}`, async () => {
      const lines = await nmblookup(namespace, conf);
      return lines.some((line) => line.startsWith(`${NETBIOS_NAME.padEnd(15)} <00>`));
    }, { daemon });

    await t.step("right after start", async () => {
      const { expected, run } = await compareWithNmblookup(namespace, conf, daemon);
      assertSameTable(expected, run);
    });

    await t.step("as local master browser, with ..__MSBROWSE__. <01>", async () => {
      // The election takes nmbd about 20 s.
      await waitUntil("nmbd the local master browser", async () => {
        const lines = await nmblookup(namespace, conf);
        return lines.some((line) => line.startsWith("..__MSBROWSE__. <01>")) &&
          lines.some((line) => line.startsWith(`${WORKGROUP.padEnd(15)} <1d>`));
      }, { daemon, deadlineMs: 90_000, intervalMs: 1_000 });
      const { expected, run } = await compareWithNmblookup(namespace, conf, daemon);
      assertSameTable(expected, run);
    });
  },
});
