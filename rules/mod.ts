/**
 * The PortSet rule language: entities now; rule parsing, matching, baselines and change events
 * follow.
 *
 * @module
 */

export * from "./entities.ts";
