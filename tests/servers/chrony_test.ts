/**
 * portset against Debian's chronyd serving NTP from its local clock: UDP 123 is LISTENING, and
 * the stratum and leap indicator portset reports are the ones `chronyc tracking` reads from the
 * same daemon, synchronised (`local stratum 8`) and not (no reference at all).
 *
 * @module
 */

import assert from "node:assert/strict";
import { Namespace, waitUntil } from "./support/netns.ts";
import { detailLines, explain, resultFor, runPortset } from "./support/portset.ts";
import { type Need, serverTest } from "./support/requirements.ts";

const NEEDS: Need[] = [
  { tool: "chronyd", pkg: "chrony" },
  { tool: "chronyc", pkg: "chrony" },
];

/** chronyd's command port, on loopback in the namespace only, for chronyc. */
const CMDPORT = 3231;

/** chronyc's "Leap status" in NTP's leap indicator values (RFC 5905). */
const LEAP_VALUES: Record<string, number> = {
  "Normal": 0,
  "Insert second": 1,
  "Delete second": 2,
  "Not synchronised": 3,
};

/** What `chronyc tracking` says. */
interface Tracking {
  stratum: number;
  leap: number;
  /** The reference id, as 8 hex digits. */
  referenceId: string;
  text: string;
}

async function tracking(namespace: Namespace): Promise<Tracking | null> {
  const result = await namespace.run(
    ["chronyc", "-h", "127.0.0.1", "-p", String(CMDPORT), "-n", "tracking"],
    { timeoutMs: 5_000 },
  );
  const stratum = result.stdout.match(/^Stratum\s*:\s*(\d+)/m)?.[1];
  const leap = result.stdout.match(/^Leap status\s*:\s*(.+?)\s*$/m)?.[1];
  const referenceId = result.stdout.match(/^Reference ID\s*:\s*([0-9A-F]{8})/m)?.[1];
  if (result.code !== 0 || !stratum || !leap || !referenceId) return null;
  const value = LEAP_VALUES[leap];
  if (value === undefined) throw new Error(`unknown leap status '${leap}':\n${result.stdout}`);
  return { stratum: Number(stratum), leap: value, referenceId, text: result.stdout };
}

/**
 * Starts chronyd with `extra` configuration, and waits until chronyc reads `stratum` from it
 * (with `local stratum 8` chronyd takes a moment to select its local reference).
 */
async function startChronyd(
  namespace: Namespace,
  extra: string[],
  stratum: number,
): Promise<Tracking> {
  const conf = await namespace.writeFile(
    "chrony.conf",
    [
      "allow 127.0.0.1",
      "port 123",
      "bindaddress 127.0.0.1",
      `cmdport ${CMDPORT}`,
      "bindcmdaddress 127.0.0.1",
      // No Unix command socket: its default path, /run/chrony, is the host's, not the test's.
      "bindcmdaddress /",
      `pidfile ${namespace.dir}/chronyd.pid`,
      ...extra,
      "",
    ].join("\n"),
  );
  // -x: never touch the host's clock; -u root: no privilege drop to _chrony, who could not
  // write into the test's directory; -d: foreground, log to stderr.
  const daemon = namespace.start("chronyd", ["chronyd", "-d", "-x", "-u", "root", "-f", conf]);
  return await waitUntil(`chronyd at stratum ${stratum}`, async () => {
    const now = await tracking(namespace);
    return now?.stratum === stratum ? now : null;
  }, { daemon });
}

/** Asserts that portset's UDP 123 result shows `expected`'s stratum and leap indicator. */
async function checkAgainstChronyc(namespace: Namespace, expected: Tracking): Promise<void> {
  const run = await runPortset(namespace, ["-n", "127.0.0.1", "-p", "udp", "-e", "123"]);
  const after = await tracking(namespace);
  const ntp = resultFor(run, "udp", 123);
  const why = explain(run, "chronyc tracking said:", expected.text);
  assert.equal(ntp.state, "LISTENING", why);
  assert.equal(after?.stratum, expected.stratum, `chronyd changed its stratum meanwhile\n${why}`);
  assert.match(ntp.detail ?? "", new RegExp(`\\bstratum ${expected.stratum}\\b`, "i"), why);
  if (expected.stratum >= 2) {
    // Above stratum 1 the reference id is an IPv4 address (chronyd's local clock: 127.127.1.1).
    const address = expected.referenceId.match(/../g)!.map((hex) => parseInt(hex, 16)).join(".");
    assert.ok(ntp.detail?.includes(address), `reference ${address} not in the detail\n${why}`);
  }
  const leapLine = detailLines(ntp).find((line) => /\bleap\b/i.test(line));
  assert.ok(leapLine, `no leap indicator in the detail\n${why}`);
  assert.match(leapLine, new RegExp(`\\b${expected.leap}\\b`), why);
}

await serverTest("chronyd (local stratum 8): UDP 123 LISTENING, stratum and leap as chronyc", {
  needs: NEEDS,
  fn: async () => {
    await using namespace = await Namespace.create("chrony");
    const expected = await startChronyd(namespace, ["local stratum 8"], 8);
    assert.equal(expected.leap, 0, expected.text);
    await checkAgainstChronyc(namespace, expected);
  },
});

await serverTest("chronyd without a reference: stratum 0 and leap 3 (unsynchronised)", {
  needs: NEEDS,
  fn: async () => {
    await using namespace = await Namespace.create("chrony-unsync");
    const expected = await startChronyd(namespace, [], 0);
    assert.equal(expected.leap, 3, expected.text);
    await checkAgainstChronyc(namespace, expected);
  },
});
