/** text/units.ts: each duration and size formatter's exact text, at and around its unit bounds. */

import assert from "node:assert/strict";
import {
  formatBytes,
  formatBytesShort,
  formatDurationFull,
  formatDurationShort,
  formatMib,
  formatMibFigure,
} from "../text/units.ts";

Deno.test("formatDurationFull: the two largest units, always both, minutes in two digits", () => {
  assert.equal(formatDurationFull(0), "0 s");
  assert.equal(formatDurationFull(42.4), "42 s");
  assert.equal(formatDurationFull(60), "1 min 0 s");
  assert.equal(formatDurationFull(185), "3 min 5 s");
  assert.equal(formatDurationFull(3600), "1 h 00 min");
  assert.equal(formatDurationFull(2 * 3600 + 7 * 60 + 59), "2 h 07 min");
  assert.equal(formatDurationFull(86400), "1 d 0 h");
  assert.equal(formatDurationFull(3 * 86400 + 4 * 3600), "3 d 4 h");
});

Deno.test("formatDurationShort reads like an operator writes it", () => {
  assert.equal(formatDurationShort(-5), "0 s");
  assert.equal(formatDurationShort(0), "0 s");
  assert.equal(formatDurationShort(45), "45 s");
  assert.equal(formatDurationShort(60), "1 min");
  assert.equal(formatDurationShort(725), "12 min 5 s");
  assert.equal(formatDurationShort(3600), "1 h");
  assert.equal(formatDurationShort(127_000), "35 h 16 min");
  assert.equal(formatDurationShort(4 * 86400), "4 d");
  assert.equal(formatDurationShort(4 * 86400 + 3 * 3600 + 59), "4 d 3 h");
});

Deno.test("formatBytes: binary units, one decimal, two for GiB", () => {
  assert.equal(formatBytes(0), "0 B");
  assert.equal(formatBytes(1023), "1023 B");
  assert.equal(formatBytes(1024), "1.0 KiB");
  assert.equal(formatBytes(4812), "4.7 KiB");
  assert.equal(formatBytes(25 * 1024 ** 2), "25.0 MiB");
  assert.equal(formatBytes(1.25 * 1024 ** 3), "1.25 GiB");
});

Deno.test("formatBytesShort: as few digits as will do, in the page's KB and MB", () => {
  assert.equal(formatBytesShort(310), "310 B");
  assert.equal(formatBytesShort(4812), "4.7 KB");
  assert.equal(formatBytesShort(25 * 1024 ** 2), "25 MB");
  assert.equal(formatBytesShort(3 * 1024 ** 3), "3.0 GB");
  assert.equal(formatBytesShort(2048 * 1024 ** 4), "2048 TB");
});

Deno.test("formatMib and formatMibFigure: MiB with and without the unit", () => {
  assert.equal(formatMib(4 << 20), "4 MiB");
  assert.equal(formatMib(512 * 1024), "0.5 MiB");
  assert.equal(formatMib(64 << 20), "64 MiB");
  assert.equal(formatMibFigure(0), "0.0");
  assert.equal(formatMibFigure(7.5 * 1024 ** 2), "7.5");
  assert.equal(formatMibFigure(120 * 1024 ** 2), "120");
});
