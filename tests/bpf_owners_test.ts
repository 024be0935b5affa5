/**
 * The kernel's fd iterator (collectors/linux/bpf_owners.ts) against oracles it did not write: a
 * holder process reporting its own sockets' inodes (fstat), `ss -tuanpe`, and the /proc scan; and
 * how it gives way to /proc where it cannot load (no capabilities, a pid namespace of its own).
 */

import assert from "node:assert/strict";
import { BpfAssembler } from "../collectors/linux/bpf.ts";
import { BpfOwnerScan } from "../collectors/linux/bpf_owners.ts";
import { loadLibc } from "../collectors/linux/ffi.ts";
import { LinuxCollector } from "../collectors/linux/mod.ts";
import { BUSY_FILES, OwnerScans } from "../collectors/linux/owner_scans.ts";
import { scanSocketOwners, type SocketOwnership } from "../collectors/linux/proc_owners.ts";
import { type Endpoint, endpointKey, type Snapshot } from "../model/endpoint.ts";
import {
  exists,
  isRoot,
  portsetCommand,
  runCli,
  startHolder,
  SYSTEM_PYTHON,
} from "./support/processes.ts";
import { TestSockets } from "./support/sockets.ts";
import { ssSocketsByInode } from "./support/ss.ts";

const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(" ");

Deno.test("the assembler writes struct bpf_insn as the kernel's documentation spells it", () => {
  const program = new BpfAssembler()
    .move(6, 1) // r6 = r1
    .load(8, 1, 6, 24) // r1 = *(u64 *)(r6 + 24)
    .load(2, 3, 2, 0) // r3 = *(u16 *)(r2 + 0)
    .store(4, 10, -8, 4) // *(u32 *)(r10 - 8) = r4
    .storeWord(10, -32, 0x61706662) // *(u32 *)(r10 - 32) = 0x61706662
    .and(3, 0xf000)
    .jumpIfNotEqual(3, 0xc000, "out")
    .jumpIfNotEqualRegister(4, 5, "out") // if (r4 != r5) goto out
    .add(2, -8)
    .call(127)
    .label("out")
    .set(0, 0)
    .exit()
    .bytes();
  const instructions = [...Array(program.length / 8).keys()].map((i) =>
    hex(program.subarray(8 * i, 8 * i + 8))
  );
  assert.deepEqual(instructions, [
    "bf 16 00 00 00 00 00 00",
    "79 61 18 00 00 00 00 00",
    "69 23 00 00 00 00 00 00",
    "63 4a f8 ff 00 00 00 00",
    "62 0a e0 ff 62 66 70 61",
    "57 03 00 00 00 f0 00 00",
    "55 03 03 00 00 c0 00 00", // three instructions on, to the label
    "5d 54 02 00 00 00 00 00", // dst r4 in the low nibble, src r5 in the high
    "07 02 00 00 f8 ff ff ff",
    "85 00 00 00 7f 00 00 00",
    "b7 00 00 00 00 00 00 00",
    "95 00 00 00 00 00 00 00",
  ]);
  assert.throws(() => new BpfAssembler().jumpIfEqual(1, 0, "nowhere").exit().bytes(), /nowhere/);
});

/** A Python holder of `count` UDP sockets, the first `shared` of them shared with a forked child. */
const HOLDER = new URL("./fixtures/bpf_holder.py", import.meta.url).pathname;

const canLoad = isRoot() && exists("/sys/kernel/btf/vmlinux");

/** The owners of one walk of a freshly loaded iterator, unloaded after. */
function walkOnce(): SocketOwnership {
  const iterator = BpfOwnerScan.open(loadLibc());
  try {
    return iterator.scan();
  } finally {
    iterator.close();
  }
}

Deno.test({
  name: "the iterator finds each of 3,000 sockets a holder reports with fstat, shared ones twice",
  ignore: !canLoad || !exists(SYSTEM_PYTHON),
  async fn() {
    await using holder = await startHolder(SYSTEM_PYTHON, [HOLDER, "3000", "10"]);
    const { pids: [parent, child], inodes } = holder.ready as unknown as {
      pids: number[];
      inodes: number[];
    };
    const iterator = BpfOwnerScan.open(loadLibc());
    try {
      const walks = [["iterator", iterator.scan()], ["again", iterator.scan()]] as const;
      for (const [name, ownership] of walks) {
        const proc = scanSocketOwners(loadLibc());
        for (const [index, inode] of (inodes as number[]).entries()) {
          const what = `${name}: socket ${index} (inode ${inode})`;
          assert.equal(ownership.firstHolder(inode), parent, what);
          assert.deepEqual(
            ownership.sharedHolders(inode),
            index < 10 ? [parent, child] : undefined,
            `${what}: holders in pid order, each once`,
          );
          assert.equal(proc.firstHolder(inode), parent, `/proc agrees: ${what}`);
        }
      }
    } finally {
      iterator.close();
    }
  },
});

