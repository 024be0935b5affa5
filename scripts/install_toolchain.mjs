/**
 * `npm install`'s postinstall step: installs the pinned Deno into toolchain/ from its lockfile
 * (`npm ci`, which never rewrites the lock), unless that version is there already.
 *
 * npm hands its own settings to the scripts it runs through `npm_config_*` variables. Under
 * `npm install -g .` those say `global`, and an `npm install` started from here would install this
 * package globally again, run this step again, and so on without end (hundreds of npm processes
 * within two minutes). So the nested npm gets none of them, and is told plainly to work locally.
 *
 * @module
 */

import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
/** Where to install: toolchain/, or (for the tests, which must not replace the Deno they run on) another. */
const toolchain = process.env.PORTSET_TOOLCHAIN_DIR ?? join(root, "toolchain");

// Installed already, at the pinned version: nothing to do. (Replacing the binary of a Deno that
// is running leaves it unable to start itself again.)
const pinned = JSON.parse(readFileSync(join(toolchain, "package.json"), "utf8")).dependencies.deno;
try {
  const installed = JSON.parse(
    readFileSync(join(toolchain, "node_modules", "deno", "package.json"), "utf8"),
  );
  const binary = join(
    toolchain,
    "node_modules",
    ".bin",
    process.platform === "win32" ? "deno.cmd" : "deno",
  );
  if (installed.version === pinned && existsSync(binary)) process.exit(0);
} catch {
  // not installed yet
}
const environment = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !/^npm_config_/i.test(name)),
);
// The npm that runs this script, where it says which; any npm on the PATH otherwise.
const npm = process.env.npm_execpath
  ? [process.execPath, process.env.npm_execpath]
  : [process.platform === "win32" ? "npm.cmd" : "npm"];
const result = spawnSync(
  npm[0],
  [
    ...npm.slice(1),
    "ci",
    "--prefix",
    toolchain,
    "--global=false",
    "--no-audit",
    "--no-fund",
    "--loglevel=error",
  ],
  { cwd: root, env: environment, stdio: "inherit" },
);
if (result.error) {
  console.error(`portset: cannot run npm to install the pinned Deno: ${result.error.message}`);
}
process.exit(result.status ?? 1);
