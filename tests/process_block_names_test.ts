/**
 * A process block's labelled lines read back as what they say, whatever their values end with.
 * The reader took any line holding `(0` for a module's `<path> (0x…)` first: a program run as
 * `/opt/x/sshd (0x1)` and renamed `sshd` lost its `Path:` line to the module list, and with it
 * the alert that sshd runs outside /usr/sbin (and from /tmp). And a user context lost a bracket
 * of its own (`ev<il>` read as `ev<il`), where only a pair of them is the original's quoting.
 */

import assert from "node:assert/strict";
import type { Endpoint, ProcessInfo } from "../model/endpoint.ts";
import { formatProcessBlock, ProcessBlockReader } from "../port_reporter/process_block.ts";
import { makeEndpoint, makeProcessInfo } from "./support/endpoints.ts";
import { pollUntil } from "./support/poll.ts";
import {
  isRoot,
  runCli,
  startMonitor,
  startNamedListener,
  SYSTEM_PYTHON,
} from "./support/processes.ts";

function info(overrides: Partial<ProcessInfo>): ProcessInfo {
  return makeProcessInfo({ pid: 700, ...overrides });
}

function readBlock(process: ProcessInfo, endpoints: Endpoint[] = [makeEndpoint({ pid: 700 })]) {
  const reader = new ProcessBlockReader();
  for (const line of formatProcessBlock(700, process, endpoints)) {
    assert.ok(reader.push(line) || line.trim() === "", `a line of no block: ${line}`);
  }
  return reader.take()!;
}

Deno.test("a process block's Path, User context and Service Name ending in ' (0x1)' are theirs, not modules", () => {
  const detail = readBlock(info({
    path: "/opt/x/sshd (0x1)",
    user: "svc (0x2)",
    services: [{ name: "a (0x3).service", displayName: "A (0x4)", shared: false }],
  }));
  assert.equal(detail.path, "/opt/x/sshd (0x1)");
  assert.equal(detail.user, "svc (0x2)");
  assert.deepEqual(detail.services, [
    { name: "a (0x3).service", displayName: "A (0x4)", shared: false },
  ]);
  assert.deepEqual(detail.modules, ["/usr/lib/x86_64-linux-gnu/libc.so.6"]);
});

Deno.test("a process block's user keeps the brackets of its name; a pair around it is quoting", () => {
  for (const user of ["ev<il>", "<lead", "trail>", "x>y", 'a,b"c']) {
    assert.equal(readBlock(info({ user })).user, user);
  }
  const reader = new ProcessBlockReader();
  for (const line of ["Process ID: 4 (System)", "", "User context: <NT AUTHORITY\\SYSTEM>"]) {
    reader.push(line);
  }
  assert.equal(reader.take()!.user, "NT AUTHORITY\\SYSTEM");
});

Deno.test({
  name: "an sshd run as '<dir>/sshd (0x1)': the report has its path and flags where it runs from",
  ignore: !isRoot(),
  async fn() {
    const directory = Deno.makeTempDirSync({ prefix: "portset-block-path-" });
    const logs = `${directory}/logs`;
    try {
      const program = `${directory}/sshd (0x1)`;
      Deno.copyFileSync(Deno.realPathSync(SYSTEM_PYTHON), program);
      Deno.chmodSync(program, 0o755);
      await using sshd = await startNamedListener("sshd", "127.0.0.1", program);
      await using monitor = await startMonitor(logs);
      const initialText = () => {
        try {
          const file = [...Deno.readDirSync(logs)].find((e) => e.name.startsWith("PR-INITIAL-"));
          return file ? Deno.readTextFileSync(`${logs}/${file.name}`) : "";
        } catch {
          return "";
        }
      };
      const written = await pollUntil(
        () => initialText().includes(`Path: ${program}\n`) || undefined,
        { deadlineMs: 15_000 },
      );
      assert.ok(written, `no block of ${sshd.pid} in PR-INITIAL:\n${initialText()}`);
      assert.equal((await monitor.stop("SIGINT")).code, 0);

      const report = await runCli(["report", logs, "--json"]);
      assert.equal(report.code, 0, report.stderr);
      const json = JSON.parse(report.stdout);
      const paths = json.processes
        .filter((p: { process: string }) => p.process === "sshd")
        .map((p: { path: string | null }) => p.path);
      assert.ok(paths.includes(program), `sshd's paths in the report: ${JSON.stringify(paths)}`);
      const flagged = json.flags.filter((f: { kind: string; subject: string }) =>
        f.kind === "unexpected-directory" && f.subject === program
      ).map((f: { detail: string }) => f.detail);
      assert.ok(
        flagged.some((detail: string) => detail.startsWith(`sshd runs from ${directory};`)),
        `flags on ${program}: ${JSON.stringify(flagged)}`,
      );
    } finally {
      Deno.removeSync(directory, { recursive: true });
    }
  },
});
