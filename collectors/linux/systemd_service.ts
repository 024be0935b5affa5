/**
 * The monitor as a systemd service: `/etc/systemd/system/portset.service`, enabled to start at
 * boot and started now. It runs as root, because only root can read every process's fd table,
 * but with only the capabilities that reading needs and a read-only view of the system except
 * its log directory.
 *
 * @module
 */

import {
  definitionExists,
  isInside,
  pathAndTarget,
  type ServiceManager,
  type ServicePath,
  type ServiceSettings,
  type ServiceStatus,
  type ServiceStep,
} from "../service.ts";

export const UNIT_NAME = "portset.service";
/** Deno's cache for a service run from source. */
const DENO_CACHE = "/var/cache/portset";
/** What PrivateTmp=yes replaces with directories of the service's own. */
const PRIVATE_TMP = ["/tmp", "/var/tmp"];

/**
 * One word of a unit file setting, quoted so that systemd reads back exactly `word`: it expands
 * specifiers (`%n`, `%h`) in every setting, so `%` is doubled; in ExecStart= it also expands
 * `$VAR` and `${VAR}` in the arguments, so there `$` is doubled (`\$` is no escape to systemd: it
 * would keep the backslash and still expand the variable), but not in the command's own path
 * (`program`), which it runs as written: a `$$` there would name another file. A newline would end the line and make what follows a
 * directive of its own: ExecStart= reads `\xNN` back as the byte, but a path setting
 * (ReadWritePaths=) has no escape for one, so there a control character other than a tab is
 * refused (install refuses such a name first, with a message).
 */
export function systemdWord(word: string, setting: "program" | "exec" | "path"): string {
  return /^[A-Za-z0-9_@+=:,./-]+$/.test(word) ? word : `"${
    // deno-lint-ignore no-control-regex -- control characters are what it looks for
    word.replace(/[\\"%$\x00-\x08\x0a-\x1f\x7f]/g, (c) => {
      if (c === "%") return "%%";
      if (c === "$") return setting === "exec" ? "$$" : "$";
      if (c === "\\" || c === '"') return `\\${c}`;
      if (setting === "path") {
        throw new RangeError(`a systemd path setting cannot hold ${JSON.stringify(word)}`);
      }
      return `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`;
    })}"`;
}

/** The unit file's text. */
export function systemdUnit(settings: ServiceSettings): string {
  const command = [...settings.program, ...settings.monitorArgs]
    .map((argument, index) => systemdWord(argument, index === 0 ? "program" : "exec"))
    .join(" ");
  // Run from source (deno run main.ts), deno needs a cache it may write to.
  const fromSource = settings.program.length > 1
    ? `Environment=DENO_DIR=${DENO_CACHE}\nReadWritePaths=${DENO_CACHE}\n`
    : "";
  return `[Unit]
Description=portset Port Reporter: logs TCP/UDP port activity and changes
After=network.target

[Service]
Type=simple
ExecStart=${command}
# Deno's own update check is a DNS query: the monitor makes no network calls of its own.
Environment=DENO_NO_UPDATE_CHECK=1
Restart=on-failure
RestartSec=5
# Ctrl+C's equivalent: the monitor finishes the tick in progress and closes its logs.
KillSignal=SIGTERM
TimeoutStopSec=30
# Root, for every process's /proc/<pid>/fd, with only the capabilities that reading takes.
CapabilityBoundingSet=CAP_SYS_PTRACE CAP_DAC_READ_SEARCH
NoNewPrivileges=yes
ProtectSystem=strict
ReadWritePaths=${
    [settings.logDirectory, ...settings.writableDirectories]
      .map((path) => systemdWord(path, "path"))
      .join(" ")
  }
${fromSource}ProtectHome=read-only
PrivateTmp=yes
UMask=0077

[Install]
WantedBy=multi-user.target
`;
}

/** systemd, with its files under `root` (`/` normally; a staging directory for packagers). */
export class SystemdServiceManager implements ServiceManager {
  readonly name = "systemd";
  readonly definitionPath: string;
  readonly defaultLogDirectory = "/var/log/portset";
  readonly startCommand = `systemctl start ${UNIT_NAME}`;

  constructor(readonly root = "/") {
    this.definitionPath = `${root.replace(/\/$/, "")}/etc/systemd/system/${UNIT_NAME}`;
  }

