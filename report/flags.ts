/**
 * The flags: what in the logs an operator should look at, judged against the interests and the
 * listener baseline, and kept in a bounded book.
 *
 * A flag is one row per kind and subject, counted again when it comes back. New listeners are
 * grouped by the process that opened them, one row with the listeners it opened, so a process
 * that churns a thousand ephemeral listeners is one row, not a thousand burying the alerts.
 * Alerts are never dropped (a cap far above any real log only guards memory against hostile
 * ones); warnings and notes past their cap are counted, and the report says how many.
 *
 * @module
 */

import { formatAddressPort } from "../model/address.ts";
import { formatLogTime } from "../port_reporter/log_time.ts";
import type { PortsRecord } from "../port_reporter/ports_log.ts";
import { detach } from "./detach.ts";
import { firstMatch, type Interests } from "./interests.ts";
import { keySetBaseline, type ListenerBaseline, recordKey } from "./listener_baseline.ts";
import type { Flag } from "./model.ts";
import { baseName, directoryName } from "../port_reporter/process_block.ts";
import { owner, portKey } from "./record_facts.ts";

/** Flags kept: warnings and notes up to `others`; alerts up to `alerts`, a guard only. */
export const FLAG_LIMITS = { others: 1000, alerts: 10_000, portsShown: 20, portsCounted: 1000 };

const SEVERITY_ORDER = { alert: 0, warning: 1, info: 2 };

/** A flag as the book keeps it: the listeners it covers as a set while they are counted. */
interface KeptFlag extends Flag {
  portSet: Set<string>;
}

/** What a new flag says. */
interface Raise {
  kind: Flag["kind"];
  severity: Flag["severity"];
  subject: string;
  time: number;
  detail: () => string;
  /** A listener or port the flag covers (grouped flags list them). */
  port?: string;
}

/** The flags raised so far. */
export class FlagBook {
  #flags = new Map<string, KeptFlag>();
  #others = 0;
  #omitted = 0;
  #lastSeverity: Flag["severity"] | null = null;

  /** The most severe flag raised since the last call, or null; and starts counting anew. */
  takeSeverity(): Flag["severity"] | null {
    const severity = this.#lastSeverity;
    this.#lastSeverity = null;
    return severity;
  }

  /** Raises a flag, or counts it again. */
  raise({ kind, severity, subject, time, detail, port }: Raise): void {
    const last = this.#lastSeverity;
    if (last === null || SEVERITY_ORDER[severity] < SEVERITY_ORDER[last]) {
      this.#lastSeverity = severity;
    }
    const key = `${kind}\0${subject}`;
    const stamp = formatLogTime(time);
    let flag = this.#flags.get(key);
    if (flag) {
      flag.count++;
      if (stamp < flag.firstSeen) flag.firstSeen = stamp;
      if (stamp > flag.lastSeen) flag.lastSeen = stamp;
      if (SEVERITY_ORDER[severity] < SEVERITY_ORDER[flag.severity]) {
        // Raised again more severely (a port of interest listening now, where first it was a
        // connection's end): the flag becomes what it is now, with that raising's detail, so an
        // alert is never hidden under an earlier warning.
        if (flag.severity !== "alert" && severity === "alert") this.#others--;
        flag.severity = severity;
        flag.detail = detach(detail());
      }
    } else {
      const room = severity === "alert"
        ? this.#flags.size - this.#others < FLAG_LIMITS.alerts
        : this.#others < FLAG_LIMITS.others;
      if (!room) {
        this.#omitted++;
        return;
      }
      if (severity !== "alert") this.#others++;
      flag = {
        kind,
        severity,
        subject: detach(subject),
        detail: detach(detail()),
        firstSeen: stamp,
        lastSeen: stamp,
        count: 1,
        ports: [],
        portCount: 0,
        portSet: new Set(),
      };
      this.#flags.set(detach(key), flag);
    }
    if (port !== undefined && !flag.portSet.has(port)) {
      if (flag.portSet.size < FLAG_LIMITS.portsCounted) flag.portSet.add(detach(port));
      flag.portCount++;
    }
  }

  /** Raisings of flags that were not kept (new subjects past the cap), alerts never among them. */
  get omitted(): number {
    return this.#omitted;
  }

  /** Every flag kept: alerts first, then warnings, then notes; each by when it was first seen. */
  list(): Flag[] {
    return [...this.#flags.values()]
      .sort((a, b) =>
        SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
        (a.firstSeen < b.firstSeen ? -1 : a.firstSeen > b.firstSeen ? 1 : 0)
      )
      .map(({ portSet, ...flag }) => ({
        ...flag,
        ports: [...portSet].slice(0, FLAG_LIMITS.portsShown),
      }));
  }
}

/** Whether a record comes from a start-up snapshot (what listened before the run) or a change. */
export type Phase = "start-up" | "change";

/** Judges records, executables and modules against the interests and the baseline. */
export class FlagJudge {
  readonly #interests: Interests;
  #baseline: ListenerBaseline | null;
  readonly #book: FlagBook;

  constructor(interests: Interests, baseline: ListenerBaseline | null, book: FlagBook) {
    this.#interests = interests;
    this.#baseline = baseline;
    this.#book = book;
  }

