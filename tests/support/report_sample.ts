/**
 * Reports for the HTML renderer's tests and screenshot, made without the log parser: a day and a
 * half on a Linux web server, simulated socket by socket, with every summary (ports, processes,
 * hours, timeline, flags) derived from the same sockets so the numbers agree with one another.
 *
 * Addresses are from the documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24,
 * 2001:db8::/32) and loopback. The simulation is seeded: every call returns the same report.
 *
 * @module
 */

import {
  type ChangeRow,
  type Flag,
  type HourUsage,
  LOG_CHANGE_KINDS,
  type LogChangeKind,
  type LogFileSummary,
  type PortUsage,
  type ProcessUsage,
  type RemoteAddressUsage,
  type Report,
  REPORT_FORMAT,
  type UserUsage,
} from "../../report/model.ts";
import type { Protocol } from "../../model/endpoint.ts";
import type { LogProtocol } from "../../port_reporter/layout.ts";
import { formatLogTime, hourOfDay } from "../../port_reporter/log_time.ts";
import { transportOf } from "../../report/record_facts.ts";
import { seededRandom } from "./random.ts";

/** How many change rows the sample's `changes` keeps (the rest are `changesOmitted`). */
export const SAMPLE_CHANGES_CAP = 300;

/** The window: 2026-11-20T06:42:10 to 2026-11-21T17:58:41, logs' local time. */
const START_MS = Date.UTC(2026, 10, 20, 6, 42, 10);
const WINDOW_SECONDS = 35 * 3600 + 16 * 60 + 31;
const BUCKET_SECONDS = 480;

interface Owner {
  pid: number;
  process: string;
  path: string;
  user: string;
}

/** A socket's life in the window: seconds from the start; `open < 0` means in the snapshot. */
interface Sock {
  protocol: LogProtocol;
  localAddress: string;
  localPort: number;
  remoteAddress: string | null;
  remotePort: number | null;
  owner: Owner;
  open: number;
  /** null: still open at the end. */
  close: number | null;
  listening: boolean;
  /** ESTABLISHED to CLOSE_WAIT at this second. */
  closeWaitAt?: number;
  /** New owner from this second (nginx's binary upgrade hands its listeners over). */
  handOver?: { at: number; owner: Owner };
  flagged?: boolean;
}

const SSHD: Owner = { pid: 612, process: "sshd", path: "/usr/sbin/sshd", user: "root" };
const NGINX: Owner = { pid: 812, process: "nginx", path: "/usr/sbin/nginx", user: "root" };
const NGINX_NEW: Owner = { ...NGINX, pid: 20417 };
const NGINX_WORKERS: Owner[] = [
  { pid: 813, process: "nginx", path: "/usr/sbin/nginx", user: "www-data" },
  { pid: 814, process: "nginx", path: "/usr/sbin/nginx", user: "www-data" },
];
const POSTGRES: Owner = {
  pid: 901,
  process: "postgres",
  path: "/usr/lib/postgresql/15/bin/postgres",
  user: "postgres",
};
const POSTGRES_AFTER: Owner = { ...POSTGRES, pid: 22106 };
const RESOLVED: Owner = {
  pid: 455,
  process: "systemd-resolved",
  path: "/usr/lib/systemd/systemd-resolved",
  user: "systemd-resolve",
};
const RSYSLOGD: Owner = {
  pid: 742,
  process: "rsyslogd",
  path: "/usr/sbin/rsyslogd",
  user: "root",
};
const CHRONYD: Owner = { pid: 530, process: "chronyd", path: "/usr/sbin/chronyd", user: "_chrony" };
const INTRUDER: Owner = { pid: 31337, process: "sshd", path: "/tmp/.x/sshd", user: "www-data" };
const DEVSERVER: Owner = {
  pid: 24811,
  process: "python3",
  path: "/usr/bin/python3.11",
  user: "deploy",
};

/** The UTC offset the sample's logs state. */
export const SAMPLE_OFFSET = "+01:00";

/** `YYYY-MM-DDTHH:MM:SS+01:00` for a second of the window. */
export function sampleTime(second: number): string {
  return formatLogTime(START_MS / 1000 + Math.round(second)) + SAMPLE_OFFSET;
}

/** A socket's protocol and family, as the report's change rows name them. */
function protocolOf(sock: Pick<Sock, "protocol" | "localAddress">): Protocol {
  return `${transportOf(sock.protocol)}${sock.localAddress.includes(":") ? "6" : ""}`;
}

function hourOf(second: number): number {
  return hourOfDay(START_MS / 1000 + second);
}

