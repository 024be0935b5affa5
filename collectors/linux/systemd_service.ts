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
  quoteArgument,
  type ServiceManager,
  type ServiceSettings,
  type ServiceStatus,
  type ServiceStep,
} from "../service.ts";

export const UNIT_NAME = "portset.service";
/** Deno's cache for a service run from source. */
const DENO_CACHE = "/var/cache/portset";

/** The unit file's text. */
export function systemdUnit(settings: ServiceSettings): string {
  const command = [...settings.program, ...settings.monitorArgs].map(quoteArgument).join(" ");
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
Restart=on-failure
RestartSec=5
# Ctrl+C's equivalent: the monitor finishes the tick in progress and closes its logs.
KillSignal=SIGTERM
TimeoutStopSec=30
# Root, for every process's /proc/<pid>/fd, with only the capabilities that reading takes.
CapabilityBoundingSet=CAP_SYS_PTRACE CAP_DAC_READ_SEARCH
NoNewPrivileges=yes
ProtectSystem=strict
ReadWritePaths=${quoteArgument(settings.logDirectory)}
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

  constructor(readonly root = "/") {
    this.definitionPath = `${root.replace(/\/$/, "")}/etc/systemd/system/${UNIT_NAME}`;
  }

  installSteps(settings: ServiceSettings): ServiceStep[] {
    const root = this.root.replace(/\/$/, "");
    return [
      // ReadWritePaths= must exist before the service starts; the logs are the owner's only.
      { kind: "directory", path: `${root}${settings.logDirectory}`, mode: 0o700 },
      ...(settings.program.length > 1
        ? [{ kind: "directory" as const, path: `${root}${DENO_CACHE}`, mode: 0o700 }]
        : []),
      { kind: "write", path: this.definitionPath, text: systemdUnit(settings), mode: 0o644 },
      ...this.#systemctl(["daemon-reload"], ["enable", "--now", UNIT_NAME]),
    ];
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
