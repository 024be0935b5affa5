/**
 * `monitor --loki URL`: rule events pushed as Loki's push API takes them, against a receiver in
 * the test that checks each request as Loki's documented API has it (Debian has no Loki server:
 * its `loki` package is a genetics program). The receiver goes down and answers 503 on the way:
 * the events wait and arrive once each, in order.
 */

import assert from "node:assert/strict";
import { RunningCli } from "./support/processes.ts";
import { pollUntil } from "./support/poll.ts";
import { TestSockets } from "./support/sockets.ts";

/** One event as Loki would store it: its stream's labels, its time and its line. */
interface Received {
  labels: Record<string, string>;
  ns: string;
  line: string;
}

/** A receiver of Loki's push API on loopback; `refuse` makes it answer 503. */
function lokiReceiver(port = 0) {
  const received: Received[] = [];
  const problems: string[] = [];
  let refuse = false;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port, onListen: () => {} },
    async (request) => {
      const url = new URL(request.url);
      if (request.method !== "POST" || url.pathname !== "/loki/api/v1/push") {
        problems.push(`${request.method} ${url.pathname}`);
        return new Response("not found", { status: 404 });
      }
      if (request.headers.get("content-type") !== "application/json") {
        problems.push(`content-type ${request.headers.get("content-type")}`);
      }
      const body = await request.json();
      if (refuse) return new Response("busy", { status: 503 });
      for (const stream of body.streams) {
        for (const [ns, line] of stream.values) {
          if (!/^\d{19}$/.test(ns)) problems.push(`timestamp ${ns}`);
          received.push({ labels: stream.stream, ns, line });
        }
      }
      return new Response(null, { status: 204 });
    },
  );
  return {
    received,
    problems,
    port: server.addr.port,
    set refuse(value: boolean) {
      refuse = value;
    },
    stop: () => server.shutdown(),
  };
}

Deno.test("monitor --loki: each event a line of its stream, labelled; waiting through 503 and an outage, once each, in order", async () => {
  using sockets = new TestSockets();
  let loki = lokiReceiver();
  const port = loki.port;
  const rule = Deno.makeTempFileSync({ suffix: ".xml" });
  Deno.writeTextFileSync(
    rule,
    `<PortSet onChange="true"><include key="*/127.0.0.94/*"/></PortSet>`,
  );
  try {
    await using monitor = new RunningCli([
      "monitor",
      "--rule",
      rule,
      "--interval",
      "1",
      "--jsonl",
      "--loki",
      `http://127.0.0.1:${port}`,
    ]);
    await monitor.waitForError(/portset: monitoring every 1 s/);
    const keys: string[] = [];
    const open = async () => {
      const listener = sockets.tcpListen("127.0.0.94");
      const key = `tcp/127.0.0.94/${listener.port}`;
      keys.push(key);
      await monitor.waitFor(new RegExp(`"change":"Created","key":"${key.replaceAll(".", "\\.")}"`));
    };
    await open();
    await pollUntil(() => loki.received.length >= 1 || undefined);

    loki.refuse = true;
    await open();
    await monitor.waitForError(/portset: loki: \S+ answered 503 Service Unavailable; events wait/);
    loki.refuse = false;
    await monitor.waitForError(/portset: loki: pushing to \S+ again/, 20_000);

    await loki.stop();
    await open();
    await open();
    await monitor.waitForError(/portset: loki: cannot reach/);
    const before = loki.received;
    loki = lokiReceiver(port);
    const run = await (async () => {
      await pollUntil(() => loki.received.length >= 2 || undefined, { deadlineMs: 40_000 });
      return await monitor.stop("SIGTERM");
    })();
    assert.equal(run.code, 0, run.stderr);
    const all = [...before, ...loki.received];
    assert.deepEqual([...loki.problems], []);
    const printed = run.stdout.split("\n").filter((line) => line.includes('"event":"change"'));
    assert.deepEqual(all.map((event) => event.line), printed, "each event once, in order, whole");
    for (const event of all) {
      const parsed = JSON.parse(event.line);
      assert.deepEqual(event.labels, { job: "portset", host: parsed.host, kind: parsed.change });
      assert.equal(event.ns, `${Date.parse(parsed.time)}000000`);
    }
    assert.deepEqual(all.map((event) => JSON.parse(event.line).key), keys);
  } finally {
    await loki.stop().catch(() => {});
    Deno.removeSync(rule);
  }
});
