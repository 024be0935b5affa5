/**
 * `portset service install|uninstall|status`: the monitor as a system service.
 *
 * @module
 */

import { createServiceManager } from "../collectors/service_manager.ts";
import {
  quoteArgument,
  type ServiceManager,
  type ServicePath,
  type ServiceSettings,
  type ServiceStep,
  ServiceUnavailableError,
} from "../collectors/service.ts";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { ServiceCommand } from "./parse/service.ts";
import { CliError, EXIT_USAGE } from "./errors.ts";
import { osErrorText } from "../text/os_error.ts";
import { refuseUnsafeLogDirectory } from "./log_directory.ts";
import { AtomicFile, writeOutput } from "./output.ts";

/** LSB status codes. */
const STATUS_RUNNING = 0, STATUS_STOPPED = 3, STATUS_UNKNOWN = 4;

export async function runService(given: ServiceCommand): Promise<number> {
  const command = { ...given, root: systemRoot(given.root) };
  let manager;
  try {
    manager = await createServiceManager(command.root);
  } catch (error) {
    if (error instanceof ServiceUnavailableError) throw new CliError(error.message, EXIT_USAGE);
    throw error;
  }
  if (command.action === "status") {
    const status = await manager.status();
    writeOutput([
      `portset service (${manager.name}, ${manager.definitionPath}): ` +
      `${status.installed ? "installed" : "not installed"}, ` +
      `${status.running === null ? "state unknown" : status.running ? "running" : "not running"} ` +
      `(${status.detail})\n`,
    ]);
    return !status.installed ? STATUS_UNKNOWN : status.running ? STATUS_RUNNING : STATUS_STOPPED;
  }

  let steps: ServiceStep[];
  if (command.action === "install") {
    const logDirectory = absolute(command.logDirectory ?? manager.defaultLogDirectory);
    const settings: ServiceSettings = {
      program: programArgv(),
      monitorArgs: monitorArgs(command, logDirectory),
      logDirectory,
      writableDirectories: command.textfile ? [absolute(command.textfile)] : [],
      start: command.start,
    };
    // A dry run too: what it prints is what an install would do, and this install would not.
    await checkInstall(manager, command, settings);
    steps = manager.installSteps(settings);
  } else {
    steps = manager.uninstallSteps();
  }

  if (command.dryRun) {
    writeOutput([steps.map(describe).join("\n") + "\n"]);
    return 0;
  }
  // Where there are uids, root; Windows has none, and its SCM refuses a non-administrator itself.
  const uid = Deno.uid();
  if (command.root === "/" && uid !== null && uid !== 0) {
    throw new CliError(
      `service ${command.action} needs root to change ${manager.definitionPath} (run it with sudo); ` +
        `--dry-run shows what it would do`,
      EXIT_USAGE,
    );
  }
  for (const step of steps) await take(step);
  writeOutput([
    `portset: service ${
      command.action === "install" ? "installed" : "uninstalled"
    } (${manager.definitionPath})${
      command.action === "install" && command.start === "manual" && command.root === "/"
        ? `, not started (--start manual): '${manager.startCommand}' starts it`
        : ""
    }\n`,
  ]);
  return 0;
}

/**
 * Refuses (exit code 2, one line) an install whose service could not run: a rule that does not
 * parse (the parser scan uses), a log directory others could change (as the monitor would refuse
 * it), or a program, rule or log directory the service could not see or use as its manager runs
 * it (the systemd unit's PrivateTmp=yes hides /tmp, say).
 */
async function checkInstall(
  manager: ServiceManager,
  command: ServiceCommand,
  settings: ServiceSettings,
): Promise<void> {
  const refuse = (file: ServicePath) => {
    const problem = manager.unusable(file);
    if (problem !== null) throw new CliError(`cannot install the service: ${problem}`, EXIT_USAGE);
  };
  const stays = "put portset where it stays, such as /opt/portset (a checkout, or the executable " +
    "'deno task compile' makes), and run service install from there";
  // A newline would end the unit's line and start a directive of the value's own making; no
  // service definition has a way to hold one in a path.
  for (const value of [...settings.program, ...settings.monitorArgs]) {
    // deno-lint-ignore no-control-regex -- control characters are what it looks for
    if (/[\x00-\x08\x0a-\x1f\x7f]/.test(value)) {
      throw new CliError(
        `cannot install the service: ${
          JSON.stringify(value)
        } has a control character (a newline, say), which a service definition cannot hold; ` +
          `use a name without one`,
        EXIT_USAGE,
      );
    }
  }
  const [executable, ...rest] = settings.program;
  refuse({
    path: executable,
    what: rest.length > 0 ? "the Deno executable" : "the portset executable",
    access: "execute",
    instead: stays,
  });
  const main = rest.at(-1);
  if (main !== undefined) {
    refuse({ path: main, what: "portset's main.ts", access: "read", instead: stays });
  }
  if (command.rule) {
    const rule = absolute(command.rule);
    // Loaded here: status and uninstall have no use for the rule modules.
    const { loadRule } = await import("./rule_commands.ts");
    await loadRule(rule);
    refuse({
      path: rule,
      what: "the rule",
      access: "read",
      instead: "copy it where it stays, such as /etc/portset/, and give --rule that path",
    });
  }
  // The service runs as root; files staged under --root get their owners from the package.
  if (command.root === "/" && Deno.uid() !== null) {
    await refuseUnsafeLogDirectory(settings.logDirectory, 0, "cannot install the service: ");
  }
  refuse({
    path: settings.logDirectory,
    what: "the log directory",
    access: "write",
    instead: `use a directory such as ${manager.defaultLogDirectory}`,
  });
  for (const directory of settings.writableDirectories) {
    refuse({
      path: directory,
      what: "the textfile directory",
      access: "write",
      instead: "use node_exporter's, such as /var/lib/prometheus/node-exporter",
    });
  }
}

