/**
 * The log directory check as the CLI reports it: one line and exit code 2 (see
 * port_reporter/log_directory.ts for what is refused and why).
 *
 * @module
 */

import { userNameLookup } from "../collectors/user_names.ts";
import { ReporterError } from "../port_reporter/append_file.ts";
import { checkLogDirectory } from "../port_reporter/log_directory.ts";
import { CliError, EXIT_USAGE } from "./errors.ts";

/**
 * Refuses (exit code 2) a log directory that a user other than `uid` (and root) owns or that
 * others can write, or one inside a directory they could replace it in. `uid` is who writes the
 * logs: this process, or root for the service; null where there are no uids (Windows), where
 * nothing is checked. `context` goes before the message (`cannot install the service: `).
 */
export async function refuseUnsafeLogDirectory(
  directory: string,
  uid: number | null = Deno.uid(),
  context = "",
): Promise<void> {
  if (uid === null) return;
  try {
    checkLogDirectory(directory, { uid });
  } catch (error) {
    if (!(error instanceof ReporterError)) throw error;
    // Again, with names for the uids: the lookup loads libc, which only a refusal needs.
    const nameOf = await userNameLookup();
    try {
      checkLogDirectory(directory, { uid, nameOf });
    } catch (named) {
      if (named instanceof ReporterError) throw new CliError(context + named.message, EXIT_USAGE);
      throw named;
    }
    throw new CliError(context + error.message, EXIT_USAGE);
  }
}
