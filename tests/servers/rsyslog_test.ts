/**
 * portset's rule events through Debian's rsyslog, the syslog daemon operators run: over UDP and
 * over TCP with octet-counting framing (RFC 6587), rsyslog's RFC 5424 parser must store every
 * message whole: the header fields portset set, its structured data, and the JSON or CEF event
 * byte for byte, a process name that is not ASCII included. rsyslog runs in a network namespace
 * of the test's own, and so do the monitor and the process whose listener is the event.
 *
 * @module
 */

import assert from "node:assert/strict";
import { REPO_ROOT, RunningCli, startHolder } from "../support/processes.ts";
import { type Daemon, Namespace, waitUntil } from "./support/netns.ts";
import { type Need, serverTest, systemPython } from "./support/requirements.ts";

const NEEDS: Need[] = [{ tool: "rsyslogd", pkg: "rsyslog" }];

/** rsyslog's port in the namespace, for UDP and TCP alike. */
const SYSLOG_PORT = 10514;
/** The address the events' listener binds: the rule selects it alone. */
const ADDRESS = "127.0.0.5";
/** A process name that is not ASCII: it must reach rsyslog's file as the UTF-8 it is. */
const NAME = "dëmon";

/** What rsyslog stored of one message, property by property. */
interface Stored {
  time: string;
  hostname: string;
  appName: string;
  procId: string;
  msgId: string;
  structuredData: string;
  msg: string;
}

/** TLS for rsyslog: its certificate and key, and the authority that signed them. */
interface TlsFiles {
  ca: string;
  cert: string;
  key: string;
}

/**
 * Starts rsyslogd in `namespace`, receiving on UDP and TCP (octet counting is on by default for
 * imtcp), or with `tls` on TLS alone, and writing each message's RFC 5424 properties,
 * tab-separated, to `messages` (appended to, across restarts).
 */
async function startRsyslog(
  namespace: Namespace,
  tls: TlsFiles | null = null,
): Promise<{ messages: string; daemon: Daemon }> {
  const work = await namespace.makeDir("rsyslog-work", 0o700);
  const messages = `${namespace.dir}/messages`;
  const inputs = tls
    ? [
      `global(DefaultNetstreamDriver="gtls" DefaultNetstreamDriverCAFile="${tls.ca}"`,
      `       DefaultNetstreamDriverCertFile="${tls.cert}" DefaultNetstreamDriverKeyFile="${tls.key}")`,
      `module(load="imtcp" StreamDriver.Name="gtls" StreamDriver.Mode="1" StreamDriver.AuthMode="anon")`,
      `input(type="imtcp" address="127.0.0.1" port="${SYSLOG_PORT}")`,
    ]
    : [
      `module(load="imudp")`,
      `module(load="imtcp")`,
      `input(type="imudp" address="127.0.0.1" port="${SYSLOG_PORT}")`,
      `input(type="imtcp" address="127.0.0.1" port="${SYSLOG_PORT}")`,
    ];
  const conf = await namespace.writeFile(
    "rsyslog.conf",
    [
      `global(workDirectory="${work}")`,
      ...inputs,
      `template(name="fields" type="list") {`,
      ...["timereported", "hostname", "app-name", "procid", "msgid", "structured-data"].map(
        (name) =>
          `  property(name="${name}"${
            name === "timereported" ? ` dateFormat="rfc3339"` : ""
          }) constant(value="\\t")`,
      ),
      `  property(name="msg") constant(value="\\n")`,
      `}`,
      `action(type="omfile" file="${messages}" template="fields")`,
      "",
    ].join("\n"),
  );
  const daemon = namespace.start("rsyslogd", [
    "rsyslogd",
    "-n",
    "-f",
    conf,
    "-i",
    `${namespace.dir}/rsyslogd.pid`,
  ]);
  await waitUntil("rsyslogd listening", async () => {
    const tcp = await namespace.listeningPorts("tcp");
    const udp = tls ? new Set([SYSLOG_PORT]) : await namespace.listeningPorts("udp");
    return udp.has(SYSLOG_PORT) && tcp.has(SYSLOG_PORT);
  });
  return { messages, daemon };
}

