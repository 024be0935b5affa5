/**
 * nmap as the oracle for port states. A namespace holds listeners, a closed port, and netfilter
 * rules on loopback's INPUT that drop or reject (with a TCP reset or each kind of ICMP/ICMPv6
 * unreachable) connections to some ports; portset's state for every port, over TCP and UDP, on
 * 127.0.0.1 and ::1, must be the one nmap's connect scan (`-sT`) or UDP scan (`-sU`) reports.
 * A range holding a port that answers with an ICMP protocol unreachable must still report every
 * port of the range.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Transport } from "../../model/endpoint.ts";
import type { PortState } from "../../remote/port_result.ts";
import { startListeners } from "./support/listeners.ts";
import { Namespace } from "./support/netns.ts";
import { type NmapScan, nmapStates } from "./support/nmap.ts";
import { explain, type PortsetRun, resultFor, runPortset, transport } from "./support/portset.ts";
import { type Need, serverTest } from "./support/requirements.ts";

const NEEDS: Need[] = [
  { tool: "nmap", pkg: "nmap" },
  { tool: "iptables", pkg: "iptables" },
  { tool: "ip6tables", pkg: "iptables" },
  { tool: "python3", pkg: "python3" },
];

/** A TCP listener and an answering UDP socket. */
const OPEN = 7001;
/** Nothing listens. */
const CLOSED = 7002;
/** A UDP socket that never answers. */
const SILENT = 7003;

/** A rule: the port, and DROP or the REJECT's `--reject-with`. */
type Rule = readonly [port: number, target: string];

const IPV4_RULES: Rule[] = [
  [7010, "DROP"],
  [7011, "tcp-reset"],
  [7012, "icmp-port-unreachable"],
  [7013, "icmp-host-unreachable"],
  [7014, "icmp-net-unreachable"],
  [7015, "icmp-proto-unreachable"],
  [7016, "icmp-admin-prohibited"],
  [7017, "icmp-host-prohibited"],
  [7018, "icmp-net-prohibited"],
];

const IPV6_RULES: Rule[] = [
  [7010, "DROP"],
  [7011, "tcp-reset"],
  [7020, "icmp6-adm-prohibited"],
  [7021, "icmp6-no-route"],
  [7022, "icmp6-addr-unreachable"],
  [7023, "icmp6-port-unreachable"],
];

/** The port that rejects with an ICMP protocol unreachable. */
const PROTO_UNREACHABLE = 7015;

/** A TCP reset answers TCP only; every other rule applies to both protocols. */
function appliesTo(target: string, protocol: Transport): boolean {
  return protocol === "tcp" || target !== "tcp-reset";
}

/**
 * What nmap is expected to see, so that a namespace set up wrongly (a rule not applied, a
 * listener missing) fails loudly instead of making both tools agree on something untested.
 */
function expectedState(protocol: Transport, port: number, target?: string): PortState {
  if (target === undefined) {
    if (port === OPEN) return "LISTENING";
    if (port === SILENT) return protocol === "udp" ? "LISTENING or FILTERED" : "NOT LISTENING";
    return "NOT LISTENING";
  }
  if (target === "DROP") return protocol === "tcp" ? "FILTERED" : "LISTENING or FILTERED";
  if (/^(tcp-reset|icmp6?-port-unreachable)$/.test(target)) return "NOT LISTENING";
  return "FILTERED";
}

/**
 * A namespace with the listeners (also behind every filtered port, so that it is the rule that
 * decides, not a missing listener) and the rules of both families.
 */
async function firewalledNamespace(label: string): Promise<Namespace> {
  const namespace = await Namespace.create(label);
  try {
    const behind = [...new Set([...IPV4_RULES, ...IPV6_RULES].map(([port]) => port))];
    await startListeners(namespace, [
      ["tcp", OPEN],
      ["udp-echo", OPEN],
      ["udp-silent", SILENT],
      ...behind.map((port) => ["tcp", port] as const),
      ...behind.map((port) => ["udp-silent", port] as const),
    ]);
    for (const [tool, rules] of [["iptables", IPV4_RULES], ["ip6tables", IPV6_RULES]] as const) {
      for (const [port, target] of rules) {
        for (const protocol of ["tcp", "udp"] as const) {
          if (!appliesTo(target, protocol)) continue;
          const action = target === "DROP" ? ["DROP"] : ["REJECT", "--reject-with", target];
          await namespace.runOk([
            tool,
            "-w",
            "-A",
            "INPUT",
            "-i",
            "lo",
            "-p",
            protocol,
            "--dport",
            String(port),
            "-j",
            ...action,
          ]);
        }
      }
    }
    return namespace;
  } catch (error) {
    await namespace[Symbol.asyncDispose]().catch((cleanup) => console.error(cleanup));
    throw error;
  }
}

