/**
 * `portset -n HOST` end to end, as a user runs it, against servers this test starts on loopback:
 * TCP listeners and closed ports, UDP servers that answer DNS, NTP, NetBIOS, SNMP and CLDAP, a
 * silent UDP port, a fixed source port, a 200-port range, name resolution, `-q`'s exit codes,
 * `--json`, `-l FILE`, and usage errors.
 *
 * The host's own processes may hold any port, and take any that is free: a closed port, or a
 * source port, is one the test keeps bound meanwhile, and the queries on the protocols'
 * well-known ports run in a network namespace of their own.
 */

import assert from "node:assert/strict";
import { Namespace, namespaceUnavailable, runCliIn, serve } from "./support/netns.ts";
import { isRoot, REPO_ROOT, runCli } from "./support/processes.ts";
import { ephemeralPortRange, isAddressInUse, TestSockets } from "./support/sockets.ts";
import {
  NTP_TIME,
  ROOT_DSE,
  silentResponder,
  startUdpServer,
  SYS_DESCR,
} from "./support/udp_servers.ts";

const ignoreUdp = Deno.build.os !== "linux";

/**
 * A port for the probes of 127.0.0.1 to leave from, TCP and UDP, that no other process takes
 * meanwhile: the kernel's pick, held on 0.0.0.0 with SO_REUSEADDR (which the probes' sockets
 * have too, so they can bind it) by a TCP socket that never listens and a UDP socket connected
 * to the discard port (so the answers go to the probes). Where UDP has the port taken already,
 * another is picked.
 */
function reservedSourcePort(sockets: TestSockets): number {
  for (let attempt = 1;; attempt++) {
    const tcp = sockets.tcpBind("0.0.0.0", 0, { reuseAddr: true });
    try {
      sockets.udp("0.0.0.0", tcp.port, { address: "127.0.0.1", port: 9 }, { reuseAddr: true });
      return tcp.port;
    } catch (error) {
      sockets.close(tcp.fd);
      if (!isAddressInUse(error) || attempt === 20) throw error;
    }
  }
}

Deno.test("portset -n: a listener is LISTENING and a closed port NOT LISTENING", async () => {
  using sockets = new TestSockets();
  const open = sockets.tcpListen("127.0.0.1").port;
  const closed = sockets.tcpClosed();
  const run = await runCli(["-n", "127.0.0.1", "-nr", "-o", `${open},${closed}`]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stderr, "");
  const lines = run.stdout.split("\n");
  assert.deepEqual(lines.slice(0, 6), [
    "Querying target system called:",
    "",
    "127.0.0.1",
    "",
    "querying...",
    "",
  ]);
  assert.ok(!run.stdout.includes("resolve"), "-nr: no reverse lookup");
  assert.ok(lines.includes(`TCP port ${open} (unknown service): LISTENING`), run.stdout);
  assert.ok(lines.includes(`TCP port ${closed} (unknown service): NOT LISTENING`), run.stdout);
  assert.ok(
    lines.indexOf(`TCP port ${open} (unknown service): LISTENING`) <
      lines.indexOf(`TCP port ${closed} (unknown service): NOT LISTENING`),
    "-o's order",
  );
});

Deno.test("portset -n: names resolve to addresses, addresses back to names", async () => {
  using sockets = new TestSockets();
  // localhost is 127.0.0.1 or ::1 first, as the host's hosts file has it: listen on both.
  let open = 0;
  for (let attempt = 1; open === 0; attempt++) {
    const v4 = sockets.tcpListen("127.0.0.1");
    try {
      sockets.tcpListen("::1", v4.port);
      open = v4.port;
    } catch (error) {
      sockets.close(v4.fd);
      if (!isAddressInUse(error) || attempt === 20) throw error;
    }
  }
  const byName = await runCli(["-n", "localhost", "-e", String(open)]);
  assert.equal(byName.code, 0, byName.stderr);
  assert.match(
    byName.stdout,
    /Attempting to resolve name to IP address\.\.\.\n\nName resolved to (127\.0\.0\.1|::1)\n/,
  );
  assert.match(byName.stdout, new RegExp(`TCP port ${open} \\(unknown service\\): LISTENING`));
  const byAddress = await runCli(["-n", "127.0.0.1", "-e", String(open)]);
  assert.match(
    byAddress.stdout,
    /Attempting to resolve IP address to a name\.\.\.\n\nIP address resolved to localhost\n/,
  );
  const nowhere = await runCli(["-n", "no-such-host.invalid", "-e", "80"]);
  assert.equal(nowhere.code, 1);
  assert.equal(nowhere.stdout, "");
  assert.match(
    nowhere.stderr,
    /^portset: cannot resolve no-such-host\.invalid to an IP address[^\n]*\n$/,
  );
});