/**
 * The test's own endpoints in `snapshot` as `key inode pid` lines: those with the protocol,
 * address and port of one of `keys` (`tcp 127.0.0.1 80`), and a peer among `peers` if any (other
 * processes may hold the same port numbers on other addresses, or in the other protocol).
 */
function ownLines(snapshot: Snapshot, keys: string[], peers: number[]): string[] {
  return snapshot.endpoints.filter((endpoint) =>
    keys.includes(`${endpoint.protocol} ${endpoint.localAddress} ${endpoint.localPort}`) &&
    (endpoint.remotePort === null || peers.includes(endpoint.remotePort))
  )
    .map((endpoint) => `${endpointKey(endpoint)} ${endpoint.inode} ${endpoint.pid}`).sort();
}

Deno.test({
  name: "a look with the iterator lists the test's sockets with the owners ss and /proc give",
  ignore: !canLoad,
  async fn() {
    using sockets = new TestSockets();
    const listener = sockets.tcpListen("127.0.0.1", 0);
    const client = sockets.tcpConnect("127.0.0.1", listener.port);
    sockets.accept(listener.fd);
    const udp = sockets.udp("::1", 0);
    const ports = [listener.port, client.port];
    const keys = [
      `tcp 127.0.0.1 ${listener.port}`,
      `tcp 127.0.0.1 ${client.port}`,
      `udp6 ::1 ${udp.port}`,
    ];
    const bpf = await LinuxCollector.open({ ownerScan: "bpf" });
    const proc = await LinuxCollector.open({ ownerScan: "proc" });
    try {
      const once = await bpf.collectOnce();
      assert.deepEqual(once.warnings, [], "the iterator loaded");
      const lines = ownLines(once, keys, ports);
      assert.equal(lines.length, 4, `listener, both ends, UDP: ${lines.join("; ")}`);
      assert.ok(lines.every((line) => line.endsWith(` ${Deno.pid}`)), lines.join("; "));
      assert.deepEqual(lines, ownLines(proc.collect(), keys, ports), "the /proc scan agrees");
      const ss = await ssSocketsByInode();
      for (const line of lines) {
        const inode = Number(line.split(" ")[1]);
        assert.deepEqual(ss.get(inode)?.pids, [Deno.pid], `ss: ${line}`);
      }
      // A repeated look (the watch's) walks the same loaded iterator again and sees a new socket.
      const later = sockets.udp("127.0.0.1", 0);
      const again = bpf.collect({ reuseOwners: true });
      assert.equal(
        ownLines(again, [`udp 127.0.0.1 ${later.port}`], [])[0]?.endsWith(` ${Deno.pid}`),
        true,
      );
    } finally {
      bpf.close();
      proc.close();
    }
  },
});

