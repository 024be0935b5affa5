/**
 * portset against a Samba AD domain controller: CLDAP on UDP 389 is LISTENING and its root DSE
 * shows every value `ldapsearch` reads over LDAP for the naming contexts, the default naming
 * context, the DNS host name and the server name; the endpoint map portset reads on TCP 135 is
 * the one `rpcclient` (and impacket, when installed) lists, framed as PortQry frames it, and UDP
 * 135 (which Samba does not serve) is NOT LISTENING; the endpoint mapper (TCP 135) and LDAP
 * (TCP 389) are LISTENING. One domain is provisioned for the whole file.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  impacketEndpoints,
  portsetEndpoints,
  rpcclientEndpoints,
} from "./support/epmap_clients.ts";
import { detailLines, explain, REPO_ROOT, resultFor, runPortset } from "./support/portset.ts";
import { serverTest } from "./support/requirements.ts";
import { SAMBA_DC_NEEDS, startSambaDc } from "./support/samba_dc.ts";

/** The root DSE attributes compared, as ldapsearch names them. */
const COMPARED = ["namingContexts", "defaultNamingContext", "dnsHostName", "serverName"];

/** `ldapsearch -LLL` output read into attribute values (base64 `::` values decoded). */
function readLdif(ldif: string): Map<string, string[]> {
  const attributes = new Map<string, string[]>();
  for (const line of ldif.split("\n")) {
    const match = line.match(/^([A-Za-z][\w-]*)(::?) ?(.*)$/);
    if (!match) continue;
    const value = match[2] === "::"
      ? new TextDecoder().decode(Uint8Array.from(atob(match[3]), (c) => c.charCodeAt(0)))
      : match[3];
    const key = match[1].toLowerCase();
    attributes.set(key, [...(attributes.get(key) ?? []), value]);
  }
  return attributes;
}

await serverTest("Samba AD DC: CLDAP root DSE as ldapsearch reads it; TCP 135 and 389 LISTENING", {
  needs: SAMBA_DC_NEEDS,
  fn: async (_tools, t) => {
    await using dc = await startSambaDc();
    console.log(
      `samba AD DC: provisioned in ${(dc.provisionMs / 1000).toFixed(1)} s, ` +
        `serving ${(dc.startMs / 1000).toFixed(1)} s after start`,
    );
    const namespace = dc.namespace;

    await t.step("CLDAP (UDP 389): the root DSE values ldapsearch reads", async () => {
      const ldif = await namespace.runOk([
        "ldapsearch",
        "-x",
        "-LLL",
        "-o",
        "ldif-wrap=no",
        "-H",
        "ldap://127.0.0.1",
        "-b",
        "",
        "-s",
        "base",
        "*",
        "+",
      ]);
      const expected = readLdif(ldif);
      const run = await runPortset(namespace, ["-n", "127.0.0.1", "-p", "udp", "-e", "389"]);
      const cldap = resultFor(run, "udp", 389);
      const why = explain(run, "ldapsearch read:", ldif);
      assert.equal(cldap.state, "LISTENING", why);
      const lines = detailLines(cldap);
      const absent: string[] = [];
      for (const name of COMPARED) {
        const values = expected.get(name.toLowerCase()) ?? [];
        assert.ok(values.length > 0, `ldapsearch read no ${name}\n${why}`);
        for (const value of values) {
          // The attribute's name as the server spells it, its case aside.
          const present = lines.some((line) =>
            line.toLowerCase().startsWith(`${name.toLowerCase()}: `) &&
            line.slice(name.length + 2) === value
          );
          if (!present) absent.push(`${name}: ${value}`);
        }
      }
      assert.deepEqual(absent, [], `root DSE values missing from portset's detail:\n${why}`);
      assert.ok(expected.get("dnshostname")?.includes(dc.dnsHostName), ldif);
      assert.ok(expected.get("defaultnamingcontext")?.includes(dc.baseDn), ldif);
    });

    await t.step("the endpoint map on TCP 135, as rpcclient and impacket list it", async () => {
      const run = await runPortset(namespace, ["-n", "127.0.0.1", "-p", "both", "-e", "135"]);
      const tcp = resultFor(run, "tcp", 135);
      const lines = detailLines(tcp);
      const ours = portsetEndpoints(lines);
      const theirs = await rpcclientEndpoints(namespace);
      const why = explain(run, "rpcclient listed:", theirs.join("\n"));
      assert.equal(tcp.state, "LISTENING", why);
      assert.ok(theirs.length > 0, why);
      assert.deepEqual(ours, theirs, `portset's endpoints are rpcclient's\n${why}`);
      assert.equal(lines.at(-1), `Total endpoints found: ${theirs.length}`, why);
      const impacket = await impacketEndpoints(namespace);
      if (impacket) assert.deepEqual(ours, impacket, `portset's endpoints are impacket's\n${why}`);
      else console.log("samba AD DC: impacket (python3-impacket) missing, not compared");
      // Samba serves no connectionless RPC: UDP 135 is closed, and the lookup must say so.
      assert.ok(!(await namespace.listeningPorts("udp")).has(135), "samba listens on UDP 135");
      assert.equal(resultFor(run, "udp", 135).state, "NOT LISTENING", why);

      // The text report frames the map as PortQry does.
      const text = await namespace.runOk(
        [
          Deno.execPath(),
          "run",
          "-A",
          `${REPO_ROOT}main.ts`,
          "-n",
          "127.0.0.1",
          "-e",
          "135",
          "-nr",
        ],
        { env: { DENO_NO_UPDATE_CHECK: "1" } },
      );
      assert.match(
        text,
        new RegExp(
          "TCP port 135 \\(epmap service\\): LISTENING\n\nQuerying Endpoint Mapper Database" +
            "\\.\\.\\.\nServer's response:\n\nUUID: [0-9a-f-]{36}[^\n]*\n[a-z_]+:[^\n]*\n\n",
        ),
      );
      assert.match(
        text,
        new RegExp(
          `\nTotal endpoints found: ${theirs.length}\n\n` +
            "==== End of RPC Endpoint Mapper query response ====\n$",
        ),
      );
      // As PortQry, a range does not ask the endpoint mapper.
      const range = await runPortset(namespace, ["-n", "127.0.0.1", "-r", "134:136"]);
      assert.equal(resultFor(range, "tcp", 135).detail, null, explain(range));
    });

    await t.step("TCP 135 (endpoint mapper) and TCP 389 LISTENING, as ss sees them", async () => {
      const run = await runPortset(namespace, ["-n", "127.0.0.1", "-p", "tcp", "-o", "135,389"]);
      const listening = await namespace.listeningPorts("tcp");
      for (const port of [135, 389]) {
        assert.ok(listening.has(port), `ss shows no TCP ${port} listener`);
        assert.equal(resultFor(run, "tcp", port).state, "LISTENING", explain(run));
      }
    });
  },
});
