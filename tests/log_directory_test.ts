/**
 * The monitor refuses a log directory others could change: real directories owned by root and by
 * `nobody`, with modes 0700, 0770, 0777 and 1777, and parents that let others replace them; the
 * monitor itself (one line on stderr, exit code 2, nothing written) and the check in process.
 */

import assert from "node:assert/strict";
import { checkLogDirectory } from "../port_reporter/log_directory.ts";
import { isRoot, runCli, startMonitor } from "./support/processes.ts";

const NOBODY = 65534;

/** A fresh directory under /tmp (root's, sticky: a safe parent), removed afterwards. */
function scratch(): { path: string } & Disposable {
  const path = Deno.makeTempDirSync({ dir: "/tmp", prefix: "portset-logdir-" });
  return { path, [Symbol.dispose]: () => Deno.removeSync(path, { recursive: true }) };
}

/** `path` made a directory owned by `uid` with `mode` (chmod after chown, which clears bits). */
function directory(path: string, uid: number, mode: number): string {
  Deno.mkdirSync(path, { recursive: true });
  Deno.chownSync(path, uid, uid);
  Deno.chmodSync(path, mode);
  return path;
}

/** Runs the monitor on `logs`; it must refuse with one line and exit code 2, writing nothing. */
async function refused(logs: string, pattern: RegExp): Promise<void> {
  const before = [...Deno.readDirSync(logs)].length;
  const run = await runCli(["monitor", "--log-dir", logs, "--interval", "1"]);
  assert.equal(run.code, 2, run.stderr);
  assert.equal(run.stderr.trimEnd().split("\n").length, 1, run.stderr);
  assert.match(run.stderr, pattern);
  assert.equal([...Deno.readDirSync(logs)].length, before, "nothing written");
}

Deno.test({
  name: "the monitor refuses a log directory others can write or another user owns",
  ignore: !isRoot(),
  async fn() {
    using root = scratch();
    const cases: [number, number, RegExp][] = [
      [0, 0o777, /is writable by its group and every user \(mode 0777\).*'chmod 700 /],
      [0, 0o770, /is writable by its group \(mode 0770\).*'chmod 700 /],
      [
        0,
        0o1777,
        /\(mode 1777; the sticky bit keeps others from removing the logs, not from adding/,
      ],
      [NOBODY, 0o700, /is owned by nobody \(uid 65534\), so others could .*'chown root /],
      [
        NOBODY,
        0o777,
        /owned by nobody \(uid 65534\) and is writable .*'chown root \S+ && chmod 700 /,
      ],
      [NOBODY, 0o1777, /owned by nobody \(uid 65534\) and is writable .*mode 1777/],
      [NOBODY, 0o770, /owned by nobody \(uid 65534\) and is writable by its group \(mode 0770\)/],
    ];
    for (const [uid, mode, pattern] of cases) {
      const logs = directory(`${root.path}/${uid}-${mode.toString(8)}`, uid, mode);
      await refused(logs, pattern);
      assert.equal(Deno.statSync(logs).mode! & 0o7777, mode, "left as it was");
    }
  },
});

Deno.test({
  name: "the monitor refuses a log directory inside one others could replace it in",
  ignore: !isRoot(),
  async fn() {
    using root = scratch();
    // Every user may rename entries of a world-writable directory that is not sticky.
    const open = directory(`${root.path}/open`, 0, 0o777);
    const inOpen = directory(`${open}/logs`, 0, 0o700);
    await refused(
      inOpen,
      /is inside \S+\/open, which every user can write \(mode 0777, not sticky\)/,
    );
    // nobody owns the parent: it can rename or remove the (root-owned, private) log directory.
    const theirs = directory(`${root.path}/theirs`, NOBODY, 0o755);
    const inTheirs = directory(`${theirs}/logs`, 0, 0o700);
    await refused(inTheirs, /is inside \S+\/theirs, owned by nobody \(uid 65534\), who could/);
    // A link counts where it leads: the target's parents are checked as well as the link's.
    Deno.symlinkSync(inOpen, `${root.path}/link`);
    await refused(`${root.path}/link`, /is inside \S+\/open, which every user can write/);
    // Not there yet: the monitor would create it in a directory nobody controls; it does not.
    const missing = `${theirs}/new/logs`;
    const run = await runCli(["monitor", "--log-dir", missing, "--interval", "1"]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /is inside \S+\/theirs, owned by nobody/);
    assert.throws(() => Deno.statSync(`${theirs}/new`), Deno.errors.NotFound);
  },
});

Deno.test({
  name: "the monitor logs to a 0700 directory of root's, even in a sticky world-writable parent",
  ignore: !isRoot(),
  async fn() {
    using root = scratch();
    const sticky = directory(`${root.path}/sticky`, 0, 0o1777);
    for (const logs of [directory(`${root.path}/private`, 0, 0o700), `${sticky}/new`]) {
      await using monitor = await startMonitor(logs);
      assert.equal(Deno.statSync(logs).mode! & 0o7777, 0o700);
      assert.ok([...Deno.readDirSync(logs)].some((entry) => entry.name.startsWith("PR-INITIAL-")));
      assert.equal((await monitor.stop("SIGTERM")).code, 0);
    }
  },
});

Deno.test({
  name: "checkLogDirectory: the uid that writes the logs may own them; root always may",
  ignore: !isRoot(),
  fn() {
    using root = scratch();
    const nobodys = directory(`${root.path}/nobodys`, NOBODY, 0o700);
    const roots = directory(`${root.path}/roots`, 0, 0o755);
    // A monitor running as nobody: its own directory, and a readable one of root's, are fine.
    checkLogDirectory(nobodys, { uid: NOBODY });
    checkLogDirectory(roots, { uid: NOBODY });
    // Root's monitor, and the service (root): nobody's directory is refused.
    assert.throws(
      () => checkLogDirectory(nobodys, { uid: 0, nameOf: () => "nobody" }),
      /owned by nobody \(uid 65534\).*'chown root /,
    );
    assert.throws(() => checkLogDirectory(nobodys, { uid: 0 }), /is owned by uid 65534/);
    // A file is not a directory; a directory still to be made under safe parents is fine.
    Deno.writeTextFileSync(`${root.path}/file`, "");
    assert.throws(() => checkLogDirectory(`${root.path}/file`, { uid: 0 }), /is not a directory/);
    checkLogDirectory(`${root.path}/a/b/c`, { uid: 0 });
    // No uids (Windows): nothing to check here.
    checkLogDirectory(nobodys, null);
  },
});
