import assert from "node:assert/strict";
import {
  fileStampTime,
  formatLogTime,
  formatSystemDate,
  hourOfDay,
  parseLogClock,
  parseLogDate,
  parseLogDateTime,
  parseSystemDate,
} from "../port_reporter/log_time.ts";

Deno.test("portset's ISO dates and padded times read as the wall-clock time they show", () => {
  const time = parseLogDateTime("2026-11-22", "09:05:07", "ymd");
  assert.equal(formatLogTime(time!), "2026-11-22T09:05:07");
  assert.equal(hourOfDay(time!), 9);
});

Deno.test("the original's unpadded two-digit-year dates read year first by default", () => {
  assert.equal(formatLogTime(parseLogDateTime("05/7/6", "13:52:1", "ymd")!), "2005-07-06T13:52:01");
  assert.equal(formatLogTime(parseLogDateTime("05/7/6", "0:0:5", "ymd")!), "2005-07-06T00:00:05");
});

Deno.test("--date-order reads slashed dates month first or day first", () => {
  assert.equal(formatLogTime(parseLogDate("7/6/05", "mdy")!), "2005-07-06T00:00:00");
  assert.equal(formatLogTime(parseLogDate("6/7/2005", "dmy")!), "2005-07-06T00:00:00");
});

Deno.test("impossible dates and times are refused, not rolled over", () => {
  assert.equal(parseLogDate("2026-02-30"), null);
  assert.equal(parseLogDate("2026-13-01"), null);
  assert.equal(parseLogDate("05/7/32"), null);
  assert.equal(parseLogDate("yesterday"), null);
  assert.equal(parseLogClock("24:00:00"), null);
  assert.equal(parseLogClock("12:60"), null);
  assert.equal(parseLogClock("7:5"), 7 * 3600 + 5 * 60);
});

Deno.test("a leap second at the end of 9999 is refused: the year 10000 has no YYYY-MM-DD", () => {
  assert.equal(
    formatLogTime(parseLogDateTime("9999-12-31", "23:59:59", "ymd")!),
    "9999-12-31T23:59:59",
  );
  assert.equal(parseLogDateTime("9999-12-31", "23:59:60", "ymd"), null);
  assert.equal(fileStampTime("PR-PORTS-99991231-235960.log"), null);
});

Deno.test("a log file's name stamp is its start time: portset's, and the original's unpadded numbers", () => {
  assert.equal(
    formatLogTime(fileStampTime("PR-PORTS-20261122-015815-2.log")!),
    "2026-11-22T01:58:15",
  );
  assert.equal(
    formatLogTime(fileStampTime("PR-PIDS-05-07-6-13-44-4.log")!),
    "2005-07-06T13:44:04",
  );
  assert.equal(formatLogTime(fileStampTime("PR-PIDS-05-07-6-9-5-10.log")!), "2005-07-06T09:05:10");
  assert.equal(
    formatLogTime(fileStampTime("PR-PIDS-7-6-05-9-5-10.log", "mdy")!),
    "2005-07-06T09:05:10",
  );
  assert.equal(fileStampTime("PR-PORTS-5-7-6.log"), null);
  assert.equal(fileStampTime("PR-PORTS-05-13-6-13-44-4.log"), null);
});

Deno.test("System Date: ctime's form, written and read; older forms read", () => {
  const time = new Date(2005, 6, 6, 13, 44, 4);
  assert.equal(formatSystemDate(time), "Wed Jul 06 13:44:04 2005");
  assert.equal(formatSystemDate(new Date(2026, 10, 2, 9, 5, 7)), "Mon Nov 02 09:05:07 2026");
  const expected = "2005-07-06T13:44:04";
  for (
    const text of [
      "Wed Jul 06 13:44:04 2005",
      "Wed Jul  6 13:44:04 2005",
      "Wed Jul 06 2005 13:44:04 GMT+0200 (Central European Summer Time)",
      "05/7/6 13:44:4",
      "2005-07-06,13:44:04",
    ]
  ) {
    assert.equal(formatLogTime(parseSystemDate(text)!), expected, text);
  }
  assert.equal(parseSystemDate("Wed Foo 06 13:44:04 2005"), null);
  assert.equal(parseSystemDate("today"), null);
});

Deno.test("the years 0 to 99 of an ISO date are those years, not 1900 to 1999", () => {
  assert.equal(
    formatLogTime(parseLogDateTime("0050-03-01", "12:00:00", "ymd")!),
    "0050-03-01T12:00:00",
  );
  assert.equal(formatLogTime(parseLogDate("0000-01-01")!), "0000-01-01T00:00:00");
  // Still refused where the day does not exist: 0100 is no leap year, 0004 is.
  assert.equal(parseLogDate("0100-02-29"), null);
  assert.equal(formatLogTime(parseLogDate("0004-02-29")!), "0004-02-29T00:00:00");
  // A two-digit year written with slashes is still this century's, as the original wrote them.
  assert.equal(formatLogTime(parseLogDate("11/22/26", "mdy")!), "2026-11-22T00:00:00");
});
