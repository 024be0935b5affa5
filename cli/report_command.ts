/**
 * `portset report LOGDIR [LOGDIR...]`: reads the logs (streaming, with a progress bar when stderr
 * is a terminal) and writes the report as text or JSON, and as HTML to a file. One directory of
 * logs makes the one-host report; several, or a tree of hosts' folders, the report across hosts
 * (report/log_hosts.ts finds and names them).
 *
 * @module
 */

import type { ReportCommand } from "./parse/report.ts";
import { CliError, EXIT_USAGE } from "./errors.ts";
import { osErrorText } from "../text/os_error.ts";
import { AtomicFile, confirmOverwrite, writeOutput } from "./output.ts";
import { defaultInterests, InterestsError, loadInterests } from "../report/interests.ts";
import { ListenerBaselineError, loadListenerBaseline } from "../report/listener_baseline.ts";
import { LogDirectoryError } from "../port_reporter/log_files.ts";
import { readLogDirectory } from "../report/read_logs.ts";
import { findLogHosts } from "../report/log_hosts.ts";
import { readFleet } from "../report/read_fleet.ts";
import type { FleetReport } from "../report/fleet_model.ts";
import { servicesFilePath } from "../collectors/services_path.ts";
import { loadServices, serviceName } from "../remote/services_file.ts";
import type { Report } from "../report/model.ts";
import { formatMibFigure } from "../text/units.ts";
import { printableField } from "../text/printable.ts";

/** Runs `portset report`; returns the exit code. */
export async function runReport(command: ReportCommand): Promise<number> {
  // Refuse a bad output path or a bad interests file before reading hundreds of megabytes.
  if (command.html) confirmOverwrite(command.html, command.overwrite, "HTML report");
  const html = command.html ? AtomicFile.open(command.html) : null;
  let report: Report | FleetReport;
  try {
    const interests = command.interests ? loadInterests(command.interests) : defaultInterests();
    const baseline = command.baseline ? loadListenerBaseline(command.baseline) : null;
    const services = loadServices(servicesFilePath());
    const found = await findLogHosts(command.directories);
    const progress = Deno.stderr.isTerminal() ? new ProgressBar() : null;
    const options = {
      interests,
      baseline,
      dateOrder: command.dateOrder,
      // Names from this machine's services file: port numbers mean the same everywhere.
      serviceName: (protocol: string, port: number) =>
        serviceName(services, protocol.toLowerCase(), port),
      onProgress: progress
        ? (done: number, total: number, file: string) => progress.show(done, total, file)
        : undefined,
    };
    try {
      report = found.single
        ? await readLogDirectory(command.directories[0], options)
        : await readFleet(command.directories, found, options);
    } finally {
      progress?.clear();
    }
  } catch (error) {
    html?.abandon();
    if (
      error instanceof InterestsError || error instanceof ListenerBaselineError ||
      error instanceof LogDirectoryError
    ) {
      throw new CliError(error.message, EXIT_USAGE);
    }
    throw error;
  }
  // Only the writers this report needs are loaded: each HTML page alone is a dozen modules.
  const fleet = report.format === "portset-fleet/1" ? report : null;
  if (html) {
    try {
      const page = fleet
        ? (await import("../outputs/report_html/fleet_page.ts")).formatFleetHtml(fleet)
        : (await import("../outputs/report_html/mod.ts")).formatReportHtml(report as Report);
      html.write(new TextEncoder().encode(page));
      html.commit();
    } catch (error) {
      html.abandon();
      throw new CliError(`cannot write ${command.html}: ${osErrorText(error)}`);
    }
  }
  if (fleet) {
    writeOutput(
      command.format === "json"
        ? (await import("../outputs/fleet_json.ts")).fleetJsonChunks(fleet)
        : [(await import("../outputs/fleet_text.ts")).formatFleetText(fleet, { top: command.top })],
    );
  } else {
    writeOutput(
      command.format === "json"
        ? (await import("../outputs/report_json.ts")).reportJsonChunks(report as Report)
        : [
          (await import("../outputs/report_text.ts")).formatReportText(report as Report, {
            top: command.top,
          }),
        ],
    );
  }
  return 0;
}

/**
 * One line on stderr, redrawn at most ten times a second: how far through the logs, how fast,
 * which file. Cleared when done, so nothing of it stays on the terminal.
 */
class ProgressBar {
  #started = performance.now();
  #drawn = 0;
  #encoder = new TextEncoder();

  show(done: number, total: number, file: string): void {
    const now = performance.now();
    if (now - this.#drawn < 100 && done < total) return;
    this.#drawn = now;
    const line = formatProgressLine(done, total, file, (now - this.#started) / 1000);
    this.#write(`\r${line.slice(0, terminalColumns() - 1)}\x1b[K`);
  }

  clear(): void {
    if (this.#drawn > 0) this.#write("\r\x1b[K");
  }

  #write(text: string): void {
    try {
      Deno.stderr.writeSync(this.#encoder.encode(text));
    } catch {
      // a progress bar that cannot be drawn is not worth failing for
    }
  }
}

/**
 * The progress bar's text. `done` may pass `total`: a log the monitor is still writing grows
 * while it is read, and the bar then stays full (a negative count of dashes threw, and the throw
 * counted the file as unread). The file's name is shown as text: anyone who can write to a log
 * directory (a host's logs collected for a fleet report) names its files, escape sequences and
 * all, and the bar goes to the operator's terminal.
 */
export function formatProgressLine(
  done: number,
  total: number,
  file: string,
  seconds: number,
): string {
  const width = 30;
  const fraction = total > 0 ? Math.min(1, Math.max(0, done / total)) : 1;
  const filled = Math.round(fraction * width);
  const rate = seconds > 0 ? done / seconds / 1024 ** 2 : 0;
  return `reading logs [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${
    (fraction * 100).toFixed(0).padStart(3)
  }%  ${formatMibFigure(done)}/${formatMibFigure(Math.max(done, total))} MiB  ${
    rate.toFixed(0)
  } MiB/s  ${printableField(file)}`;
}

function terminalColumns(): number {
  try {
    return Deno.consoleSize().columns;
  } catch {
    return 80;
  }
}
