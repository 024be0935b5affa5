/** outputs/local_report.ts on a made-up snapshot: every part of the PortQry layout. */

import assert from "node:assert/strict";
import type { ProcessInfo } from "../model/endpoint.ts";
import { formatLocalReport } from "../outputs/local_report.ts";
import { makeEndpoint, makeProcessInfo, makeSnapshot } from "./support/endpoints.ts";

function process(pid: number, overrides: Partial<ProcessInfo> = {}): ProcessInfo {
  return makeProcessInfo({ pid, modules: null, ...overrides });
}

const snapshot = makeSnapshot([
  makeEndpoint({ pid: 612 }),
  makeEndpoint({ protocol: "tcp6", localAddress: "::", pid: 612 }),
  makeEndpoint({
    localPort: 22,
    localAddress: "10.0.0.5",
    remoteAddress: "10.0.0.9",
    remotePort: 50000,
    state: "ESTABLISHED",
    pid: 700,
    process: "sshd",
  }),
  makeEndpoint({
    localPort: 22,
    remoteAddress: "10.0.0.9",
    remotePort: 50001,
    state: "TIME_WAIT",
    pid: null,
  }),
  makeEndpoint({
    protocol: "udp",
    localPort: 53,
    state: null,
    pid: 1,
    owners: [
      { pid: 1, process: "systemd", path: "/sbin/init", user: "root" },
      { pid: 900, process: "resolver\u001b[2J", path: null, user: "nobody" },
    ],
  }),
], {
  processes: new Map([
    [1, process(1, { process: "systemd", modules: null, modulesError: "permission denied" })],
    [
      612,
      process(612, {
        services: [{
          name: "ssh.service",
          displayName: "OpenBSD Secure Shell server",
          shared: false,
        }],
        modules: [{ path: "/usr/sbin/sshd", baseAddress: "0x55d4c0a00000" }],
      }),
    ],
    [700, process(700, { modules: null, modulesError: "permission denied" })],
    [900, process(900, { process: "resolver\u001b[2J", user: "nobody", modules: null })],
  ]),
  warnings: ["running as uid 1000 without root"],
});

const verbose = formatLocalReport(snapshot, { verbose: true, command: "portset -local -v" });

function block(pid: number): string {
  const start = verbose.indexOf(` Process ID: ${pid} `);
  assert.ok(start >= 0, `a block for ${pid}`);
  const end = verbose.indexOf(" Process ID: ", start + 1);
  return verbose.slice(start, end < 0 ? undefined : end);
}

Deno.test("header, counts and statistics", () => {
  assert.match(verbose, / Command run: portset -local -v\n/);
  assert.match(verbose, / Note: running as uid 1000 without root\n/);
  assert.match(verbose, / 5 active ports found\n/);
  assert.match(verbose, / TCP mappings: 4\n UDP mappings: 1\n/);
  assert.match(verbose, / TCP ports in a LISTENING state: +2 = 50\.00%\n/);
  assert.match(verbose, / TCP ports in a ESTABLISHED state: +1 = 25\.00%\n/);
  assert.match(verbose, / TCP ports in a TIME_WAIT state: +1 = 25\.00%\n/);
  assert.match(verbose, / 4 mappings found\n/, "the TIME_WAIT socket has no owner to map");
});

Deno.test("rows: listeners show 0.0.0.0:0 or [::]:0, UDP *:*, peers address:port", () => {
  assert.match(verbose, /\n TCP 22 +0\.0\.0\.0 +LISTENING +0\.0\.0\.0:0\n/);
  assert.match(verbose, /\n TCP6 22 +:: +LISTENING +\[::\]:0\n/);
  assert.match(verbose, /\n TCP 22 +10\.0\.0\.5 +ESTABLISHED +10\.0\.0\.9:50000\n/);
  assert.match(verbose, /\n UDP 53 +0\.0\.0\.0 +\*:\*\n/);
  assert.match(verbose, /\n 612:sshd +TCP 22 /);
});

Deno.test("process blocks: services, not a service, user, modules, module errors", () => {
  const sshd = block(612);
  assert.match(
    sshd,
    /Service Name: ssh\.service\n Display Name: OpenBSD Secure Shell server\n Service Type: runs in its own process/,
  );
  assert.match(sshd, /User context: root/);
  assert.match(sshd, /Loaded modules:\n \/usr\/sbin\/sshd \(0x55d4c0a00000\)/);
  assert.match(sshd, /TCP mappings: 2/);
  assert.match(block(700), /Process doesn't appear to be a service/);
  assert.match(
    block(700),
    /Module information could not be read for this process \(permission denied\)/,
  );
  assert.match(
    block(1),
    /Module information could not be read for this process \(permission denied\)/,
  );
});

Deno.test("a socket held by several processes appears in each one's block", () => {
  assert.match(block(1), /UDP 53 /);
  assert.match(block(900), /UDP 53 /);
  assert.match(block(900), /User context: nobody/);
});

Deno.test("control characters in names are shown as ?", () => {
  assert.ok(!verbose.includes("\u001b"), "no escape character reaches the terminal");
  assert.match(verbose, /Process ID: 900 \(resolver\?\[2J\)/);
});

Deno.test("without -v, no modules are listed", () => {
  const plain = formatLocalReport(snapshot);
  assert.ok(!plain.includes("Loaded modules"));
  assert.ok(!plain.includes("Module information"));
  assert.match(plain, / End of portset output\n$/);
});

Deno.test("an interface name in an address's scope, local or peer, shows its control characters as ?", () => {
  const hostile = "ev\u001b[31mil\nnet";
  const text = formatLocalReport(makeSnapshot([
    makeEndpoint({ protocol: "tcp6", localAddress: `fe80::1%${hostile}`, localPort: 80, pid: 5 }),
    makeEndpoint({
      protocol: "tcp6",
      localAddress: "fe80::2",
      localPort: 81,
      remoteAddress: `fe80::3%${hostile}`,
      remotePort: 4000,
      state: "ESTABLISHED",
      pid: 5,
      process: "web\u001b]0;x\u0007",
    }),
  ]));
  // deno-lint-ignore no-control-regex -- control characters are what it looks for
  assert.ok(!/[\u0000-\u0009\u000b-\u001f\u007f]/.test(text), "no control character but line ends");
  assert.match(text, / TCP6 80 +fe80::1%ev\?\[31mil\?net +LISTENING/);
  assert.match(text, /\[fe80::3%ev\?\[31mil\?net\]:4000/);
  assert.match(text, / 5:web\?\]0;x\? +TCP6 81 /);
  // Every row of a port is one line: the line break in the name made none.
  assert.equal(text.split("\n").filter((line) => line.includes("TCP6 80 ")).length, 3);
});