/** Seconds from the start of the window to a wall-clock time on day 0 or 1. */
function at(day: 0 | 1, hh: number, mm: number, ss = 0): number {
  return (Date.UTC(2026, 10, 20 + day, hh, mm, ss) - START_MS) / 1000;
}

function simulate(): Sock[] {
  const rand = seededRandom(20261120);
  const pick = <T>(list: T[]): T => list[Math.floor(rand() * list.length)];
  const sockets: Sock[] = [];
  const listener = (
    protocol: LogProtocol,
    localAddress: string,
    localPort: number,
    owner: Owner,
    open = -1,
    close: number | null = null,
  ) =>
    sockets.push({
      protocol,
      localAddress,
      localPort,
      remoteAddress: null,
      remotePort: null,
      owner,
      open,
      close,
      listening: true,
    });

  // What was listening when the monitor started.
  listener("TCP", "0.0.0.0", 22, SSHD);
  listener("TCP", "::", 22, SSHD);
  for (const port of [80, 443]) {
    for (const address of ["0.0.0.0", "::"]) {
      sockets.push({
        protocol: "TCP",
        localAddress: address,
        localPort: port,
        remoteAddress: null,
        remotePort: null,
        owner: NGINX,
        open: -1,
        close: null,
        listening: true,
        handOver: { at: at(1, 10, 15, 3), owner: NGINX_NEW },
      });
    }
  }
  // PostgreSQL restarts for a minor upgrade: its listeners close and come back 80 s later.
  const pgRestart = at(1, 1, 30, 12);
  listener("TCP", "127.0.0.1", 5432, POSTGRES, -1, pgRestart);
  listener("TCP", "::1", 5432, POSTGRES, -1, pgRestart);
  listener("TCP", "127.0.0.1", 5432, POSTGRES_AFTER, pgRestart + 80);
  listener("TCP", "::1", 5432, POSTGRES_AFTER, pgRestart + 80);
  listener("UDP", "127.0.0.53", 53, RESOLVED);
  listener("TCP", "127.0.0.53", 53, RESOLVED);
  listener("UDP", "127.0.0.1", 323, CHRONYD);
  listener("UDP", "::1", 323, CHRONYD);

  let ephemeral = 41_000;
  const connection = (sock: Omit<Sock, "listening" | "remotePort"> & { remotePort?: number }) =>
    sockets.push({ remotePort: 32_768 + Math.floor(rand() * 28_000), ...sock, listening: false });

  // Web traffic, busiest in the afternoon.
  const webClients = [
    "192.0.2.10",
    "192.0.2.44",
    "192.0.2.77",
    "198.51.100.7",
    "198.51.100.23",
    "198.51.100.80",
    "198.51.100.150",
    "203.0.113.9",
    "203.0.113.21",
    "203.0.113.200",
    "2001:db8::10",
    "2001:db8:1::4",
    "2001:db8:42::1f",
    "2001:db8:ff::9",
  ];
  let made = 0;
  while (made < 86) {
    const t = rand() * (WINDOW_SECONDS - 600);
    const hour = hourOf(t);
    const weight = 0.15 + 0.85 * Math.max(0, Math.sin(((hour - 6) / 18) * Math.PI));
    if (rand() > weight) continue;
    made++;
    const remote = webClients[Math.min(webClients.length - 1, Math.floor(rand() ** 1.6 * 14))];
    const v6 = remote.includes(":");
    const long = rand() < 0.15;
    connection({
      protocol: "TCP",
      localAddress: v6 ? "2001:db8:10::80" : "192.0.2.80",
      localPort: rand() < 0.8 ? 443 : 80,
      remoteAddress: remote,
      owner: pick(NGINX_WORKERS),
      open: t,
      close: t + (long ? 300 + rand() * 900 : 2 + rand() * 40),
      closeWaitAt: long ? t + 280 : undefined,
    });
  }

  // An administrator's SSH sessions, in working hours.
  const sessions: [0 | 1, number, number, number, string][] = [
    [0, 8, 3, 3100, "198.51.100.23"],
    [0, 11, 47, 900, "198.51.100.23"],
    [0, 16, 20, 5400, "2001:db8:5::17"],
    [1, 8, 12, 2700, "198.51.100.23"],
    [1, 13, 5, 1200, "2001:db8:5::17"],
  ];
  let sshdPid = 28_100;
  for (const [day, hh, mm, length, remote] of sessions) {
    const open = at(day, hh, mm, Math.floor(rand() * 60));
    connection({
      protocol: "TCP",
      localAddress: remote.includes(":") ? "2001:db8:10::80" : "192.0.2.80",
      localPort: 22,
      remoteAddress: remote,
      owner: { ...SSHD, pid: sshdPid++ },
      open,
      close: open + length,
      closeWaitAt: open + length - 1,
    });
  }

  // Password guessing at night: many short connections to sshd from one address.
  for (let i = 0; i < 34; i++) {
    const open = at(1, 2, 4) + i * 170 + Math.floor(rand() * 60);
    connection({
      protocol: "TCP",
      localAddress: "192.0.2.80",
      localPort: 22,
      remoteAddress: "203.0.113.45",
      owner: { ...SSHD, pid: sshdPid++ },
      open,
      close: open + 3 + Math.floor(rand() * 8),
      flagged: true,
    });
  }

  // The application's database connections over loopback.
  for (let i = 0; i < 14; i++) {
    const open = rand() * (WINDOW_SECONDS - 4000);
    connection({
      protocol: "TCP",
      localAddress: "127.0.0.1",
      localPort: 5432,
      remoteAddress: "127.0.0.1",
      owner: { ...POSTGRES, pid: 23_000 + i },
      open,
      close: open + 60 + rand() * 3000,
    });
  }

  // Time and name service clients: connected UDP sockets from ephemeral ports.
  for (let i = 0; i < 8; i++) {
    const open = i * (WINDOW_SECONDS / 8) + rand() * 1200;
    connection({
      protocol: "UDP",
      localAddress: "192.0.2.80",
      localPort: ephemeral++,
      remoteAddress: i % 2 ? "198.51.100.123" : "192.0.2.123",
      remotePort: 123,
      owner: CHRONYD,
      open,
      close: open + 1 + Math.floor(rand() * 3),
    });
  }
  for (let i = 0; i < 6; i++) {
    const open = rand() * WINDOW_SECONDS * 0.95;
    connection({
      protocol: "UDP",
      localAddress: "192.0.2.80",
      localPort: ephemeral++,
      remoteAddress: i % 3 ? "192.0.2.53" : "2001:db8::53",
      remotePort: 53,
      owner: RESOLVED,
      open,
      close: open + 1,
    });
  }

  // A developer's test server on 8080 for 40 minutes.
  const dev = at(0, 15, 5, 41);
  listener("TCP", "127.0.0.1", 8080, DEVSERVER, dev, dev + 2400);
  for (let i = 0; i < 4; i++) {
    connection({
      protocol: "TCP",
      localAddress: "127.0.0.1",
      localPort: 8080,
      remoteAddress: "127.0.0.1",
      owner: DEVSERVER,
      open: dev + 120 + i * 500,
      close: dev + 125 + i * 500,
    });
  }

  // The administrator turns on rsyslog's UDP input.
  listener("UDP", "0.0.0.0", 514, RSYSLOGD, at(0, 11, 58, 20));

  // The intruder: an "sshd" from /tmp/.x listening on 4444 as www-data, and its operator.
  const implant = at(1, 3, 12, 45);
  sockets.push({
    protocol: "TCP",
    localAddress: "0.0.0.0",
    localPort: 4444,
    remoteAddress: null,
    remotePort: null,
    owner: INTRUDER,
    open: implant,
    close: null,
    listening: true,
    flagged: true,
  });
  for (const [offset, length] of [[95, 2100], [19_800, 640]]) {
    connection({
      protocol: "TCP",
      localAddress: "192.0.2.80",
      localPort: 4444,
      remoteAddress: "203.0.113.66",
      remotePort: 51_515,
      owner: INTRUDER,
      open: implant + offset,
      close: implant + offset + length,
      closeWaitAt: implant + offset + length - 30,
      flagged: true,
    });
  }
  return sockets;
}

