/**
 * The report's two charts, as inline SVG: the timeline of port activity (changes per interval,
 * stacked by kind; a lane per long-listening port, shaded by how much of each interval it
 * listened; markers over the intervals with flagged changes) and the changes by hour of the day.
 *
 * Each is drawn in its own units (`viewBox`) and scales to its card's width. Text in a chart does
 * not wrap or shrink to fit, so the gutters that hold labels are sized from the labels themselves.
 *
 * @module
 */

import { type HourUsage, LOG_CHANGE_KINDS, type Report } from "../../report/model.ts";
import { formatLogTime } from "../../port_reporter/log_time.ts";
import type { FlaggedSubjects } from "./flagged.ts";
import { formatDurationShort } from "../../text/units.ts";
import { epoch, int, percent } from "./format.ts";
import { type Html, markup } from "./html.ts";
import { KIND_COLORS, OTHER_COLOR } from "./style.ts";

/** Ticks for a time axis of `span` seconds: a step that gives at most about 14 of them. */
function tickStep(span: number): number {
  const seconds = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600];
  const hours = [900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800, 2592000];
  const steps = [...seconds, ...hours];
  return steps.find((step) => span / step <= 14) ?? steps[steps.length - 1];
}

/** 0, the middle and the top of a count axis; the middle only when it is a whole number. */
function gridValues(yMax: number): number[] {
  return Number.isInteger(yMax / 2) ? [0, yMax / 2, yMax] : [0, yMax];
}

/** The top of a count axis: `max` rounded up to 1, 2, 2.5 or 5 times a power of ten. */
function niceMax(max: number): number {
  if (max <= 5) return Math.max(1, max);
  const magnitude = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * magnitude >= max) return m * magnitude;
  return 10 * magnitude;
}

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/** A generous width of one character of a count label (11 px digits) in the charts' units. */
export const COUNT_CHAR_WIDTH = 6.8;

/** Lane labels longer than this many characters are cut, ending in "…" (the lane's title has all). */
const LANE_LABEL_MAX = 26;
/** A generous width of one character of a lane label (bold 11.5 px) in the chart's units. */
const LANE_CHAR_WIDTH = 7.2;

/** A coverage share in steps of 5%, so runs of nearly equal shade merge into one rectangle. */
function quantize(coverage: number): number {
  if (!(coverage > 0)) return 0;
  return Math.max(0.05, Math.round(Math.min(1, coverage) * 20) / 20);
}

/** Horizontal grid lines from `left` to `right`, each with its count right-aligned at `labelX`. */
function countGrid(
  yMax: number,
  y: (v: number) => number,
  left: number,
  right: number,
  labelX: number,
): Html[] {
  return gridValues(yMax).map((v) =>
    markup`<line class="grid" x1="${left}" x2="${right}" y1="${y(v).toFixed(1)}" y2="${
      y(v).toFixed(1)
    }"/><text class="ylabel" x="${labelX}" y="${(y(v) + 4).toFixed(1)}">${int(v)}</text>`
  );
}

/**
 * The timeline's SVG, or null when there is nothing to draw (no buckets, or no readable start).
 * Its left gutter fits the longest lane label, up to a cap.
 */