/**
 * How to run this portset: the executable itself, or deno running main.ts from source with the
 * checkout's deno.json named. A service starts in `/`, where Deno would find no configuration,
 * and without it the rules' XML parser, which the checkout keeps in node_modules/ so that the
 * service needs no registry, could not be resolved.
 */
function programArgv(): string[] {
  const main = Deno.mainModule;
  if (main.startsWith("file:")) {
    const path = fileURLToPath(main);
    try {
      if (Deno.statSync(path).isFile) {
        const config = fileURLToPath(new URL("deno.json", main));
        return [Deno.execPath(), "run", "--allow-all", "--config", config, path];
      }
    } catch {
      // compiled: the module is inside the executable
    }
  }
  return [Deno.execPath()];
}

function monitorArgs(command: ServiceCommand, logDirectory: string): string[] {
  const args = [
    "monitor",
    "--log-dir",
    logDirectory,
    "--interval",
    String(command.intervalSeconds),
  ];
  if (command.rule) args.push("--rule", absolute(command.rule));
  if (command.metrics) args.push("--metrics", command.metrics);
  if (command.textfile) args.push("--textfile", absolute(command.textfile));
  return args;
}

/**
 * `/` however `--root` names it (`//`, `/.`, `/etc/..`, a link to it): the system itself, whose
 * install needs root, checks the log directory's owner and tells systemctl, not a staging
 * directory whose files are a package's business.
 */
function systemRoot(root: string): string {
  try {
    return Deno.realPathSync(root) === Deno.realPathSync("/") ? "/" : root;
  } catch {
    return root; // a staging directory still to be made
  }
}

function absolute(path: string): string {
  return resolve(path);
}

function describe(step: ServiceStep): string {
  switch (step.kind) {
    case "call":
      return step.description;
    case "directory":
      return isDirectory(step.path)
        ? `use directory ${step.path} as it is`
        : `create directory ${step.path} (mode ${step.mode.toString(8)})`;
    case "write":
      return `write ${step.path} (mode ${step.mode.toString(8)}):\n${step.text}`;
    case "remove":
      return `remove ${step.path}`;
    case "run":
      return `run: ${step.argv.map(quoteArgument).join(" ")}`;
  }
}

async function take(step: ServiceStep): Promise<void> {
  switch (step.kind) {
    case "call":
      try {
        await step.run();
      } catch (error) {
        if (error instanceof ServiceUnavailableError) throw new CliError(error.message);
        throw error;
      }
      return;
    case "directory":
      // An existing directory stays as it is (checkInstall vetted it): `--log-dir /var/log`
      // must not make /var/log root's alone.
      if (isDirectory(step.path)) return;
      try {
        Deno.mkdirSync(step.path, { recursive: true, mode: step.mode });
        Deno.chmodSync(step.path, step.mode);
      } catch (error) {
        throw new CliError(`cannot create ${step.path}: ${osErrorText(error)}`);
      }
      return;
    case "write":
      Deno.mkdirSync(step.path.slice(0, step.path.lastIndexOf("/")), { recursive: true });
      // Exactly the mode the dry run says: a unit that runs as root must not stay writable by
      // others, or another user's, because an earlier file at its path was.
      AtomicFile.write(step.path, step.text, step.mode, { exact: true });
      return;
    case "remove":
      try {
        Deno.removeSync(step.path);
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) {
          throw new CliError(`cannot remove ${step.path}: ${osErrorText(error)}`);
        }
      }
      return;
    case "run": {
      let output;
      try {
        output = await new Deno.Command(step.argv[0], {
          args: step.argv.slice(1),
          stdout: "null",
          stderr: "piped",
        }).output();
      } catch {
        if (step.optional) return;
        throw new CliError(
          `${step.argv[0]} is not available here: run '${step.argv.join(" ")}' where it is`,
        );
      }
      if (!output.success && !step.optional) {
        const reason = new TextDecoder().decode(output.stderr).trim().split("\n")[0];
        throw new CliError(
          `'${step.argv.join(" ")}' failed: ${reason || `exit code ${output.code}`}`,
        );
      }
    }
  }
}

function isDirectory(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}