interface Row extends ChangeRow {
  second: number;
  owner: Owner;
}

function changeRows(sockets: Sock[]): Row[] {
  const rows: Row[] = [];
  const row = (sock: Sock, second: number, change: LogChangeKind, owner = sock.owner) => {
    const tcpState = change === "close"
      ? null
      : sock.protocol === "UDP"
      ? null
      : sock.listening
      ? "LISTENING"
      : change === "state"
      ? "CLOSE_WAIT"
      : "ESTABLISHED";
    rows.push({
      second,
      owner,
      time: sampleTime(second),
      protocol: protocolOf(sock),
      localAddress: sock.localAddress,
      localPort: sock.localPort,
      remoteAddress: sock.listening ? null : sock.remoteAddress,
      remotePort: sock.listening ? null : sock.remotePort,
      pid: owner.pid,
      process: owner.process,
      path: owner.path,
      user: owner.user,
      state: tcpState,
      change,
      flagged: sock.flagged ?? false,
      source: "",
    });
  };
  for (const sock of sockets) {
    if (sock.open >= 0) {
      row(
        sock,
        sock.open,
        sock.listening ? (sock.protocol === "TCP" ? "listen" : "bind") : "connect",
      );
    }
    if (sock.closeWaitAt !== undefined) row(sock, sock.closeWaitAt, "state");
    if (sock.handOver) row(sock, sock.handOver.at, "owner", sock.handOver.owner);
    if (sock.close !== null && sock.close <= WINDOW_SECONDS) {
      row(
        sock,
        sock.close,
        "close",
        sock.handOver && sock.close > sock.handOver.at ? sock.handOver.owner : sock.owner,
      );
    }
  }
  rows.sort((a, b) => a.second - b.second || a.localPort - b.localPort);
  // Log files rotate at midnight; three header lines each.
  const perFile = new Map<string, number>();
  for (const r of rows) {
    const file = `PR-PORTS-${r.time.slice(0, 10).replaceAll("-", "")}-${
      r.time.startsWith("2026-11-20") ? "064210" : "000000"
    }.log`;
    const line = (perFile.get(file) ?? 3) + 1;
    perFile.set(file, line);
    r.source = `${file}:${line}`;
  }
  return rows;
}

