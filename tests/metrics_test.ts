/**
 * Prometheus metrics: the exposition format (outputs/prometheus.ts), the monitor's families
 * (outputs/monitor_metrics.ts), and `portset monitor --metrics` / `--textfile` run as a user runs
 * them: served over real HTTP, written as a real file, refused in one line when they cannot be.
 * tests/servers/prometheus_test.ts reads them back with Prometheus and node_exporter.
 */

import assert from "node:assert/strict";
import type { Endpoint } from "../model/endpoint.ts";
import { formatMonitorMetrics, type MonitorMetrics } from "../outputs/monitor_metrics.ts";
import { escapeLabelValue, formatExposition } from "../outputs/prometheus.ts";
import { pollUntil } from "./support/poll.ts";
import { runCli, RunningCli } from "./support/processes.ts";
import { TestSockets } from "./support/sockets.ts";

/** A socket as a collector reports it; `overrides` say what this one is. */
function endpoint(overrides: Partial<Endpoint>): Endpoint {
  return {
    protocol: "tcp",
    localAddress: "127.0.0.1",
    localPort: 80,
    remoteAddress: null,
    remotePort: null,
    state: "LISTENING",
    pid: 10,
    process: "httpd",
    path: "/usr/sbin/httpd",
    user: "root",
    inode: 1,
    socketUid: 0,
    receiveQueue: 0,
    sendQueue: 0,
    interface: null,
    v6only: null,
    created: null,
    ...overrides,
  };
}

function metrics(endpoints: Endpoint[], more: Partial<MonitorMetrics> = {}): MonitorMetrics {
  return {
    build: { version: "9.9.9", target: "x86_64-unknown-linux-gnu" },
    endpoints,
    changes: { listen: 2, bind: 0, connect: 5, state: 1, owner: 0, close: 3 },
    ruleEvents: null,
    looks: 7,
    lastLook: { time: "2026-12-04T16:44:26.410Z", durationMs: 12.3456789 },
    ...more,
  };
}

Deno.test("label values: backslash, double quote and line feed escaped, nothing else", () => {
  assert.equal(escapeLabelValue('a\\b"c\nd\te'), 'a\\\\b\\"c\\nd\te');
  const text = formatExposition([{
    name: "x",
    help: "back\\slash\nnewline",
    type: "gauge",
    samples: [{ labels: { name: 'q"\\\n' }, value: 1 }, { labels: {}, value: NaN }],
  }]);
  assert.equal(
    text,
    '# HELP x back\\\\slash\\nnewline\n# TYPE x gauge\nx{name="q\\"\\\\\\n"} 1\nx NaN\n',
  );
});

Deno.test("a listener of another network namespace is a series of its own, labelled with the namespace", () => {
  const host = { inode: 1, name: null, container: null, current: true };
  const web = { inode: 2, name: "web", container: null, current: false };
  const unnamed = { inode: 3, name: null, container: null, current: false };
  const text = formatMonitorMetrics(metrics([
    endpoint({ netns: host }),
    // A container's copy of the host's listener: same address, port, process and user.
    endpoint({ netns: web, inode: 2 }),
    endpoint({ netns: unnamed, inode: 3 }),
  ]));
  assert.deepEqual(text.split("\n").filter((line) => line.startsWith("portset_listening")), [
    'portset_listening{protocol="tcp",address="127.0.0.1",port="80",process="httpd",user="root"} 1',
    // In report order: the host's first, then the others by label.
    'portset_listening{protocol="tcp",address="127.0.0.1",port="80",process="httpd",user="root",netns="net:[3]"} 1',
    'portset_listening{protocol="tcp",address="127.0.0.1",port="80",process="httpd",user="root",netns="web"} 1',
  ]);
});

Deno.test("the monitor's families: one series per listener, sockets by state with zeros, counters", () => {
  const text = formatMonitorMetrics(metrics([
    endpoint({ localPort: 443 }),
    endpoint({ localPort: 80, inode: 2 }), // an SO_REUSEPORT pair: one series
    endpoint({ localPort: 80, inode: 3 }),
    endpoint({ protocol: "udp6", localAddress: "::", localPort: 53, state: null, process: null }),
    endpoint({ localPort: 40000, remoteAddress: "10.0.0.1", remotePort: 80, state: "ESTABLISHED" }),
    endpoint({
      protocol: "udp",
      localPort: 5000,
      remoteAddress: "10.0.0.1",
      remotePort: 53,
      state: null,
    }),
  ]));
  const lines = text.split("\n");
  assert.deepEqual(lines.filter((line) => line.startsWith("portset_listening")), [
    'portset_listening{protocol="tcp",address="127.0.0.1",port="80",process="httpd",user="root"} 1',
    'portset_listening{protocol="tcp",address="127.0.0.1",port="443",process="httpd",user="root"} 1',
    'portset_listening{protocol="udp6",address="::",port="53",process="",user="root"} 1',
  ]);
  const sockets = lines.filter((line) => line.startsWith("portset_sockets{"));
  assert.equal(
    sockets.length,
    11 * 2 + 2 * 2,
    "every TCP state of tcp and tcp6, UDP's two of udp and udp6",
  );
  for (
    const line of [
      'portset_sockets{protocol="tcp",state="LISTENING"} 3',
      'portset_sockets{protocol="tcp",state="ESTABLISHED"} 1',
      'portset_sockets{protocol="tcp6",state="LISTENING"} 0',
      'portset_sockets{protocol="udp",state="CONNECTED"} 1',
      'portset_sockets{protocol="udp6",state="UNCONNECTED"} 1',
      'portset_changes_total{kind="connect"} 5',
      'portset_changes_total{kind="owner"} 0',
      "portset_looks_total 7",
      "portset_last_look_duration_seconds 0.012346",
      "portset_last_look_timestamp_seconds 1796402666.41",
      'portset_build_info{version="9.9.9",target="x86_64-unknown-linux-gnu"} 1',
      "# TYPE portset_changes_total counter",
    ]
  ) assert.ok(lines.includes(line), `${line} in\n${text}`);
  assert.doesNotMatch(text, /portset_rule_events_total/, "no rule, no rule events family");
  const withRule = formatMonitorMetrics(
    metrics([], { ruleEvents: { Created: 4, Updated: 0, Deleted: 1 } }),
  );
  assert.match(withRule, /^portset_rule_events_total\{change="Created"\} 4$/m);
  assert.match(withRule, /^portset_rule_events_total\{change="Updated"\} 0$/m);
});