  /** The listeners expected, or null before the first snapshot gave them. */
  get baseline(): ListenerBaseline | null {
    return this.#baseline;
  }

  /** With no baseline given, what listened at the first start is what is expected. */
  adoptBaseline(listeners: readonly string[], source: string): void {
    this.#baseline ??= keySetBaseline(listeners, `the first start-up snapshot (${source})`, false);
  }

  /**
   * Raises the flags a record calls for; true when it raised any. A start-up socket is judged as
   * a change is: a port of interest that already listened when the monitor started is an alert
   * too (a backdoor that predates the monitor, or outlives a restart). `newListener`: the record
   * opens a listener, to judge against the baseline. Returns the most severe flag it raised, or
   * null.
   */
  record(
    record: PortsRecord,
    listening: boolean,
    newListener: boolean,
    phase: Phase,
  ): Flag["severity"] | null {
    this.#book.takeSeverity();
    const interests = this.#interests;
    const time = record.time;
    const who = owner(record);
    const when = phase === "start-up" ? ", already at start-up" : "";
    const opening = record.change !== "close" && record.change !== "state";
    const port = portKey(record.protocol, record.localPort);
    if (opening && interests.ports.has(port)) {
      this.#book.raise({
        kind: "port-of-interest",
        severity: listening ? "alert" : "warning",
        subject: port,
        time,
        detail: () =>
          listening
            ? `listening on ${record.localAddress} by ${who}${when}`
            : `local end of a connection with ${record.remoteAddress}:${record.remotePort}, by ${who}${when}`,
      });
    }
    if (
      opening && record.remotePort !== null &&
      interests.ports.has(portKey(record.protocol, record.remotePort))
    ) {
      this.#book.raise({
        kind: "port-of-interest",
        severity: "warning",
        subject: `${portKey(record.protocol, record.remotePort)} (remote)`,
        time,
        detail: () => `connection to ${record.remoteAddress}:${record.remotePort} by ${who}${when}`,
      });
    }
    if (record.process) {
      const glob = firstMatch(interests.processes, record.process);
      if (glob) {
        this.#book.raise({
          kind: "process-of-interest",
          severity: "alert",
          subject: record.process,
          time,
          detail: () =>
            `${record.protocol} ${record.localAddress}:${record.localPort}${
              record.remoteAddress === null ? "" : ` ↔ ${record.remoteAddress}:${record.remotePort}`
            } (PID ${record.pid ?? "?"})${when}; matches '${glob.pattern}'`,
        });
      }
    }
    if (record.user) {
      const glob = firstMatch(interests.users, record.user);
      if (glob) {
        this.#book.raise({
          kind: "user-of-interest",
          severity: "info",
          subject: record.user,
          time,
          detail: () => `${who} ran as ${record.user}${when}; matches '${glob.pattern}'`,
        });
      }
    }
    const baseline = this.#baseline;
    if (newListener && baseline && !baseline.matches(recordKey(record))) {
      this.#book.raise({
        kind: "new-listener",
        severity: baseline.explicit ? "warning" : "info",
        subject: record.process ?? "an unknown process",
        time,
        detail: () => `listeners not in ${baseline.source}`,
        port: `${record.protocol} ${formatAddressPort(record.localAddress, record.localPort)}`,
      });
    }
    return this.#book.takeSeverity();
  }

  /** Flags a process's executable path: a known name in the wrong place, or a bad place. */
  path(process: string, path: string, time: number): void {
    const interests = this.#interests;
    const expected = interests.expectedDirectories.get(process.toLowerCase());
    const directory = directoryName(path);
    if (expected && !firstMatch(expected, directory)) {
      this.#book.raise({
        kind: "unexpected-directory",
        severity: "alert",
        subject: path,
        time,
        detail: () =>
          `${process} runs from ${directory || "(no directory)"}; expected ${
            expected.map((glob) => glob.pattern).join(" or ")
          }`,
      });
    }
    const suspicious = firstMatch(interests.suspiciousPaths, path);
    if (suspicious) {
      this.#book.raise({
        kind: "unexpected-directory",
        severity: "alert",
        subject: path,
        time,
        detail: () =>
          `${process} (${
            baseName(path)
          }) runs from a suspicious place; matches '${suspicious.pattern}'`,
      });
    }
  }

  /** Flags a loaded module of interest. */
  module(module: string, loader: { process: string; pid: number }, time: number): void {
    const glob = firstMatch(this.#interests.modules, module);
    if (!glob) return;
    this.#book.raise({
      kind: "module-of-interest",
      severity: "warning",
      subject: module,
      time,
      detail: () => `loaded by ${loader.process} (PID ${loader.pid}); matches '${glob.pattern}'`,
    });
  }

  /** Flags a remote address of interest that a record's socket talks to. */
  remote(record: PortsRecord, address: string): void {
    const glob = firstMatch(this.#interests.remoteAddresses, address);
    if (!glob) return;
    this.#book.raise({
      kind: "remote-of-interest",
      severity: "warning",
      subject: address,
      time: record.time,
      detail: () =>
        `${record.protocol} ${record.localPort} ↔ ${address}:${record.remotePort} by ${
          record.process ?? "an unknown process"
        }; matches '${glob.pattern}'`,
    });
  }
}
