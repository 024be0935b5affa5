/**
 * PR-PIDS files: one numbered record per PR-PORTS line, stamped with the same date and time, with
 * the owning process's detail (see process_block.ts). portset heads a record `[12] 2026-11-22
 * 09:05:07`; a record of the original's is read the same way, and a `Process ID:` line with no
 * header before it starts a record too.
 *
 * @module
 */

import { type DateOrder, parseLogDateTime } from "./log_time.ts";
import { ProcessBlockReader, type ProcessDetail } from "./process_block.ts";

/** A process detail and when it was logged (null when its record has no readable stamp). */
export interface PidsRecord {
  time: number | null;
  detail: ProcessDetail;
}

const RECORD_HEADER = /^\s*(?:\[\d+\]|#?\d+[.:)]?)\s+(\S+)[\s,]+(\d{1,2}:\d{1,2}(?::\d{1,2})?)\s*$/;

/** Turns a PR-PIDS file's lines into process details, in order. */
export class PidsLogReader {
  #block = new ProcessBlockReader();
  #time: number | null = null;
  records = 0;

  constructor(
    readonly onRecord: (record: PidsRecord) => void,
    readonly dateOrder: DateOrder = "ymd",
  ) {}

  push(line: string): void {
    const header = RECORD_HEADER.exec(line);
    if (header) {
      const time = parseLogDateTime(header[1], header[2], this.dateOrder);
      if (time !== null) {
        this.#emit();
        this.records++;
        this.#time = time;
        return;
      }
    }
    if (/^\s*Process ID:/i.test(line)) this.#emit();
    this.#block.push(line);
  }

  finish(): void {
    this.#emit();
  }

  #emit(): void {
    const detail = this.#block.take();
    if (detail) this.onRecord({ time: this.#time, detail });
  }
}