/** The ports a comparison covers, and the rule on each. */
function portsFor(rules: Rule[], protocol: Transport): Map<number, string | undefined> {
  const ports = new Map<number, string | undefined>([[OPEN, undefined], [CLOSED, undefined]]);
  if (protocol === "udp") ports.set(SILENT, undefined);
  for (const [port, target] of rules) {
    if (appliesTo(target, protocol)) ports.set(port, target);
  }
  return ports;
}

/** One line per port, nmap's and portset's finding side by side, for failure messages. */
function table(
  ports: Map<number, string | undefined>,
  scan: NmapScan,
  run: PortsetRun,
  protocol: Transport,
): string {
  return [...ports].map(([port, target]) => {
    const ours = run.report.results.find((r) => transport(r) === protocol && r.port === port);
    return `${port} ${target ?? "(no rule)"}: nmap ${scan.states.get(port)} ` +
      `(${scan.reasons.get(port)}), portset ${ours?.state ?? "(absent)"}`;
  }).join("\n");
}

async function compareWithNmap(
  address: string,
  protocol: Transport,
  rules: Rule[],
): Promise<void> {
  const family = address.includes(":") ? "6" : "4";
  await using namespace = await firewalledNamespace(`fw-${protocol}${family}`);
  const ports = portsFor(rules, protocol);
  const list = [...ports.keys()];
  const scan = await nmapStates(namespace, protocol, address, list);
  const run = await runPortset(namespace, ["-n", address, "-p", protocol, "-o", list.join(",")]);
  const sideBySide = table(ports, scan, run, protocol);
  const setup = [...ports].filter(([port, target]) =>
    scan.states.get(port) !== expectedState(protocol, port, target)
  );
  assert.deepEqual(setup, [], `nmap does not see the namespace as set up:\n${sideBySide}`);
  const differing = list.filter((port) =>
    resultFor(run, protocol, port).state !== scan.states.get(port)
  );
  assert.deepEqual(
    differing,
    [],
    `portset and nmap differ:\n${sideBySide}\n${explain(run)}`,
  );
}

await serverTest("states as nmap -sT sees them: TCP over 127.0.0.1, every iptables REJECT", {
  needs: NEEDS,
  fn: () => compareWithNmap("127.0.0.1", "tcp", IPV4_RULES),
});

await serverTest("states as nmap -sU sees them: UDP over 127.0.0.1, every iptables REJECT", {
  needs: NEEDS,
  fn: () => compareWithNmap("127.0.0.1", "udp", IPV4_RULES),
});

await serverTest("states as nmap -6 -sT sees them: TCP over ::1, every ip6tables REJECT", {
  needs: NEEDS,
  fn: () => compareWithNmap("::1", "tcp", IPV6_RULES),
});

await serverTest("states as nmap -6 -sU sees them: UDP over ::1, every ip6tables REJECT", {
  needs: NEEDS,
  fn: () => compareWithNmap("::1", "udp", IPV6_RULES),
});

await serverTest("a range through an ICMP protocol unreachable reports every port", {
  needs: NEEDS,
  fn: async () => {
    await using namespace = await firewalledNamespace("fw-range");
    // 7012-7018: every REJECT of the IPv4 rules and no DROP, so the range is quick.
    const first = 7012;
    const last = 7018;
    const run = await runPortset(namespace, [
      "-n",
      "127.0.0.1",
      "-p",
      "both",
      "-r",
      `${first}:${last}`,
    ]);
    for (const protocol of ["tcp", "udp"] as const) {
      for (let port = first; port <= last; port++) resultFor(run, protocol, port);
      assert.equal(resultFor(run, protocol, PROTO_UNREACHABLE).state, "FILTERED", explain(run));
    }
    assert.equal(run.report.results.length, 2 * (last - first + 1), explain(run));
  },
});