export function timelineChart(report: Report, flagged: FlaggedSubjects): Html | null {
  const { buckets, lanes, bucketSeconds } = report.timeline;
  const start = epoch(report.timeline.start) ?? epoch(report.window.start);
  if (buckets.length === 0 || !(bucketSeconds > 0) || start === null) return null;

  const labels = lanes.map((lane) => {
    const subject = `${lane.transport.toUpperCase()} ${lane.port}`;
    const severity = flagged.of(subject);
    const name = `${subject}${lane.service ? ` ${lane.service}` : ""}`;
    const shown = `${severity ? "⚑ " : ""}${name}`;
    return {
      subject,
      severity,
      name,
      shown: shown.length > LANE_LABEL_MAX ? `${shown.slice(0, LANE_LABEL_MAX - 1)}…` : shown,
    };
  });
  const longest = Math.max(0, ...labels.map((l) => l.shown.length));
  const W = 1320, R = 12, top = 26, barsH = 110, laneH = 14, laneGap = 6;
  const L = Math.max(96, Math.ceil(longest * LANE_CHAR_WIDTH) + 14);
  const plotW = W - L - R;
  const n = buckets.length;
  const bw = plotW / n;
  const totals = buckets.map((b) => LOG_CHANGE_KINDS.reduce((s, k) => s + (b[k] ?? 0), 0));
  const yMax = niceMax(Math.max(...totals));
  const y = (v: number) => top + barsH - (v / yMax) * barsH;
  const lanesTop = top + barsH + 14;
  const axisY = lanesTop + lanes.length * (laneH + laneGap) + 4;
  const H = axisY + 30;
  const span = n * bucketSeconds;
  const x = (seconds: number) => L + (seconds / span) * plotW;

  // Vertical time ticks: midnights stronger, with the date.
  const ticks: Html[] = [];
  const step = tickStep(span);
  for (let t = Math.ceil(start / step) * step; t <= start + span; t += step) {
    const d = new Date(t * 1000);
    const midnight = d.getUTCHours() === 0 && d.getUTCMinutes() === 0 && d.getUTCSeconds() === 0;
    const xi = x(t - start).toFixed(1);
    const label = midnight || step >= 86400
      ? `${WEEKDAYS[d.getUTCDay()]} ${d.toISOString().slice(5, 10)}`
      : d.toISOString().slice(11, step < 60 ? 19 : 16);
    const anchor = Number(xi) > W - R - 24 ? "end" : Number(xi) < L + 24 ? "start" : "middle";
    ticks.push(
      markup`<line class="${
        midnight ? "tick day" : "tick"
      }" x1="${xi}" x2="${xi}" y1="${top}" y2="${axisY}"/><text class="xlabel${
        midnight ? " day" : ""
      }" x="${xi}" y="${axisY + 14}" text-anchor="${anchor}">${label}</text>`,
    );
  }

  // Flagged changes: a marker above the bars for each interval that has any.
  const flaggedIn = new Map<number, number>();
  for (const change of report.changes) {
    const t = epoch(change.time);
    if (!change.flagged || t === null) continue;
    const i = Math.floor((t - start) / bucketSeconds);
    if (i >= 0 && i < n) flaggedIn.set(i, (flaggedIn.get(i) ?? 0) + 1);
  }
  const markers = [...flaggedIn].sort((a, b) => a[0] - b[0]).map(([i, count]) => {
    const cx = L + (i + 0.5) * bw;
    return markup`<path class="tl-flag" data-i="${i}" d="M${(cx - 4).toFixed(1)} ${
      top - 13
    }h8l-4 7z"><title>${count} flagged change${count === 1 ? "" : "s"}</title></path>`;
  });

  // Bars: one group per non-empty bucket, kinds stacked in LOG_CHANGE_KINDS order.
  const gap = bw > 3 ? Math.min(1, bw * 0.2) : 0;
  const bars = buckets.map((bucket, i) => {
    if (totals[i] === 0) return null;
    let acc = 0;
    const from = formatLogTime(start + i * bucketSeconds).slice(0, 16);
    const tip = `${from.replace("T", " ")} (+${formatDurationShort(bucketSeconds)}): ${
      LOG_CHANGE_KINDS.filter((k) => bucket[k]).map((k) => `${bucket[k]} ${k}`).join(", ")
    }`;
    const rects = LOG_CHANGE_KINDS.filter((k) => bucket[k] > 0).map((k) => {
      const y1 = y(acc + bucket[k]), y0 = y(acc);
      acc += bucket[k];
      return markup`<rect x="${(L + i * bw).toFixed(2)}" y="${y1.toFixed(2)}" width="${
        Math.max(bw - gap, 0.6).toFixed(2)
      }" height="${(y0 - y1).toFixed(2)}" fill="${KIND_COLORS[k]}"/>`;
    });
    return markup`<g class="tl-bucket" data-i="${i}" data-total="${
      totals[i]
    }"><title>${tip}</title>${rects}</g>`;
  });

  // Lanes: coverage runs of equal (rounded) share merged into one rect each.
  const laneGroups = lanes.map((lane, li) => {
    const ly = lanesTop + li * (laneH + laneGap);
    const { subject, severity, name, shown } = labels[li];
    const color = severity === "alert" ? "#dc2626" : severity === "warning" ? "#d97706" : "#3b6fd8";
    const covered = lane.coverage.reduce((s, c) => s + Math.max(0, Math.min(1, c)), 0);
    const runs: Html[] = [];
    let i = 0;
    while (i < lane.coverage.length) {
      const level = quantize(lane.coverage[i]);
      let j = i + 1;
      while (j < lane.coverage.length && quantize(lane.coverage[j]) === level) j++;
      if (level > 0) {
        const opacity = severity ? 0.15 + 0.85 * level : 0.1 + 0.6 * level;
        runs.push(
          markup`<rect x="${(L + i * bw).toFixed(2)}" y="${ly}" width="${
            ((j - i) * bw).toFixed(2)
          }" height="${laneH}" fill="${color}" fill-opacity="${opacity.toFixed(2)}"/>`,
        );
      }
      i = j;
    }
    const sev = severity ? ` sev-${severity}` : "";
    return markup`<g class="lane${sev}" data-lane="${subject}"><title>${name}: listening ${
      percent(covered / Math.max(1, lane.coverage.length))
    } of the window</title><rect class="lane-bg" x="${L}" y="${ly}" width="${plotW}" height="${laneH}"/><text class="lane-label${sev}" x="${
      L - 6
    }" y="${ly + laneH - 4}">${shown}</text>${runs}</g>`;
  });

  return markup`<svg id="timeline" class="chart" viewBox="0 0 ${W} ${H}" preserveAspectRatio="xMinYMin meet" role="img" aria-label="Changes over time by kind, and when each port was listening" data-buckets="${n}" data-lanes="${lanes.length}">${
    countGrid(yMax, y, L, W - R, L - 6)
  }${ticks}<text class="axis-title left" x="0" y="${top - 10}">changes per ${
    formatDurationShort(bucketSeconds)
  }</text>${markers}${bars}${laneGroups}</svg>`;
}