/** Seconds covered by the union of intervals, clipped to the window. */
function unionSeconds(intervals: [number, number][], from = 0, to = WINDOW_SECONDS): number {
  const clipped = intervals
    .map(([a, b]) => [Math.max(a, from), Math.min(b, to)] as [number, number])
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let total = 0, end = -Infinity;
  for (const [a, b] of clipped) {
    if (a > end) {
      total += b - a;
      end = b;
    } else if (b > end) {
      total += b - end;
      end = b;
    }
  }
  return total;
}

const interval = (sock: Sock): [number, number] => [
  Math.max(sock.open, 0),
  sock.close ?? WINDOW_SECONDS,
];

function topCounts(values: (string | number)[], limit: number): (string | number)[] {
  const counts = new Map<string | number, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, limit).map(([value]) => value);
}

const SERVICES: Record<string, string> = {
  "TCP 22": "ssh",
  "TCP 53": "domain",
  "UDP 53": "domain",
  "TCP 80": "http",
  "TCP 443": "https",
  "UDP 323": "chrony",
  "TCP 5432": "postgresql",
  "TCP 8080": "http-alt",
  "UDP 514": "syslog",
};

/** A day and a half of a web server's port activity, with an intruder's listener on TCP 4444. */
export function sampleReport(): Report {
  const sockets = simulate();
  const rows = changeRows(sockets);
  const share = (seconds: number) => Math.min(1, seconds / WINDOW_SECONDS);

  // Ports.
  const portKeys = [...new Set(sockets.map((s) => `${s.protocol} ${s.localPort}`))];
  const ports: PortUsage[] = portKeys.map((key) => {
    const mine = sockets.filter((s) => `${s.protocol} ${s.localPort}` === key);
    const myRows = rows.filter((r) => `${r.protocol} ${r.localPort}` === key);
    const seconds = Math.round(unionSeconds(mine.map(interval)));
    return {
      transport: transportOf(mine[0].protocol),
      port: mine[0].localPort,
      service: SERVICES[key] ?? null,
      seconds,
      share: share(seconds),
      listening: mine.some((s) => s.listening),
      changes: myRows.length,
      connections: myRows.filter((r) => r.change === "connect").length,
      processes: topCounts(myRows.map((r) => r.process!), 5) as string[],
    };
  }).sort((a, b) => b.seconds - a.seconds || b.changes - a.changes || a.port - b.port);
  // A port with no change lines still names its owner.
  for (const port of ports) {
    if (port.processes.length === 0) {
      const sock = sockets.find((s) =>
        transportOf(s.protocol) === port.transport && s.localPort === port.port
      );
      port.processes = [sock!.owner.process];
    }
  }

  // Processes, by name and path.
  const processKeys = [...new Set(sockets.map((s) => `${s.owner.process}\n${s.owner.path}`))];
  const processes: ProcessUsage[] = processKeys.map((key) => {
    const [process, path] = key.split("\n");
    const ownsAt = (s: Sock) =>
      [s.owner, s.handOver?.owner].some((o) => o && o.process === process && o.path === path);
    const mine = sockets.filter(ownsAt);
    const myRows = rows.filter((r) => r.owner.process === process && r.owner.path === path);
    const seconds = Math.round(unionSeconds(mine.map(interval)));
    const pids = new Set<number>();
    for (const s of mine) {
      for (const o of [s.owner, s.handOver?.owner]) if (o && o.process === process) pids.add(o.pid);
    }
    return {
      process,
      path,
      pidCount: pids.size,
      seconds,
      share: share(seconds),
      changes: myRows.length,
      ports: new Set(mine.map((s) => `${s.protocol} ${s.localPort}`)).size,
      users: [...new Set(mine.map((s) => s.owner.user))].slice(0, 5),
    };
  }).sort((a, b) => b.seconds - a.seconds || b.changes - a.changes);

  // Remote addresses.
  const connects = rows.filter((r) => r.change === "connect");
  const remotes: RemoteAddressUsage[] = [...new Set(connects.map((r) => r.remoteAddress!))]
    .map((address) => {
      const mine = connects.filter((r) => r.remoteAddress === address);
      return {
        address,
        connections: mine.length,
        overcount: 0,
        remotePorts: topCounts(mine.map((r) => r.remotePort!), 5) as number[],
        processes: topCounts(mine.map((r) => r.process!), 5) as string[],
        firstSeen: mine[0].time,
        lastSeen: mine[mine.length - 1].time,
      };
    })
    .sort((a, b) => b.connections - a.connections || a.address.localeCompare(b.address));

  // Users.
  const users: UserUsage[] = [...new Set(rows.map((r) => r.user!))].map((user) => {
    const mine = rows.filter((r) => r.user === user);
    return {
      user,
      changes: mine.length,
      // Sockets open at the window's start, under this user.
      startupSockets: sockets.filter((s) => s.open === 0 && s.owner.user === user).length,
      processes: topCounts(mine.map((r) => r.process!), 10) as string[],
    };
  }).sort((a, b) => b.changes - a.changes);

  // Hours of the day.
  const hours: HourUsage[] = Array.from({ length: 24 }, (_, hour) => {
    const mine = rows.filter((r) => Number(r.time.slice(11, 13)) === hour);
    return {
      hour,
      changes: mine.length,
      connections: mine.filter((r) => r.change === "connect").length,
      listeners: mine.filter((r) => r.change === "listen" || r.change === "bind").length,
      ports: new Set(mine.map((r) => `${r.protocol} ${r.localPort}`)).size,
    };
  });

  // Timeline: buckets of changes by kind, and lanes of listening coverage.
  const bucketCount = Math.ceil(WINDOW_SECONDS / BUCKET_SECONDS);
  const buckets = Array.from(
    { length: bucketCount },
    () => Object.fromEntries(LOG_CHANGE_KINDS.map((k) => [k, 0])) as Record<LogChangeKind, number>,
  );
  for (const r of rows) {
    buckets[Math.min(bucketCount - 1, Math.floor(r.second / BUCKET_SECONDS))][r.change]++;
  }
  const listeningPorts = ports.filter((p) => p.listening).slice(0, 12);
  const lanes = listeningPorts.map((p) => {
    const intervals = sockets
      .filter((s) =>
        s.listening && transportOf(s.protocol) === p.transport && s.localPort === p.port
      )
      .map(interval);
    const coverage = buckets.map((_, i) => {
      const from = i * BUCKET_SECONDS, to = Math.min(WINDOW_SECONDS, from + BUCKET_SECONDS);
      return Math.round((unionSeconds(intervals, from, to) / (to - from)) * 1000) / 1000;
    });
    const flagged = p.port === 4444;
    return { transport: p.transport, port: p.port, service: p.service, flagged, coverage };
  });

  // Flags.
  const intruderRows = rows.filter((r) => r.owner === INTRUDER);
  const guessing = rows.filter((r) => r.remoteAddress === "203.0.113.45" && r.change === "connect");
  const devListen = rows.find((r) => r.localPort === 8080 && r.change === "listen")!;
  const syslogBind = rows.find((r) => r.localPort === 514 && r.change === "bind")!;
  const operator = rows.filter((r) => r.remoteAddress === "203.0.113.66" && r.change === "connect");
  const span = (list: Row[]) => ({
    firstSeen: list[0].time,
    lastSeen: list[list.length - 1].time,
    count: list.length,
    ports: [] as string[],
    portCount: 0,
  });
  /** A new-listener flag's listeners, as the analysis groups them by process. */
  const listeners = (...ports: string[]) => ({ ports, portCount: ports.length });
  const flags: Flag[] = [
    {
      kind: "unexpected-directory",
      severity: "alert",
      subject: "/tmp/.x/sshd",
      detail: "sshd runs from /tmp/.x/, not from /usr/sbin/ where sshd lives (pid 31337, www-data)",
      ...span(intruderRows),
    },
    {
      kind: "port-of-interest",
      severity: "alert",
      subject: "TCP 4444",
      detail: "Listening on a port of interest (common reverse-shell and Metasploit handler port)",
      ...span(intruderRows.filter((r) => r.localPort === 4444)),
    },
    {
      kind: "new-listener",
      severity: "warning",
      subject: "sshd",
      detail: "listeners not in PR-INITIAL-20261120-064210.log",
      ...span(intruderRows.filter((r) => r.change === "listen")),
      ...listeners("TCP 0.0.0.0:4444"),
    },
    {
      kind: "remote-of-interest",
      severity: "warning",
      subject: "203.0.113.66",
      detail: "Connected to TCP 4444, a flagged listener",
      ...span(operator),
    },
    {
      kind: "remote-of-interest",
      severity: "warning",
      subject: "203.0.113.45",
      detail: `${guessing.length} short connections to sshd in 97 minutes: password guessing`,
      ...span(guessing),
    },
    {
      kind: "user-of-interest",
      severity: "warning",
      subject: "www-data",
      detail: "The web server's account opened a listener outside nginx",
      ...span(intruderRows.filter((r) => r.change === "listen")),
    },
    {
      kind: "new-listener",
      severity: "info",
      subject: "python3",
      detail: "listeners not in PR-INITIAL-20261120-064210.log",
      ...span([devListen]),
      ...listeners("TCP 127.0.0.1:8080"),
    },
    {
      kind: "new-listener",
      severity: "info",
      subject: "rsyslogd",
      detail: "listeners not in PR-INITIAL-20261120-064210.log",
      ...span([syslogBind]),
      ...listeners("UDP 0.0.0.0:514"),
    },
  ];
  devListen.flagged = true;
  syslogBind.flagged = true;

  // The table keeps the last rows, oldest first, and every flagged one.
  const last = new Set(rows.slice(-SAMPLE_CHANGES_CAP));
  const kept = rows.filter((r) => last.has(r) || r.flagged);
  const changes: ChangeRow[] = kept.map(({ second: _s, owner: _o, ...row }) => row);

  const portsFiles = [...new Set(rows.map((r) => r.source.split(":")[0]))];
  const files: LogFileSummary[] = [
    {
      name: "PR-INITIAL-20261120-064210.log",
      kind: "initial",
      dialect: "portset",
      bytes: 48_211,
      records: sockets.filter((s) => s.open < 0).length,
      skipped: 0,
      utcOffset: SAMPLE_OFFSET,
    },
    ...portsFiles.flatMap((name, i): LogFileSummary[] => {
      const count = rows.filter((r) => r.source.startsWith(name)).length;
      const skipped = i === 1 ? 1 : 0;
      return [
        {
          name,
          kind: "ports",
          dialect: "portset",
          bytes: count * 96 + 310,
          records: count,
          skipped,
          utcOffset: SAMPLE_OFFSET,
        },
        {
          name: name.replace("PR-PORTS", "PR-PIDS"),
          kind: "pids",
          dialect: "portset",
          bytes: count * 2_870 + 290,
          records: count,
          skipped: 0,
          utcOffset: SAMPLE_OFFSET,
        },
      ];
    }),
  ];

  return {
    format: REPORT_FORMAT,
    portset: "0.1.0",
    host: "reader",
    time: "2026-11-22T10:00:00.000Z",
    directory: "/var/log/portset",
    computers: ["web1"],
    utcOffsets: { stated: [SAMPLE_OFFSET], assumed: [] },
    files,
    window: {
      start: sampleTime(0),
      end: sampleTime(WINDOW_SECONDS),
      seconds: WINDOW_SECONDS,
    },
    timeBasis: "open-to-close",
    totals: {
      changes: rows.length,
      initialSockets: files[0].records,
      pidsRecords: rows.length,
      skippedLines: 1,
      unreadFiles: 0,
    },
    ports,
    processes,
    remoteAddresses: remotes,
    users,
    hours,
    sharedProcesses: [
      {
        pid: 1,
        process: "systemd",
        path: "/usr/lib/systemd/systemd",
        services: [
          { name: "ssh.socket", displayName: "OpenBSD Secure Shell server socket" },
          { name: "systemd-journald.socket", displayName: "Journal Socket" },
          { name: "dbus.socket", displayName: "D-Bus System Message Bus Socket" },
        ],
      },
      {
        pid: 1187,
        process: "php-fpm8.2",
        path: "/usr/sbin/php-fpm8.2",
        services: [
          { name: "php8.2-fpm.service", displayName: "The PHP 8.2 FastCGI Process Manager" },
          { name: "php-fpm-pool-shop", displayName: "shop.example.net pool" },
        ],
      },
    ],
    flags,
    flagsOmitted: 0,
    counts: {
      ports: { total: ports.length, exact: true },
      processes: { total: processes.length, exact: true },
      remoteAddresses: { total: remotes.length, exact: true },
      users: { total: users.length, exact: true },
      sharedProcesses: { total: 2, exact: true },
      flags: { total: flags.length, exact: true },
    },
    timeline: { start: sampleTime(0), bucketSeconds: BUCKET_SECONDS, buckets, lanes },
    changes,
    changesOmitted: rows.length - changes.length,
    problems: [`${portsFiles[1]}:212: 9 fields where 13 were expected`],
    interests: "/etc/portset/interests.json",
    baseline: "PR-INITIAL-20261120-064210.log",
  };
}

