/**
 * The watch modes' JSON lines (`-wport PORT --json`, `-wpid PID --json`;
 * schemas/watch.schema.json): a `start` line with this machine, what is watched and its sockets
 * now, a `change` line per change, and an `end` line. Sockets are written as `-local --json`
 * writes its endpoints, PortSet `key` included.
 *
 * @module
 */

import type { SocketChange } from "../model/socket_change.ts";
import type { WatchStartFacts } from "../monitor/watch.ts";
import { VERSION } from "../version.ts";
import { endpointJson } from "./json.ts";

/** The watch's JSON-lines format. */
const WATCH_FORMAT = "portset-watch/2";

/** What the start line says: the watch's first look. */
export type WatchStart = WatchStartFacts;

/** The first line. */
export function watchStartLine(start: WatchStart): string {
  const head = JSON.stringify({
    event: "start",
    format: WATCH_FORMAT,
    portset: VERSION,
    host: start.host,
    time: start.time.toISOString(),
    watching: start.watching,
    ...start.target,
    intervalSeconds: start.intervalSeconds,
  });
  return `${head.slice(0, -1)},"endpoints":[${start.endpoints.map(endpointJson).join(",")}]}\n`;
}

/** A line per change: the socket now (as last seen, for `close`) and, for `state` and `owner`, before. */
export function watchChangeLines(time: Date, changes: readonly SocketChange[]): string {
  const stamp = time.toISOString();
  return changes.map((change) =>
    `{"event":"change","time":"${stamp}","change":"${change.kind}",` +
    `"endpoint":${endpointJson(change.endpoint)}` +
    (change.previous ? `,"previous":${endpointJson(change.previous)}` : "") +
    (change.betweenLooks ? `,"betweenLooks":true` : "") + "}\n"
  ).join("");
}

/** The last line: why the watch ended, and how many changes it saw. */
export function watchEndLine(time: Date, reason: string, changes: number): string {
  return JSON.stringify({ event: "end", time: time.toISOString(), reason, changes }) + "\n";
}
