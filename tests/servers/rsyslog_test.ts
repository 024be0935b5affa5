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
import { RunningCli, startHolder } from "../support/processes.ts";
import { Namespace, waitUntil } from "./support/netns.ts";
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

/**
 * Starts rsyslogd in `namespace`, receiving on UDP and TCP (octet counting is on by default for
 * imtcp) and writing each message's RFC 5424 properties, tab-separated, to a file of its own.
 */
async function startRsyslog(namespace: Namespace): Promise<{ messages: string }> {
  const work = await namespace.makeDir("rsyslog-work", 0o700);
  const messages = `${namespace.dir}/messages`;
  const conf = await namespace.writeFile(
    "rsyslog.conf",
    [
      `global(workDirectory="${work}")`,
      `module(load="imudp")`,
      `module(load="imtcp")`,
      `input(type="imudp" address="127.0.0.1" port="${SYSLOG_PORT}")`,
      `input(type="imtcp" address="127.0.0.1" port="${SYSLOG_PORT}")`,
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
  namespace.start("rsyslogd", [
    "rsyslogd",
    "-n",
    "-f",
    conf,
    "-i",
    `${namespace.dir}/rsyslogd.pid`,
  ]);
  await waitUntil("rsyslogd listening on UDP and TCP", async () => {
    const udp = await namespace.listeningPorts("udp");
    const tcp = await namespace.listeningPorts("tcp");
    return udp.has(SYSLOG_PORT) && tcp.has(SYSLOG_PORT);
  });
  return { messages };
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
