// Runs the Windows tests (tests/windows/) with the Windows deno.exe under Wine, on Linux.
//
//   deno run --allow-all scripts/wine_env.ts [test [PATH...]]   prepare, then `deno.exe test`
//   deno run --allow-all scripts/wine_env.ts deno ARG...        prepare, then `deno.exe ARG...`
//   deno run --allow-all scripts/wine_env.ts prepare            prepare only; prints the setup
//
// The Windows collector reads iphlpapi.dll, which only a Windows deno can load, and Wine's
// iphlpapi answers from the Linux host's real sockets, so this is the one way to exercise that
// code on the Linux build and CI machines. Debian 12 ships Wine 8.0, on which deno.exe 2.x needs
// two workarounds (see shared/spec/environment.md):
// 1. Wine 8.0 has no bcryptprimitives.dll, whose ProcessPrng deno.exe imports: a stand-in built
//    from scripts/wine/bcryptprimitives.c is put beside deno.exe.
// 2. Wine 8.0 rejects MEM_RESERVE_PLACEHOLDER, which V8 uses whenever VirtualAlloc2 can be found:
//    a copy of deno.exe has that one import name renamed, so V8 takes its older allocation path.
//
// Everything is cached outside the repository (CI works in fresh clones) under
// $XDG_CACHE_HOME/portset-wine/<deno version>/, defaulting to ~/.cache: the patched deno.exe and
// the DLL in bin/, the Wine prefix in prefix/ (a new prefix costs about 10 s), and deno.exe's
// DENO_DIR in deno_dir/. A run finds what is already there and redoes only what is missing or
// out of date, so a warm run costs one Wine start plus the tests.

import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const PACKAGES = ["wine64", "wine", "gcc-mingw-w64-x86-64-win32"];
const WINDOWS_PACKAGE = "@deno/win32-x64";
// The name V8 looks up, and the same-length name that makes the lookup fail.
const PATCH_FROM = "VirtualAlloc2\0";
const PATCH_TO = "VirtualAllocX\0";
// A cold run takes about a minute; a hung Wine must not hold CI for its full 90 minutes.
const RUN_TIMEOUT_MS = 8 * 60 * 1000;
// deno.exe colours its report unless NO_COLOR is set; the summary reads it without the colours.
const ANSI_ESCAPE = new RegExp(String.fromCharCode(27) + "\\[[0-9;]*m", "g");

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const dllSources = ["bcryptprimitives.c", "bcryptprimitives.def"].map((name) =>
  join(repo, "scripts", "wine", name)
);

/** Where a prepared Wine setup lives, and the environment deno.exe runs with. */
export interface WineSetup {
  denoExe: string;
  /** The version of the deno.exe, which can trail the Linux deno's (see fetchDenoExe). */
  denoExeVersion: string;
  env: Record<string, string>;
}

interface Stamp {
  denoExeVersion: string;
  dllSourceHash: string;
}

class SetupError extends Error {}

/** Prepares the cached Wine setup for this deno version; cheap when it is already there. */
export async function prepare(log: (line: string) => void): Promise<WineSetup> {
  const cache = join(
    Deno.env.get("XDG_CACHE_HOME") || join(homeDirectory(), ".cache"),
    "portset-wine",
    Deno.version.deno,
  );
  const bin = join(cache, "bin");
  const denoExe = join(bin, "deno.exe");
  await Deno.mkdir(bin, { recursive: true });
  // Runs on one machine can overlap (a developer's and CI's); they share the cache and apt, so
  // one prepares while the other waits.
  using lock = await Deno.open(join(cache, "lock"), { create: true, write: true });
  await lock.lock(true);
  await ensurePackages(log);

  const stampPath = join(cache, "stamp.json");
  const stamp = await readStamp(stampPath);
  const dllSourceHash = await hashFiles(dllSources);

  let denoExeVersion = stamp?.denoExeVersion;
  if (!denoExeVersion || !await exists(denoExe)) {
    denoExeVersion = await fetchDenoExe(cache, denoExe, log);
    await writeStamp(stampPath, { denoExeVersion, dllSourceHash: "" });
  }
  const dll = join(bin, "bcryptprimitives.dll");
  if (stamp?.dllSourceHash !== dllSourceHash || !await exists(dll)) {
    log("building the bcryptprimitives.dll stand-in");
    await run("x86_64-w64-mingw32-gcc", [
      "-O2",
      "-Wall",
      "-Wextra",
      "-Werror",
      "-shared",
      "-s",
      "-o",
      `${dll}.tmp`,
      ...dllSources,
      "-ladvapi32",
    ]);
    await Deno.rename(`${dll}.tmp`, dll);
  }
  await writeStamp(stampPath, { denoExeVersion, dllSourceHash });

  const prefix = join(cache, "prefix");
  const denoDir = join(cache, "deno_dir");
  await Deno.mkdir(denoDir, { recursive: true });
  const env: Record<string, string> = {
    WINEPREFIX: prefix,
    WINEDEBUG: "-all",
    // Mono and Gecko are never needed, and skipping their install saves seconds per new prefix.
    WINEDLLOVERRIDES: "mscoree,mshtml=",
    DENO_DIR: windowsPath(denoDir),
    // Deno's update check would only wait on a host these machines cannot reach.
    DENO_NO_UPDATE_CHECK: "1",
    // Tells tests/windows/ they must be on Windows, so that a wrong runner fails rather than skips.
    PORTSET_EXPECT_WINDOWS: "1",
  };
  if (!await exists(join(prefix, "system.reg"))) {
    log(`creating the Wine prefix ${prefix}`);
    // wineboot reports on stderr that wine32 is missing, which only 32-bit programs need.
    await run("wineboot", ["--init"], env);
  }
  // Windows paths name Unix files through drive Z:, which a new prefix maps to /.
  const drive = await Deno.realPath(join(prefix, "dosdevices", "z:")).catch(() => "");
  if (drive !== "/") {
    throw new SetupError(`${prefix}: drive Z: should map to /, found ${drive || "nothing"}`);
  }
  return { denoExe, denoExeVersion, env };
}

