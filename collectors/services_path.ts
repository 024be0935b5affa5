/**
 * Where this OS keeps its services file: a module of its own, so that a command that only names
 * ports (`portset report`) does not load the probers beside it.
 *
 * @module
 */

/** Where this OS keeps its services file (port numbers to service names). */
export function servicesFilePath(): string {
  if (Deno.build.os !== "windows") return "/etc/services";
  let root = "C:\\Windows";
  try {
    root = Deno.env.get("SystemRoot") ?? root;
  } catch {
    // no --allow-env: the usual place
  }
  return `${root}\\System32\\drivers\\etc\\services`;
}
