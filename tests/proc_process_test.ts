/**
 * collectors/linux/proc_process.ts: what /proc/<pid> says about a socket's owner.
 */

import assert from "node:assert/strict";
import {
  parseMaps,
  parseProcStat,
  parseStatusUid,
  processName,
} from "../collectors/linux/proc_process.ts";
import { exists as existsSync, runCli, startHolder } from "./support/processes.ts";

/** A /proc/<pid>/stat line: fields 1..52, as the kernel prints them (fs/proc/array.c). */
function statLine(pid: number, comm: string, ppid: number, startTicks: number): string {
  const fields = new Array<string>(53).fill("0");
  fields[1] = String(pid);
  fields[2] = `(${comm})`;
  fields[3] = "S";
  fields[4] = String(ppid);
  fields[5] = String(pid); // pgrp
  fields[6] = String(pid); // session
  fields[7] = "0"; // tty_nr
  fields[8] = "-1"; // tpgid
  fields[9] = "4194560"; // flags
  fields[18] = "20"; // priority
  fields[20] = "1"; // num_threads
  fields[22] = String(startTicks);
  fields[23] = "3133440"; // vsize
  fields[25] = "18446744073709551615"; // rsslim
  return fields.slice(1).join(" ") + "\n";
}

Deno.test("parseProcStat reads comm, ppid and start time", () => {
  assert.deepEqual(parseProcStat(statLine(812, "sshd", 1, 1234)), {
    comm: "sshd",
    ppid: 1,
    startTicks: 1234,
  });
  assert.deepEqual(parseProcStat(statLine(5, "kworker/0:0H-events_highpri", 2, 7)), {
    comm: "kworker/0:0H-events_highpri",
    ppid: 2,
    startTicks: 7,
  });
});

Deno.test("parseProcStat takes comm up to the last ')', spaces and parentheses included", () => {
  for (const comm of ["(a) b)", "a b", ") S 99 ", "((x))", "", "tmux: server", "x) 1 2 3 ("]) {
    const stat = parseProcStat(statLine(4242, comm, 977, 5000000));
    assert.deepEqual(stat, { comm, ppid: 977, startTicks: 5000000 }, JSON.stringify(comm));
  }
});

Deno.test("parseProcStat rejects text that is not a stat line", () => {
  assert.equal(parseProcStat(""), null);
  assert.equal(parseProcStat("1234 sshd S 1 1234"), null); // no parentheses
  assert.equal(parseProcStat("1234 )sshd( S 1"), null); // ')' before '('
  assert.equal(parseProcStat("1234 (sshd) S 1 1234"), null); // cut short of field 22
  assert.equal(parseProcStat("1234 (sshd) S x" + " 0".repeat(30)), null); // ppid not a number
});

Deno.test("parseProcStat reads this process's own /proc/self/stat", {
  ignore: Deno.build.os !== "linux",
}, () => {
  const stat = parseProcStat(Deno.readTextFileSync("/proc/self/stat"));
  assert.ok(stat);
  assert.equal(stat.ppid, Deno.ppid);
  assert.ok(stat.startTicks > 0);
  // The kernel's comm of this process is the executable's name, cut at 15 bytes.
  const exe = Deno.execPath().slice(Deno.execPath().lastIndexOf("/") + 1);
  assert.equal(stat.comm, exe.slice(0, 15));
});

Deno.test("parseStatusUid reads the effective uid (second field of Uid:)", () => {
  const status = [
    "Name:\tnginx",
    "Umask:\t0022",
    "State:\tS (sleeping)",
    "Tgid:\t1234",
    "Pid:\t1234",
    "PPid:\t1",
    "Uid:\t0\t33\t0\t33",
    "Gid:\t0\t33\t0\t33",
    "",
  ].join("\n");
  assert.equal(parseStatusUid(status), 33);
  assert.equal(parseStatusUid("Name:\tx\nUid:\t1000\t1000\t1000\t1000\n"), 1000);
  assert.equal(parseStatusUid("Name:\tx\nGid:\t0\t0\t0\t0\n"), null);
  assert.equal(parseStatusUid("Name:\tUid: 5 6\n"), null, "only a line that starts with Uid:");
  assert.equal(parseStatusUid(""), null);
});

Deno.test("parseStatusUid reads /proc/self/status as Deno.uid()", {
  ignore: Deno.build.os !== "linux",
}, () => {
  assert.equal(parseStatusUid(Deno.readTextFileSync("/proc/self/status")), Deno.uid());
});

const MAPS = [
  "55d4c0a28000-55d4c0af9000 r-xp 00028000 08:01 131090                     /usr/bin/bash",
  "55d4c0a00000-55d4c0a28000 r--p 00000000 08:01 131090                     /usr/bin/bash",
  "55d4c1a00000-55d4c1b00000 rw-p 00000000 00:00 0                          [heap]",
  "7f0000000000-7f0000021000 rw-p 00000000 00:00 0 ",
  "7f1a2b028000-7f1a2b1bd000 r-xp 00028000 08:01 1312                       /usr/lib/x86_64-linux-gnu/libc.so.6",
  "7f1a2b000000-7f1a2b028000 r--p 00000000 08:01 1312                       /usr/lib/x86_64-linux-gnu/libc.so.6",
  "7f1a2b300000-7f1a2b301000 r--p 00000000 08:01 1400                       /usr/lib/locale/C.utf8/LC_CTYPE",
  "7f1a2b400000-7f1a2b500000 rw-s 00000000 00:01 0                          /dev/zero (deleted)",
  "7f1a2b600000-7f1a2b601000 r-xp 00000000 08:01 1500                       /opt/My App/lib one.so",
  "7ffd12345000-7ffd12366000 rw-p 00000000 00:00 0                          [stack]",
  "7ffd123fd000-7ffd12401000 r--p 00000000 00:00 0                          [vvar]",
  "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]",
  "",
].join("\n");

