/**
 * portset's Prometheus metrics, read back by Debian's Prometheus and node_exporter in a network
 * namespace of the test's own: `portset monitor --metrics` scraped by Prometheus, `--textfile`
 * read by node_exporter's textfile collector and scraped too, the exposition accepted by
 * `promtool check metrics`, and contrib/prometheus/portset.rules.yml (by `promtool check rules`,
 * then loaded with its windows shortened) firing PortsetNewListener for a listener opened while
 * it runs, and for no other.
 *
 * @module
 */

import assert from "node:assert/strict";
import { describeRun, Namespace, runCommand, waitUntil } from "./support/netns.ts";
import { cacheDependencies, REPO_ROOT } from "./support/portset.ts";
import { httpGet, Prometheus } from "./support/prometheus.ts";
import { type Need, serverTest, systemPython } from "./support/requirements.ts";

const NEEDS: Need[] = [
  { tool: "prometheus", pkg: "prometheus" },
  { tool: "promtool", pkg: "prometheus" },
  { tool: "prometheus-node-exporter", pkg: "prometheus-node-exporter" },
  { tool: "python3", pkg: "python3" },
];

const RULES = `${REPO_ROOT}contrib/prometheus/portset.rules.yml`;
const PORTSET = "127.0.0.1:9465";
const NODE_EXPORTER = "127.0.0.1:9100";
const PROMETHEUS_PORT = 9090;
/** The port the test opens while everything runs. */
const NEW_PORT = 8081;
/**
 * The listener's process name (prctl PR_SET_NAME, at most 15 bytes): a quote, a backslash and a
 * line feed, the three characters a label value must escape.
 */
const HOSTILE_NAME = 'q"b\\s\nx';
/** How far back the shortened rule looks instead of 10 minutes. */
const WINDOW = "15s";

/** A python listener renamed {@linkcode HOSTILE_NAME}, on 127.0.0.1:{@linkcode NEW_PORT}. */
const LISTENER_SCRIPT = `
import ctypes, signal, socket
ctypes.CDLL(None).prctl(15, ${JSON.stringify(HOSTILE_NAME)}.encode(), 0, 0, 0)
s = socket.socket()
s.bind(("127.0.0.1", ${NEW_PORT}))
s.listen()
print("ready", flush=True)
signal.pause()
`;