Deno.test("portset -n -q: nothing printed, PortQry's exit codes", async () => {
  using sockets = new TestSockets();
  const open = sockets.tcpListen("127.0.0.1").port;
  const closed = sockets.tcpClosed();
  const cases: [string[], number][] = [
    [["-e", String(open)], 0],
    [["-e", String(closed)], 1],
    [["-o", `${open},${closed}`], 1],
  ];
  if (!ignoreUdp) {
    await using silent = await startUdpServer("127.0.0.1", silentResponder);
    cases.push([["-p", "udp", "-e", String(silent.port)], 2]);
    cases.push([["-p", "both", "-o", `${open},${silent.port}`], 2]);
    for (const [args, code] of cases) {
      const run = await runCli(["-n", "127.0.0.1", "-nr", "-q", ...args]);
      assert.deepEqual([run.code, run.stdout, run.stderr], [code, "", ""], args.join(" "));
    }
    return;
  }
  for (const [args, code] of cases) {
    const run = await runCli(["-n", "127.0.0.1", "-nr", "-q", ...args]);
    assert.deepEqual([run.code, run.stdout, run.stderr], [code, "", ""], args.join(" "));
  }
});

Deno.test("portset -n --json -l FILE: one object, written to the file too", async () => {
  using sockets = new TestSockets();
  const open = sockets.tcpListen("::1").port;
  const directory = await Deno.makeTempDir();
  try {
    const file = `${directory}/query.json`;
    const run = await runCli(["-n", "::1", "-nr", "-e", String(open), "--json", "-l", file]);
    assert.equal(run.code, 0, run.stderr);
    const json = JSON.parse(run.stdout);
    assert.deepEqual(
      [json.format, json.host, json.target, json.address, json.name],
      ["portset-query/2", Deno.hostname(), "::1", "::1", null],
    );
    assert.deepEqual(json.results, [{
      protocol: "tcp6",
      port: open,
      service: null,
      state: "LISTENING",
      reason: null,
      query: null,
      detail: null,
    }]);
    assert.equal(await Deno.readTextFile(file), run.stdout);
    const again = await runCli(["-n", "::1", "-nr", "-e", String(open), "-l", file]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /exists; add -y/);
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});

const noNamespace = namespaceUnavailable();

Deno.test({
  name: "portset -n -p udp: DNS, NTP, NetBIOS, SNMP and CLDAP answers, silence, a closed port",
  // The protocols' own ports, which the host's resolver, time server and others may hold: in a
  // network namespace of the test's own, where they are free.
  ignore: ignoreUdp || noNamespace !== null,
  async fn() {
    await using namespace = await Namespace.create("udp-queries");
    const address = "127.0.0.1";
    const served = await serve(namespace, [
      `udp/${address}/53=dns`,
      `udp/${address}/123=ntp`,
      `udp/${address}/137=netbios`,
      `udp/${address}/161=snmp:s3cret`,
      `udp/${address}/389=cldap`,
      `udp/${address}/0=silent`,
    ]);
    const silent = served.keys[5];
    const silentPort = Number(silent.split("/").at(-1));
    const closed = 9; // nothing listens in the namespace but serve.ts
    const ports = [53, 123, 137, 161, 389, silentPort, closed];
    const run = await runCliIn(namespace, [
      "-n",
      address,
      "-nr",
      "-p",
      "udp",
      "-o",
      ports.join(","),
      "-cn",
      "s3cret",
    ]);
    assert.equal(run.code, 0, run.stderr);
    const out = run.stdout;
    const has = (text: string) => assert.ok(out.includes(text), `${text}\nin:\n${out}`);
    const staged = (port: number, service: string, name: string, answer: string[]) =>
      has(
        [
          `UDP port ${port} (${service} service): LISTENING or FILTERED`,
          "",
          ...(name === "SNMP" ? ["community name for query:", "", "s3cret", ""] : []),
          `Sending ${name} query to UDP port ${port}...`,
          "",
          ...(name === "LDAP" ? ["LDAP query response:", ""] : []),
          ...answer,
          ...(name === "LDAP" ? ["", "======== End of LDAP query response ========"] : []),
          "",
          `UDP port ${port} is LISTENING`,
          "",
        ].join("\n"),
      );
    staged(53, "domain", "DNS", [
      "DNS server answered: NOERROR, 2 answer(s), 0 authority record(s), authoritative",
      ". -> a.test.",
      ". -> b.test.",
    ]);
    staged(123, "ntp", "NTP", [
      "NTP server version 4, stratum 2, reference 192.0.2.7",
      `server time: ${NTP_TIME.toISOString()}`,
      "leap indicator: 0 (no warning)",
    ]);
    staged(137, "netbios-ns", "NetBIOS", [
      "TESTHOST        <00> -         B <ACTIVE>",
      "WORKGROUP       <00> - <GROUP> B <ACTIVE>",
      "TESTHOST        <20> -         B <ACTIVE>",
      "",
      "MAC Address = 02-00-5E-10-20-30",
    ]);
    staged(161, "snmp", "SNMP", [
      "SNMP agent answered community 's3cret'",
      `sysDescr: ${SYS_DESCR}`,
    ]);
    staged(389, "ldap", "LDAP", [
      `dnsHostName: ${ROOT_DSE.dnsHostName}`,
      `defaultNamingContext: ${ROOT_DSE.defaultNamingContext}`,
      "supportedLDAPVersion: 3",
      "supportedLDAPVersion: 2",
    ]);
    assert.match(out, new RegExp(`UDP port ${silentPort} \\([^)]*\\): LISTENING or FILTERED\\n`));
    assert.match(out, new RegExp(`UDP port ${closed} \\([^)]*\\): NOT LISTENING\\n`));
    for (const key of served.keys) {
      assert.equal(served.received(key).length, 1, `one datagram to ${key}`);
    }
    assert.equal(
      served.received(silent)[0].bytes.length,
      0,
      "an empty datagram to an unknown port",
    );

    const wrongCommunity = await runCliIn(namespace, [
      "-n",
      address,
      "-nr",
      "-p",
      "udp",
      "-e",
      "161",
      "--json",
    ]);
    assert.deepEqual(JSON.parse(wrongCommunity.stdout).results, [{
      protocol: "udp",
      port: 161,
      service: "snmp",
      state: "LISTENING or FILTERED",
      reason: null,
      query: "SNMP",
      detail: null,
    }]);
  },
});

Deno.test({
  name: "portset -n -sp: TCP and UDP probes leave from the source port asked for",
  ignore: ignoreUdp,
  async fn() {
    using sockets = new TestSockets();
    // accept() through libc, after the probe: it names the peer's port even though the probe
    // has reset the connection by then (Deno's accept asks for the peer afterwards, and fails).
    const server = sockets.tcpListen("127.0.0.1");
    const tcpPort = server.port;
    await using udp = await startUdpServer("127.0.0.1", () => new Uint8Array([1]));
    const sourcePort = reservedSourcePort(sockets);
    const run = await runCli([
      "-n",
      "127.0.0.1",
      "-nr",
      "-p",
      "both",
      "-o",
      `${tcpPort},${udp.port}`,
      "-sp",
      String(sourcePort),
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`TCP port ${tcpPort} \\([^)]*\\): LISTENING`));
    assert.match(
      run.stdout,
      new RegExp(`UDP port ${udp.port} \\([^)]*\\): LISTENING\\n  answered with 1 byte`),
    );
    assert.equal(sockets.acceptPeer(server.fd).peerPort, sourcePort);
    assert.deepEqual(udp.received.map((datagram) => datagram.port), [sourcePort]);
  },
});

Deno.test("portset -n -r: a 200-port range finds exactly the listeners in it", async () => {
  using sockets = new TestSockets();
  // A block of 200 ports below the ephemeral range, every one of them the test's own: three
  // listeners at known offsets, the others bound without listening (closed, and closed to other
  // processes' listeners too). A block where the host holds a port is given up for another.
  const [low] = ephemeralPortRange();
  const offsets = [0, 57, 199];
  let base = 0;
  let listening: number[] = [];
  for (let attempt = 1; listening.length === 0; attempt++) {
    base = 1024 + Math.floor(Math.random() * (low - 1024 - 200));
    const held: number[] = [];
    try {
      for (let offset = 0; offset < 200; offset++) {
        const port = base + offset;
        const socket = offsets.includes(offset)
          ? sockets.tcpListen("127.0.0.1", port)
          : sockets.tcpBind("127.0.0.1", port, { reuseAddr: false });
        held.push(socket.fd);
      }
      listening = offsets.map((offset) => base + offset);
    } catch (error) {
      for (const fd of held) sockets.close(fd);
      if (!isAddressInUse(error) || attempt === 20) throw error;
    }
  }
  const run = await runCli(["-n", "127.0.0.1", "-nr", "-r", `${base}:${base + 199}`, "--json"]);
  assert.equal(run.code, 0, run.stderr);
  const results = JSON.parse(run.stdout).results as { port: number; state: string }[];
  assert.deepEqual(
    results.map((result) => result.port),
    Array.from({ length: 200 }, (_, i) => base + i),
    "every port, in order",
  );
  assert.deepEqual(
    results.filter((result) => result.state === "LISTENING").map((result) => result.port),
    listening,
  );
  assert.ok(results.every((r) => r.state === "LISTENING" || r.state === "NOT LISTENING"));
});

Deno.test("portset -n: usage errors are one line and exit code 2", async () => {
  for (
    const [args, pattern] of [
      [["-n", "h", "-r", "9:1"], /-r: the range 9:1 starts after it ends/],
      [["-n", "h", "-e", "70000"], /-e PORT must be a whole number from 1 to 65535/],
      [["-n", "h", "-e", "1", "-o", "2"], /-e and -o cannot be used together/],
    ] as const
  ) {
    const run = await runCli([...args]);
    assert.equal(run.code, 2, args.join(" "));
    assert.equal(run.stdout, "");
    assert.match(run.stderr, new RegExp(`^portset: ${pattern.source}[^\\n]*\\n$`));
  }
});

Deno.test({
  name: "portset -n NAME: the resolver's first answer (::1 for localhost), the others named",
  ignore: !isRoot(),
  async fn() {
    // A hosts file listing localhost as both, in mount and network namespaces of its own (port 9
    // is closed there whatever the host runs); getaddrinfo's
    // order (RFC 6724) puts ::1 first, as `getent ahosts` shows, whatever order the file has.
    const directory = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(
        `${directory}/hosts`,
        "127.0.0.1 localhost\n::1 localhost ip6-localhost\n",
      );
      const portset = `${Deno.execPath()} run --allow-all ${REPO_ROOT}main.ts`;
      const output = await new Deno.Command("unshare", {
        args: [
          "-mn",
          "sh",
          "-c",
          `ip link set lo up && mount --bind ${directory}/hosts /etc/hosts && ` +
          `getent ahosts localhost | ` +
          `awk '{print $1}' | uniq | tr '\\n' ' ' && echo && ` +
          `${portset} -n localhost -e 9 && ${portset} -n localhost -e 9 --json`,
        ],
        env: { DENO_NO_UPDATE_CHECK: "1" },
      }).output();
      const text = new TextDecoder().decode(output.stdout);
      assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
      const [resolver, ...report] = text.split("\n");
      const [first, ...others] = resolver.trim().split(" ");
      assert.equal(first, "::1", `getent ahosts: ${resolver}`);
      assert.match(
        report.join("\n"),
        new RegExp(
          `Name resolved to ::1\\n\\nOther addresses for localhost \\(not queried\\): ` +
            `${others.join(" ").replaceAll(".", "\\.")}\\n`,
        ),
      );
      assert.match(report.join("\n"), /TCP port 9 \(discard service\): NOT LISTENING/);
      const json = JSON.parse(report.join("\n").slice(report.join("\n").indexOf("{")));
      assert.deepEqual([json.address, json.otherAddresses], ["::1", others]);
    } finally {
      await Deno.remove(directory, { recursive: true });
    }
  },
});
