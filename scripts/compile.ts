/**
 * `deno task compile`: standalone portset executables in `dist/`, one per release target.
 *
 *     deno task compile                                   # every target
 *     deno task compile --target aarch64-unknown-linux-gnu  # just one
 *
 * Each build is `deno compile --allow-all --target <triple> --output dist/portset-<os>-<arch>
 * main.ts`, run by the same Deno that runs this script. `deno compile` fetches Deno's `denort`
 * runtime for the target from Deno's download host (or takes it from `DENORT_BIN`); where that
 * host cannot be reached the build stops with one line that says so instead of a backtrace.
 *
 * Exit codes: 0 every target built, 1 a build failed, 2 bad arguments.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { stripVTControlCharacters } from "node:util";

interface Target {
  triple: string;
  os: "linux" | "windows" | "macos";
  arch: "x86_64" | "aarch64";
}

/** Modules run as workers, which `deno compile` must be told to include. */
const WORKER_MODULES = ["collectors/linux/tcp_probe_worker.ts"];

/** The release targets, in build order. */
export const TARGETS: readonly Target[] = [
  { triple: "x86_64-unknown-linux-gnu", os: "linux", arch: "x86_64" },
  { triple: "aarch64-unknown-linux-gnu", os: "linux", arch: "aarch64" },
  { triple: "x86_64-pc-windows-msvc", os: "windows", arch: "x86_64" },
  { triple: "aarch64-pc-windows-msvc", os: "windows", arch: "aarch64" },
  { triple: "x86_64-apple-darwin", os: "macos", arch: "x86_64" },
  { triple: "aarch64-apple-darwin", os: "macos", arch: "aarch64" },
];

/** `dist/portset-<os>-<arch>[.exe]`, relative to the repository root. */
export function outputPath(target: Target): string {
  return `dist/portset-${target.os}-${target.arch}${target.os === "windows" ? ".exe" : ""}`;
}

const RUNTIME_DOWNLOAD = /dl\.deno\.land|denort/i;
const NETWORK_FAILURE = new RegExp(
  [
    "error sending request",
    "dns error",
    "failed to lookup address",
    "client error",
    "\\(connect\\)",
    "connection (?:refused|reset|closed)",
    "timed out",
    "network",
    "certificate",
    "\\btls\\b",
    "download could not be found",
    "failed downloading",
    "bad response",
  ].join("|"),
  "i",
);

/**
 * True when `deno compile`'s stderr says it could not fetch the `denort` runtime: it names the
 * runtime or its download host, and a network failure. Other failures (a type error, an
 * unwritable output) do not match even though deno prints its `Download` line before them.
 */
export function isRuntimeDownloadFailure(stderr: string): boolean {
  const text = stripVTControlCharacters(stderr);
  return RUNTIME_DOWNLOAD.test(text) && NETWORK_FAILURE.test(text);
}

/** The targets the command line asks for: all, or the one named by `--target <triple>`. */
export function selectTargets(args: readonly string[]): Target[] {
  let wanted: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const argument = args[i];
    let value: string | undefined;
    if (argument === "--target") value = args[++i];
    else if (argument.startsWith("--target=")) value = argument.slice("--target=".length);
    else throw new ArgumentError(`unknown argument '${argument}'; use --target <triple>`);
    if (!value) throw new ArgumentError("--target needs a target triple");
    if (wanted !== null) throw new ArgumentError("--target is given more than once");
    wanted = value;
  }
  if (wanted === null) return [...TARGETS];
  const target = TARGETS.find((t) => t.triple === wanted);
  if (!target) {
    throw new ArgumentError(
      `unknown target '${wanted}'; one of: ${TARGETS.map((t) => t.triple).join(", ")}`,
    );
  }
  return [target];
}

/** A command line this script cannot run. */
class ArgumentError extends Error {}

function say(line: string): void {
  console.error(`portset compile: ${line}`);
}

function megabytes(path: string): string {
  try {
    return `${(Deno.statSync(path).size / 1024 / 1024).toFixed(1)} MB`;
  } catch {
    return "size unknown";
  }
}

async function main(args: readonly string[]): Promise<number> {
  let targets: Target[];
  try {
    targets = selectTargets(args);
  } catch (error) {
    if (!(error instanceof ArgumentError)) throw error;
    say(error.message);
    return 2;
  }

  const root = fileURLToPath(new URL("..", import.meta.url));
  Deno.mkdirSync(`${root}/dist`, { recursive: true });
  const built: string[] = [];
  for (const target of targets) {
    const output = outputPath(target);
    const result = await new Deno.Command(Deno.execPath(), {
      args: [
        "compile",
        "--allow-all",
        // Started by URL rather than imported, so the module graph does not reach it by itself.
        ...WORKER_MODULES.flatMap((module) => ["--include", module]),
        "--target",
        target.triple,
        "--output",
        output,
        "main.ts",
      ],
      cwd: root,
      stdin: "null",
      stdout: "inherit",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(result.stderr);
    if (!result.success) {
      if (isRuntimeDownloadFailure(stderr)) {
        say(
          `cannot download Deno's runtime for ${target.triple} (no access to Deno's download ` +
            `host); on a machine with internet access run 'deno task compile', or set ` +
            `DENORT_BIN to a denort binary for that target`,
        );
      } else {
        await Deno.stderr.write(result.stderr);
        say(`deno compile failed for ${target.triple} (exit code ${result.code})`);
      }
      if (built.length > 0) say(`built before the failure: ${built.join(", ")}`);
      return 1;
    }
    // Deno's own progress lines and any warnings, as it printed them.
    await Deno.stderr.write(result.stderr);
    built.push(output);
    console.log(`built ${output} (${target.triple}, ${megabytes(`${root}/${output}`)})`);
  }
  console.log(`portset compile: ${built.length} of ${targets.length} target(s) built in dist/`);
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
