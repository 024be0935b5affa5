/**
 * Usage accounting: which sockets are open, and for each local port and each process how long it
 * had one open; who ran what (user contexts), port use by hour of day, the remote addresses
 * contacted, the services each shared host process runs. What it keeps grows with what the host
 * has (ports, processes, users, sockets open at once), never with the number of lines: remote
 * addresses are counted by {@linkcode HeavyHitters}, and every list has a cap, the count behind it
 * kept whole.
 *
 * @module
 */

import type { LogProtocol } from "../port_reporter/layout.ts";
import type { PortsRecord } from "../port_reporter/ports_log.ts";
import type { ProcessDetail } from "../port_reporter/process_block.ts";
import { formatLogTime, hourOfDay } from "../port_reporter/log_time.ts";
import { compareAddresses } from "../model/order.ts";
import { detach } from "./detach.ts";
import { countInto, HeavyHitters, topKeys } from "./heavy_hitters.ts";
import type {
  HourUsage,
  ListCount,
  PortUsage,
  ProcessUsage,
  Report,
  SharedProcess,
} from "./model.ts";
import {
  isLoopback,
  isOver,
  isWindowsPath,
  portNumber,
  socketIdentity,
  transportOf,
} from "./record_facts.ts";

/** Report lists are cut to these lengths; the counts behind them are whole. */
export const USAGE_LIMITS = {
  ports: 500,
  processes: 500,
  remoteAddresses: 200,
  users: 100,
  sharedProcesses: 200,
  /** Remote addresses counted exactly before Space-Saving starts to bound them. */
  remoteTracking: 20000,
  /** Distinct process IDs counted per process before the count saturates. */
  pidsPerProcess: 10000,
} as const;

/** Stretches of time something was open: how many openings now, since when, seconds so far. */
interface Interval {
  open: number;
  since: number;
  seconds: number;
}

interface PortStats extends Interval {
  protocol: LogProtocol;
  port: number;
  listening: boolean;
  listen: Interval;
  changes: number;
  connections: number;
  processes: Map<string, number>;
}

