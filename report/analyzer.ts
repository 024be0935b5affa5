/**
 * Turns the logs' records into a {@linkcode Report}, one record at a time, in time order. What it
 * keeps grows with what the host has (ports, processes, users, sockets open at once), never with
 * the number of lines: remote addresses are counted by {@linkcode HeavyHitters}, the changes
 * table keeps the last few thousand, the timeline coarsens as it grows.
 *
 * A run is one start of the monitor: its start-up snapshot, then its changes. Time in use is
 * reckoned per run, from each socket's opening (or the snapshot) to its close (or the run's last
 * record), and shares divide by the runs' total length, so the hours the monitor was not running
 * count neither way.
 *
 * @module
 */

import { formatAddressPort } from "../model/address.ts";
import { VERSION } from "../version.ts";
import { detach } from "./detach.ts";
import { countInto, HeavyHitters, topKeys } from "./heavy_hitters.ts";
import type { InitialSnapshot } from "../port_reporter/initial_log.ts";
import { firstMatch, type Interests } from "./interests.ts";
import { keySetBaseline, type ListenerBaseline, recordKey } from "./listener_baseline.ts";
import { formatLogTime, hourOfDay } from "../port_reporter/log_time.ts";
import {
  type ChangeRow,
  type Flag,
  type HourUsage,
  type LogFileSummary,
  type PortUsage,
  type ProcessUsage,
  type Report,
  REPORT_FORMAT,
  type SharedProcess,
} from "./model.ts";
import type { PortsRecord } from "../port_reporter/ports_log.ts";
import { baseName, directoryName, type ProcessDetail } from "../port_reporter/process_block.ts";
import { TimelineBuilder } from "./timeline.ts";

/** How an analysis is set up. */
export interface AnalyzerOptions {
  interests: Interests;
  /** Expected listeners; null: those of the first start-up snapshot. */
  baseline: ListenerBaseline | null;
  /** The service name of a port, from the system's services file. */
  serviceName?: (protocol: "TCP" | "UDP", port: number) => string | null;
  /** Rows kept for the changes table (the last ones). */
  changeRows?: number;
}

/** Report lists are cut to these lengths; the counts behind them are whole. */
export const LIMITS = {
  ports: 500,
  processes: 500,
  remoteAddresses: 200,
  users: 100,
  sharedProcesses: 200,
  flags: 1000,
  flaggedRows: 1000,
  problems: 20,
  timelineLanes: 24,
  /** Remote addresses counted exactly before Space-Saving starts to bound them. */
  remoteTracking: 20000,
  /** Module paths remembered as judged; past this, modules are judged every time. */
  judgedModules: 100000,
  /** Distinct process IDs counted per process before the count saturates. */
  pidsPerProcess: 10000,
} as const;

interface Interval {
  open: number;
  since: number;
  seconds: number;
}

interface PortStats extends Interval {
  protocol: "TCP" | "UDP";
  port: number;
  listening: boolean;
  listen: Interval;
  changes: number;
  connections: number;
  processes: Map<string, number>;
}

interface ProcessStats extends Interval {
  process: string;
  path: string | null;
  pids: Set<number>;
  changes: number;
  ports: Set<number>;
  users: Map<string, number>;
}

interface OpenSocket {
  count: number;
  port: PortStats;
  process: ProcessStats | null;
  listening: boolean;
}

interface RemoteData {
  ports: Map<number, number>;
  processes: Map<string, number>;
  first: number;
  last: number;
}

