/**
 * The table of changes: the last few thousand change lines, and every flagged one from anywhere
 * in the logs (up to a cap), in log order. Rows are formatted when the report is made: most are
 * pushed out of the table before then.
 *
 * @module
 */

import { formatLogTime } from "../port_reporter/log_time.ts";
import type { PortsRecord } from "../port_reporter/ports_log.ts";
import type { ChangeRow } from "./model.ts";
import { protocolOf } from "./record_facts.ts";

/** Flagged rows kept from before the last ones. */
export const FLAGGED_ROWS_LIMIT = 1000;

/** A change kept for the table. */
interface KeptRow {
  /** The change's number in the logs. */
  seq: number;
  record: PortsRecord;
  path: string | null;
  source: string;
  flagged: boolean;
}

/** Keeps the rows of the table as changes come. */
export class ChangeTable {
  readonly #limit: number;
  #rows: KeptRow[] = [];
  #cursor = 0;
  #flagged: KeptRow[] = [];
  #seen = 0;

  /** `limit`: the last rows kept. */
  constructor(limit: number) {
    this.#limit = limit;
  }

  /** One change; `path` is its process's executable, `source` its file. */
  keep(record: PortsRecord, path: string | null, source: string, flagged: boolean): void {
    const row: KeptRow = { seq: ++this.#seen, record, path, source, flagged };
    if (flagged && this.#flagged.length < FLAGGED_ROWS_LIMIT) {
      // Flagged rows come from anywhere in the logs: keep copies, not slices of their chunks.
      this.#flagged.push(structuredClone(row));
    }
    if (this.#limit === 0) return;
    if (this.#rows.length < this.#limit) this.#rows.push(row);
    else {
      this.#rows[this.#cursor] = row;
      this.#cursor = (this.#cursor + 1) % this.#limit;
    }
  }

  /** The kept rows in log order: flagged rows from before the last ones, then the last ones. */
  rows(): ChangeRow[] {
    const last = [...this.#rows.slice(this.#cursor), ...this.#rows.slice(0, this.#cursor)];
    const kept = new Set(last.map((row) => row.seq));
    const earlier = this.#flagged.filter((row) => !kept.has(row.seq));
    return [...earlier, ...last].map(({ record, path, source, flagged }) => ({
      time: formatLogTime(record.time),
      protocol: protocolOf(record),
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