/** Installs the Debian packages that are missing, updating the package lists if needed. */
async function ensurePackages(log: (line: string) => void): Promise<void> {
  const missing: string[] = [];
  for (const name of PACKAGES) {
    const status = await output("dpkg-query", ["-W", "-f=${Status}", name], {}, true);
    if (!status.endsWith(" installed")) missing.push(name);
  }
  if (missing.length === 0) return;
  if (Deno.uid() !== 0) {
    throw new SetupError(
      `missing Debian packages; as root run: apt-get update && ` +
        `apt-get install -y --no-install-recommends ${missing.join(" ")}`,
    );
  }
  log(`installing ${missing.join(" ")}`);
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  const install = ["install", "-y", "-q", "--no-install-recommends", ...missing];
  // The lists may be absent (a new machine) or stale (old package versions gone from the
  // archive); either way the install fails at once, and one update fixes it.
  try {
    await run("apt-get", install, env);
  } catch {
    log("apt-get install failed; updating the package lists and trying again");
    await run("apt-get", ["update", "-q"], env);
    await run("apt-get", install, env);
  }
}

/**
 * Fetches deno.exe from npm, patches it and places it at `target`; returns its version.
 *
 * The same version as the Linux deno is wanted, but the registry can lag behind for single
 * platforms (@deno/win32-x64 2.9.6 was missing when 2.9.6 itself was there), so the newest
 * release of the same minor version up to ours is taken: npm picks the highest one in the range.
 */
async function fetchDenoExe(
  cache: string,
  target: string,
  log: (line: string) => void,
): Promise<string> {
  const [major, minor] = Deno.version.deno.split(".");
  const spec = `${WINDOWS_PACKAGE}@>=${major}.${minor}.0 <=${Deno.version.deno}`;
  log(`fetching ${spec} from npm`);
  const work = await Deno.makeTempDir({ dir: cache, prefix: "fetch-" });
  try {
    const packed = JSON.parse(
      await output("npm", ["pack", "--json", "--pack-destination", work, spec], { cwd: work }),
    ) as { version: string; filename: string }[];
    const { version, filename } = packed[0];
    if (version !== Deno.version.deno) {
      log(`note: ${WINDOWS_PACKAGE} ${Deno.version.deno} is not on npm; using ${version}`);
    }
    await run("tar", ["-xzf", join(work, filename), "-C", work, "package/deno.exe"]);
    const exe = await Deno.readFile(join(work, "package", "deno.exe"));
    patchOnce(exe, PATCH_FROM, PATCH_TO);
    // Written aside and renamed, so an interrupted run never leaves a half-written deno.exe.
    await Deno.writeFile(join(work, "deno.exe"), exe);
    await Deno.rename(join(work, "deno.exe"), target);
    return version;
  } finally {
    await Deno.remove(work, { recursive: true });
  }
}

/** Replaces the single occurrence of `from` in `bytes`; anything else means a changed binary. */
export function patchOnce(bytes: Uint8Array, from: string, to: string): void {
  const needle = new TextEncoder().encode(from);
  const replacement = new TextEncoder().encode(to);
  if (needle.length !== replacement.length) throw new Error("the patch must keep the length");
  const found: number[] = [];
  for (let at = bytes.indexOf(needle[0]); at !== -1; at = bytes.indexOf(needle[0], at + 1)) {
    if (needle.every((byte, i) => bytes[at + i] === byte)) found.push(at);
  }
  if (found.length !== 1) {
    throw new SetupError(
      `deno.exe should hold ${JSON.stringify(from)} exactly once, found ${found.length} times; ` +
        `this deno.exe needs a different Wine workaround`,
    );
  }
  bytes.set(replacement, found[0]);
}

/** The Windows path that Wine's drive Z: gives to an absolute Unix path. */
export function windowsPath(path: string): string {
  return "Z:" + resolve(path).replaceAll("/", "\\");
}

