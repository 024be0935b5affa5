/**
 * portset against Debian's dnsmasq: on port 53 portset's DNS question is answered, and the
 * response code portset reports agrees with `dig`'s; on another port dnsmasq is not asked DNS
 * (an empty datagram, which it drops), and portset and `nmap -sU` both call it open or filtered.
 *
 * @module
 */

import assert from "node:assert/strict";
import { type Daemon, Namespace, waitUntil } from "./support/netns.ts";
import { nmapStates } from "./support/nmap.ts";
import { explain, resultFor, runPortset } from "./support/portset.ts";
import { type Need, serverTest } from "./support/requirements.ts";

const NEEDS: Need[] = [
  { tool: "dnsmasq", pkg: "dnsmasq" },
  { tool: "dig", pkg: "dnsutils" },
];

/** The one name the server answers for, proof that the server answering is ours. */
const TEST_NAME = "example.test";
const TEST_ADDRESS = "192.0.2.1";

/** Starts dnsmasq on 127.0.0.1:`port` and waits until it answers `dig`. */
async function startDnsmasq(namespace: Namespace, port: number): Promise<Daemon> {
  const daemon = namespace.start("dnsmasq", [
    "dnsmasq",
    "--keep-in-foreground",
    "--conf-file=/dev/null", // not /etc/dnsmasq.conf, nor /etc/dnsmasq.d
    "--no-resolv",
    "--no-hosts",
    `--port=${port}`,
    "--listen-address=127.0.0.1",
    "--bind-interfaces",
    `--address=/${TEST_NAME}/${TEST_ADDRESS}`,
    `--pid-file=${namespace.dir}/dnsmasq.pid`,
    // Root keeps the pid file writable and needs no "dnsmasq" account (dnsmasq-base has none).
    "--user=root",
    "--log-facility=-",
  ]);
  await waitUntil(`dnsmasq answering on port ${port}`, async () => {
    const result = await namespace.run([
      "dig",
      `@127.0.0.1`,
      "-p",
      String(port),
      "+short",
      "+time=1",
      "+tries=1",
      TEST_NAME,
      "A",
    ], { timeoutMs: 5_000 });
    return result.stdout.trim() === TEST_ADDRESS;
  }, { daemon });
  return daemon;
}

await serverTest("dnsmasq: UDP 53 LISTENING, response code as dig reads it", {
  needs: NEEDS,
  fn: async () => {
    await using namespace = await Namespace.create("dnsmasq");
    await startDnsmasq(namespace, 53);
    // The same question portset asks: the root's name servers, no recursion.
    const dig = await namespace.runOk(["dig", "@127.0.0.1", ".", "NS", "+norec", "+time=2"]);
    const status = dig.match(/status: ([A-Z]+)/)?.[1];
    assert.ok(status, `no status in dig's answer:\n${dig}`);

    const run = await runPortset(namespace, ["-n", "127.0.0.1", "-p", "both", "-e", "53"]);
    const udp = resultFor(run, "udp", 53);
    assert.equal(udp.state, "LISTENING", explain(run));
    assert.match(
      udp.detail ?? "",
      new RegExp(`\\b${status}\\b`),
      explain(run, `dig said status ${status}:`, dig),
    );

    // dnsmasq serves DNS over TCP as well; portset must see the listener ss sees.
    const tcp = resultFor(run, "tcp", 53);
    const tcpListens = (await namespace.listeningPorts("tcp")).has(53);
    assert.equal(tcp.state, tcpListens ? "LISTENING" : "NOT LISTENING", explain(run));
  },
});

await serverTest("dnsmasq off port 53: an empty datagram gets no answer, as nmap -sU sees", {
  needs: [...NEEDS, { tool: "nmap", pkg: "nmap" }],
  fn: async () => {
    await using namespace = await Namespace.create("dnsmasq5300");
    // A port for which neither portset nor nmap has a protocol payload (nmap has one for 5353,
    // mDNS, which dnsmasq would answer).
    const port = 5300;
    await startDnsmasq(namespace, port);
    const run = await runPortset(namespace, ["-n", "127.0.0.1", "-p", "both", "-e", String(port)]);
    const nmapUdp = await nmapStates(namespace, "udp", "127.0.0.1", [port]);
    const nmapTcp = await nmapStates(namespace, "tcp", "127.0.0.1", [port]);
    assert.equal(nmapUdp.states.get(port), "LISTENING or FILTERED", nmapUdp.xml);
    assert.equal(resultFor(run, "udp", port).state, "LISTENING or FILTERED", explain(run));
    assert.equal(resultFor(run, "tcp", port).state, nmapTcp.states.get(port), explain(run));
    assert.equal(resultFor(run, "tcp", port).state, "LISTENING", explain(run));
  },
});