/** The `http://HOST:PORT/metrics` a monitor's started line names. */
async function metricsUrl(monitor: RunningCli): Promise<string> {
  const [, url] = await monitor.waitForError(/metrics at (http:\/\/\S+\/metrics)/, 30_000);
  return url;
}

Deno.test("monitor --metrics and --textfile: the same series over HTTP and in portset.prom, a new listener in both", async () => {
  const directory = Deno.makeTempDirSync();
  Deno.chmodSync(directory, 0o755);
  try {
    await using monitor = new RunningCli([
      "monitor",
      "--metrics",
      "127.0.0.1:0",
      "--textfile",
      directory,
      "--interval",
      "1",
      // Under a service's umask (systemd's UMask=0077): node_exporter's user must still read it.
    ], (command) => ["sh", "-c", 'umask 077 && exec "$@"', "sh", ...command]);
    const url = await metricsUrl(monitor);
    const response = await fetch(url);
    assert.equal(response.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
    assert.match(await response.text(), /^portset_looks_total \d+$/m);
    const origin = url.replace(/\/metrics$/, "");
    const notFound = await fetch(`${origin}/`);
    await notFound.body?.cancel();
    assert.equal(notFound.status, 404);
    const post = await fetch(url, { method: "POST", body: "x" });
    await post.body?.cancel();
    assert.equal(post.status, 405);
    // Its own listener is the monitor's business, not the host's. (Another process may hold the
    // same port number on another loopback address: CI's port holder does.)
    const own = new URL(url);
    const ownAddress = own.hostname.replaceAll(".", "\\.");
    assert.doesNotMatch(
      await (await fetch(url)).text(),
      new RegExp(`address="${ownAddress}",port="${own.port}"`),
    );

    using sockets = new TestSockets();
    const listener = sockets.tcpListen("127.0.0.193");
    const series = new RegExp(
      `^portset_listening\\{protocol="tcp",address="127\\.0\\.0\\.193",port="${listener.port}",process="[^"]*",user="[^"]*"\\} 1$`,
      "m",
    );
    const served = await pollUntil(async () => {
      const text = await (await fetch(url)).text();
      return series.test(text) ? text : undefined;
    });
    assert.ok(served, "the new listener served");
    const file = `${directory}/portset.prom`;
    const written = await pollUntil(() => {
      const text = Deno.readTextFileSync(file);
      return series.test(text) ? text : undefined;
    });
    assert.ok(written, "the new listener written");
    assert.equal((Deno.statSync(file).mode ?? 0) & 0o777, 0o644, "readable by all, umask or not");
    assert.deepEqual([...Deno.readDirSync(directory)].map((entry) => entry.name), [
      "portset.prom",
    ], "no temporary file left beside it");
    const stopped = await monitor.stop("SIGTERM");
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.deepEqual([...Deno.readDirSync(directory)], [], "removed when the monitor stops");
    await assert.rejects(fetch(url), "the listener closed");
  } finally {
    Deno.removeSync(directory, { recursive: true });
  }
});

Deno.test("metrics errors: one line, exit code 2, nothing listening", async () => {
  const file = Deno.makeTempFileSync();
  const shared = Deno.makeTempDirSync();
  Deno.chmodSync(shared, 0o777);
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const takenPort = (taken.addr as Deno.NetAddr).port;
  try {
    const cases: [string[], RegExp][] = [
      [["monitor"], /needs --log-dir DIR .*--metrics HOST:PORT or --textfile DIR/],
      [["monitor", "--metrics", "9465"], /--metrics HOST:PORT must name a host and a port/],
      [["monitor", "--metrics", ":9465"], /--metrics HOST:PORT must name a host and a port/],
      [["monitor", "--metrics", "::1:9465"], /--metrics HOST:PORT must name a host and a port/],
      [["monitor", "--metrics", "127.0.0.1:70000"], /--metrics HOST:PORT must name/],
      [
        ["monitor", "--metrics", `127.0.0.1:${takenPort}`],
        new RegExp(`cannot serve metrics on 127\\.0\\.0\\.1:${takenPort}: .*in use`, "i"),
      ],
      [["monitor", "--textfile", "/nonexistent-dir"], /--textfile \/nonexistent-dir: no such file/],
      [["monitor", "--textfile", file], /--textfile .*: not a directory/i],
      [["monitor", "--textfile", shared], /can be written by every user and is not sticky/],
    ];
    for (const [args, pattern] of cases) {
      const run = await runCli(args, { env: { NO_COLOR: "1" } });
      assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
      const lines = run.stderr.trimEnd().split("\n");
      assert.equal(lines.length, 1, run.stderr);
      assert.match(lines[0], pattern);
    }
    assert.deepEqual([...Deno.readDirSync(shared)], [], "nothing written in the shared one");
  } finally {
    Deno.removeSync(file);
    Deno.removeSync(shared, { recursive: true });
  }
});