/** The 24 hours of the day, with zeros for hours the report does not list. */
export function allHours(hours: HourUsage[]): HourUsage[] {
  return Array.from({ length: 24 }, (_, hour) =>
    hours.find((h) => h.hour === hour) ??
      { hour, changes: 0, connections: 0, listeners: 0, ports: 0 });
}

/** The changes-by-hour chart: a column per hour, new listeners, connections and other changes. */
export function hoursChart(hours: HourUsage[]): Html {
  const max = Math.max(...hours.map((h) => h.changes));
  const yMax = niceMax(max || 1);
  // The left gutter fits the top count's label (`20,000` on a busy host), which a fixed gutter
  // would have clipped at the SVG's edge.
  const W = 440, R = 4, top = 10, H = 250, plotH = 196;
  const L = Math.max(30, Math.ceil(int(yMax).length * COUNT_CHAR_WIDTH) + 10);
  const colW = (W - L - R) / 24;
  const y = (v: number) => top + plotH - (v / yMax) * plotH;
  const columns = hours.map((h) => {
    const x0 = L + h.hour * colW + 1.5, w = colW - 3;
    const other = Math.max(0, h.changes - h.connections - h.listeners);
    const stack: [number, string, string][] = [
      [h.listeners, KIND_COLORS.listen, "hour-listeners"],
      [h.connections, KIND_COLORS.connect, "hour-connections"],
      [other, OTHER_COLOR, "hour-other"],
    ];
    let acc = 0;
    const rects = stack.filter(([v]) => v > 0).map(([v, color, cls]) => {
      const y1 = y(acc + v), y0 = y(acc);
      acc += v;
      return markup`<rect class="${cls}" x="${x0.toFixed(1)}" y="${y1.toFixed(1)}" width="${
        w.toFixed(1)
      }" height="${(y0 - y1).toFixed(1)}" fill="${color}"/>`;
    });
    const hh = String(h.hour).padStart(2, "0");
    return markup`<g class="hour" data-hour="${h.hour}" data-changes="${h.changes}"><title>${hh}:00–${hh}:59: ${
      int(h.changes)
    } changes, ${int(h.connections)} connections, ${int(h.listeners)} new listeners, ${
      int(h.ports)
    } ports</title><rect class="hour-hit" x="${x0.toFixed(1)}" y="${top}" width="${
      w.toFixed(1)
    }" height="${plotH}"/>${rects}</g>${
      h.hour % 3 === 0 &&
      markup`<text class="xlabel" x="${(x0 + w / 2).toFixed(1)}" y="${
        top + plotH + 14
      }" text-anchor="middle">${hh}:00</text>`
    }`;
  });
  return markup`<svg id="hours-chart" class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="Changes per hour of the day">${
    countGrid(yMax, y, L, W - R, L - 5)
  }${columns}<text class="axis-title" x="${W - R}" y="${
    H - 6
  }">hour of the day, summed over every day</text></svg>`;
}