  installSteps(settings: ServiceSettings): ServiceStep[] {
    const root = this.root.replace(/\/$/, "");
    return [
      // ReadWritePaths= must exist before the service starts; the logs are the owner's only.
      { kind: "directory", path: `${root}${settings.logDirectory}`, mode: 0o700 },
      // node_exporter, another user, reads the textfile: its directory is not the owner's only.
      ...settings.writableDirectories.map((path) => ({
        kind: "directory" as const,
        path: `${root}${path}`,
        mode: 0o755,
      })),
      ...(settings.program.length > 1
        ? [{ kind: "directory" as const, path: `${root}${DENO_CACHE}`, mode: 0o700 }]
        : []),
      { kind: "write", path: this.definitionPath, text: systemdUnit(settings), mode: 0o644 },
      ...this.#systemctl(
        ["daemon-reload"],
        // manual: not started, and not at boot either, even where an earlier install enabled it.
        settings.start === "auto" ? ["enable", "--now", UNIT_NAME] : ["disable", UNIT_NAME],
      ),
    ];
  }

  /**
   * The unit's sandbox hides /tmp and /var/tmp (PrivateTmp=yes: the service gets empty ones of
   * its own, removed when it stops), so nothing it runs, reads or writes may be there, by name or
   * through a link. Its root has no CAP_DAC_OVERRIDE, so the executable must have an execute bit
   * that applies to root, and the log directory must be root's to write. ProtectHome=read-only
   * and ProtectSystem=strict still let it read everything else, and ReadWritePaths= makes the log
   * directory writable wherever it is.
   */
  unusable(file: ServicePath): string | null {
    for (const path of pathAndTarget(file.path)) {
      const temporary = PRIVATE_TMP.find((directory) => isInside(path, directory));
      if (temporary === undefined) continue;
      const where = path === file.path ? path : `${file.path} (really ${path})`;
      return file.access === "write"
        ? `${file.what} ${where} is under ${temporary}, which the service cannot use: its unit ` +
          `sets PrivateTmp=yes, so it would write to a ${temporary} of its own, removed when it ` +
          `stops; ${file.instead}`
        : `${file.what} ${where} is under ${temporary}, which the service cannot see (its unit ` +
          `sets PrivateTmp=yes) and which does not outlast a reboot; ${file.instead}`;
    }
    let info: Deno.FileInfo;
    try {
      info = Deno.statSync(file.path);
    } catch {
      return null; // a log directory still to be created: root's, 0700
    }
    const mode = info.mode! & 0o7777;
    const bits = info.uid === 0 ? 0o100 : info.gid === 0 ? 0o010 : 0o001;
    if (file.access === "execute" && (mode & bits) === 0) {
      return `${file.what} ${file.path} (mode ${mode.toString(8).padStart(4, "0")}, uid ` +
        `${info.uid}) is not executable by the service, whose root has no CAP_DAC_OVERRIDE: ` +
        `'chmod ${bits === 0o100 ? "u" : bits === 0o010 ? "g" : "o"}+x ${file.path}', or ` +
        file.instead;
    }
    if (file.access === "write" && (info.uid !== 0 || (mode & 0o300) !== 0o300)) {
      return `${file.what} ${file.path} (mode ${mode.toString(8).padStart(4, "0")}, uid ` +
        `${info.uid}) is not writable by the service, whose root has no CAP_DAC_OVERRIDE: ` +
        `'chown root ${file.path} && chmod 700 ${file.path}', or ${file.instead}`;
    }
    return null;
  }

  uninstallSteps(): ServiceStep[] {
    return [
      ...this.#systemctl(["disable", "--now", UNIT_NAME]),
      { kind: "remove", path: this.definitionPath },
      ...this.#systemctl(["daemon-reload"]),
    ];
  }

  async status(): Promise<ServiceStatus> {
    const installed = definitionExists(this.definitionPath);
    if (this.root !== "/") return { installed, running: null, detail: "staged, not managed" };
    try {
      const output = await new Deno.Command("systemctl", {
        args: ["is-active", UNIT_NAME],
        stdout: "piped",
        stderr: "null",
      }).output();
      const state = new TextDecoder().decode(output.stdout).trim() || `exit code ${output.code}`;
      return { installed, running: state === "active", detail: `systemctl is-active: ${state}` };
    } catch {
      return { installed, running: null, detail: "systemctl is not available here" };
    }
  }

  /** systemctl calls, unless the files are staged under another root. */
  #systemctl(...calls: string[][]): ServiceStep[] {
    return this.root === "/"
      ? calls.map((args) => ({ kind: "run", argv: ["systemctl", ...args] }))
      : [];
  }
}
