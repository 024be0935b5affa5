/**
 * What the monitor knows, as Prometheus metric families: the listening sockets one series each,
 * the sockets by protocol and state, the changes and rule events counted by kind, the last look's
 * time and duration, and the build. Pure: sinks/metrics.ts keeps the counts and publishes the
 * text (an HTTP endpoint, a node_exporter textfile).
 *
 * @module
 */

import { type Endpoint, isListening, isTcp, PROTOCOLS, TCP_STATES } from "../model/endpoint.ts";
import { otherNamespaceLabel } from "../model/network_namespace.ts";
import { compareEndpoints } from "../model/order.ts";
import { SOCKET_CHANGE_KINDS, type SocketChangeKind } from "../model/socket_change.ts";
import type { ChangeKind } from "../rules/changes.ts";
import { formatExposition, type MetricFamily, type Sample } from "./prometheus.ts";

/** The rule event kinds, in the order the families list them. */
const RULE_CHANGES: readonly ChangeKind[] = ["Created", "Updated", "Deleted"];

/** A UDP socket's state as the metrics name it (UDP has no TCP state): with a peer or without. */
const UDP_STATES = ["UNCONNECTED", "CONNECTED"] as const;

/** The monitor's state that the metrics show. */
export interface MonitorMetrics {
  /** portset's version and the target it was built for (`portset_build_info`). */
  build: { version: string; target: string };
  /** The last look's sockets; null before the first look. */
  endpoints: readonly Endpoint[] | null;
  /** Socket changes seen since the monitor started, by kind. */
  changes: Readonly<Record<SocketChangeKind, number>>;
  /** Rule events since the monitor started, by change; null when no rule runs. */
  ruleEvents: Readonly<Record<ChangeKind, number>> | null;
  /** Looks taken since the start, the first one included. */
  looks: number;
  /** The last look: when (ISO 8601) and how long taking it took; null before the first. */
  lastLook: { time: string; durationMs: number } | null;
}

/** The metric families of `metrics`, in a fixed order. */
function monitorMetricFamilies(metrics: MonitorMetrics): MetricFamily[] {
  const families: MetricFamily[] = [{
    name: "portset_build_info",
    help: "portset's version and build target; always 1.",
    type: "gauge",
    samples: [{ labels: { ...metrics.build }, value: 1 }],
  }];
  if (metrics.endpoints !== null) {
    families.push({
      name: "portset_listening",
      help: "A listening socket (TCP listener or unconnected UDP socket) at the last look; " +
        "always 1.",
      type: "gauge",
      samples: listeningSamples(metrics.endpoints),
    }, {
      name: "portset_sockets",
      help: "Sockets at the last look, by protocol and state " +
        "(UDP: UNCONNECTED or CONNECTED).",
      type: "gauge",
      samples: socketSamples(metrics.endpoints),
    });
  }
  families.push({
    name: "portset_changes_total",
    help: "Socket changes the monitor has seen since it started, by kind.",
    type: "counter",
    samples: SOCKET_CHANGE_KINDS.map((kind) => ({
      labels: { kind },
      value: metrics.changes[kind],
    })),
  });
  if (metrics.ruleEvents !== null) {
    const events = metrics.ruleEvents;
    families.push({
      name: "portset_rule_events_total",
      help: "The rule's events since the monitor started, by change.",
      type: "counter",
      samples: RULE_CHANGES.map((change) => ({ labels: { change }, value: events[change] })),
    });
  }
  families.push({
    name: "portset_looks_total",
    help: "Looks at the host's sockets since the monitor started.",
    type: "counter",
    samples: [{ labels: {}, value: metrics.looks }],
  });
  if (metrics.lastLook !== null) {
    families.push({
      name: "portset_last_look_duration_seconds",
      help: "How long the last look at the host's sockets took.",
      type: "gauge",
      // Microseconds are as fine as a look's time means anything.
      samples: [{ labels: {}, value: Math.round(metrics.lastLook.durationMs * 1000) / 1e6 }],
    }, {
      name: "portset_last_look_timestamp_seconds",
      help: "When the last look was taken, in seconds since the Unix epoch.",
      type: "gauge",
      samples: [{ labels: {}, value: Date.parse(metrics.lastLook.time) / 1000 }],
    });
  }
  return families;
}

/** `metrics` in the Prometheus text exposition format (0.0.4). */
export function formatMonitorMetrics(metrics: MonitorMetrics): string {
  return formatExposition(monitorMetricFamilies(metrics));
}

/**
 * One sample per listening socket, in natural order. Sockets alike in every label (an
 * SO_REUSEPORT group of one process, say) are one series: a series may appear once only.
 * A socket of another network namespace has its label as `netns`: a container's copy of a host
 * listener (the same address, port, process and user) is a series of its own, and new when it
 * appears. The host's own sockets have none, so their series are what they were before
 * namespaces were read (to Prometheus an empty label is no label).
 */
function listeningSamples(endpoints: readonly Endpoint[]): Sample[] {
  const samples = new Map<string, Sample>();
  for (const endpoint of endpoints.filter(isListening).sort(compareEndpoints)) {
    const netns = otherNamespaceLabel(endpoint);
    const labels: Record<string, string> = {
      protocol: endpoint.protocol,
      address: endpoint.localAddress,
      port: String(endpoint.localPort),
      process: endpoint.process ?? "",
      user: endpoint.user ?? "",
      ...(netns === null ? {} : { netns }),
    };
    const identity = JSON.stringify(Object.values(labels));
    if (!samples.has(identity)) samples.set(identity, { labels, value: 1 });
  }
  return [...samples.values()];
}

/** Every protocol and state, counted; zero where there is none, so that a state's line goes on. */
function socketSamples(endpoints: readonly Endpoint[]): Sample[] {
  const counts = new Map<string, number>();
  const stateOf = (endpoint: Endpoint): string =>
    isTcp(endpoint.protocol)
      ? endpoint.state ?? "CLOSED"
      : endpoint.remoteAddress === null
      ? "UNCONNECTED"
      : "CONNECTED";
  for (const endpoint of endpoints) {
    const key = `${endpoint.protocol} ${stateOf(endpoint)}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return PROTOCOLS.flatMap((protocol) =>
    (isTcp(protocol) ? TCP_STATES : UDP_STATES).map((state) => ({
      labels: { protocol, state },
      value: counts.get(`${protocol} ${state}`) ?? 0,
    }))
  );
}