Deno.test("parseMaps lists each executable file once, at its lowest address, in address order", () => {
  // LC_CTYPE is mapped for reading only: data, not a module.
  assert.deepEqual(parseMaps(MAPS), [
    { path: "/usr/bin/bash", baseAddress: "0x55d4c0a00000" },
    { path: "/usr/lib/x86_64-linux-gnu/libc.so.6", baseAddress: "0x7f1a2b000000" },
    { path: "/opt/My App/lib one.so", baseAddress: "0x7f1a2b600000" },
  ]);
});

Deno.test("parseMaps orders addresses beyond 2^53 exactly", () => {
  const maps = [
    "ffffffffff600001-ffffffffff601000 r-xp 00000000 08:01 2 /b.so",
    "ffffffffff600000-ffffffffff601000 r--p 00000000 08:01 1 /a.so",
    "ffffffffff600002-ffffffffff601000 r-xp 00000000 08:01 1 /a.so",
  ].join("\n");
  assert.deepEqual(parseMaps(maps), [
    { path: "/a.so", baseAddress: "0xffffffffff600000" },
    { path: "/b.so", baseAddress: "0xffffffffff600001" },
  ]);
  assert.deepEqual(parseMaps(""), []);
});

Deno.test("parseMaps of /proc/self/maps holds the running executable", {
  ignore: Deno.build.os !== "linux",
}, () => {
  const modules = parseMaps(Deno.readTextFileSync("/proc/self/maps"));
  const paths = modules.map((m) => m.path);
  assert.ok(paths.includes(Deno.realPathSync(Deno.execPath())), paths.join("\n"));
  assert.equal(new Set(paths).size, paths.length, "each file once");
  const bases = modules.map((m) => BigInt(m.baseAddress));
  assert.ok(bases.every((base, i) => i === 0 || bases[i - 1] < base), "ascending");
  assert.ok(paths.every((path) => path.startsWith("/")));
});

Deno.test("processName completes a 15-character comm from the executable's name", () => {
  assert.equal(
    processName("systemd-network", "/usr/lib/systemd/systemd-networkd"),
    "systemd-networkd",
  );
  assert.equal(processName("unattended-upgr", "/usr/bin/python3.11"), "unattended-upgr");
  assert.equal(
    processName("gnome-shell-cal", "/usr/libexec/gnome-shell-calendar-server (deleted)"),
    "gnome-shell-calendar-server",
  );
  assert.equal(processName("systemd-network", null), "systemd-network");
  // A short comm is the whole name, even when the file is called something else.
  assert.equal(processName("sshd", "/usr/sbin/sshd-session"), "sshd");
  assert.equal(processName("nginx", "/usr/sbin/nginx"), "nginx");
  // Exactly 15 characters that are the whole file name stay as they are.
  assert.equal(processName("abcdefghijklmno", "/opt/abcdefghijklmno"), "abcdefghijklmno");
});

Deno.test({
  name: "processName completes a comm cut at 15 bytes of non-ASCII text",
  fn() {
    const file = "ñandú-server-daemon";
    const bytes = new TextEncoder().encode(file).slice(0, 15); // what the kernel keeps
    const comm = new TextDecoder().decode(bytes);
    assert.equal(comm, "ñandú-server-");
    assert.equal(processName(comm, `/usr/bin/${file}`), file);
  },
});

Deno.test("parseMaps reads the kernel's \\012 as the line feed of a path", () => {
  const text = "00400000-00401000 r-xp 00000000 08:01 1234 /tmp/nl\\012dir/py\n";
  assert.deepEqual(parseMaps(text), [{ path: "/tmp/nl\ndir/py", baseAddress: "0x400000" }]);
});

Deno.test({
  name: "a program run from a directory with a line feed: -v --json names its module as its path",
  ignore: Deno.build.os !== "linux" || !existsSync("/usr/bin/python3"),
  async fn() {
    const directory = Deno.makeTempDirSync({ prefix: "portset-maps-" });
    try {
      Deno.mkdirSync(`${directory}/a\nb`);
      const program = `${directory}/a\nb/python3`;
      Deno.copyFileSync(Deno.realPathSync("/usr/bin/python3"), program);
      Deno.chmodSync(program, 0o755);
      await using holder = await startHolder(program, [
        "-c",
        "import json, os, socket, sys\ns = socket.socket()\ns.bind(('127.0.0.1', 0))\n" +
        "s.listen()\nprint(json.dumps({'port': s.getsockname()[1]}), flush=True)\n" +
        "sys.stdin.read()\n",
      ]);
      const run = await runCli(["-local", "-v", "--json", "--pid", String(holder.pid)]);
      assert.equal(run.code, 0, run.stderr);
      const [process] = JSON.parse(run.stdout).processes;
      assert.equal(process.path, program);
      assert.ok(
        process.modules.some((module: { path: string }) => module.path === program),
        `modules: ${JSON.stringify(process.modules.map((m: { path: string }) => m.path))}`,
      );
    } finally {
      Deno.removeSync(directory, { recursive: true });
    }
  },
});
