/**
 * The command line of a bench script that takes a few `--name value` options: node:util's
 * parser, with `--help` printing the usage and any mistake said in one line (exit 2), not as
 * the parser's stack trace.
 *
 * @module
 */

import { parseArgs, type ParseArgsConfig } from "node:util";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** The values of `options` on this script's command line, or an exit with `usage`. */
export function scriptArgs<T extends Options>(
  name: string,
  usage: string,
  options: T,
): ReturnType<typeof parseArgs<{ options: T }>>["values"] {
  let parsed;
  try {
    parsed = parseArgs({ options: { ...options, help: { type: "boolean" } } });
  } catch (error) {
    console.error(`${name}: ${(error as Error).message} (usage: ${usage})`);
    Deno.exit(2);
  }
  if ((parsed.values as { help?: boolean }).help) {
    console.log(`usage: ${usage}`);
    Deno.exit(0);
  }
  return parsed.values as ReturnType<typeof parseArgs<{ options: T }>>["values"];
}
