/**
 * A parsed rule file: its PortSet entity sets, with their include/exclude criteria compiled.
 *
 * @module
 */

import type { Glob } from "./glob.ts";

/** The entity attributes a rule can monitor, in the order outputs list them. */
export const ATTRIBUTE_NAMES = [
  "Listeners",
  "Path",
  "Process",
  "ProcessId",
  "User",
  "Created",
] as const;

/** One monitorable attribute. */
export type AttributeName = typeof ATTRIBUTE_NAMES[number];

/** The feature tests an include or exclude can make, and the attribute each one reads. */
export const FEATURE_TESTS = {
  key: null,
  path: "Path",
  process: "Process",
  user: "User",
  /** The entity's network namespace label; the host's own has none, so only others match. */
  namespace: null,
} as const;

/** One feature test's name. */
export type Feature = keyof typeof FEATURE_TESTS;

/** Where something stands in the rule file, for messages. */
export interface Position {
  /** The line, from 1. */
  line: number;
  /** The column, from 1. */
  column: number;
}

/** One feature test: a glob against the key or an attribute. */
export interface FeatureTest {
  /** What the glob is matched against: the key, or the attribute the feature reads. */
  feature: Feature;
  /** The pattern, compiled, with the case sensitivity the element asked for. */
  glob: Glob;
}

/** One `<include>` or `<exclude>`: its tests, all of which must match. */
export interface Criterion extends Position {
  /** The tests, in the order written. */
  tests: FeatureTest[];
}

/** One `<PortSet>`. */
export interface PortSetRule extends Position {
  /** Monitored in real time, not only at each scan. */
  onChange: boolean;
  /** Empty: every entity is included. */
  include: Criterion[];
  /** An entity matching any of these is not in the set, whatever the includes say. */
  exclude: Criterion[];
  /** The attributes whose changes are reported. */
  attributes: readonly AttributeName[];
}

/** A rule file. */
export interface Rule {
  /** The file as named on the command line. */
  path: string;
  /** `sha256:<hex>` of the file's bytes: a baseline remembers which rule made it. */
  digest: string;
  /** The file's `<PortSet>` elements, in the order written. */
  sets: PortSetRule[];
}
