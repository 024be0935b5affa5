/**
 * Reading the monitor's Port Reporter logs back in tests.
 *
 * @module
 */

/** Every PR-PORTS data line (those that start with a date) in `directory`'s files. */
export function portsLines(directory: string): string[] {
  const lines: string[] = [];
  for (const entry of Deno.readDirSync(directory)) {
    if (!entry.name.startsWith("PR-PORTS-")) continue;
    const text = Deno.readTextFileSync(`${directory}/${entry.name}`);
    lines.push(...text.split("\n").filter((line) => /^\d{4}-/.test(line)));
  }
  return lines;
}
