/**
 * The Prometheus text exposition format, version 0.0.4: `# HELP` and `# TYPE` lines, then one
 * line per sample, `name{label="value",...} value`. Only what portset exposes: gauges and
 * counters, no timestamps (the scraper stamps each sample with the scrape's time).
 *
 * @module
 */

/** The content type of the exposition, as a scraper expects it. */
export const EXPOSITION_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** One sample of a family: its labels (in the order written) and its value. */
export interface Sample {
  labels: Readonly<Record<string, string>>;
  value: number;
}

/** A metric family: a name, what it means, its type and its samples. */
export interface MetricFamily {
  /** `[a-zA-Z_:][a-zA-Z0-9_:]*`; a counter's ends in `_total`. */
  name: string;
  /** One line of help: what a sample counts or measures. */
  help: string;
  type: "gauge" | "counter";
  samples: readonly Sample[];
}

/**
 * A label value as the format quotes it: a backslash, a double quote and a line feed escaped as
 * `\\`, `\"` and `\n`. Anything else (a tab, a terminal escape in a process's name) may stand as
 * it is: the value is quoted and its end found by the unescaped quote alone.
 */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => c === "\n" ? "\\n" : `\\${c}`);
}

/** Help text as the format takes it: a backslash and a line feed escaped. */
function escapeHelp(text: string): string {
  return text.replace(/[\\\n]/g, (c) => c === "\n" ? "\\n" : "\\\\");
}

/** A value as the format writes it: integers as they are, `NaN`, `+Inf`, `-Inf`. */
function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

/** The families as one exposition, each family's lines together, ending with a line feed. */
export function formatExposition(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`);
    lines.push(`# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples) {
      const labels = Object.entries(sample.labels)
        .map(([name, value]) => `${name}="${escapeLabelValue(value)}"`)
        .join(",");
      lines.push(
        `${family.name}${labels === "" ? "" : `{${labels}}`} ${formatValue(sample.value)}`,
      );
    }
  }
  return lines.join("\n") + "\n";
}
