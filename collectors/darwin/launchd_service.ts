/**
 * The monitor as a launchd daemon on macOS: `/Library/LaunchDaemons/org.portset.monitor.plist`,
 * loaded into the system domain so it starts at boot and now.
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

export const LABEL = "org.portset.monitor";
/** Emptied at boot (and of what has gone unused for days), before the daemon starts again. */
const TEMPORARY = ["/tmp", "/private/tmp", "/var/folders", "/private/var/folders"];
/** Folders macOS's privacy protection keeps daemons out of, unless given Full Disk Access. */
const PROTECTED_FOLDERS = /^\/Users\/[^/]+\/(Desktop|Documents|Downloads)(\/|$)/;

function xml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * The property list's text. Started automatically, the daemon runs at load (boot) and is kept
 * running; started manually, it is loaded but runs only when `launchctl kickstart` starts it.
 */
export function launchdPlist(settings: ServiceSettings): string {
  const args = [...settings.program, ...settings.monitorArgs]
    .map((argument) => `    <string>${xml(argument)}</string>`).join("\n");
  const start = settings.start === "auto"
    ? "  <key>RunAtLoad</key>\n  <true/>\n  <key>KeepAlive</key>\n  <true/>\n"
    : "  <key>RunAtLoad</key>\n  <false/>\n";
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key>
  <string>${LABEL}</string>
  <key>ProgramArguments</key>
  <array>
${args}
  </array>
  <key>EnvironmentVariables</key>
  <dict>
    <key>DENO_NO_UPDATE_CHECK</key>
    <string>1</string>
  </dict>
${start}  <key>Umask</key>
  <integer>63</integer>
  <key>StandardErrorPath</key>
  <string>${xml(settings.logDirectory)}/portset.err</string>
</dict>
</plist>
`;
}

/** launchd, with its files under `root`. */
export class LaunchdServiceManager implements ServiceManager {
  readonly name = "launchd";
  readonly definitionPath: string;
  readonly defaultLogDirectory = "/Library/Logs/portset";
  readonly startCommand = `launchctl kickstart system/${LABEL}`;

  constructor(readonly root = "/") {
    this.definitionPath = `${root.replace(/\/$/, "")}/Library/LaunchDaemons/${LABEL}.plist`;
  }

  /**
   * A daemon starts at boot, after macOS has emptied /tmp and the per-user temporary folders, and
   * is kept out of users' Desktop, Documents and Downloads by the privacy protection (TCC), so
   * nothing it runs, reads or writes may be there.
   */
  unusable(file: ServicePath): string | null {
    for (const path of pathAndTarget(file.path)) {
      const where = path === file.path ? path : `${file.path} (really ${path})`;
      const temporary = TEMPORARY.find((directory) => isInside(path, directory));
      if (temporary !== undefined) {
        return `${file.what} ${where} is under ${temporary}, which macOS empties at boot, ` +
          `before the daemon starts again; ${file.instead}`;
      }
      if (PROTECTED_FOLDERS.test(path)) {
        return `${file.what} ${where} is in a folder macOS keeps daemons out of (Desktop, ` +
          `Documents, Downloads) unless given Full Disk Access; ${file.instead}`;
      }
    }
    return null;
  }

  installSteps(settings: ServiceSettings): ServiceStep[] {
    const root = this.root.replace(/\/$/, "");
    return [
      // StandardErrorPath is in it, and launchd opens that before the monitor runs.
      { kind: "directory", path: `${root}${settings.logDirectory}`, mode: 0o700 },
      { kind: "write", path: this.definitionPath, text: launchdPlist(settings), mode: 0o644 },
      // Loaded either way (bootstrap refuses a label already loaded: an earlier install's goes
      // first); only RunAtLoad says whether it runs now and at boot.
      ...(this.root === "/"
        ? [
          {
            kind: "run" as const,
            argv: ["launchctl", "bootout", `system/${LABEL}`],
            optional: true,
          },
          { kind: "run" as const, argv: ["launchctl", "bootstrap", "system", this.definitionPath] },
        ]
        : []),
    ];
  }

  uninstallSteps(): ServiceStep[] {
    return [
      ...(this.root === "/"
        ? [{
          kind: "run" as const,
          argv: ["launchctl", "bootout", `system/${LABEL}`],
          optional: true,
        }]
        : []),
      { kind: "remove", path: this.definitionPath },
    ];
  }

  async status(): Promise<ServiceStatus> {
    const installed = definitionExists(this.definitionPath);
    try {
      const output = await new Deno.Command("launchctl", {
        args: ["print", `system/${LABEL}`],
        stdout: "null",
        stderr: "null",
      }).output();
      return {
        installed,
        running: output.success,
        detail: output.success ? "loaded" : "not loaded",
      };
    } catch {
      return { installed, running: null, detail: "launchctl is not available here" };
    }
  }
}
