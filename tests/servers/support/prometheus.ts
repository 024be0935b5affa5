/**
 * Debian's Prometheus and node_exporter in a test's namespace: started with a generated
 * configuration, and asked over HTTP (by Debian's python3 inside the namespace, since the test
 * itself runs outside it) through Prometheus's query and alerts API.
 *
 * @module
 */

import { type Daemon, type Namespace, waitUntil } from "./netns.ts";
import { systemPython } from "./requirements.ts";

const HTTP_GET = new URL("./http_get.py", import.meta.url).pathname;

/** An HTTP answer. */
export interface HttpAnswer {
  status: number;
  contentType: string;
  body: string;
}

/** GETs `url` inside the namespace. */
export async function httpGet(namespace: Namespace, url: string): Promise<HttpAnswer> {
  const out = await namespace.runOk([systemPython(), HTTP_GET, url], { timeoutMs: 10_000 });
  const newline = out.indexOf("\n");
  const [status, ...type] = out.slice(0, newline).split(" ");
  return { status: Number(status), contentType: type.join(" "), body: out.slice(newline + 1) };
}

/** One series of an instant query: its labels and its value. */
export interface Series {
  metric: Record<string, string>;
  value: number;
}

/** One alert as `/api/v1/alerts` lists it. */
export interface Alert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: "pending" | "firing";
}

/** A Prometheus server listening on 127.0.0.1:`port` in a namespace. */
export class Prometheus {
  private constructor(
    readonly namespace: Namespace,
    readonly daemon: Daemon,
    readonly port: number,
  ) {}

  /**
   * Starts Prometheus scraping `targets` (job name → `host:port`) and evaluating `ruleFiles`
   * every second, with its data in the namespace's directory; waits until it answers queries.
   */
  static async start(
    namespace: Namespace,
    prometheus: string,
    options: { port: number; targets: Record<string, string>; ruleFiles: string[] },
  ): Promise<Prometheus> {
    const config = await namespace.writeFile(
      "prometheus.yml",
      JSON.stringify({
        global: { scrape_interval: "1s", scrape_timeout: "1s", evaluation_interval: "1s" },
        rule_files: options.ruleFiles,
        scrape_configs: Object.entries(options.targets).map(([job, target]) => ({
          job_name: job,
          static_configs: [{ targets: [target] }],
        })),
      }),
    );
    const data = await namespace.makeDir("prometheus-data", 0o700);
    const daemon = namespace.start("prometheus", [
      prometheus,
      `--config.file=${config}`,
      `--storage.tsdb.path=${data}`,
      `--web.listen-address=127.0.0.1:${options.port}`,
      "--log.level=warn",
    ]);
    const server = new Prometheus(namespace, daemon, options.port);
    await waitUntil(
      "Prometheus ready",
      async () => (await server.#get("/-/ready")).status === 200,
      { daemon, deadlineMs: 30_000 },
    );
    return server;
  }

  /** The series an instant query returns now. */
  async query(expression: string): Promise<Series[]> {
    const answer = await this.#api(`/api/v1/query?query=${encodeURIComponent(expression)}`);
    const data = answer as {
      resultType: string;
      result: { metric: Record<string, string>; value: [number, string] }[];
    };
    if (data.resultType !== "vector") throw new Error(`${expression}: a ${data.resultType}`);
    return data.result.map((series) => ({ metric: series.metric, value: Number(series.value[1]) }));
  }

  /** The alerts pending or firing now. */
  async alerts(): Promise<Alert[]> {
    return ((await this.#api("/api/v1/alerts")) as { alerts: Alert[] }).alerts;
  }

  /** Waits until `expression` returns series that `accept` takes; returns them. */
  waitForSeries(
    what: string,
    expression: string,
    accept: (series: Series[]) => boolean = (series) => series.length > 0,
    deadlineMs = 30_000,
  ): Promise<Series[]> {
    let last: Series[] = [];
    return waitUntil(what, async () => {
      last = await this.query(expression);
      if (accept(last)) return last;
      throw new Error(`${expression} returned ${JSON.stringify(last)}`);
    }, { daemon: this.daemon, deadlineMs });
  }

  async #api(path: string): Promise<unknown> {
    const answer = await this.#get(path);
    const parsed = JSON.parse(answer.body);
    if (parsed.status !== "success") throw new Error(`${path}: ${answer.body}`);
    return parsed.data;
  }

  #get(path: string): Promise<HttpAnswer> {
    return httpGet(this.namespace, `http://127.0.0.1:${this.port}${path}`);
  }
}
