/**
 * Finds the programs the benchmark compares portset with, installing a missing one from Debian's
 * archive, so a fresh machine runs the same comparison as a developer's.
 *
 * @module
 */

import { progress } from "./progress.ts";

/** A program the benchmark needs, and how to get it. */
export interface Tool {
  /** What the report calls it. */
  name: string;
  /** A command that succeeds only when the tool works (an executable alone is not enough for a
   * Python module). */
  probe: readonly string[];
  /** The Debian package that provides it. */
  aptPackage: string;
}

/** Runs a command to completion, quietly; true when it exits 0. */
async function succeeds(argv: readonly string[], env?: Record<string, string>): Promise<boolean> {
  try {
    const { success } = await new Deno.Command(argv[0], {
      args: argv.slice(1),
      env,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).output();
    return success;
  } catch {
    return false; // no such executable
  }
}

const APT_ENV = { DEBIAN_FRONTEND: "noninteractive" };
let aptUpdated = false;

async function aptInstall(pkg: string): Promise<boolean> {
  const install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", pkg];
  if (await succeeds(install, APT_ENV)) return true;
  // A fresh container has no package lists: fetch them once, then try again.
  if (aptUpdated) return false;
  aptUpdated = true;
  progress("apt-get update");
  return await succeeds(["apt-get", "update", "-q"], APT_ENV) &&
    await succeeds(install, APT_ENV);
}

/**
 * Makes `tool` available. Returns null when it works, or why it cannot be had, for the report to
 * show instead of a row of numbers.
 */
export async function ensureTool(tool: Tool): Promise<string | null> {
  if (await succeeds(tool.probe)) return null;
  progress(`${tool.name} is missing: apt-get install ${tool.aptPackage}`);
  if (!await aptInstall(tool.aptPackage)) {
    return `unavailable: apt-get install ${tool.aptPackage} failed`;
  }
  return await succeeds(tool.probe)
    ? null
    : `unavailable: still fails after installing ${tool.aptPackage}`;
}
