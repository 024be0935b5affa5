/**
 * `npm install`'s postinstall step: installs the pinned Deno into toolchain/ from its lockfile
 * (`npm ci`, which never rewrites the lock).
 *
 * npm hands its own settings to the scripts it runs through `npm_config_*` variables. Under
 * `npm install -g .` those say `global`, and an `npm install` started from here would install this
 * package globally again, run this step again, and so on without end (hundreds of npm processes
 * within two minutes). So the nested npm gets none of them, and is told plainly to work locally.
 *
 * @module
 */

import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
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
    join(root, "toolchain"),
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
