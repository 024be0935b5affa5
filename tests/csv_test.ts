/**
 * outputs/csv.ts: RFC 4180 fields and the `-local --csv` document.
 */

import assert from "node:assert/strict";
import { CSV_COLUMNS, formatCsv } from "../outputs/csv.ts";
import { csvField } from "../text/csv.ts";
import { makeEndpoint as endpoint, makeSnapshot } from "./support/endpoints.ts";

/** A strict RFC 4180 reader, written for these tests: records of fields. */
function readCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [], field = "", i = 0;
  while (i < text.length) {
    if (text[i] === '"' && field === "") {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error("unterminated quoted field");
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += text[i++];
      }
      if (i < text.length && text[i] !== "," && text[i] !== "\n") {
        throw new Error(`text after a closing quote at ${i}`);
      }
      continue;
    }
    if (text[i] === ",") {
      record.push(field);
      field = "";
    } else if (text[i] === "\n") {
      record.push(field);
      records.push(record);
      record = [];
      field = "";
    } else if (text[i] === '"' || text[i] === "\r") {
      throw new Error(`bare ${JSON.stringify(text[i])} in an unquoted field at ${i}`);
    } else {
      field += text[i];
    }
    i++;
  }
  if (field !== "" || record.length) throw new Error("no line break after the last record");
  return records;
}

Deno.test("csvField leaves plain text alone and writes null as an empty field", () => {
  assert.equal(csvField("sshd"), "sshd");
  assert.equal(csvField("::1"), "::1");
  assert.equal(csvField("C:\\Program Files\\x.exe"), "C:\\Program Files\\x.exe");
  assert.equal(csvField(" padded "), " padded ");
  assert.equal(csvField(""), "");
  assert.equal(csvField(null), "");
  assert.equal(csvField(undefined), "");
  assert.equal(csvField(0), "0");
  assert.equal(csvField(8080), "8080");
});

Deno.test("csvField quotes commas and quotes, doubling quotes", () => {
  assert.equal(csvField("a,b"), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField('"'), '""""');
});

Deno.test("csvField shows control characters, line breaks included, as ?: one record, one line", () => {
  assert.equal(csvField("two\nlines"), "two?lines");
  assert.equal(csvField("cr\rlf"), "cr?lf");
  assert.equal(csvField("crlf\r\n"), "crlf??");
  assert.equal(
    csvField("\u001b[2J\u001b]0;x\u0007ev"),
    "?[2J?]0;x?ev",
    "no escape sequence survives",
  );
  assert.equal(csvField("tab\there\u0085\u007f"), "tab?here??");
  assert.equal(csvField("naïve 日本"), "naïve 日本", "other text is kept");
});

Deno.test("csvField round-trips through an RFC 4180 reader", () => {
  const values = ["plain", "a,b", 'q"uote', '"', "", 'x,"y" z', "日本"];
  const line = values.map(csvField).join(",") + "\n";
  assert.deepEqual(readCsv(line), [values]);
});

Deno.test("formatCsv writes a header and one record per endpoint", () => {
  const text = formatCsv(makeSnapshot([
    endpoint({}),
    endpoint({
      protocol: "udp6",
      localAddress: "fe80::1%eth0",
      localPort: 546,
      state: null,
      pid: null,
      process: null,
      path: null,
      user: null,
      inode: null,
      socketUid: null,
      receiveQueue: null,
      sendQueue: null,
      interface: "eth0",
      netns: { inode: 4026532281, name: "blue", container: null, current: false },
    }),
    endpoint({
      localPort: 80,
      netns: { inode: 4026531840, name: null, container: null, current: true },
    }),
  ]));
  assert.ok(text.endsWith("\n"));
  const records = readCsv(text);
  assert.deepEqual(records[0], [...CSV_COLUMNS]);
  assert.equal(records.length, 4);
  const row = (i: number) => Object.fromEntries(CSV_COLUMNS.map((c, j) => [c, records[i][j]]));
  assert.deepEqual(row(1), {
    protocol: "tcp",
    localAddress: "0.0.0.0",
    localPort: "22",
    remoteAddress: "",
    remotePort: "",
    state: "LISTENING",
    pid: "812",
    process: "sshd",
    path: "/usr/sbin/sshd",
    user: "root",
    owners: "",
    key: "tcp/0.0.0.0/22",
    inode: "12345",
    socketUid: "0",
    receiveQueue: "0",
    sendQueue: "128",
    interface: "",
    v6only: "",
    created: "",
    netns: "",
    netnsInode: "",
  });
  assert.equal(row(2).key, "udp6/fe80::1%eth0/546");
  assert.deepEqual([row(2).netns, row(2).netnsInode], ["blue", "4026532281"], "another namespace");
  assert.deepEqual([row(3).netns, row(3).netnsInode], ["", "4026531840"], "portset's own");
  assert.equal(row(2).state, "");
  assert.equal(row(2).pid, "");
  assert.equal(row(2).interface, "eth0");
  for (const record of records) assert.equal(record.length, CSV_COLUMNS.length);
});

Deno.test("formatCsv quotes awkward process names and paths and lists several owners", () => {
  const text = formatCsv(makeSnapshot([
    endpoint({
      protocol: "tcp6",
      localAddress: "::ffff:127.0.0.1",
      localPort: 8080,
      remoteAddress: "::ffff:127.0.0.1",
      remotePort: 51000,
      state: "ESTABLISHED",
      process: 'my "app", v2',
      path: "/opt/odd,dir/line\nbreak",
      user: "\u001b[31mred",
      owners: [
        { pid: 10, process: "a,b", path: null, user: null },
        { pid: 11, process: null, path: null, user: null },
      ],
    }),
  ]));
  const records = readCsv(text);
  assert.equal(records.length, 2);
  const row = Object.fromEntries(CSV_COLUMNS.map((c, j) => [c, records[1][j]]));
  assert.equal(row.process, 'my "app", v2');
  assert.equal(row.path, "/opt/odd,dir/line?break");
  assert.equal(row.user, "?[31mred");
  assert.equal(row.owners, "10:a,b;11:");
  assert.equal(row.remoteAddress, "::ffff:127.0.0.1");
  assert.equal(row.remotePort, "51000");
  assert.equal(row.key, "tcp6/::ffff:127.0.0.1/8080");
});

Deno.test("formatCsv of no endpoints is the header line alone", () => {
  assert.equal(formatCsv(makeSnapshot([])), CSV_COLUMNS.join(",") + "\n");
});
