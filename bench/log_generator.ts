/**
 * Writes a synthetic month of Port Reporter logs, with portset's own formatters, for the report
 * benchmark: a server with a few listeners (sshd, nginx, postgres, a resolver), clients from a
 * pool of addresses connecting and leaving all day, busier in office hours, a restart of the
 * monitor every ten days, and files rotated at 5 MiB as the monitor rotates them.
 *
 * It writes the files itself rather than through port_reporter/reporter.ts's `PortReporter`,
 * which syncs both files to disk after every look: right for a monitor, hours for 400 MB here.
 *
 * @module
 */

import type { Endpoint, ProcessInfo } from "../model/endpoint.ts";
import { formatInitialLog } from "../port_reporter/initial_log.ts";
import { logFileStamp } from "../port_reporter/log_time.ts";
import { formatPidsHeader, formatPidsRecord } from "../port_reporter/pids_log.ts";
import { formatPortsHeader, formatPortsLine } from "../port_reporter/ports_log.ts";
import type { SocketChange } from "../model/socket_change.ts";
import { makeEndpoint, makeSnapshot } from "../tests/support/endpoints.ts";

/** What to write. */
export interface GeneratorOptions {
  directory: string;
  /** Stop once the logs reach this many bytes. */
  bytes: number;
  /** Days the logs span (the rate of changes is set so `bytes` fills them). */
  days?: number;
  /** Rotate PR-PORTS / PR-PIDS at this size. */
  rotateBytes?: number;
  /** The computer the headers name (a fleet's hosts each have their own); default `bench`. */
  host?: string;
  /** Seeds the clients and times, so that each host of a fleet has logs of its own. */
  seed?: number;
  /**
   * Also runs a backdoor: an `sshd` from `/tmp/.x/` listening on TCP 4444 (a port of interest
   * and an unexpected directory) from the start, with clients like the other servers'.
   */
  rogue?: boolean;
}

const MODULES = Array.from({ length: 24 }, (_, i) => ({
  path: `/usr/lib/x86_64-linux-gnu/libexample${i}.so.${i % 3}`,
  baseAddress: `0x7f${(0x1000000 + i * 0x21000).toString(16)}000`,
}));

function process(pid: number, name: string, path: string, user: string): ProcessInfo {
  return {
    pid,
    process: name,
    path,
    user,
    uid: user === "root" ? 0 : 100,
    ppid: 1,
    started: null,
    services: [{ name: `${name}.service`, displayName: name, shared: false }],
    modules: [{ path, baseAddress: "0x55d0c0a00000" }, ...MODULES],
  };
}

const SERVERS = [
  { port: 22, info: process(812, "sshd", "/usr/sbin/sshd", "root") },
  { port: 80, info: process(900, "nginx", "/usr/sbin/nginx", "www-data") },
  { port: 443, info: process(900, "nginx", "/usr/sbin/nginx", "www-data") },
  {
    port: 5432,
    info: process(1200, "postgres", "/usr/lib/postgresql/15/bin/postgres", "postgres"),
  },
];

/** The backdoor of a `rogue` host. */
const ROGUE = { port: 4444, info: process(4444, "sshd", "/tmp/.x/sshd", "root") };

