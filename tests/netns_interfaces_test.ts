/**
 * Interfaces of other network namespaces: a link-local socket held in a namespace the test makes
 * is listed with the name its interface has there (`fe80::1234%veth0`), as `ss` there lists it,
 * not with the interface's index, which means nothing outside its namespace.
 */

import assert from "node:assert/strict";
import type { Endpoint } from "../model/endpoint.ts";
import { endpointKey } from "../model/endpoint.ts";
import { holdSockets, Namespace, namespaceUnavailable } from "./support/netns.ts";
import { exists, runCli, SYSTEM_PYTHON } from "./support/processes.ts";
import { ssLocalKey } from "./support/ss.ts";

const unavailable = namespaceUnavailable("ss") ??
  (exists(SYSTEM_PYTHON) ? null : "needs Debian's python3 (apt-get install python3)");
if (unavailable) console.error(`netns_interfaces_test.ts: skipped: ${unavailable}`);

const LINK_LOCAL = "fe80::1234";

/**
 * Gives `namespace` an interface `veth0` (a veth pair, both ends in it, so that it has a carrier)
 * holding `fe80::1234/64`, usable at once (`nodad`: no duplicate detection to wait for). Its index
 * is 3 there, after lo and veth1: in the host's namespace 3 is another interface or none.
 */
async function addLinkLocalInterface(namespace: Namespace): Promise<string> {
  await namespace.runOk(["ip", "link", "add", "veth0", "type", "veth", "peer", "name", "veth1"]);
  await namespace.runOk(["ip", "link", "set", "veth1", "up"]);
  await namespace.runOk(["ip", "link", "set", "veth0", "up"]);
  await namespace.runOk(["ip", "addr", "add", `${LINK_LOCAL}/64`, "dev", "veth0", "nodad"]);
  return "veth0";
}

/** The link-local sockets `ss -Htuan` lists in `namespace`, as portset's keys. */
async function ssLinkLocalKeys(namespace: Namespace): Promise<string[]> {
  const out = await namespace.runOk(["ss", "-Htuan"]);
  return out.split("\n").filter((line) => line.includes(LINK_LOCAL)).map((line) => {
    const [netid, , , , local] = line.trim().split(/\s+/);
    return ssLocalKey(netid, local);
  }).sort();
}

Deno.test({
  name: "a link-local socket in another namespace shows its interface's name there, as ss there",
  ignore: unavailable !== null,
  async fn() {
    await using namespace = await Namespace.create("iface");
    const iface = await addLinkLocalInterface(namespace);
    const held = await holdSockets(namespace, [
      `udp6/${LINK_LOCAL}%${iface}/0`,
      `tcp6/${LINK_LOCAL}%${iface}/0`,
    ]);
    try {
      const oracle = await ssLinkLocalKeys(namespace);
      assert.equal(oracle.length, 2, `ss lists both sockets: ${oracle}`);
      assert.ok(oracle.every((key) => key.includes(`%${iface}/`)), `ss names it: ${oracle}`);

      const run = await runCli(["-local", "--json", "--netns", namespace.name]);
      assert.equal(run.code, 0, run.stderr);
      const endpoints: Endpoint[] = JSON.parse(run.stdout).endpoints;
      const linkLocal = endpoints.filter((e) => e.localAddress?.startsWith(LINK_LOCAL));
      assert.deepEqual(linkLocal.map(endpointKey).sort(), oracle, "as ss there names them");
      assert.deepEqual(linkLocal.map(endpointKey).sort(), [...held.keys].sort());
      assert.deepEqual(linkLocal.map((e) => e.interface), [iface, iface], "the scope's interface");
    } finally {
      await held.stop();
    }
  },
});