await serverTest(
  "Prometheus reads portset's /metrics and its node_exporter textfile; PortsetNewListener fires for a new listener",
  {
    needs: NEEDS,
    fn: async (tools, t) => {
      const checked = await runCommand([tools.promtool, "check", "rules", RULES]);
      assert.equal(checked.code, 0, describeRun(["promtool check rules", RULES], checked));
      const original = await Deno.readTextFile(RULES);
      const shortened = original.replaceAll("offset 10m", `offset ${WINDOW}`)
        .replace(/for: 1m\b/, "for: 2s");
      assert.ok(shortened.includes(`offset ${WINDOW}`) && shortened.includes("for: 2s"));

      await cacheDependencies();
      await using namespace = await Namespace.create("prometheus");
      const textfiles = await namespace.makeDir("textfile", 0o755);
      const rules = await namespace.writeFile("portset.rules.yml", shortened);
      const shortenedCheck = await runCommand([tools.promtool, "check", "rules", rules]);
      assert.equal(shortenedCheck.code, 0, describeRun(["promtool check rules"], shortenedCheck));

      const portset = namespace.start("portset", [
        Deno.execPath(),
        "run",
        "-A",
        `${REPO_ROOT}main.ts`,
        "monitor",
        "--metrics",
        PORTSET,
        "--textfile",
        textfiles,
        "--interval",
        "1",
      ], { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" });
      await waitUntil(
        "portset serving its metrics",
        () => Promise.resolve(portset.log.includes(`metrics at http://${PORTSET}/metrics`)),
        { daemon: portset, deadlineMs: 60_000 },
      );
      const node = namespace.start("node_exporter", [
        tools["prometheus-node-exporter"],
        `--web.listen-address=${NODE_EXPORTER}`,
        "--collector.disable-defaults",
        "--collector.textfile",
        `--collector.textfile.directory=${textfiles}`,
      ]);
      const prometheus = await Prometheus.start(namespace, tools.prometheus, {
        port: PROMETHEUS_PORT,
        targets: { portset: PORTSET, node: NODE_EXPORTER },
        ruleFiles: [rules],
      });
      await waitUntil("node_exporter answering", async () => {
        return (await httpGet(namespace, `http://${NODE_EXPORTER}/metrics`)).status === 200;
      }, { daemon: node });

      await t.step(
        "the exposition: content type 0.0.4, accepted by promtool check metrics",
        async () => {
          const served = await httpGet(namespace, `http://${PORTSET}/metrics`);
          assert.equal(served.status, 200);
          assert.equal(served.contentType, "text/plain; version=0.0.4; charset=utf-8");
          const lint = await runCommand([tools.promtool, "check", "metrics"], {
            stdin: served.body,
          });
          assert.equal(lint.code, 0, describeRun(["promtool check metrics"], lint) + served.body);
          assert.match(served.body, /^portset_build_info\{version="[^"]+",target="[^"]+"\} 1$/m);
          assert.equal((await httpGet(namespace, `http://${PORTSET}/`)).status, 404);
        },
      );

      await t.step(
        "Prometheus scrapes the listeners; portset's own listener is not one",
        async () => {
          const series = await prometheus.waitForSeries(
            "Prometheus's listener in portset_listening",
            `portset_listening{job="portset",port="${PROMETHEUS_PORT}"}`,
          );
          assert.deepEqual(
            series.map((
              { metric },
            ) => [metric.protocol, metric.address, metric.process, metric.user]),
            [["tcp", "127.0.0.1", "prometheus", "root"]],
          );
          assert.deepEqual(await prometheus.query(`portset_listening{port="9465"}`), []);
          await prometheus.waitForSeries(
            "sockets by state: the namespace's TCP listeners but portset's own",
            `portset_sockets{job="portset",protocol="tcp",state="LISTENING"}`,
            // ss lists three: Prometheus's, node_exporter's and portset's, which it leaves out.
            (found) => found.length === 1 && found[0].value === 2,
          ).catch(async (error) => {
            const ss = await namespace.runOk(["ss", "-Htln"]);
            throw new Error(`${(error as Error).message}\nss -Htln:\n${ss}`);
          });
        },
      );

      await t.step(
        "node_exporter serves the textfile and Prometheus scrapes it there too",
        async () => {
          const exported = await httpGet(namespace, `http://${NODE_EXPORTER}/metrics`);
          assert.match(
            exported.body,
            new RegExp(
              `^portset_listening\\{address="127\\.0\\.0\\.1",port="${PROMETHEUS_PORT}",process="prometheus",protocol="tcp",user="root"\\} 1$`,
              "m",
            ),
          );
          assert.match(
            exported.body,
            /^node_textfile_scrape_error 0$/m,
            "node_exporter read the file",
          );
          await prometheus.waitForSeries(
            "portset_build_info through node_exporter",
            `portset_build_info{job="node"}`,
          );
        },
      );

      await t.step(
        "a monitor just scraped raises no alert: every listener is new to it",
        async () => {
          // Long enough for the alert's 2 s `for:` to have passed, well before the window has.
          await prometheus.waitForSeries(
            "five scrapes of portset",
            `count_over_time(portset_build_info{job="portset"}[1m]) >= 5`,
          );
          assert.deepEqual(await prometheus.query(`portset_build_info offset ${WINDOW}`), []);
          assert.deepEqual(
            (await prometheus.alerts()).filter((alert) =>
              alert.labels.alertname === "PortsetNewListener"
            ),
            [],
            "the guard holds the alert back while portset has no past",
          );
        },
      );

      // The alert's guard: portset must have been scraped a window ago, else every listener of a
      // monitor that just started would be new.
      await prometheus.waitForSeries(
        `portset scraped ${WINDOW} ago`,
        `portset_build_info{job="portset"} offset ${WINDOW}`,
      );
      assert.deepEqual(
        (await prometheus.alerts()).filter((alert) =>
          alert.labels.alertname === "PortsetNewListener"
        ),
        [],
        "no listener is new before the test opens one",
      );

      const listener = namespace.start("renamed listener", [systemPython(), "-c", LISTENER_SCRIPT]);
      await waitUntil("the listener ready", () => Promise.resolve(listener.log.includes("ready")), {
        daemon: listener,
      });

      await t.step("the new listener, its name's quote, backslash and newline intact", async () => {
        const [series] = await prometheus.waitForSeries(
          "the new listener in portset_listening",
          `portset_listening{job="portset",port="${NEW_PORT}"}`,
        );
        assert.equal(series.metric.process, HOSTILE_NAME);
        assert.equal(series.metric.address, "127.0.0.1");
        assert.equal(series.metric.protocol, "tcp");
        const [listens] = await prometheus.query(
          `portset_changes_total{job="portset",kind="listen"}`,
        );
        assert.ok(listens.value >= 1, `listen changes counted: ${JSON.stringify(listens)}`);
        await prometheus.waitForSeries(
          "the new listener through node_exporter",
          `portset_listening{job="node",port="${NEW_PORT}"}`,
          (found) => found.length === 1 && found[0].metric.process === HOSTILE_NAME,
        );
      });

      await t.step("PortsetNewListener fires for it, and for nothing else", async () => {
        const firing = await waitUntil("PortsetNewListener firing", async () => {
          const alerts = (await prometheus.alerts()).filter((alert) =>
            alert.labels.alertname === "PortsetNewListener"
          );
          return alerts.some((alert) => alert.state === "firing") ? alerts : null;
        }, { daemon: prometheus.daemon, deadlineMs: 30_000 });
        const ports = new Set(firing.map((alert) => alert.labels.port));
        assert.deepEqual([...ports], [String(NEW_PORT)], JSON.stringify(firing));
        // Both jobs see it: the /metrics endpoint and node_exporter's textfile.
        assert.ok(firing.every((alert) => alert.labels.process === HOSTILE_NAME));
        assert.match(firing[0].annotations.summary, new RegExp(`127\\.0\\.0\\.1:${NEW_PORT}`));
      });

      await t.step(
        "a stopped monitor removes its textfile: node_exporter exports no portset series",
        async () => {
          await portset.stop();
          assert.match(portset.log, /portset: monitor stopped \(SIGTERM\)/);
          assert.deepEqual([...Deno.readDirSync(textfiles)], []);
          const exported = await httpGet(namespace, `http://${NODE_EXPORTER}/metrics`);
          assert.doesNotMatch(exported.body, /^portset_/m);
        },
      );
    },
  },
);
