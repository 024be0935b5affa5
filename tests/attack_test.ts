/**
 * Attacks on portset, one per hardening promise (issue 17): each test does what an attacker or an
 * unlucky host did to an earlier build, and asserts that it no longer works. New features add
 * their attacks here.
 */

import assert from "node:assert/strict";
import { PORTS_FIELDS } from "../port_reporter/layout.ts";
import { isRoot, RunningCli } from "./support/processes.ts";
import { pollUntil } from "./support/poll.ts";
import { TestSockets } from "./support/sockets.ts";

/** Every PR-PORTS data line in `directory`'s files, in name order. */
function portsLines(directory: string): string[] {
  return names(directory, "PR-PORTS-").flatMap((name) => {
    const lines = Deno.readTextFileSync(`${directory}/${name}`).split("\n");
    return lines.slice(lines.indexOf(PORTS_FIELDS) + 1, -1).filter((line) => /^\d/.test(line));
  });
}

function names(directory: string, prefix: string): string[] {
  try {
    return [...Deno.readDirSync(directory)].map((entry) => entry.name)
      .filter((name) => name.startsWith(prefix)).sort();
  } catch {
    return [];
  }
}

/** Waits, with a deadline, until a PR-PORTS line in `directory` logs a UDP bind of `port`. */
async function waitForBind(directory: string, address: string, port: number): Promise<void> {
  const pattern = new RegExp(`,UDP,${port},${address.replaceAll(".", "\\.")},\\*,\\*,.*,bind,`);
  const line = await pollUntil(() => portsLines(directory).find((l) => pattern.test(l)), {
    deadlineMs: 15_000,
  });
  assert.ok(line, `no bind of ${port} logged:\n${portsLines(directory).join("\n")}`);
}

/** A tmpfs of `kib` KiB mounted on a directory of its own, unmounted when disposed. */
function withTmpfs(kib: number): { path: string } & Disposable {
  const path = Deno.makeTempDirSync({ prefix: "portset-full-" });
  const mount = new Deno.Command("mount", {
    args: ["-t", "tmpfs", "-o", `size=${kib}k,mode=0700`, "tmpfs", path],
  }).outputSync();
  assert.ok(mount.success, new TextDecoder().decode(mount.stderr));
  return {
    path,
    [Symbol.dispose]: () => {
      new Deno.Command("umount", { args: ["-l", path] }).outputSync();
      Deno.removeSync(path, { recursive: true });
    },
  };
}

/** Writes to `path` until the file system is full; returns how many bytes it took. */
function fill(path: string): number {
  const file = Deno.openSync(path, { write: true, create: true });
  const chunk = new Uint8Array(4096);
  let total = 0;
  try {
    for (;;) total += file.writeSync(chunk);
  } catch (error) {
    assert.match(String(error), /No space left on device/);
  } finally {
    file.close();
  }
  return total;
}

Deno.test({
  name:
    "a disk that fills at a rotation: said once, the monitor goes on, and logs again once there is room",
  ignore: !isRoot(),
  async fn() {
    using disk = withTmpfs(64);
    using sockets = new TestSockets();
    const logs = `${disk.path}/logs`;
    await using monitor = new RunningCli(
      ["monitor", "--log-dir", logs, "--interval", "1", "--max-size", "1K"],
    );
    await monitor.waitForError(/portset: monitoring every 1 s/);
    const before = sockets.udp("127.0.0.91").port;
    await waitForBind(logs, "127.0.0.91", before);

    // Full: tmpfs gives whole pages, so the next pair (a rotation, at 1K) finds no room.
    const filler = `${disk.path}/filler`;
    fill(filler);
    const lost = Array.from({ length: 8 }, () => sockets.udp("127.0.0.91").port);
    await monitor.waitForError(
      /portset: cannot (write|create) \S+PR-P\S+: No space left on device[^\n]*; changes are not being logged until it can write again\n/,
    );
    // Still running, and still trying: more changes while full are counted, not fatal.
    for (let i = 0; i < 4; i++) lost.push(sockets.udp("127.0.0.91").port);
    await new Promise((resolve) => setTimeout(resolve, 2500)); // two ticks of trying, on purpose

    Deno.removeSync(filler);
    const after = sockets.udp("127.0.0.91").port;
    const [, count] = await monitor.waitForError(
      /portset: logging again to \S+PR-PORTS-\S+ and PR-PIDS-\S+; (\d+) changes? could not be logged meanwhile\n/,
    );
    await waitForBind(logs, "127.0.0.91", after);
    assert.ok(Number(count) >= 1);
    const logged = portsLines(logs).join("\n");
    for (const port of lost) {
      assert.doesNotMatch(logged, new RegExp(`,UDP,${port},127\\.0\\.0\\.91,`));
    }

    const run = await monitor.stop();
    assert.equal(run.code, 0, run.stderr);
    assert.doesNotMatch(run.stderr, /internal error|Bad resource/);
    assert.equal(run.stderr.match(/changes are not being logged/g)?.length, 1, run.stderr);
    // Every PR-PORTS line whole: all the original's fields, no half records.
    for (const line of portsLines(logs)) {
      assert.equal(line.split(",").length, PORTS_FIELDS.split(",").length, line);
    }
    // No file left with only part of a header.
    for (const name of names(logs, "PR-P")) {
      const text = Deno.readTextFileSync(`${logs}/${name}`);
      assert.ok(text.endsWith("\n"), `${name} ends inside a line`);
    }
  },
});

Deno.test("the log directory removed while the monitor runs: made again, and the next changes logged there", async () => {
  const root = Deno.makeTempDirSync({ prefix: "portset-removed-" });
  try {
    const logs = `${root}/logs`;
    using sockets = new TestSockets();
    await using monitor = new RunningCli(
      ["monitor", "--log-dir", logs, "--interval", "1", "--max-size", "4K"],
    );
    await monitor.waitForError(/portset: monitoring every 1 s/);
    const first = sockets.udp("127.0.0.92").port;
    await waitForBind(logs, "127.0.0.92", first);

    Deno.removeSync(logs, { recursive: true });
    // Before a rotation is due (4K): the open files are gone, so writing on would reach no one.
    const next = sockets.udp("127.0.0.92").port;
    await waitForBind(logs, "127.0.0.92", next);
    assert.equal(Deno.statSync(logs).mode! & 0o777, 0o700);

    // And again, with enough changes that rotations run into the removal too.
    Deno.removeSync(logs, { recursive: true });
    const many = Array.from({ length: 30 }, () => sockets.udp("127.0.0.92").port);
    for (const port of many) await waitForBind(logs, "127.0.0.92", port);

    const run = await monitor.stop();
    assert.equal(run.code, 0, run.stderr);
    assert.doesNotMatch(run.stderr, /internal error|Bad resource|cannot/, run.stderr);
    assert.ok(names(logs, "PR-PORTS-").length > 1, "rotated after the removal");
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});
