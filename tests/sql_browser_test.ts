/**
 * remote/protocols/sql_browser.ts: the CLNT_UCAST_EX request, SVR_RESP replies (several
 * instances, the rarer transports, malformed ones), PortQry's layout, and FreeTDS's `tsql -L`,
 * another client of the protocol, reading the same instances from the test responder.
 */

import assert from "node:assert/strict";
import {
  type BrowserInstance,
  browserValue,
  decodeBrowserResponse,
  describeBrowserResponse,
  encodeBrowserRequest,
} from "../remote/protocols/sql_browser.ts";
import { Namespace, namespaceUnavailable, serve, type Served } from "./support/netns.ts";
import { exists } from "./support/processes.ts";
import {
  SQL_BROWSER_TSQL_INSTANCES,
  sqlBrowserResponder,
  sqlBrowserResponderFor,
} from "./support/udp_servers.ts";

/** An SVR_RESP carrying `data` as RESP_DATA, its RESP_SIZE little-endian. */
function svrResp(data: string, size = data.length): Uint8Array {
  return new Uint8Array([0x05, size & 0xff, size >> 8, ...[...data].map((c) => c.charCodeAt(0))]);
}

/** Entries from alternating keys and values. */
function entries(...pairs: string[]): BrowserInstance {
  const list: BrowserInstance = [];
  for (let i = 0; i < pairs.length; i += 2) list.push({ key: pairs[i], value: pairs[i + 1] });
  return list;
}

Deno.test("encodeBrowserRequest: the one byte CLNT_UCAST_EX, 0x03", () => {
  assert.deepEqual([...encodeBrowserRequest()], [0x03]);
});

Deno.test("decodeBrowserResponse: two instances, in the server's order, PortQry's layout", () => {
  const response = decodeBrowserResponse(sqlBrowserResponder(encodeBrowserRequest())!);
  assert.deepEqual(response.instances, [
    entries(
      "ServerName",
      "SQL-Server1",
      "InstanceName",
      "MSSQLSERVER",
      "IsClustered",
      "No",
      "Version",
      "8.00.194",
      "tcp",
      "1433",
      "np",
      "\\\\SQL-Server1\\pipe\\sql\\query",
    ),
    entries(
      "ServerName",
      "SQL-Server1",
      "InstanceName",
      "LEGACY",
      "IsClustered",
      "Yes",
      "Version",
      "8.00.2039",
      "np",
      "\\\\SQL-Server1\\pipe\\MSSQL$LEGACY\\sql\\query",
      "tcp",
      "1500",
      "via",
      "SQL-SERVER1,0:1433,1:1500",
      "rpc",
      "SQL-Server1",
      "spx",
      "LEGACY",
      "adsp",
      "SQL2000",
      "bv",
      "item;group;item2;group2;org",
    ),
  ]);
  // The first instance's lines are those of PortQry's published SQL Server 2000 transcript.
  assert.deepEqual(describeBrowserResponse(response), [
    "ServerName SQL-Server1",
    "InstanceName MSSQLSERVER",
    "IsClustered No",
    "Version 8.00.194",
    "tcp 1433",
    "np \\\\SQL-Server1\\pipe\\sql\\query",
    "",
    "ServerName SQL-Server1",
    "InstanceName LEGACY",
    "IsClustered Yes",
    "Version 8.00.2039",
    "np \\\\SQL-Server1\\pipe\\MSSQL$LEGACY\\sql\\query",
    "tcp 1500",
    "via SQL-SERVER1,0:1433,1:1500",
    "rpc SQL-Server1",
    "spx LEGACY",
    "adsp SQL2000",
    "bv item;group;item2;group2;org",
  ]);
  assert.equal(browserValue(response.instances[1], "TCP"), "1500", "keys compare without case");
  assert.equal(browserValue(response.instances[0], "via"), undefined);
});

Deno.test("decodeBrowserResponse: one instance (a CLNT_UCAST_INST answer), none, odd bytes", () => {
  const one = sqlBrowserResponder(new Uint8Array([0x04, ...new TextEncoder().encode("legacy"), 0]));
  assert.equal(decodeBrowserResponse(one!).instances.length, 1);
  const none = decodeBrowserResponse(svrResp(""));
  assert.deepEqual(none.instances, []);
  assert.deepEqual(describeBrowserResponse(none), ["SQL Server browser listed no instances"]);
  // An unknown key takes one field; a byte above 0x7f is read as Windows-1252.
  const odd = decodeBrowserResponse(
    svrResp("ServerName;CAF\xc9;InstanceName;X;IsClustered;No;Version;16.0;future;42;;"),
  );
  assert.deepEqual(odd.instances[0].slice(-1), [{ key: "future", value: "42" }]);
  assert.equal(browserValue(odd.instances[0], "servername"), "CAF\u00c9");
  // Bytes after RESP_SIZE's end are not RESP_DATA.
  const padded = new Uint8Array([...svrResp("ServerName;A;;"), 0, 0, 0]);
  assert.deepEqual(decodeBrowserResponse(padded).instances, [entries("ServerName", "A")]);
});

