/**
 * The version and build target portset reports.
 *
 * @module
 */

import config from "./deno.json" with { type: "json" };

/** portset's version, from deno.json. */
export const VERSION: string = config.version;

/** The target this program runs as, e.g. `x86_64-unknown-linux-gnu`. */
export const TARGET: string = Deno.build.target;