/**
 * A report of logs with nothing in them but a start-up snapshot: a zero-length window, no changes,
 * no flags.
 */
export function emptyReport(): Report {
  return {
    format: REPORT_FORMAT,
    portset: "0.1.0",
    host: "reader",
    time: "2026-11-22T10:00:00.000Z",
    directory: "/var/log/portset",
    computers: ["web1"],
    utcOffsets: { stated: [SAMPLE_OFFSET], assumed: [] },
    files: [{
      name: "PR-INITIAL-20261122-090000.log",
      kind: "initial",
      dialect: "portset",
      bytes: 9_120,
      records: 11,
      skipped: 0,
      utcOffset: SAMPLE_OFFSET,
    }],
    window: {
      start: "2026-11-22T09:00:00+01:00",
      end: "2026-11-22T09:00:00+01:00",
      seconds: 0,
    },
    timeBasis: "open-to-close",
    totals: { changes: 0, initialSockets: 11, pidsRecords: 0, skippedLines: 0, unreadFiles: 0 },
    ports: [],
    processes: [],
    remoteAddresses: [],
    users: [],
    hours: Array.from(
      { length: 24 },
      (_, hour) => ({ hour, changes: 0, connections: 0, listeners: 0, ports: 0 }),
    ),
    sharedProcesses: [],
    flags: [],
    flagsOmitted: 0,
    counts: {
      ports: { total: 0, exact: true },
      processes: { total: 0, exact: true },
      remoteAddresses: { total: 0, exact: true },
      users: { total: 0, exact: true },
      sharedProcesses: { total: 0, exact: true },
      flags: { total: 0, exact: true },
    },
    timeline: { start: "2026-11-22T09:00:00+01:00", bucketSeconds: 60, buckets: [], lanes: [] },
    changes: [],
    changesOmitted: 0,
    problems: [],
    interests: "defaults",
    baseline: null,
  };
}

