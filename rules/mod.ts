/**
 * The PortSet rule language as a library: read a rule file, take the host's listening ports as
 * entities, select the ones the rule names, remember them in a baseline, and compare a later look
 * with it as Created, Updated and Deleted events.
 *
 * ```ts
 * import {
 *   collectOnce,
 *   compareEntities,
 *   formatBaseline,
 *   makeBaseline,
 *   PLATFORM_CASE_SENSITIVE,
 *   portSetEntities,
 *   readBaseline,
 *   readRule,
 *   selectEntities,
 * } from "../mod.ts";
 *
 * const rule = await readRule("web.xml", { platformCaseSensitive: PLATFORM_CASE_SENSITIVE });
 * const snapshot = await collectOnce();
 * const selected = selectEntities(rule, portSetEntities(snapshot.endpoints));
 * // Today's baseline, to compare with tomorrow:
 * const facts = { portset: "my-tool", host: snapshot.host, time: snapshot.time, elapsedMs: 0 };
 * Deno.writeTextFileSync("web.baseline.json", formatBaseline(makeBaseline(rule, selected, facts)));
 * // Tomorrow:
 * const baseline = readBaseline("web.baseline.json");
 * const context = { rule: rule.path, host: snapshot.host, time: snapshot.time };
 * for (const event of compareEntities(baseline.entities, selected, context)) {
 *   console.log(event.change, event.key, event.attributes);
 * }
 * ```
 *
 * @module
 */

export * from "./entities.ts";
export { compileGlob, type Glob } from "./glob.ts";
export {
  ATTRIBUTE_NAMES,
  type AttributeName,
  type Criterion,
  type Feature,
  FEATURE_TESTS,
  type FeatureTest,
  type PortSetRule,
  type Position,
  type Rule,
} from "./rule.ts";
export {
  loadXmlParser,
  MAX_RULE_BYTES,
  parseRule,
  readRule,
  RuleError,
  type RuleOptions,
} from "./parser.ts";
export { type SelectedEntity, selectEntities } from "./select.ts";
export {
  type Baseline,
  BASELINE_FORMAT,
  type BaselineEntity,
  BaselineError,
  formatBaseline,
  makeBaseline,
  MAX_BASELINE_BYTES,
  parseBaseline,
  readBaseline,
} from "./baseline.ts";
export {
  type AttributeSubset,
  type AttributeValue,
  type ChangeContext,
  type ChangeEvent,
  type ChangeKind,
  compareEntities,
  monitoredAttributes,
  type RememberedEntity,
} from "./changes.ts";