/** The messages rsyslog stored so far. */
function stored(path: string): Stored[] {
  let text = "";
  try {
    text = Deno.readTextFileSync(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return text.split("\n").filter((line) => line !== "").map((line) => {
    const [time, hostname, appName, procId, msgId, structuredData, ...msg] = line.split("\t");
    return { time, hostname, appName, procId, msgId, structuredData, msg: msg.join("\t") };
  });
}

/** A Python in the namespace, named `NAME`, holding a TCP listener on `ADDRESS`. */
function holdListener(namespace: Namespace) {
  const script = [
    "import json, socket, sys",
    `open('/proc/self/comm', 'w').write(sys.argv[1])`,
    "s = socket.socket(); s.bind((sys.argv[2], 0)); s.listen()",
    "print(json.dumps({'port': s.getsockname()[1]}), flush=True)",
    "sys.stdin.read()",
  ].join("\n");
  const [command, ...args] = namespace.wrap([systemPython(), "-c", script, NAME, ADDRESS]);
  return startHolder(command, args);
}

for (
  const [transport, format] of [["udp", "--jsonl"], ["tcp", "--cef"]] as const
) {
  await serverTest(
    `rsyslog over ${transport.toUpperCase()} stores each ${format} event whole: header, structured data, message, a UTF-8 name`,
    {
      needs: NEEDS,
      fn: async () => {
        await using namespace = await Namespace.create(`rsyslog-${transport}`);
        const { messages } = await startRsyslog(namespace);
        const rule = await namespace.writeFile(
          "rule.xml",
          `<PortSet onChange="true"><include key="*/${ADDRESS}/*"/></PortSet>`,
        );
        await using monitor = new RunningCli([
          "monitor",
          "--rule",
          rule,
          "--interval",
          "1",
          format,
          "--syslog",
          `${transport}://127.0.0.1:${SYSLOG_PORT}`,
        ], (command) => namespace.wrap(command));
        await monitor.waitForError(/portset: monitoring every 1 s/);

        const holder = await holdListener(namespace);
        const key = `tcp/${ADDRESS}/${holder.ready.port}`;
        await monitor.waitFor(new RegExp(`Created.*${key.replaceAll(".", "\\.")}`));
        await holder.close();
        await monitor.waitFor(new RegExp(`Deleted.*${key.replaceAll(".", "\\.")}`));
        const run = await monitor.stop("SIGTERM");
        assert.equal(run.code, 0, run.stderr);
        assert.doesNotMatch(run.stderr, /syslog:/, "no sending failure was reported");

        // What the monitor printed is what it sent: one message per event, in order.
        const printed = run.stdout.split("\n").filter((line) =>
          line.includes(key) && (format === "--cef" || line.includes('"event":"change"'))
        );
        assert.equal(printed.length, 2, run.stdout);
        const arrived = await waitUntil(`rsyslog stored both events of ${key}`, () => {
          const mine = stored(messages).filter((message) => message.msg.includes(key));
          return Promise.resolve(mine.length >= 2 ? mine : null);
        });
        assert.equal(arrived.length, 2, "each event once");
        assert.deepEqual(arrived.map((message) => message.msg), printed, "each message whole");
        assert.deepEqual(arrived.map((message) => message.msgId), [
          "PortSet-Created",
          "PortSet-Deleted",
        ]);
        for (const message of arrived) {
          assert.equal(message.appName, "portset");
          assert.match(message.procId, /^\d+$/);
          assert.match(message.structuredData, /^\[portset@32473 version="[^"]+"\]$/);
          assert.ok(!Number.isNaN(Date.parse(message.time)), message.time);
          assert.ok(message.msg.includes(NAME), `the name arrives as UTF-8: ${message.msg}`);
        }
        if (format === "--jsonl") {
          const created = JSON.parse(arrived[0].msg);
          assert.equal(created.process, NAME);
          assert.equal(created.attributes.Process, NAME);
        } else {
          assert.match(arrived[0].msg, /^CEF:0\|portset\|portset\|[^|]+\|PortSet:Created\|/);
          assert.ok(arrived[0].msg.includes(`dproc=${NAME}`), arrived[0].msg);
        }
      },
    },
  );
}

const TLS_NEEDS: Need[] = [
  ...NEEDS,
  { pkg: "rsyslog-gnutls" },
  { tool: "certtool", pkg: "gnutls-bin" },
];

/**
 * A certificate authority and, signed by it, a certificate for 127.0.0.1 with its key, made by
 * GnuTLS's certtool in the namespace's directory; `label` keeps two authorities apart.
 */
async function makeCertificates(namespace: Namespace, label: string): Promise<TlsFiles> {
  const file = (name: string) => `${namespace.dir}/${label}-${name}`;
  await namespace.writeFile(
    `${label}-ca.tmpl`,
    `cn = "portset test CA ${label}"\nca\ncert_signing_key\nexpiration_days = 2\n`,
  );
  await namespace.writeFile(
    `${label}-server.tmpl`,
    `cn = "127.0.0.1"\nip_address = "127.0.0.1"\ndns_name = "localhost"\ntls_www_server\n` +
      `encryption_key\nsigning_key\nexpiration_days = 2\n`,
  );
  const certtool = (args: string[]) => namespace.runOk(["certtool", ...args]);
  await certtool(["--generate-privkey", "--outfile", file("ca-key.pem")]);
  await certtool([
    "--generate-self-signed",
    "--load-privkey",
    file("ca-key.pem"),
    "--template",
    file("ca.tmpl"),
    "--outfile",
    file("ca.pem"),
  ]);
  await certtool(["--generate-privkey", "--outfile", file("server-key.pem")]);
  await certtool([
    "--generate-certificate",
    "--load-privkey",
    file("server-key.pem"),
    "--load-ca-certificate",
    file("ca.pem"),
    "--load-ca-privkey",
    file("ca-key.pem"),
    "--template",
    file("server.tmpl"),
    "--outfile",
    file("server.pem"),
  ]);
  return { ca: file("ca.pem"), cert: file("server.pem"), key: file("server-key.pem") };
}

/** A monitor of the test's rule in `namespace`, its events as JSON lines and to `syslog`. */
async function startMonitor(namespace: Namespace, syslog: string[]): Promise<RunningCli> {
  const rule = await namespace.writeFile(
    "rule.xml",
    `<PortSet onChange="true"><include key="*/${ADDRESS}/*"/></PortSet>`,
  );
  const monitor = new RunningCli(
    ["monitor", "--rule", rule, "--interval", "1", "--jsonl", "--syslog", ...syslog],
    (command) => namespace.wrap(command),
  );
  await monitor.waitForError(/portset: monitoring every 1 s/);
  return monitor;
}

/** The change lines a monitor printed, in order. */
function printedChanges(stdout: string): string[] {
  return stdout.split("\n").filter((line) => line.includes('"event":"change"'));
}

await serverTest(
  "rsyslog over TLS (gtls): events arrive whole when the CA is given; an untrusted certificate is refused at start",
  {
    needs: TLS_NEEDS,
    fn: async () => {
      await using namespace = await Namespace.create("rsyslog-tls");
      const tls = await makeCertificates(namespace, "good");
      const stranger = await makeCertificates(namespace, "stranger");
      const { messages } = await startRsyslog(namespace, tls);
      const url = `tls://127.0.0.1:${SYSLOG_PORT}`;

      // Certificate checking: the system's authorities do not know the test's, nor does another.
      for (const args of [[url], [url, "--syslog-ca", stranger.ca]]) {
        const refused = await namespace.run([
          Deno.execPath(),
          "run",
          "-A",
          `${REPO_ROOT}main.ts`,
          "monitor",
          "--rule",
          await namespace.writeFile("rule.xml", `<PortSet><include key="*/*/1"/></PortSet>`),
          "--syslog",
          ...args,
        ], { timeoutMs: 20_000, env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" } });
        assert.equal(refused.code, 2, refused.stderr);
        assert.match(
          refused.stderr,
          /^portset: cannot reach syslog server tls:\/\/127\.0\.0\.1:10514: .*(certificate|issuer|Unknown|trust).*\n$/i,
        );
      }

      await using monitor = await startMonitor(namespace, [url, "--syslog-ca", tls.ca]);
      const holder = await holdListener(namespace);
      const key = `tcp/${ADDRESS}/${holder.ready.port}`;
      await monitor.waitFor(new RegExp(`"change":"Created","key":"${key.replaceAll(".", "\\.")}"`));
      await holder.close();
      await monitor.waitFor(new RegExp(`"change":"Deleted","key":"${key.replaceAll(".", "\\.")}"`));
      const run = await monitor.stop("SIGTERM");
      assert.equal(run.code, 0, run.stderr);
      const printed = printedChanges(run.stdout).filter((line) => line.includes(key));
      const arrived = await waitUntil(`rsyslog stored both events of ${key} over TLS`, () => {
        const mine = stored(messages).filter((message) => message.msg.includes(key));
        return Promise.resolve(mine.length >= 2 ? mine : null);
      });
      assert.deepEqual(arrived.map((message) => message.msg), printed);
      assert.ok(arrived.every((message) => message.structuredData.startsWith("[portset@32473 ")));
    },
  },
);

await serverTest(
  "rsyslog stopped and restarted mid-run, then the monitor restarted: every event delivered once, in order, from the on-disk queue",
  {
    needs: NEEDS,
    fn: async () => {
      await using namespace = await Namespace.create("rsyslog-restart");
      let { messages, daemon } = await startRsyslog(namespace);
      const queue = `${namespace.dir}/syslog-queue`;
      const syslog = [`tcp://127.0.0.1:${SYSLOG_PORT}`, "--syslog-queue", queue];
      const printed: string[] = [];
      const holders: Awaited<ReturnType<typeof holdListener>>[] = [];
      const openListener = async (monitor: RunningCli) => {
        const holder = await holdListener(namespace);
        holders.push(holder);
        const key = `tcp/${ADDRESS}/${holder.ready.port}`;
        await monitor.waitFor(
          new RegExp(`"change":"Created","key":"${key.replaceAll(".", "\\.")}"`),
        );
      };
      try {
        await using first = await startMonitor(namespace, syslog);
        await openListener(first);
        await waitUntil(
          "the first event stored",
          () => Promise.resolve(stored(messages).length >= 1),
        );

        // rsyslog goes away: the events wait.
        await daemon.stop();
        for (let i = 0; i < 3; i++) await openListener(first);
        await first.waitForError(
          /portset: syslog: cannot deliver to tcp:\/\/127\.0\.0\.1:10514 \(connection refused\); events wait in the queue in \S+syslog-queue, up to 10\.0 MiB\n/,
        );
        // It comes back: they are delivered, in order, and it says so.
        ({ messages, daemon } = await startRsyslog(namespace));
        await first.waitForError(
          /portset: syslog: delivering to tcp:\/\/127\.0\.0\.1:10514 again; 3 events waited\n/,
          40_000,
        );

        // Away again, and the monitor stops meanwhile: its queue keeps what waits, on disk.
        await daemon.stop();
        for (let i = 0; i < 2; i++) await openListener(first);
        await first.waitForError(/portset: syslog: cannot deliver to/);
        const stopped = await first.stop("SIGTERM");
        assert.equal(stopped.code, 0, stopped.stderr);
        printed.push(...printedChanges(stopped.stdout));
        assert.equal(printed.length, 6);

        // rsyslog back, a new monitor with the same queue: the two waiting go first.
        ({ messages, daemon } = await startRsyslog(namespace));
        await using second = await startMonitor(namespace, syslog);
        await openListener(second);
        const run = await second.stop("SIGTERM");
        assert.equal(run.code, 0, run.stderr);
        printed.push(...printedChanges(run.stdout));

        const mine = (message: Stored) =>
          holders.some((h) => message.msg.includes(`/${h.ready.port}"`));
        const arrived = await waitUntil("every event stored", () => {
          const ours = stored(messages).filter(mine);
          return Promise.resolve(ours.length >= printed.length ? ours : null);
        });
        assert.deepEqual(
          arrived.map((message) => message.msg),
          printed.filter((line) => holders.some((h) => line.includes(`/${h.ready.port}"`))),
          "each event once, in the order it happened",
        );
      } finally {
        for (const holder of holders) await holder.close();
      }
    },
  },
);