/** How many times the busy report multiplies the sample's hourly and per-interval counts. */
const BUSY_SCALE = 320;

/**
 * The sample as a busy host's logs make it: counts in the tens of thousands (the charts' axis
 * labels grow to `20,000`), 2,700 churning listeners, dozens of new-listener flags on long IPv6
 * addresses, Windows paths and domain users. Rendering it at a narrow and a wide window is what
 * found the HTML's layout defects.
 */
export function busyReport(): Report {
  const report = sampleReport();
  const rand = seededRandom(2700);
  for (const hour of report.hours) {
    hour.changes *= BUSY_SCALE;
    hour.connections *= BUSY_SCALE;
    hour.listeners *= BUSY_SCALE;
    hour.ports = Math.min(2_700, hour.ports * 40);
  }
  for (const bucket of report.timeline.buckets) {
    for (const kind of LOG_CHANGE_KINDS) bucket[kind] *= BUSY_SCALE;
  }
  report.totals.changes *= BUSY_SCALE;
  report.totals.pidsRecords *= BUSY_SCALE;

  // Global IPv6 addresses; every hundredth as long as one can be written (39 characters).
  const v6 = (i: number) =>
    `2001:${i % 100 ? "db8" : "0db8"}:4a7f:1c2e:9b3d:${(0x7700 + i).toString(16)}:e01f:${
      (0x5c00 + i * 7).toString(16)
    }`;
  const java: Owner = {
    pid: 4242,
    process: "java",
    path: "/opt/jdk-21.0.4+7-linux-x64/bin/java",
    user: "NT AUTHORITY\\NETWORK SERVICE",
  };
  const temp = "C:\\Documents and Settings\\Administrator\\Local Settings\\Temp\\svchost.exe";

  // The churning listeners: one port each, a few seconds of listening.
  for (let i = 0; i < 2_700; i++) {
    report.ports.push({
      transport: i % 5 ? "tcp" : "udp",
      port: 32_768 + i * 7,
      service: null,
      seconds: 1 + Math.floor(rand() * 8),
      share: 0.0001,
      listening: true,
      changes: 2,
      connections: 0,
      processes: ["java"],
    });
  }
  report.processes.push(
    {
      process: java.process,
      path: java.path,
      pidCount: 1,
      seconds: 120_000,
      share: 0.94,
      changes: 5_400,
      ports: 2_700,
      users: [java.user, "WORKGROUP\\svc-backup-operator"],
    },
    {
      process: "svchost.exe",
      path: temp,
      pidCount: 3,
      seconds: 4_000,
      share: 0.03,
      changes: 12,
      ports: 2,
      users: ["NT AUTHORITY\\SYSTEM"],
    },
  );
  report.users.push({
    user: java.user,
    changes: 5_400,
    startupSockets: 12,
    processes: ["java", "svchost.exe", "sqlservr.exe", "w3wp.exe"],
  });
  for (let i = 0; i < 30; i++) {
    report.remoteAddresses.push({
      address: v6(i),
      connections: 900 - i * 20,
      overcount: i > 20 ? 40 : 0,
      remotePorts: [443, 8443, 49_152 + i],
      processes: ["java", "svchost.exe"],
      firstSeen: sampleTime(60 + i),
      lastSeen: sampleTime(90_000 + i),
    });
  }
  report.remoteAddresses.sort((a, b) => b.connections - a.connections);

  const seen = { firstSeen: sampleTime(4_000), lastSeen: sampleTime(126_000) };
  report.flags.push(
    {
      kind: "unexpected-directory",
      severity: "alert",
      subject: temp,
      detail: `svchost.exe runs from ${temp}, not from C:\\WINDOWS\\System32\\ where it lives`,
      count: 12,
      ports: [],
      portCount: 0,
      ...seen,
    },
    {
      kind: "remote-of-interest",
      severity: "warning",
      subject: v6(0),
      detail: "Connected to TCP 4444, a flagged listener",
      count: 3,
      ports: [],
      portCount: 0,
      ...seen,
    },
  );
  // java churns listeners: one new-listener flag for all of them, as the analysis groups them.
  const javaListeners = Array.from({ length: 2_700 }, (_, i) => {
    const address = i % 2 ? `[${v6(i % 40)}]` : "0.0.0.0";
    return `${i % 3 ? "TCP" : "UDP"} ${address}:${49_152 + i}`;
  });
  report.flags.push({
    kind: "new-listener",
    severity: "info",
    subject: "java",
    detail: "listeners not in PR-INITIAL-20261120-064210.log",
    count: 2_700,
    ports: javaListeners.slice(0, 20),
    portCount: javaListeners.length,
    firstSeen: sampleTime(5_000),
    lastSeen: sampleTime(125_000),
  });
  report.flagsOmitted = 37;
  report.counts = {
    ports: { total: 2_731, exact: true },
    processes: { total: report.processes.length + 40, exact: true },
    remoteAddresses: { total: 24_000, exact: false },
    users: { total: report.users.length, exact: true },
    sharedProcesses: { total: report.sharedProcesses.length, exact: true },
    flags: { total: report.flags.length + 37, exact: true },
  };

  // A long service name, in the ports table and a lane's label.
  report.ports[0].service = "ms-wbt-server";
  report.timeline.lanes[0].service = "ms-wbt-server";

  // The implant from a Windows temp directory, under a domain account.
  for (const change of report.changes.slice(0, 6)) {
    Object.assign(change, {
      process: "svchost.exe",
      path: temp,
      user: "NT AUTHORITY\\SYSTEM",
      flagged: true,
    });
  }

  // Changes on long addresses, by the domain user.
  const template = report.changes[report.changes.length - 1];
  for (let i = 0; i < 20; i++) {
    report.changes.push({
      ...template,
      time: sampleTime(126_000 + i),
      protocol: "tcp6",
      localAddress: v6(100 + i),
      localPort: 49_152 + i,
      remoteAddress: v6(i),
      // The first is as long as an address and port can be: 39 characters and five digits.
      remotePort: i === 0 ? 65_535 : 443,
      pid: java.pid,
      process: java.process,
      path: java.path,
      user: java.user,
      state: "ESTABLISHED",
      change: "connect",
      flagged: false,
      source: `PR-PORTS-20261121-000000.log:${90_000 + i}`,
    });
  }
  return report;
}
