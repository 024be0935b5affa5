/**
 * `-local`'s filters on real sockets of this test's own: each filter alone, filters together
 * (AND), several values of one filter (OR), and every format showing the same endpoints, the text
 * report's counts included.
 */

import assert from "node:assert/strict";
import { runCli } from "./support/processes.ts";
import { TestSockets } from "./support/sockets.ts";

interface JsonEndpoint {
  protocol: string;
  localAddress: string;
  localPort: number;
  remotePort: number | null;
  state: string | null;
  pid: number | null;
}

/**
 * `-local --json ARGS`: the endpoints shown, as `protocol address:port state`, this process's
 * alone: on a busy host another process may hold the same port number on another loopback
 * address (the bench's socket farms hold 16,000), and CI's port holder leaves TIME_WAITs (no
 * owner) of its own there, which the filters rightly show.
 */
async function shown(...args: string[]): Promise<string[]> {
  const run = await runCli(["-local", "--json", ...args]);
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  const ours = (report.endpoints as JsonEndpoint[]).filter((e) => e.pid === Deno.pid);
  return ours.map((e) => `${e.protocol} ${e.localAddress}:${e.localPort} ${e.state ?? "-"}`).sort();
}

Deno.test("-local filters: each alone, together (AND), several values (OR)", async () => {
  using sockets = new TestSockets();
  const listener = sockets.tcpListen("127.0.0.1");
  const client = sockets.tcpConnect("127.0.0.1", listener.port);
  sockets.accept(listener.fd);
  const udp = sockets.udp("127.0.0.1");
  const udpConnected = sockets.udp("127.0.0.1", 0, { address: "127.0.0.1", port: udp.port });
  const listener6 = sockets.tcpListen("::1");
  const A = listener.port, B = udp.port, C = listener6.port;
  const pid = String(Deno.pid);

  assert.deepEqual(await shown("--port", String(A)), [
    `tcp 127.0.0.1:${A} ESTABLISHED`,
    `tcp 127.0.0.1:${A} LISTENING`,
  ]);
  assert.deepEqual(await shown("--listening", "--port", `${A},${B},${udpConnected.port}`), [
    `tcp 127.0.0.1:${A} LISTENING`,
    `udp 127.0.0.1:${B} -`,
  ], "--listening: TCP listeners and unconnected UDP sockets only");
  assert.deepEqual(
    await shown("--state", "ESTABLISHED", "--port", `${A},${client.port}`),
    // In natural order: by port number.
    [A, client.port].sort((a, b) => a - b).map((port) => `tcp 127.0.0.1:${port} ESTABLISHED`),
  );
  assert.deepEqual(
    await shown("--state", "listening,established", "--state", "time-wait", "--port", String(A)),
    [`tcp 127.0.0.1:${A} ESTABLISHED`, `tcp 127.0.0.1:${A} LISTENING`],
    "several states, comma-separated and repeated, in any case",
  );
  assert.deepEqual(await shown("--listening", "--state", "established", "--port", String(A)), []);
  assert.deepEqual(await shown("--key", `tcp*/127.0.0.1/${A}`, "--listening"), [
    `tcp 127.0.0.1:${A} LISTENING`,
  ]);
  assert.deepEqual(await shown("--key", `tcp6/::1/${C}`, "--key", `udp/*/${B}`), [
    `tcp6 ::1:${C} LISTENING`,
    `udp 127.0.0.1:${B} -`,
  ]);
  assert.deepEqual(await shown("--proto", "6", "--port", `${A},${C}`), [
    `tcp6 ::1:${C} LISTENING`,
  ]);
  assert.deepEqual(await shown("--proto", "tcp,4", "--port", `${A},${B},${C}`, "--listening"), [
    `tcp 127.0.0.1:${A} LISTENING`,
  ]);
  assert.deepEqual(await shown("--proto", "udp", "--port", `${A},${B}`, "--pid", pid), [
    `udp 127.0.0.1:${B} -`,
  ]);
  assert.deepEqual(
    await shown("--process", "den?", "--pid", pid, "--port", `${A},${C}`, "--listening"),
    [`tcp 127.0.0.1:${A} LISTENING`, `tcp6 ::1:${C} LISTENING`],
  );
  assert.deepEqual(await shown("--process", "not-deno*", "--port", String(A)), []);
});

Deno.test("-local filters: the same endpoints in text, JSON and CSV; the text counts what it shows", async () => {
  using sockets = new TestSockets();
  const listener = sockets.tcpListen("127.0.0.1");
  sockets.tcpConnect("127.0.0.1", listener.port);
  sockets.accept(listener.fd);
  const A = String(listener.port);
  const filter = ["--port", A, "--pid", String(Deno.pid)];

  const json = JSON.parse((await runCli(["-local", "--json", ...filter])).stdout);
  assert.equal(json.endpoints.length, 2);
  assert.deepEqual(json.processes.map((p: { pid: number }) => p.pid), [Deno.pid]);

  const csv = await runCli(["-local", "--csv", ...filter]);
  assert.equal(csv.code, 0, csv.stderr);
  const rows = csv.stdout.trimEnd().split("\n").slice(1);
  assert.equal(rows.length, 2, csv.stdout);
  for (const row of rows) assert.match(row, new RegExp(`^tcp,127\\.0\\.0\\.1,${A},`));

  const text = await runCli(["-local", ...filter]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, new RegExp(`^ Filter on: --port ${A} --pid ${Deno.pid} `, "m"));
  assert.match(text.stdout, / 2 active ports found/);
  assert.match(text.stdout, / 2 mappings found/);
  assert.match(text.stdout, /TCP mappings: 2\n UDP mappings: 0/);
  assert.match(text.stdout, /TCP ports in a LISTENING state: +1 = 50\.00%/);
  assert.match(text.stdout, /TCP ports in a ESTABLISHED state: +1 = 50\.00%/);
  const blocks = text.stdout.match(/Process ID: \d+/g);
  assert.deepEqual(blocks, [`Process ID: ${Deno.pid}`], "only the process shown");

  const unfiltered = await runCli(["-local"]);
  assert.doesNotMatch(unfiltered.stdout, /Filter on:/);
});
