/**
 * Services on Linux are systemd units: which unit a process runs in (from its cgroup), and the
 * unit's description (from its unit file), which plays the part of a Windows service's display
 * name in the report.
 *
 * @module
 */

/**
 * The systemd unit of a process from `/proc/<pid>/cgroup`: the innermost `*.service` segment of its
 * unified (or name=systemd) cgroup path, e.g. `ssh.service` from `0::/system.slice/ssh.service`.
 */
export function parseSystemdUnit(text: string): string | null {
  // The unified hierarchy (0::) names the unit; on a hybrid host it may be the root `/`, and the
  // name=systemd hierarchy does.
  const paths: string[] = [];
  for (const line of text.split("\n")) {
    const first = line.indexOf(":"), second = line.indexOf(":", first + 1);
    if (first < 0 || second < 0) continue;
    const controllers = line.slice(first + 1, second);
    if (controllers === "") paths.unshift(line.slice(second + 1));
    else if (controllers === "name=systemd") paths.push(line.slice(second + 1));
  }
  for (const path of paths) {
    const segments = path.split("/");
    for (let i = segments.length - 1; i >= 0; i--) {
      if (segments[i].endsWith(".service")) return segments[i];
    }
  }
  return null;
}

/** The `Description=` of a systemd unit file, found in the usual unit directories. */
export class UnitDescriptions {
  #cache = new Map<string, string | null>();
  constructor(
    readonly directories = [
      "/etc/systemd/system",
      "/run/systemd/system",
      "/run/systemd/transient",
      "/usr/lib/systemd/system",
      "/lib/systemd/system",
    ],
  ) {}

  /** Forgets every description: unit files change. */
  clear(): void {
    this.#cache.clear();
  }

  describe(unit: string): string | null {
    let description = this.#cache.get(unit);
    if (description !== undefined) return description;
    description = null;
    // A template instance (getty@tty1.service) is described by its template (getty@.service).
    // The instance may hold dots (ifup@eth0.100.service): the type suffix is after the last one.
    const candidates = [unit, unit.replace(/@.*(\.[^.]+)$/, "@$1")];
    search: for (const directory of this.directories) {
      for (const name of candidates) {
        try {
          const match = /^Description=(.*)$/m.exec(Deno.readTextFileSync(`${directory}/${name}`));
          if (match) {
            description = match[1].trim();
            break search;
          }
        } catch {
          // not in this directory
        }
      }
    }
    this.#cache.set(unit, description);
    return description;
  }
}