/** `portset -local --json` run by `prefix` (a command that runs another), with `scan` chosen. */
async function localJson(prefix: string[], scan: string) {
  const [command, ...args] = [...prefix, ...portsetCommand(["-local", "--json"])];
  const output = await new Deno.Command(command, {
    args,
    env: { PORTSET_OWNER_SCAN: scan },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, stderr);
  return { json: JSON.parse(new TextDecoder().decode(output.stdout)), stderr };
}

Deno.test({
  name: "without CAP_BPF, PORTSET_OWNER_SCAN=bpf says why once and reads /proc; auto says nothing",
  ignore: !canLoad || !exists("/usr/bin/setpriv"),
  async fn() {
    // A listener held without capabilities too: root without CAP_SYS_PTRACE may not read the fd
    // table of a process holding capabilities it lacks.
    const noCapabilities = ["setpriv", "--bounding-set=-all", "--inh-caps=-all"];
    const listen = "import json, socket, sys; s = socket.socket(); s.bind(('127.0.0.1', 0)); " +
      "s.listen(); print(json.dumps({'port': s.getsockname()[1]}), flush=True); sys.stdin.read()";
    await using listener = await startHolder(noCapabilities[0], [
      ...noCapabilities.slice(1),
      SYSTEM_PYTHON,
      "-c",
      listen,
    ]);
    const forced = await localJson(noCapabilities, "bpf");
    const warnings: string[] = forced.json.warnings;
    const said = warnings.filter((warning) => warning.startsWith("PORTSET_OWNER_SCAN=bpf"));
    assert.equal(said.length, 1, JSON.stringify(warnings));
    assert.match(
      said[0],
      /fd iterator is unavailable \(.*errno 1\b.*\); the owners come from \/proc/,
    );
    const mine = forced.json.endpoints.find((e: Endpoint) =>
      e.protocol === "tcp" && e.localPort === listener.ready.port && e.localAddress === "127.0.0.1"
    );
    assert.equal(mine?.pid, listener.pid, "owners from /proc");
    const automatic = await localJson(noCapabilities, "auto");
    assert.ok(
      !automatic.json.warnings.some((warning: string) => warning.includes("iterator")),
      JSON.stringify(automatic.json.warnings),
    );
  },
});

Deno.test({
  name: "in a pid namespace of its own, the iterator is not used: pids are the namespace's",
  ignore: !canLoad || !exists("/usr/bin/unshare"),
  async fn() {
    // A listener started inside first (the namespace's pid 2, portset its pid 1 by exec).
    const ready = await Deno.makeTempFile();
    const listen = "import socket, time; s = socket.socket(); s.bind(('127.0.0.1', 0)); " +
      "s.listen(); print(s.getsockname()[1], flush=True); time.sleep(120)";
    const inside = [
      "unshare",
      "--pid",
      "--fork",
      "--mount-proc",
      "sh",
      "-c",
      `${SYSTEM_PYTHON} -c "${listen}" > ${ready} & ` +
      `while [ ! -s ${ready} ]; do sleep 0.05; done; exec "$@"`,
      "sh",
    ];
    try {
      const forced = await localJson(inside, "bpf");
      assert.ok(
        forced.json.warnings.some((warning: string) => /pid namespace of its own/.test(warning)),
        JSON.stringify(forced.json.warnings),
      );
      const port = Number(Deno.readTextFileSync(ready));
      const listener = forced.json.endpoints.find((e: { localPort: number; protocol: string }) =>
        e.protocol === "tcp" && e.localPort === port
      );
      assert.equal(listener?.pid, 2, `the namespace's pid: ${JSON.stringify(listener)}`);
      assert.equal(listener?.process, "python3");
    } finally {
      Deno.removeSync(ready);
    }
  },
});

Deno.test("a PORTSET_OWNER_SCAN that is not auto, bpf or proc is one line and exit 1", async () => {
  const output = await runCli(["-local", "--json"], {
    env: { PORTSET_OWNER_SCAN: "ebpf" },
    stdout: "piped",
    stderr: "piped",
  });
  const stderr = output.stderr.trim();
  assert.notEqual(output.code, 0);
  assert.equal(stderr.split("\n").length, 1, stderr);
  assert.match(stderr, /PORTSET_OWNER_SCAN must be auto, bpf or proc, not "ebpf"/);
});

/** Opens and closes sockets without end while the test walks the fd tables. */
const SOCKET_CHURN = new URL("./fixtures/socket_churn.py", import.meta.url).pathname;

Deno.test({
  name: "the iterator through churn: 40 walks while a holder opens and closes sockets",
  ignore: !canLoad || !exists(SYSTEM_PYTHON),
  async fn() {
    await using _holder = await startHolder(SYSTEM_PYTHON, [SOCKET_CHURN]);
    const iterator = BpfOwnerScan.open(loadLibc());
    try {
      for (let i = 0; i < 40; i++) {
        const ownership = iterator.scan();
        assert.ok(ownership.size > 0, `walk ${i}: sockets found`);
      }
    } finally {
      iterator.close();
    }
  },
});

Deno.test({
  name: "signals every 100 µs (V8's sampling profiler) do not make the iterator give way",
  ignore: !canLoad,
  async fn() {
    // The verifier gives up with EAGAIN, and a walk's read with EINTR, when a signal arrives.
    const log = await Deno.makeTempFile({ suffix: ".v8.log" });
    const flags = `--prof,--prof-sampling-interval=100,--logfile=${log},--no-logfile-per-isolate`;
    const [deno, ...args] = portsetCommand(["-local", "--json"], [`--v8-flags=${flags}`]);
    const output = await new Deno.Command(deno, {
      args,
      env: { PORTSET_OWNER_SCAN: "bpf" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output().finally(() => Deno.remove(log));
    assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
    const { warnings } = JSON.parse(new TextDecoder().decode(output.stdout));
    assert.deepEqual(warnings, [], "the iterator loaded and walked under the signals");
  },
});

Deno.test({
  name:
    "auto loads the iterator as root once the host holds 2,000 open files, and reads /proc below",
  ignore: !canLoad || !exists(SYSTEM_PYTHON),
  async fn() {
    const openFiles = () => parseInt(Deno.readTextFileSync("/proc/sys/fs/file-nr"), 10);
    const quiet = openFiles() < BUSY_FILES;
    if (quiet) {
      const scans = new OwnerScans(loadLibc(), "auto");
      try {
        await scans.load();
        assert.equal(scans.prepare([]), false, `${openFiles()} open files: /proc`);
      } finally {
        scans.close();
      }
    }
    await using _holder = await startHolder(SYSTEM_PYTHON, [HOLDER, `${BUSY_FILES}`, "0"]);
    assert.ok(openFiles() >= BUSY_FILES);
    const scans = new OwnerScans(loadLibc(), "auto");
    try {
      await scans.load();
      assert.equal(scans.prepare([]), true, `${openFiles()} open files: the iterator`);
      assert.ok(scans.scan([])!.size >= BUSY_FILES, "and it walks");
    } finally {
      scans.close();
    }
  },
});

/**
 * Processes in a row holding `total` descriptors and no socket between them (dups of /dev/null:
 * one open file, a descriptor each, as many as the hard limit lets one process hold), then the
 * last one's UDP socket.
 */
const MANY_FILES = new URL("./fixtures/many_files.py", import.meta.url).pathname;

Deno.test({
  name: "a walk past a million open files that are no sockets reads on (the kernel's EAGAIN)",
  ignore: !canLoad || !exists(SYSTEM_PYTHON),
  async fn() {
    // The kernel ends a read with EAGAIN once it has visited 1,000,000 files without a record:
    // 2,050,000 in a row leave at least 1,050,000 to a read that starts among them.
    await using holder = await startHolder(SYSTEM_PYTHON, [MANY_FILES, "2050000"], 120_000);
    const { pids, inode } = holder.ready as unknown as { pids: number[]; inode: number };
    const iterator = BpfOwnerScan.open(loadLibc());
    try {
      const ownership = iterator.scan();
      assert.equal(ownership.firstHolder(inode), pids[pids.length - 1], "the socket after them");
    } finally {
      iterator.close();
    }
  },
});

/**
 * Fd tables that are not a process's main thread's: Q holds a listener and forks P, P forks R,
 * then a thread of P takes an fd table of its own (unshare(CLONE_FILES): a copy of P's, with the
 * listener) and opens a UDP socket there; Z holds a UDP socket and its main thread exits alone
 * (exit(2), not exit_group), leaving its other thread, which shares the table, running.
 * /proc/<pid>/fd shows the main thread's table only (none for Z), and ss reads it.
 */
const OWN_TABLES = new URL("./fixtures/own_fd_tables.py", import.meta.url).pathname;

Deno.test({
  name: "the iterator reads each process's main fd table alone, as /proc/<pid>/fd and ss do",
  ignore: !canLoad || !exists(SYSTEM_PYTHON),
  async fn() {
    await using holder = await startHolder(SYSTEM_PYTHON, [OWN_TABLES]);
    const { pids: [q, p, r], inodes: [listener, privateSocket, orphan] } = holder
      .ready as unknown as { pids: number[]; inodes: number[] };
    const ownership = walkOnce();
    const proc = scanSocketOwners(loadLibc());
    const ss = await ssSocketsByInode();
    assert.deepEqual(ss.get(listener)?.pids, [q, p, r], "ss: the listener's holders");
    assert.deepEqual(proc.sharedHolders(listener), [q, p, r], "/proc: each once");
    assert.deepEqual(ownership.sharedHolders(listener), [q, p, r], "the iterator: each once");
    for (const [name, inode] of [["thread's own table", privateSocket], ["exited main", orphan]]) {
      assert.deepEqual(ss.get(inode as number)?.pids, [], `ss: ${name}`);
      assert.equal(proc.firstHolder(inode as number), undefined, `/proc: ${name}`);
      assert.equal(ownership.firstHolder(inode as number), undefined, `the iterator: ${name}`);
    }
  },
});

/**
 * A file on disk whose inode is a socket's (a unix socket's path, opened O_PATH), and a socket
 * opened O_PATH through /proc/self/fd, held by this process alone once the socket's own
 * descriptor is closed here (a forked child keeps the socket open).
 */
const O_PATH_FILES = new URL("./fixtures/o_path_files.py", import.meta.url).pathname;

Deno.test({
  name: "a file that is no socket is not one to the iterator, whatever its inode; /proc agrees",
  ignore: !canLoad || !exists(SYSTEM_PYTHON),
  async fn() {
    await using holder = await startHolder(SYSTEM_PYTHON, [O_PATH_FILES]);
    const { pids: [parent, child], inodes: [onDisk, udp] } = holder.ready as unknown as {
      pids: number[];
      inodes: number[];
    };
    const ownership = walkOnce();
    const proc = scanSocketOwners(loadLibc());
    // Any user can give a file the inode number of another's socket (FUSE lets them choose it):
    // holding it O_PATH must not make them that socket's owner.
    assert.equal(proc.firstHolder(onDisk), undefined, "/proc: a path");
    assert.equal(ownership.firstHolder(onDisk), undefined, "the iterator: no socket");
    assert.deepEqual(proc.sharedHolders(udp), [parent, child], "/proc: socket:[inode] twice");
    assert.deepEqual(ownership.sharedHolders(udp), [parent, child], "the iterator: as /proc");
  },
});
