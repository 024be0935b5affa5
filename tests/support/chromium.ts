/**
 * Debian's headless Chromium for tests of pages portset writes: one run per call, with a fresh
 * profile, no way out to the network, a deadline, and a record of every network request the page
 * made (Chromium's net log).
 *
 * @module
 */

import { join } from "node:path";
import { exists } from "./processes.ts";

/** Debian's package `chromium`. */
export const CHROMIUM = "/usr/bin/chromium";

/** What to tell whoever runs the tests without it. */
export const INSTALL_CHROMIUM = "install chromium: apt-get install -y chromium";

/** Whether the Chromium tests run: Chromium is there, or CI says it must be. */
export function chromiumTestsEnabled(): boolean {
  return exists(CHROMIUM) || Deno.env.get("PORTSET_EXPECT_CHROMIUM") === "1";
}

/** Throws the install hint when Chromium is missing (CI set PORTSET_EXPECT_CHROMIUM=1). */
export function requireChromium(): void {
  if (!exists(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: ${INSTALL_CHROMIUM}`);
}

/**
 * Flags for a quiet, offline headless run: no sandbox (tests run as root), no GPU, none of
 * Chromium's own background traffic, and every host name resolving to nothing.
 */
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-extensions",
  "--hide-scrollbars",
  "--host-resolver-rules=MAP * ~NOTFOUND",
  "--enable-logging=stderr",
  "--v=0",
];

export interface ChromiumRun {
  code: number;
  /** With `--dump-dom`: the page's DOM after load and after its scripts ran. */
  stdout: string;
  stderr: string;
  /** The page's console messages, from stderr. */
  console: string[];
  /** URLs of requests the page itself started (not Chromium's own background requests). */
  pageRequests: string[];
}

/**
 * Runs Chromium once on `url` with `args` (`--dump-dom`, `--screenshot=…`), killing it after
 * `deadlineMs`. The profile directory is made for this run and removed after it.
 */
export async function runChromium(
  url: string,
  args: string[],
  deadlineMs = 60_000,
): Promise<ChromiumRun> {
  const profile = await Deno.makeTempDir({ prefix: "portset-chromium-" });
  const netLog = join(profile, "net-log.json");
  try {
    const output = await new Deno.Command(CHROMIUM, {
      args: [
        ...FLAGS,
        `--user-data-dir=${join(profile, "profile")}`,
        `--log-net-log=${netLog}`,
        "--net-log-capture-mode=Default",
        ...args,
        url,
      ],
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(deadlineMs),
    }).output();
    const stderr = new TextDecoder().decode(output.stderr);
    return {
      code: output.code,
      stdout: new TextDecoder().decode(output.stdout),
      stderr,
      console: stderr.split("\n").filter((line) => /:CONSOLE[:(]/.test(line)),
      pageRequests: pageRequests(await Deno.readTextFile(netLog).catch(() => "")),
    };
  } finally {
    await Deno.remove(profile, { recursive: true }).catch(() => {});
  }
}

/**
 * The requests in a net log that a page started: URL_REQUEST_START_JOB events whose initiator is
 * a page's origin. Chromium's own requests (update checks, account lookups; they fail here, as no
 * host name resolves) carry the initiator "not an origin".
 */
export function pageRequests(netLogText: string): string[] {
  if (netLogText.trim() === "") throw new Error("Chromium wrote no net log");
  // A net log cut short by the process ending lacks its closing brackets.
  let log: {
    constants: { logEventTypes: Record<string, number> };
    events: { type: number; params?: Record<string, unknown> }[];
  };
  try {
    log = JSON.parse(netLogText);
  } catch {
    log = JSON.parse(netLogText.replace(/,?\s*$/, "") + "]}");
  }
  const start = log.constants.logEventTypes["URL_REQUEST_START_JOB"];
  return log.events
    .filter((event) =>
      event.type === start && typeof event.params?.url === "string" &&
      event.params.initiator !== "not an origin"
    )
    .map((event) => String(event.params?.url));
}
