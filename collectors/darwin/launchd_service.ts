/**
 * The monitor as a launchd daemon on macOS: `/Library/LaunchDaemons/org.portset.monitor.plist`,
 * loaded into the system domain so it starts at boot and now.
 *
 * @module
 */

import {
  definitionExists,
  type ServiceManager,
  type ServiceSettings,
  type ServiceStatus,
  type ServiceStep,
} from "../service.ts";

export const LABEL = "org.portset.monitor";

function xml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** The property list's text. */
export function launchdPlist(settings: ServiceSettings): string {
  const args = [...settings.program, ...settings.monitorArgs]
    .map((argument) => `    <string>${xml(argument)}</string>`).join("\n");
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
  <key>RunAtLoad</key>
  <true/>
  <key>KeepAlive</key>
  <true/>
  <key>Umask</key>
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

  constructor(readonly root = "/") {
    this.definitionPath = `${root.replace(/\/$/, "")}/Library/LaunchDaemons/${LABEL}.plist`;
  }

  installSteps(settings: ServiceSettings): ServiceStep[] {
    return [
      { kind: "write", path: this.definitionPath, text: launchdPlist(settings), mode: 0o644 },
      ...(this.root === "/"
        ? [{
          kind: "run" as const,
          argv: ["launchctl", "bootstrap", "system", this.definitionPath],
        }]
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
