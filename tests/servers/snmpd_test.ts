/**
 * portset against Debian's net-snmp agent: with the right community (`-cn`) UDP 161 is LISTENING
 * and the detail holds the sysDescr.0 that `snmpget` reads; with a wrong one the agent stays
 * silent, as it does for `snmpget`, and the port reads LISTENING or FILTERED.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Namespace, waitUntil } from "./support/netns.ts";
import { explain, resultFor, runPortset } from "./support/portset.ts";
import { type Need, serverTest } from "./support/requirements.ts";

const NEEDS: Need[] = [
  { tool: "snmpd", pkg: "snmpd" },
  { tool: "snmpget", pkg: "snmp" },
];

const COMMUNITY = "secret123";
const SYS_DESCR = "portset-test-agent";
/** SNMPv2-MIB::sysDescr.0 by number: Debian ships no SNMPv2-MIB file (it is non-free). */
const SYS_DESCR_OID = "1.3.6.1.2.1.1.1.0";

/**
 * Environment for net-snmp's tools: their persistent state in the test's directory, not in
 * /var/lib/snmp, and no MIB loading (there are none to load, and each missing one is a line of
 * noise).
 */
function snmpEnv(namespace: Namespace): Record<string, string> {
  return { SNMP_PERSISTENT_DIR: `${namespace.dir}/persist`, MIBS: "" };
}

/** `snmpget -v1` of sysDescr.0 with `community`: the value, or null on no answer. */
async function snmpget(namespace: Namespace, community: string): Promise<string | null> {
  const result = await namespace.run(
    ["snmpget", "-v1", "-c", community, "-t", "1", "-r", "0", "127.0.0.1", SYS_DESCR_OID],
    { env: snmpEnv(namespace), timeoutMs: 10_000 },
  );
  if (result.code !== 0) return null;
  const value = result.stdout.match(/= STRING: (.*)$/m)?.[1];
  if (value === undefined) throw new Error(`snmpget printed:\n${result.stdout}${result.stderr}`);
  return value.replace(/^"(.*)"$/, "$1");
}

await serverTest("snmpd: the right community reads sysDescr.0 as snmpget, a wrong one is silent", {
  needs: NEEDS,
  fn: async () => {
    await using namespace = await Namespace.create("snmpd");
    const conf = await namespace.writeFile(
      "snmpd.conf",
      `rocommunity ${COMMUNITY} 127.0.0.1\nsysDescr ${SYS_DESCR}\n`,
    );
    // -f foreground, -Lo log to stdout, -C only this configuration file, -I -smux no SMUX
    // listener on TCP 199 (not needed).
    const daemon = namespace.start("snmpd", [
      "snmpd",
      "-f",
      "-Lo",
      "-C",
      "-c",
      conf,
      "-p",
      `${namespace.dir}/snmpd.pid`,
      "-I",
      "-smux",
      "udp:127.0.0.1:161",
    ], snmpEnv(namespace));
    const expected = await waitUntil(
      "snmpd answering snmpget",
      () => snmpget(namespace, COMMUNITY),
      {
        daemon,
      },
    );
    assert.equal(expected, SYS_DESCR);

    const right = await runPortset(
      namespace,
      ["-n", "127.0.0.1", "-p", "udp", "-e", "161", "-cn", COMMUNITY],
    );
    const answered = resultFor(right, "udp", 161);
    assert.equal(answered.state, "LISTENING", explain(right));
    assert.ok(
      answered.detail?.includes(expected),
      explain(right, `snmpget read sysDescr.0 = ${expected}`),
    );

    const wrong = await runPortset(
      namespace,
      ["-n", "127.0.0.1", "-p", "udp", "-e", "161", "-cn", "not-the-community"],
    );
    assert.equal(resultFor(wrong, "udp", 161).state, "LISTENING or FILTERED", explain(wrong));
    assert.equal(
      await snmpget(namespace, "not-the-community"),
      null,
      "snmpget with a wrong community got an answer",
    );
  },
});
