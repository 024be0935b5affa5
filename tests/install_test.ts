/**
 * Getting a `portset` command, as the README says: `npm install -g .` from the checkout (into a
 * prefix of the test's own) finishes, leaves no npm running, and gives a `portset` that runs from
 * any directory and writes its files there; `npm run portset` does the same from the directory
 * npm was started in. The postinstall step, run as a global install runs it, installs the pinned
 * Deno once instead of installing the package again without end. Each npm runs in a process group
 * of its own, with a deadline, and the group is killed whatever happens.
 */

import assert from "node:assert/strict";
import { exists, REPO_ROOT } from "./support/processes.ts";

const npmMissing = !["/usr/bin/npm", "/usr/local/bin/npm"].some(exists) ||
  !exists("/usr/bin/setsid");

/**
 * The environment without npm's variables: this suite itself runs under `npm test`, and a command
 * the user starts from a shell has none.
 */
const WITHOUT_NPM: Record<string, string> = Object.fromEntries(
  Object.entries(Deno.env.toObject()).filter(([name]) => !/^(npm_|INIT_CWD$)/i.test(name)),
);

/**
 * Runs `argv` in a process group of its own (setsid), with `deadlineMs`; kills the whole group at
 * the end, and says whether any of the group was still running then.
 */
async function inGroup(
  argv: string[],
  options: { cwd: string; env?: Record<string, string>; deadlineMs: number },
): Promise<{ code: number | null; output: string; leftOver: number }> {
  const child = new Deno.Command("setsid", {
    args: argv,
    cwd: options.cwd,
    env: { ...WITHOUT_NPM, ...options.env },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), options.deadlineMs);
  });
  const finished = child.output();
  const result = await Promise.race([finished, timedOut]);
  clearTimeout(timer);
  // setsid made the child a group leader: its pid is the group's id.
  const group = child.pid;
  const members = () => {
    const { stdout } = new Deno.Command("pgrep", { args: ["-g", String(group)] }).outputSync();
    return new TextDecoder().decode(stdout).trim().split("\n").filter(Boolean).length;
  };
  const leftOver = members();
  try {
    Deno.kill(-group, "SIGKILL");
  } catch {
    // the group is gone
  }
  if (result === null) {
    await finished.catch(() => {});
    return { code: null, output: "(deadline passed)", leftOver };
  }
  const text = new TextDecoder();
  return {
    code: result.code,
    output: text.decode(result.stdout) + text.decode(result.stderr),
    leftOver,
  };
}

Deno.test({
  name: "npm install -g . gives a portset command that writes its files where it is run",
  ignore: npmMissing,
  async fn() {
    const prefix = await Deno.makeTempDir({ prefix: "portset-global-" });
    const elsewhere = await Deno.makeTempDir({ prefix: "portset-audit-" });
    try {
      const install = await inGroup(
        ["npm", "install", "-g", ".", "--prefix", prefix, "--no-audit", "--no-fund"],
        { cwd: REPO_ROOT, deadlineMs: 120_000 },
      );
      assert.equal(install.code, 0, install.output);
      assert.equal(install.leftOver, 0, "no npm left running");
      const portset = `${prefix}/bin/portset`;
      const run = await new Deno.Command(portset, {
        args: ["-local", "--csv", "-l", "dump.csv"],
        cwd: elsewhere,
        env: WITHOUT_NPM,
        clearEnv: true,
        stdout: "null",
      }).output();
      assert.equal(run.code, 0, new TextDecoder().decode(run.stderr));
      assert.match(await Deno.readTextFile(`${elsewhere}/dump.csv`), /^protocol,/);
      assert.ok(!exists(`${REPO_ROOT}dump.csv`), "nothing written in the checkout");
      // Under npm run, from the directory npm was started in (INIT_CWD).
      const viaNpm = await new Deno.Command("npm", {
        args: ["--prefix", REPO_ROOT, "run", "-s", "portset", "--", "-local", "-l", "npm.txt"],
        cwd: elsewhere,
        env: WITHOUT_NPM,
        clearEnv: true,
        stdout: "null",
      }).output();
      assert.equal(viaNpm.code, 0, new TextDecoder().decode(viaNpm.stderr));
      assert.ok(exists(`${elsewhere}/npm.txt`), "written where npm was run");
    } finally {
      await Deno.remove(prefix, { recursive: true });
      await Deno.remove(elsewhere, { recursive: true });
    }
  },
});

Deno.test({
  name: "the postinstall step, run as a global install runs it, installs Deno once and ends",
  ignore: npmMissing,
  async fn() {
    const prefix = await Deno.makeTempDir({ prefix: "portset-global-" });
    // A toolchain directory of the test's own: replacing the Deno this test runs on would leave
    // the suite unable to start it again.
    const toolchain = await Deno.makeTempDir({ prefix: "portset-toolchain-" });
    try {
      for (const file of ["package.json", "package-lock.json"]) {
        await Deno.copyFile(`${REPO_ROOT}toolchain/${file}`, `${toolchain}/${file}`);
      }
      // What npm sets for the scripts of `npm install -g .`: before the fix, the nested npm
      // install inherited it and installed the package globally again, without end.
      const run = await inGroup(["npm", "run", "postinstall"], {
        cwd: REPO_ROOT,
        env: {
          npm_config_global: "true",
          npm_config_prefix: prefix,
          PORTSET_TOOLCHAIN_DIR: toolchain,
        },
        deadlineMs: 120_000,
      });
      assert.equal(run.code, 0, run.output);
      assert.equal(run.leftOver, 0, "no npm left running");
      const deno = `${toolchain}/node_modules/.bin/deno`;
      const version = await new Deno.Command(deno, { args: ["--version"] }).output();
      assert.match(new TextDecoder().decode(version.stdout), /^deno 2\.9\.6 /);
      assert.ok(![...Deno.readDirSync(prefix)].length, "nothing installed in the global prefix");
      // Run again, it sees the pinned Deno there and leaves it alone.
      const before = Deno.statSync(deno).mtime?.getTime();
      const again = await inGroup(["npm", "run", "postinstall"], {
        cwd: REPO_ROOT,
        env: { PORTSET_TOOLCHAIN_DIR: toolchain },
        deadlineMs: 60_000,
      });
      assert.equal(again.code, 0, again.output);
      assert.equal(Deno.statSync(deno).mtime?.getTime(), before);
    } finally {
      await Deno.remove(prefix, { recursive: true });
      await Deno.remove(toolchain, { recursive: true });
    }
  },
});