/** Feeds on records in time order; {@linkcode finish} gives the report. */
export class LogAnalyzer {
  readonly #options: AnalyzerOptions;
  #baseline: ListenerBaseline | null;
  #runStart: number | null = null;
  #runLast = 0;
  #observed = 0;
  #windowStart: number | null = null;
  #windowEnd: number | null = null;
  #open = new Map<string, OpenSocket>();
  #ports = new Map<number, PortStats>();
  #processes = new Map<string, ProcessStats>();
  /** This run's processes by PID, from PR-PIDS and PR-INITIAL: for paths. */
  #pidDetails = new Map<number, { process: string; path: string | null }>();
  #remotes = new HeavyHitters<RemoteData>(LIMITS.remoteTracking, () => ({
    ports: new Map(),
    processes: new Map(),
    first: Infinity,
    last: -Infinity,
  }));
  #users = new Map<string, { changes: number; processes: Map<string, number> }>();
  #hours = Array.from({ length: 24 }, (_, hour) => ({
    hour,
    changes: 0,
    connections: 0,
    listeners: 0,
    ports: new Set<number>(),
  }));
  #shared = new Map<string, SharedProcess>();
  #flags = new Map<string, Flag>();
  #flagsDropped = 0;
  #timeline = new TimelineBuilder<number>();
  #rows: KeptRow[] = [];
  #rowCursor = 0;
  #flaggedRows: KeptRow[] = [];
  #changes = 0;
  #initialSockets = 0;
  #skipped = 0;
  #problems: string[] = [];
  #hosts = new Set<string>();
  /** Processes whose path was already judged, so each is flagged once per path. */
  #judgedPaths = new Set<string>();
  /** Module paths already judged against the modules of interest. */
  #judgedModules = new Set<string>();

  constructor(options: AnalyzerOptions) {
    this.#options = options;
    this.#baseline = options.baseline;
  }

  /** A new start of the monitor, at `time`, with its snapshot when there is one. */
  beginRun(time: number, snapshot: InitialSnapshot | null, source: string): void {
    this.#endRun();
    this.#runStart = time;
    this.#runLast = time;
    this.#timeline.begin(time);
    this.#see(time);
    if (snapshot?.host) this.host(snapshot.host);
    if (!snapshot) return;
    for (const detail of snapshot.processes) this.processDetail(detail, time);
    const listeners: string[] = [];
    for (const socket of snapshot.sockets) {
      const record: PortsRecord = { ...socket, time };
      this.#initialSockets++;
      const listening = isListeningRecord(record);
      if (listening) listeners.push(recordKey(record));
      // A connection already over was still a contact with its peer.
      if (!isOver(record)) {
        this.#openSocket(record, listening, this.#processStats(record));
      }
      if (record.remoteAddress !== null) this.#countRemote(record);
    }
    // With no baseline given, what listened at the first start is what is expected.
    this.#baseline ??= keySetBaseline(listeners, `the first start-up snapshot (${source})`, false);
  }

  /** A process's detail from PR-PIDS or PR-INITIAL: its path, services and modules. */
  processDetail(detail: ProcessDetail, time: number | null): void {
    const known = this.#pidDetails.get(detail.pid);
    if (known?.process !== detail.process || known.path !== detail.path) {
      this.#pidDetails.set(detail.pid, {
        process: detach(detail.process),
        path: detail.path === null ? null : detach(detail.path),
      });
    }
    const when = time ?? this.#runLast;
    const interests = this.#options.interests;
    if (detail.path !== null) {
      const judged = `${detail.process}\0${detail.path}`;
      if (!this.#judgedPaths.has(judged)) {
        this.#judgedPaths.add(detach(judged));
        this.#judgePath(detail.process, detail.path, when);
      }
    }
    for (const module of detail.modules) {
      // PR-PIDS lists a process's modules again with each of its changes: judge each path once.
      // The executable is judged by its path above.
      if (this.#judgedModules.has(module) || module === detail.path) continue;
      if (this.#judgedModules.size < LIMITS.judgedModules) this.#judgedModules.add(detach(module));
      const glob = firstMatch(interests.modules, module);
      if (glob) {
        this.#flag(
          "module-of-interest",
          "warning",
          module,
          when,
          () => `loaded by ${detail.process} (PID ${detail.pid}); matches '${glob.pattern}'`,
        );
      }
    }
    if (detail.services.length > 1 || detail.services.some((service) => service.shared)) {
      const key = `${detail.pid} ${detail.process}`;
      if (!this.#shared.has(key) && this.#shared.size < LIMITS.sharedProcesses) {
        this.#shared.set(
          detach(key),
          structuredClone({
            pid: detail.pid,
            process: detail.process,
            path: detail.path,
            services: detail.services.map(({ name, displayName }) => ({ name, displayName })),
          }),
        );
      }
    }
  }

  /** One PR-PORTS line. */
  change(record: PortsRecord, source: string): void {
    const time = record.time;
    if (this.#runStart === null) this.beginRun(time, null, source);
    if (time > this.#runLast) this.#runLast = time;
    this.#see(time);
    this.#changes++;

    const identity = socketIdentity(record);
    const listening = isListeningRecord(record);
    const process = this.#processStats(record);
    const open = this.#open.get(identity);
    switch (isOver(record) ? "close" : record.change) {
      case "close":
        if (open) this.#closeSocket(identity, open, time);
        break;
      case "state":
        if (!open) this.#openSocket(record, listening, process);
        break;
      case "owner":
        if (open && open.process !== process) {
          if (open.process) leave(open.process, time);
          if (process) enter(process, time);
          open.process = process;
        } else if (!open) this.#openSocket(record, listening, process);
        break;
      case "seen":
        // The original logs a socket again when its connections or state change: not a new one.
        if (!open) this.#openSocket(record, listening, process);
        break;
      default:
        this.#openSocket(record, listening, process);
    }

    const port = this.#portStats(record);
    port.changes++;
    if (process) {
      process.changes++;
      process.ports.add(portNumber(record.protocol, record.localPort));
      if (record.user) countInto(process.users, record.user, 8);
      countInto(port.processes, process.process, 20);
    }
    const connects = record.change === "connect" ||
      (record.change === "seen" && record.remoteAddress !== null);
    if (connects) port.connections++;
    if (record.user) {
      let user = this.#users.get(record.user);
      if (!user) {
        this.#users.set(detach(record.user), user = { changes: 0, processes: new Map() });
      }
      user.changes++;
      if (record.process) countInto(user.processes, record.process, 32);
    }
    const hour = this.#hours[hourOfDay(time)];
    hour.changes++;
    if (connects) hour.connections++;
    // A listener appears: logged as one by portset, or a listening line of the original's.
    const newListener = listening &&
      (record.change === "listen" || record.change === "bind" || record.change === "seen");
    if (newListener) hour.listeners++;
    hour.ports.add(portNumber(record.protocol, record.localPort));
    this.#timeline.count(time, record.change);
    if (connects) this.#countRemote(record);

    const flagged = this.#judgeRecord(record, listening, newListener);
    this.#keepRow(record, process, source, flagged);
  }

  /** The monitor's stop record: the run lasted until `time`, past its last record. */
  stopped(time: number): void {
    if (this.#runStart === null || time < this.#runLast) return;
    this.#runLast = time;
    this.#see(time);
  }

  /** A line no reader understood. */
  problem(file: string, line: number, reason: string): void {
    this.#skipped++;
    if (this.#problems.length < LIMITS.problems) this.#problems.push(`${file}:${line}: ${reason}`);
  }

  /** A computer name read from a header. */
  host(name: string): void {
    if (!this.#hosts.has(name)) this.#hosts.add(detach(name));
  }

  /** The report. Call once, after the last record. */
  finish(facts: { directory: string; files: LogFileSummary[] }): Report {
    this.#endRun();
    const observed = this.#observed;
    const share = (seconds: number) =>
      observed > 0 ? Math.round((seconds / observed) * 10000) / 10000 : 0;
    const service = this.#options.serviceName ?? (() => null);

    const ports: PortUsage[] = [...this.#ports.values()]
      .sort((a, b) => b.seconds - a.seconds || b.changes - a.changes || a.port - b.port)
      .slice(0, LIMITS.ports)
      .map((port) => ({
        protocol: port.protocol,
        port: port.port,
        service: service(port.protocol, port.port),
        seconds: port.seconds,
        share: share(port.seconds),
        listening: port.listening,
        changes: port.changes,
        connections: port.connections,
        processes: topKeys(port.processes, 5),
      }));
    const processes: ProcessUsage[] = [...this.#processes.values()]
      .sort((a, b) => b.seconds - a.seconds || b.changes - a.changes)
      .slice(0, LIMITS.processes)
      .map((process) => ({
        process: process.process,
        path: process.path,
        pidCount: process.pids.size,
        seconds: process.seconds,
        share: share(process.seconds),
        changes: process.changes,
        ports: process.ports.size,
        users: topKeys(process.users, 5),
      }));
    const remoteAddresses = this.#remotes.top(LIMITS.remoteAddresses).map((entry) => ({
      address: entry.key,
      connections: entry.count,
      overcount: entry.overcount,
      remotePorts: topKeys(entry.data.ports, 5),
      processes: topKeys(entry.data.processes, 5),
      firstSeen: formatLogTime(entry.data.first),
      lastSeen: formatLogTime(entry.data.last),
    }));
    const users = [...this.#users]
      .sort((a, b) => b[1].changes - a[1].changes)
      .slice(0, LIMITS.users)
      .map(([user, data]) => ({
        user,
        changes: data.changes,
        processes: topKeys(data.processes, 10),
      }));
    const hours: HourUsage[] = this.#hours.map((hour) => ({
      hour: hour.hour,
      changes: hour.changes,
      connections: hour.connections,
      listeners: hour.listeners,
      ports: hour.ports.size,
    }));
    const severity = { alert: 0, warning: 1, info: 2 };
    const flags = [...this.#flags.values()].sort((a, b) =>
      severity[a.severity] - severity[b.severity] || (a.firstSeen < b.firstSeen ? -1 : 1)
    );
    const problems = [...this.#problems];
    if (this.#flagsDropped > 0) {
      problems.push(`${this.#flagsDropped} more flags were not kept (limit ${LIMITS.flags})`);
    }
    const changes = this.#changeTable();
    const timeline = this.#timeline.build(LIMITS.timelineLanes, this.#windowEnd, (key) => {
      const { protocol, port } = this.#ports.get(key)!;
      return { protocol, port, service: service(protocol, port) };
    });
    const anyOriginal = facts.files.some((file) => file.dialect === "port-reporter");
    return {
      format: REPORT_FORMAT,
      portset: VERSION,
      directory: facts.directory,
      hosts: [...this.#hosts].sort(),
      files: facts.files,
      window: {
        start: this.#windowStart === null ? null : formatLogTime(this.#windowStart),
        end: this.#windowEnd === null ? null : formatLogTime(this.#windowEnd),
        seconds: observed,
      },
      timeBasis: anyOriginal ? "upper-bound" : "open-to-close",
      totals: {
        changes: this.#changes,
        initialSockets: this.#initialSockets,
        pidsRecords: facts.files.reduce(
          (sum, file) => sum + (file.kind === "pids" ? file.records : 0),
          0,
        ),
        skippedLines: this.#skipped,
      },
      ports,
      processes,
      remoteAddresses,
      users,
      hours,
      sharedProcesses: [...this.#shared.values()],
      flags,
      timeline,
      changes,
      changesOmitted: this.#changes - changes.length,
      problems,
      interests: this.#options.interests.source,
      baseline: this.#baseline?.source ?? null,
    };
  }

  // ---- sockets and intervals ----

  #openSocket(record: PortsRecord, listening: boolean, process: ProcessStats | null): void {
    const identity = socketIdentity(record);
    const open = this.#open.get(identity);
    if (open) {
      open.count++;
      return;
    }
    const port = this.#portStats(record);
    enter(port, record.time);
    if (listening) {
      port.listening = true;
      enter(port.listen, record.time);
    }
    if (process) {
      enter(process, record.time);
      process.ports.add(portNumber(record.protocol, record.localPort));
    }
    this.#open.set(detach(identity), { count: 1, port, process, listening });
  }

  #closeSocket(identity: string, open: OpenSocket, time: number): void {
    if (--open.count > 0) return;
    this.#open.delete(identity);
    leave(open.port, time);
    if (open.listening) {
      const since = open.port.listen.since;
      if (leave(open.port.listen, time)) {
        this.#timeline.cover(portNumber(open.port.protocol, open.port.port), since, time);
      }
    }
    if (open.process) leave(open.process, time);
  }

  /** Closes every socket still open at the run's last record, and adds the run's length. */
  #endRun(): void {
    if (this.#runStart === null) return;
    const end = this.#runLast;
    for (const [identity, open] of this.#open) {
      open.count = 1;
      this.#closeSocket(identity, open, end);
    }
    this.#observed += end - this.#runStart;
    this.#runStart = null;
    this.#pidDetails.clear();
  }

  #see(time: number): void {
    if (this.#windowStart === null || time < this.#windowStart) this.#windowStart = time;
    if (this.#windowEnd === null || time > this.#windowEnd) this.#windowEnd = time;
  }

  #portStats(record: Pick<PortsRecord, "protocol" | "localPort">): PortStats {
    const key = portNumber(record.protocol, record.localPort);
    let port = this.#ports.get(key);
    if (!port) {
      port = {
        protocol: record.protocol,
        port: record.localPort,
        open: 0,
        since: 0,
        seconds: 0,
        listening: false,
        listen: { open: 0, since: 0, seconds: 0 },
        changes: 0,
        connections: 0,
        processes: new Map(),
      };
      this.#ports.set(key, port);
    }
    return port;
  }

  /** The process a record's socket belongs to, by name and (from the details) path. */
  #processStats(record: Pick<PortsRecord, "pid" | "process">): ProcessStats | null {
    if (record.process === null && record.pid === null) return null;
    const detail = record.pid === null ? undefined : this.#pidDetails.get(record.pid);
    const name = record.process ?? detail?.process ?? `PID ${record.pid}`;
    const path = detail && detail.process === name ? detail.path : null;
    // Windows paths name the same file in any case (System32, system32).
    const key = `${name}\0${
      path !== null && isWindowsPath(path) ? path.toLowerCase() : path ?? ""
    }`;
    let process = this.#processes.get(key);
    if (!process) {
      process = {
        process: detach(name),
        path: path === null ? null : detach(path),
        pids: new Set(),
        open: 0,
        since: 0,
        seconds: 0,
        changes: 0,
        ports: new Set(),
        users: new Map(),
      };
      this.#processes.set(detach(key), process);
    }
    if (record.pid !== null && process.pids.size < LIMITS.pidsPerProcess) {
      process.pids.add(record.pid);
    }
    return process;
  }

  #countRemote(record: PortsRecord): void {
    const address = record.remoteAddress;
    if (address === null) return;
    // A connection within the host is logged from both ends; count it once, from the client's
    // end, whose peer is the server's port (the lower of the two, as ephemeral ports are high).
    if (
      isLoopback(address) && record.remotePort !== null && record.remotePort > record.localPort
    ) return;
    const entry = this.#remotes.add(address);
    const data = entry.data;
    if (record.remotePort !== null) countInto(data.ports, record.remotePort, 20);
    if (record.process) countInto(data.processes, record.process, 20);
    if (record.time < data.first) data.first = record.time;
    if (record.time > data.last) data.last = record.time;
    const glob = firstMatch(this.#options.interests.remoteAddresses, address);
    if (glob) {
      this.#flag(
        "remote-of-interest",
        "warning",
        address,
        record.time,
        () =>
          `${record.protocol} ${record.localPort} ↔ ${address}:${record.remotePort} by ${
            record.process ?? "an unknown process"
          }; matches '${glob.pattern}'`,
      );
    }
  }

  // ---- flags ----

  /** Raises the flags a change line calls for; true when it raised any. */
  #judgeRecord(record: PortsRecord, listening: boolean, newListener: boolean): boolean {
    const interests = this.#options.interests;
    const time = record.time;
    const who = record.process
      ? `${record.process}${record.pid === null ? "" : ` (PID ${record.pid})`}`
      : "an unknown process";
    let flagged = false;
    const opening = record.change !== "close" && record.change !== "state";
    const port = portKey(record.protocol, record.localPort);
    if (opening && interests.ports.has(port)) {
      this.#flag(
        "port-of-interest",
        listening ? "alert" : "warning",
        port,
        time,
        () =>
          listening
            ? `listening on ${record.localAddress} by ${who}`
            : `local end of a connection with ${record.remoteAddress}:${record.remotePort}, by ${who}`,
      );
      flagged = true;
    }
    if (
      opening && record.remotePort !== null &&
      interests.ports.has(portKey(record.protocol, record.remotePort))
    ) {
      const subject = `${portKey(record.protocol, record.remotePort)} (remote)`;
      this.#flag(
        "port-of-interest",
        "warning",
        subject,
        time,
        () => `connection to ${record.remoteAddress}:${record.remotePort} by ${who}`,
      );
      flagged = true;
    }
    if (record.process) {
      const glob = firstMatch(interests.processes, record.process);
      if (glob) {
        this.#flag(
          "process-of-interest",
          "alert",
          record.process,
          time,
          () =>
            `${record.protocol} ${record.localAddress}:${record.localPort}${
              record.remoteAddress === null ? "" : ` ↔ ${record.remoteAddress}:${record.remotePort}`
            } (PID ${record.pid ?? "?"}); matches '${glob.pattern}'`,
        );
        flagged = true;
      }
    }
    if (record.user) {
      const glob = firstMatch(interests.users, record.user);
      if (glob) {
        this.#flag(
          "user-of-interest",
          "info",
          record.user,
          time,
          () => `${who} ran as ${record.user}; matches '${glob.pattern}'`,
        );
        flagged = true;
      }
    }
    if (newListener) {
      const key = recordKey(record);
      const baseline = this.#baseline;
      if (baseline && !baseline.matches(key)) {
        this.#flag(
          "new-listener",
          baseline.explicit ? "warning" : "info",
          `${record.protocol} ${formatAddressPort(record.localAddress, record.localPort)}`,
          time,
          () => `${key} by ${who}, not in ${baseline.source}`,
        );
        flagged = true;
      }
    }
    return flagged;
  }

  /** Flags a process's executable path: a known name in the wrong place, or a bad place. */
  #judgePath(process: string, path: string, time: number): void {
    const interests = this.#options.interests;
    const expected = interests.expectedDirectories.get(process.toLowerCase());
    const directory = directoryName(path);
    if (expected && !firstMatch(expected, directory)) {
      this.#flag(
        "unexpected-directory",
        "alert",
        path,
        time,
        () =>
          `${process} runs from ${directory || "(no directory)"}; expected ${
            expected.map((glob) => glob.pattern).join(" or ")
          }`,
      );
    }
    const suspicious = firstMatch(interests.suspiciousPaths, path);
    if (suspicious) {
      this.#flag(
        "unexpected-directory",
        "alert",
        path,
        time,
        () =>
          `${process} (${
            baseName(path)
          }) runs from a suspicious place; matches '${suspicious.pattern}'`,
      );
    }
  }

  /** Raises a flag, or counts it again. */
  #flag(
    kind: Flag["kind"],
    severity: Flag["severity"],
    subject: string,
    time: number,
    detail: () => string,
  ): void {
    const key = `${kind}\0${subject}`;
    const flag = this.#flags.get(key);
    const stamp = formatLogTime(time);
    if (flag) {
      flag.count++;
      if (stamp < flag.firstSeen) flag.firstSeen = stamp;
      if (stamp > flag.lastSeen) flag.lastSeen = stamp;
    } else if (this.#flags.size < LIMITS.flags) {
      this.#flags.set(detach(key), {
        kind,
        severity,
        subject: detach(subject),
        detail: detach(detail()),
        firstSeen: stamp,
        lastSeen: stamp,
        count: 1,
      });
    } else this.#flagsDropped++;
  }

  // ---- the changes table ----

  #keepRow(
    record: PortsRecord,
    process: ProcessStats | null,
    source: string,
    flagged: boolean,
  ): void {
    const limit = this.#options.changeRows ?? 2000;
    // Rows are formatted at the end: most of them are pushed out of the table before then.
    const path = process?.path ?? null;
    const row: KeptRow = { seq: this.#changes, record, path, source, flagged };
    if (flagged && this.#flaggedRows.length < LIMITS.flaggedRows) {
      // Flagged rows come from anywhere in the logs: keep copies, not slices of their chunks.
      this.#flaggedRows.push(structuredClone(row));
    }
    if (limit === 0) return;
    if (this.#rows.length < limit) this.#rows.push(row);
    else {
      this.#rows[this.#rowCursor] = row;
      this.#rowCursor = (this.#rowCursor + 1) % limit;
    }
  }

  /** The kept rows in log order: flagged rows from before the last ones, then the last ones. */
  #changeTable(): ChangeRow[] {
    const last = [...this.#rows.slice(this.#rowCursor), ...this.#rows.slice(0, this.#rowCursor)];
    const kept = new Set(last.map((row) => row.seq));
    const earlier = this.#flaggedRows.filter((row) => !kept.has(row.seq));
    return [...earlier, ...last].map(({ record, path, source, flagged }) => ({
      time: formatLogTime(record.time),
      protocol: `${record.protocol}${record.ipv6 ? "6" : ""}`,
      localAddress: record.localAddress,
      localPort: record.localPort,
      remoteAddress: record.remoteAddress,
      remotePort: record.remotePort,
      pid: record.pid,
      process: record.process,
      path,
      user: record.user,
      state: record.state,
      change: record.change,
      flagged,
      source: `${source}:${record.line}`,
    }));
  }
}

/** A change kept for the table, formatted when the report is made. */
interface KeptRow {
  /** The change's number in the logs. */
  seq: number;
  record: PortsRecord;
  path: string | null;
  source: string;
  flagged: boolean;
}

function enter(interval: Interval, time: number): void {
  if (interval.open++ === 0) interval.since = time;
}

/** Ends one opening; true when the interval closed. */
function leave(interval: Interval, time: number): boolean {
  if (interval.open === 0) return false;
  if (--interval.open > 0) return false;
  interval.seconds += Math.max(0, time - interval.since);
  return true;
}

/** `TCP 4444`: a port as the interests and flags name it. */
function portKey(protocol: "TCP" | "UDP", port: number): string {
  return `${protocol} ${port}`;
}

/** A port as one number: TCP ports 0–65535, UDP ports 65536 on. */
function portNumber(protocol: "TCP" | "UDP", port: number): number {
  return (protocol === "UDP" ? 65536 : 0) + port;
}

function socketIdentity(record: PortsRecord): string {
  return `${record.protocol}${record.ipv6 ? 6 : 4} ${record.localAddress} ${record.localPort} ${
    record.remoteAddress ?? "*"
  } ${record.remotePort ?? "*"}`;
}

/**
 * A connection in TIME_WAIT (or CLOSED) is over for its process; the kernel only holds the port
 * pair for a while. It no longer counts as the port or the process in use.
 */
function isOver(record: Pick<PortsRecord, "state">): boolean {
  return record.state === "TIME_WAIT" || record.state === "CLOSED";
}

/** A listener: TCP in LISTENING (or logged as listen), UDP with no peer. */
function isListeningRecord(record: PortsRecord): boolean {
  if (record.remoteAddress !== null) return false;
  if (record.protocol === "UDP") return true;
  return record.change === "listen" || record.state === "LISTENING" || record.state === "LISTEN";
}

/** `C:\...` or `\\server\...`: a path compared without regard to case. */
function isWindowsPath(path: string): boolean {
  return /^([a-z]:)?\\/i.test(path);
}

/** 127.0.0.0/8, ::1 and IPv4-mapped loopback: the other end is on this host too. */
function isLoopback(address: string): boolean {
  return address.startsWith("127.") || address === "::1" || address.startsWith("::ffff:127.");
}
