/**
 * Deliberately empty: `deno run` of this file measures the runtime's own start-up and exit, the
 * floor under any Deno program's wall time, for the benchmark's diagnosis of portset's time.
 *
 * @module
 */