/** A process, as the usage tables count it: its name and its executable's path. */
export interface ProcessStats extends Interval {
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

interface UserStats {
  changes: number;
  /** Sockets that were open under this user when a monitor started. */
  startupSockets: number;
  processes: Map<string, number>;
}

/** What a change line counted for. */
export interface Counted {
  /** The remote address of the connection it made and counted (see countRemote), or null. */
  remote: string | null;
  /** A listener appears: logged as one by portset, or a listening line of the original's. */
  newListener: boolean;
}

/** The usage lists of a report, with the counts behind the cut ones. */
export type UsageLists =
  & Pick<Report, "ports" | "processes" | "remoteAddresses" | "users" | "hours" | "sharedProcesses">
  & { counts: Omit<Report["counts"], "flags"> };

/** Counts usage as records come, in time order. */
export class UsageAccounts {
  /** Called when a listener closes: its port (as one number) was listening from `since`. */
  readonly #listened: (port: number, since: number, until: number) => void;
  #open = new Map<string, OpenSocket>();
  #ports = new Map<number, PortStats>();
  #processes = new Map<string, ProcessStats>();
  /** This run's processes by PID, from PR-PIDS and PR-INITIAL: for paths. */
  #pidDetails = new Map<number, { process: string; path: string | null }>();
  #remotes = new HeavyHitters<RemoteData>(USAGE_LIMITS.remoteTracking, () => ({
    ports: new Map(),
    processes: new Map(),
    first: Infinity,
    last: -Infinity,
  }));
  #users = new Map<string, UserStats>();
  #hours = Array.from({ length: 24 }, (_, hour) => ({
    hour,
    changes: 0,
    connections: 0,
    listeners: 0,
    ports: new Set<number>(),
  }));
  #shared = new Map<string, SharedProcess>();
  #sharedSeen = 0;

  constructor(listened: (port: number, since: number, until: number) => void) {
    this.#listened = listened;
  }

  /** A process's detail from PR-PIDS or PR-INITIAL: its path, and the services it hosts. */
  processDetail(detail: ProcessDetail): void {
    const known = this.#pidDetails.get(detail.pid);
    if (known?.process !== detail.process || known.path !== detail.path) {
      this.#pidDetails.set(detail.pid, {
        process: detach(detail.process),
        path: detail.path === null ? null : detach(detail.path),
      });
    }
    if (detail.services.length > 1 || detail.services.some((service) => service.shared)) {
      const key = `${detail.pid} ${detail.process}`;
      if (this.#shared.has(key)) return;
      this.#sharedSeen++;
      if (this.#shared.size < USAGE_LIMITS.sharedProcesses) {
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

  /** The process a record's socket belongs to, by name and (from the details) path. */
  process(record: Pick<PortsRecord, "pid" | "process">): ProcessStats | null {
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
    if (record.pid !== null && process.pids.size < USAGE_LIMITS.pidsPerProcess) {
      process.pids.add(record.pid);
    }
    return process;
  }

  /**
   * A socket open when a monitor started: it is in use from the run's start. Returns the remote
   * address counted, as {@linkcode countRemote} does.
   */
  startupSocket(
    record: PortsRecord,
    listening: boolean,
    process: ProcessStats | null,
  ): string | null {
    if (record.user) {
      const user = this.#user(record.user);
      user.startupSockets++;
      if (record.process) countInto(user.processes, record.process, 32);
      if (process) countInto(process.users, record.user, 8);
    }
    // A connection already over was still a contact with its peer.
    if (!isOver(record)) this.openSocket(record, listening, process);
    return this.countRemote(record);
  }

  /** How a change line moves its socket: opened, closed, handed to another process. */
  socketChange(
    record: PortsRecord,
    listening: boolean,
    process: ProcessStats | null,
    over: boolean,
  ): void {
    const identity = socketIdentity(record);
    const open = this.#open.get(identity);
    switch (over ? "close" : record.change) {
      case "close":
        if (open) this.#closeSocket(identity, open, record.time);
        break;
      case "owner":
        if (open && open.process !== process) {
          if (open.process) leave(open.process, record.time);
          if (process) enter(process, record.time);
          open.process = process;
        } else if (!open) this.openSocket(record, listening, process);
        break;
      case "state":
      case "seen":
        // The original logs a socket again when its connections or state change: not a new one.
        if (!open) this.openSocket(record, listening, process);
        break;
      default:
        this.openSocket(record, listening, process);
    }
  }

  /** Counts a change line for its port, process, user and hour. */
  count(record: PortsRecord, listening: boolean, process: ProcessStats | null): Counted {
    const port = this.#port(record);
    port.changes++;
    const number = portNumber(record.protocol, record.localPort);
    if (process) {
      process.changes++;
      process.ports.add(number);
      if (record.user) countInto(process.users, record.user, 8);
      countInto(port.processes, process.process, 20);
    }
    const connects = record.change === "connect" ||
      (record.change === "seen" && record.remoteAddress !== null);
    if (connects) port.connections++;
    if (record.user) {
      const user = this.#user(record.user);
      user.changes++;
      if (record.process) countInto(user.processes, record.process, 32);
    }
    const hour = this.#hours[hourOfDay(record.time)];
    hour.changes++;
    if (connects) hour.connections++;
    const newListener = listening &&
      (record.change === "listen" || record.change === "bind" || record.change === "seen");
    if (newListener) hour.listeners++;
    hour.ports.add(number);
    return { remote: connects ? this.countRemote(record) : null, newListener };
  }

  /**
   * Counts a contact with a record's remote address; the address, or null when not counted (none,
   * or the server's end of a loopback connection, counted from its client).
   */
  countRemote(record: PortsRecord): string | null {
    const address = record.remoteAddress;
    if (address === null) return null;
    // A connection within the host is logged from both ends; count it once, from the client's
    // end, whose peer is the server's port (the lower of the two, as ephemeral ports are high).
    if (
      isLoopback(address) && record.remotePort !== null && record.remotePort > record.localPort
    ) return null;
    const entry = this.#remotes.add(address);
    const data = entry.data;
    if (record.remotePort !== null) countInto(data.ports, record.remotePort, 20);
    if (record.process) countInto(data.processes, record.process, 20);
    if (record.time < data.first) data.first = record.time;
    if (record.time > data.last) data.last = record.time;
    return address;
  }

  /** Opens a socket (or counts it again when it already is). */
  openSocket(record: PortsRecord, listening: boolean, process: ProcessStats | null): void {
    const identity = socketIdentity(record);
    const open = this.#open.get(identity);
    if (open) {
      open.count++;
      return;
    }
    const port = this.#port(record);
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

  /** The run ends at `time`: every socket still open closes then; its processes are forgotten. */
  endRun(time: number): void {
    for (const [identity, open] of this.#open) {
      open.count = 1;
      this.#closeSocket(identity, open, time);
    }
    this.#pidDetails.clear();
  }

  /** The lists, with each entry's share of `observed` seconds; `service` names a port. */
  lists(
    observed: number,
    service: (protocol: LogProtocol, port: number) => string | null,
  ): UsageLists {
    const share = (seconds: number) =>
      observed > 0 ? Math.round((seconds / observed) * 10000) / 10000 : 0;
    const ports: PortUsage[] = [...this.#ports.values()]
      .sort((a, b) =>
        b.seconds - a.seconds || b.changes - a.changes || a.port - b.port ||
        (a.protocol < b.protocol ? -1 : a.protocol > b.protocol ? 1 : 0)
      )
      .slice(0, USAGE_LIMITS.ports)
      .map((port) => ({
        transport: transportOf(port.protocol),
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
      .slice(0, USAGE_LIMITS.processes)
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
    // As many connections: by address, 127.0.0.2 before 127.0.0.100.
    const remotes = this.#remotes.top(USAGE_LIMITS.remoteAddresses, compareAddresses);
    const remoteAddresses = remotes.map((entry) => ({
      address: entry.key,
      connections: entry.count,
      overcount: entry.overcount,
      remotePorts: topKeys(entry.data.ports, 5),
      processes: topKeys(entry.data.processes, 5),
      firstSeen: formatLogTime(entry.data.first),
      lastSeen: formatLogTime(entry.data.last),
    }));
    const users = [...this.#users]
      .sort((a, b) =>
        b[1].changes + b[1].startupSockets - (a[1].changes + a[1].startupSockets) ||
        (a[0] < b[0] ? -1 : 1)
      )
      .slice(0, USAGE_LIMITS.users)
      .map(([user, data]) => ({
        user,
        changes: data.changes,
        startupSockets: data.startupSockets,
        processes: topKeys(data.processes, 10),
      }));
    const hours: HourUsage[] = this.#hours.map((hour) => ({
      hour: hour.hour,
      changes: hour.changes,
      connections: hour.connections,
      listeners: hour.listeners,
      ports: hour.ports.size,
    }));
    const exact = (total: number): ListCount => ({ total, exact: true });
    return {
      ports,
      processes,
      remoteAddresses,
      users,
      hours,
      sharedProcesses: [...this.#shared.values()],
      counts: {
        ports: exact(this.#ports.size),
        processes: exact(this.#processes.size),
        remoteAddresses: this.#remotes.distinct,
        users: exact(this.#users.size),
        sharedProcesses: exact(this.#sharedSeen),
      },
    };
  }

  /** The protocol and number of a port known by its one number. */
  portOf(port: number): { protocol: LogProtocol; port: number } {
    const { protocol, port: number } = this.#ports.get(port)!;
    return { protocol, port: number };
  }

  #closeSocket(identity: string, open: OpenSocket, time: number): void {
    if (--open.count > 0) return;
    this.#open.delete(identity);
    leave(open.port, time);
    if (open.listening) {
      const since = open.port.listen.since;
      if (leave(open.port.listen, time)) {
        this.#listened(portNumber(open.port.protocol, open.port.port), since, time);
      }
    }
    if (open.process) leave(open.process, time);
  }

  #port(record: Pick<PortsRecord, "protocol" | "localPort">): PortStats {
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

  #user(name: string): UserStats {
    let user = this.#users.get(name);
    if (!user) {
      this.#users.set(detach(name), user = { changes: 0, startupSockets: 0, processes: new Map() });
    }
    return user;
  }
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