/** Writes the logs; returns the bytes and change lines written. */
export async function generateLogs(
  options: GeneratorOptions,
): Promise<{ bytes: number; changes: number }> {
  const days = options.days ?? 30;
  const system = { host: options.host ?? "bench", operatingSystem: "linux (benchmark)" };
  const servers = options.rogue ? [...SERVERS, ROGUE] : SERVERS;
  const rotate = options.rotateBytes ?? 5 * 1024 * 1024;
  await Deno.mkdir(options.directory, { recursive: true });
  const encoder = new TextEncoder();
  // A record pair (line + detail) is about 1.6 KiB; space the changes to fill the days.
  const pairs = options.bytes / 1650;
  const meanGap = (days * 86400) / pairs;
  let seed = options.seed ?? 12345;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const start = new Date(2026, 9, 1, 0, 0, 0).getTime();
  let time = start;
  let written = 0, changes = 0, record = 0;
  let ports: Deno.FsFile | null = null, pids: Deno.FsFile | null = null;
  let portsSize = 0, pidsSize = 0;
  let nextRestart = start;
  const write = (file: Deno.FsFile, text: string) => {
    const bytes = encoder.encode(text);
    file.writeSync(bytes);
    written += bytes.length;
    return bytes.length;
  };
  const create = (name: string) =>
    Deno.openSync(`${options.directory}/${name}`, { write: true, create: true, truncate: true });
  const openPair = (date: Date) => {
    ports?.close();
    pids?.close();
    const name = logFileStamp(date);
    ports = create(`PR-PORTS-${name}.log`);
    pids = create(`PR-PIDS-${name}.log`);
    portsSize = write(ports, formatPortsHeader(`PR-PIDS-${name}.log`, date));
    pidsSize = write(
      pids,
      formatPidsHeader(`PR-PORTS-${name}.log`, { time: date, ...system }),
    );
    record = 0;
  };
  const listeners = servers.map((server) =>
    makeEndpoint({
      localAddress: "0.0.0.0",
      localPort: server.port,
      pid: server.info.pid,
      process: server.info.process,
      path: server.info.path,
      user: server.info.user,
    })
  );
  const open: { endpoint: Endpoint; server: (typeof servers)[number]; closes: number }[] = [];
  while (written < options.bytes) {
    const date = new Date(time);
    if (time >= nextRestart) {
      const processes = new Map(servers.map((server) => [server.info.pid, server.info]));
      const snapshot = makeSnapshot(listeners, {
        host: system.host,
        time: date.toISOString(),
        processes,
      });
      const initial = create(`PR-INITIAL-${logFileStamp(date)}.log`);
      write(
        initial,
        formatInitialLog(snapshot, { time: date, operatingSystem: system.operatingSystem }),
      );
      initial.close();
      openPair(date);
      open.length = 0;
      nextRestart = time + 10 * 86400_000;
    } else if (portsSize > rotate || pidsSize > rotate) openPair(date);

    // Close what is due, else open a connection.
    let change: SocketChange;
    let info: ProcessInfo;
    const due = open.findIndex((connection) => connection.closes <= time);
    if (due >= 0) {
      const [connection] = open.splice(due, 1);
      change = { kind: "close", endpoint: connection.endpoint };
      info = connection.server.info;
    } else {
      const server = servers[Math.floor(random() * servers.length)];
      // A few busy clients and a long tail of occasional ones.
      const client = random() < 0.5
        ? `198.51.100.${1 + Math.floor(random() * 20)}`
        : `203.0.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}`;
      const connection = makeEndpoint({
        localAddress: "192.0.2.10",
        localPort: server.port,
        remoteAddress: client,
        remotePort: 32768 + Math.floor(random() * 28000),
        state: "ESTABLISHED",
        pid: server.info.pid,
        process: server.info.process,
        path: server.info.path,
        user: server.info.user,
      });
      open.push({ endpoint: connection, server, closes: time + random() * 600_000 });
      change = { kind: "connect", endpoint: connection };
      info = server.info;
    }
    record++;
    changes++;
    portsSize += write(ports!, formatPortsLine(date, change, record));
    pidsSize += write(pids!, formatPidsRecord(date, change, record, info, [change.endpoint]));
    // Busier from 8:00 to 18:00: the gap is shorter in office hours.
    const hour = date.getHours();
    const busy = hour >= 8 && hour < 18 ? 0.4 : 1.9;
    time += Math.max(1, -Math.log(1 - random()) * meanGap * 1000 * busy);
  }
  (ports as Deno.FsFile | null)?.close();
  (pids as Deno.FsFile | null)?.close();
  return { bytes: written, changes };
}
