/**
 * Installing the monitor as a system service: a systemd unit on Linux, a launchd daemon on macOS,
 * a Service Control Manager service on Windows. One interface; each OS's manager beside its
 * collector.
 *
 * @module
 */

/** What the service runs. */
export interface ServiceSettings {
  /** The program and its arguments up to the command (`/usr/local/bin/portset`, or deno run …). */
  program: readonly string[];
  /** The monitor's arguments: `monitor --log-dir …`. */
  monitorArgs: readonly string[];
  /** The log directory, where the service writes its logs. */
  logDirectory: string;
  /**
   * Other directories the service writes in (`--textfile`'s, for node_exporter), which must exist
   * and, under systemd's ProtectSystem=strict, be named writable.
   */
  writableDirectories: readonly string[];
  /**
   * `auto`: started at boot and now; `manual`: installed only, started by hand (the original's
   * installer's default; portset's is auto).
   */
  start: "auto" | "manual";
}

/** A file or directory the service uses, for {@linkcode ServiceManager.unusable}. */
export interface ServicePath {
  /** As the service definition names it. */
  path: string;
  /** For the message: `the executable`, `the rule`, … */
  what: string;
  /** What the service does with it. */
  access: "execute" | "read" | "write";
  /** What to do instead when the service cannot: `copy it to /etc/portset/`. */
  instead: string;
}

/** One step an installer takes: a file to write or remove, or a command to run. */
export type ServiceStep =
  | { kind: "directory"; path: string; mode: number }
  | { kind: "write"; path: string; text: string; mode: number }
  | { kind: "remove"; path: string }
  | { kind: "run"; argv: string[]; optional?: boolean }
  /** An OS call (the Service Control Manager's): `description` for a dry run. */
  | { kind: "call"; description: string; run(): void | Promise<void> };

/** Where a service stands. */
export interface ServiceStatus {
  /** The manager knows the service (its definition is in place). */
  installed: boolean;
  /** Running now; null when the manager cannot say. */
  running: boolean | null;
  /** The manager's own words, for the user. */
  detail: string;
}

/** An OS's service manager. */
export interface ServiceManager {
  /** `systemd`, `launchd`, … */
  readonly name: string;
  /** Where the service definition goes. */
  readonly definitionPath: string;
  /** Where the service's logs go unless told otherwise. */
  readonly defaultLogDirectory: string;
  /** The command that starts a service installed with `--start manual`. */
  readonly startCommand: string;
  /**
   * Why the service, as this manager runs it (its sandbox, its start at boot), could not use
   * `file`: one line that says why and what to do instead; null when it can.
   */
  unusable(file: ServicePath): string | null;
  /** The steps that install, as a dry run prints them and an install takes them. */
  installSteps(settings: ServiceSettings): ServiceStep[];
  /** The steps that uninstall: stop and disable the service, remove its definition. */
  uninstallSteps(): ServiceStep[];
  /** Asks the manager whether the service is installed and running. */
  status(): Promise<ServiceStatus>;
}

/** The service cannot be managed here; the message says why and what to do. */
export class ServiceUnavailableError extends Error {
  /** The error's name, as traces and `String(error)` show it. */
  override name = "ServiceUnavailableError";
}

/** Quotes an argument for a shell (a dry run's commands); a unit file has its own rules. */
export function quoteArgument(argument: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(argument)
    ? argument
    : `"${argument.replace(/["\\$`]/g, (c) => `\\${c}`)}"`;
}

/** True when the service definition file is there. */
export function definitionExists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * `path` as given, then where it really is when symbolic links lead elsewhere: a service sees
 * both, so both must be where it can.
 */
export function pathAndTarget(path: string): string[] {
  try {
    const real = Deno.realPathSync(path);
    return real === path ? [path] : [path, real];
  } catch {
    return [path]; // not there yet (a log directory the installer creates)
  }
}

/** True when `path` is `directory` or inside it (both absolute, `/`-separated). */
export function isInside(path: string, directory: string): boolean {
  return path === directory ||
    path.startsWith(directory.endsWith("/") ? directory : `${directory}/`);
}