Deno.test("decodeBrowserResponse: wrong types and truncated replies are refused", () => {
  const whole = sqlBrowserResponder(encodeBrowserRequest())!;
  assert.throws(() => decodeBrowserResponse(encodeBrowserRequest()), /1 bytes/);
  assert.throws(() => decodeBrowserResponse(new Uint8Array([0x05, 0])), /2 bytes/);
  assert.throws(() => decodeBrowserResponse(new Uint8Array([0x04, 0, 0])), /type 0x04/);
  assert.throws(() => decodeBrowserResponse(new TextEncoder().encode("pong")), /type 0x70/);
  // The datagram cut short of RESP_SIZE.
  assert.throws(() => decodeBrowserResponse(whole.subarray(0, whole.length - 1)), /RESP_SIZE/);
  // RESP_SIZE itself short, so RESP_DATA stops inside a value or before its closing ;;.
  assert.throws(() => decodeBrowserResponse(svrResp("ServerName;A;InstanceName")), /closing ;;/);
  assert.throws(() => decodeBrowserResponse(svrResp("ServerName;A;Instance;")), /value of/);
  assert.throws(() => decodeBrowserResponse(svrResp("ServerName;A;bv;1;2;3;;")), /value of bv/);
  assert.throws(() => decodeBrowserResponse(svrResp("ServerName;A;;Ser")), /closing ;;/);
  assert.throws(() => decodeBrowserResponse(svrResp(";;")), /empty instance/);
  // A DAC answer (RESP_SIZE 6, version 1, a port) is not an instance list.
  assert.throws(() => decodeBrowserResponse(new Uint8Array([5, 6, 0, 1, 0x9a, 0x05])));
});

// ---- FreeTDS tsql -----------------------------------------------------------------------

/** tsql's path, when FreeTDS's freetds-bin is installed. */
const TSQL = (Deno.env.get("PATH") ?? "").split(":").map((dir) => `${dir}/tsql`).find(exists);
if (!TSQL) {
  console.warn("sql_browser_test: no tsql (Debian's freetds-bin); its comparison is skipped");
}

/** The key of the SQL browser that {@linkcode tsqlList} asks. */
const BROWSER = "udp/127.0.0.1/1434";

/**
 * `tsql -L`'s listing of a browser answering with `instances` on port 1434, which tsql asks
 * whatever -p says (FreeTDS's tds7_get_instance_ports sets it): in a network namespace of the
 * test's own, where 1434 is free whatever the host runs. It writes to stderr, `%15s %s` per key
 * and value, a blank line between instances. Also what the browser received.
 */
async function tsqlList(instances: "sqlbrowser" | "sqlbrowser-tsql"): Promise<{
  lines: string[];
  served: Served;
}> {
  await using namespace = await Namespace.create("tsql");
  const served = await serve(namespace, [`${BROWSER}=${instances}`]);
  // tsql tries 16 times a second apart before giving up on a silent port.
  const output = await namespace.run([TSQL!, "-L", "-H", "127.0.0.1"], { timeoutMs: 30_000 });
  assert.equal(output.code, 0, output.stderr);
  return { lines: output.stderr.split("\n").slice(0, -1), served };
}

/** tsql's lines as instances of entries (a blank line between instances). */
function tsqlInstances(lines: string[]): BrowserInstance[] {
  const instances: BrowserInstance[] = [[]];
  for (const line of lines) {
    if (line === "") instances.push([]);
    else {
      const [, key, value] = line.match(/^ *(\S+) (.*)$/)!;
      instances.at(-1)!.push({ key, value });
    }
  }
  return instances;
}

const noNamespace = namespaceUnavailable();

Deno.test({
  name: "tsql -L (FreeTDS) lists the instances decodeBrowserResponse reads",
  ignore: !TSQL || noNamespace !== null,
  async fn() {
    const { lines, served } = await tsqlList("sqlbrowser-tsql");
    assert.ok(!lines.some((line) => line.startsWith("error:")), lines.join("\n"));
    assert.deepEqual([...served.received(BROWSER)[0].bytes], [...encodeBrowserRequest()]);
    const ours = decodeBrowserResponse(
      sqlBrowserResponderFor(SQL_BROWSER_TSQL_INSTANCES)(encodeBrowserRequest())!,
    );
    assert.deepEqual(tsqlInstances(lines), ours.instances);
  },
});

Deno.test({
  name: "tsql -L (FreeTDS) reads the rarer transports' fields in the decoder's order",
  ignore: !TSQL || noNamespace !== null,
  async fn() {
    // tsql pairs every two fields, bv's five included, and reports keys out of its order as
    // errors while still listing them; so compare the fields, in order, not the grouping.
    const { lines } = await tsqlList("sqlbrowser");
    const theirs = tsqlInstances(lines.filter((line) => !line.startsWith("error:")))
      .flat().flatMap(({ key, value }) => [key, value]);
    const ours = decodeBrowserResponse(sqlBrowserResponder(encodeBrowserRequest())!)
      .instances.flat().flatMap(({ key, value }) => [key, ...value.split(";")]);
    assert.deepEqual(theirs, ours);
    assert.ok(lines.includes("error: expecting 'tcp', found 'np'"), "tsql saw the odd order");
  },
});