/** Runs deno.exe under Wine in the repository; resolves to its exit code and its stdout. */
async function runDenoExe(
  setup: WineSetup,
  args: string[],
): Promise<{ code: number; stdout: string }> {
  const child = new Deno.Command("wine", {
    args: [setup.denoExe, ...args],
    cwd: repo,
    env: setup.env,
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
    signal: AbortSignal.timeout(RUN_TIMEOUT_MS),
  }).spawn();
  // Passed through as it comes, and kept for the summary.
  let stdout = "";
  const decoder = new TextDecoder();
  for await (const chunk of child.stdout) {
    await Deno.stdout.write(chunk);
    stdout += decoder.decode(chunk, { stream: true });
  }
  const status = await child.status;
  if (status.signal) {
    // Killing the launcher can leave the rest of this prefix's Wine processes behind.
    await run("wineserver", ["-k"], setup.env).catch(() => {});
    console.error(`test:windows: deno.exe killed by ${status.signal} (timeout or interrupt)`);
  }
  return { code: status.code, stdout };
}

async function main(args: string[]): Promise<number> {
  const started = performance.now();
  const log = (line: string) => console.error(`test:windows: ${line}`);
  const [command = "test", ...rest] = args;
  if (!["test", "deno", "prepare"].includes(command)) {
    console.error(`usage: wine_env.ts [test [PATH...] | deno ARG... | prepare]`);
    return 2;
  }
  const setup = await prepare(log);
  const prepared = performance.now();
  if (command === "prepare") {
    console.log(`wine ${setup.denoExe}`);
    for (const [name, value] of Object.entries(setup.env)) console.log(`${name}=${value}`);
    return 0;
  }
  if (command === "deno") return (await runDenoExe(setup, rest)).code;

  const paths = rest.length > 0 ? rest : [join(repo, "tests", "windows")];
  // A listener of a native Linux process, for the tests to find through Wine's iphlpapi.
  using linuxListener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  setup.env.PORTSET_LINUX_LISTENER = `127.0.0.1:${(linuxListener.addr as Deno.NetAddr).port}`;
  const { code, stdout } = await runDenoExe(setup, [
    "test",
    "--allow-all",
    ...paths.map(windowsPath),
  ]);
  const plain = stdout.replaceAll(ANSI_ESCAPE, "");
  const report = plain.match(/^(?:ok|FAILED) \| \d+ passed.*$/m)?.[0] ?? "";
  const count = (what: string) => Number(report.match(new RegExp(`(\\d+) ${what}`))?.[1] ?? 0);
  const seconds = (to: number, from: number) => ((to - from) / 1000).toFixed(1);
  const wine = (await output("wine", ["--version"])).trim();
  const counts = ["passed", "failed", "ignored"].map((what) => `${count(what)} ${what}`);
  console.log(
    `test:windows: ${counts.join(", ")} (deno.exe ${setup.denoExeVersion} under ${wine}, ` +
      `exit ${code}, ${seconds(prepared, started)} s setup, ` +
      `${seconds(performance.now(), prepared)} s tests)`,
  );
  // Tests that were all ignored, or no report at all, prove nothing about Windows.
  if (code === 0 && count("passed") === 0) {
    console.error("test:windows: no test passed under Wine");
    return 1;
  }
  return code;
}

function homeDirectory(): string {
  const home = Deno.env.get("HOME");
  if (!home) throw new SetupError("HOME is not set, so there is no cache directory");
  return home;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

async function readStamp(path: string): Promise<Stamp | undefined> {
  try {
    return JSON.parse(await Deno.readTextFile(path)) as Stamp;
  } catch {
    // Missing or unreadable: everything is redone.
    return undefined;
  }
}

async function writeStamp(path: string, stamp: Stamp): Promise<void> {
  await Deno.writeTextFile(path, JSON.stringify(stamp, null, 2) + "\n");
}

async function hashFiles(paths: string[]): Promise<string> {
  const parts = await Promise.all(paths.map((path) => Deno.readFile(path)));
  const all = new Uint8Array(parts.reduce((sum, part) => sum + part.length + 1, 0));
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length + 1; // a zero byte between files, so that moved text changes the hash
  }
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", all));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Runs a setup command; its output is shown only if it fails, to keep the log readable. */
async function run(command: string, args: string[], env: Record<string, string> = {}) {
  await output(command, args, { env });
}

async function output(
  command: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
  allowFailure = false,
): Promise<string> {
  let result: Deno.CommandOutput;
  try {
    result = await new Deno.Command(command, { args, stdin: "null", ...options }).output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new SetupError(`${command} is not installed`);
    }
    throw error;
  }
  const stdout = new TextDecoder().decode(result.stdout);
  if (!result.success && !allowFailure) {
    const stderr = new TextDecoder().decode(result.stderr);
    throw new SetupError(
      `${command} ${args.join(" ")} failed (exit ${result.code}):\n${stdout}${stderr}`.trimEnd(),
    );
  }
  return stdout;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    if (!(error instanceof SetupError)) throw error;
    console.error(`test:windows: setup failed: ${error.message}`);
    Deno.exit(1);
  }
}
