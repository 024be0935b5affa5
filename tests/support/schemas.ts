/**
 * portset's JSON Schemas (schemas/*.schema.json) loaded into Ajv (draft 2020-12), for tests to
 * check real output against: {@linkcode assertValid} fails with every error Ajv found.
 *
 * @module
 */

import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020";

const SCHEMAS = new URL("../../schemas/", import.meta.url);

/** The outputs with a schema of their own (common.schema.json holds what they share). */
export type SchemaName =
  | "local"
  | "watch"
  | "scan"
  | "baseline"
  | "check"
  | "events"
  | "query"
  | "report"
  | "fleet";

let ajv: Ajv2020 | null = null;

/** Ajv with every schema in schemas/ added, by its `$id`. */
function loaded(): Ajv2020 {
  if (ajv) return ajv;
  // Formats are annotations here: each time's offset is checked by its `pattern`, which is
  // what the vocabulary promises. Strict, except that an `if`/`then` may require a property
  // its parent defines (an Updated event's `previous`): valid 2020-12 that strictRequired
  // would refuse.
  ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    strictRequired: false,
    validateFormats: false,
  });
  for (const entry of Deno.readDirSync(SCHEMAS)) {
    if (entry.name.endsWith(".schema.json")) {
      ajv.addSchema(JSON.parse(Deno.readTextFileSync(new URL(entry.name, SCHEMAS))));
    }
  }
  return ajv;
}

/** The `$id` of `name`'s schema. */
export function schemaId(name: SchemaName | "common"): string {
  return JSON.parse(Deno.readTextFileSync(new URL(`${name}.schema.json`, SCHEMAS))).$id;
}

/** The validator of `name`'s schema. */
export function validator(name: SchemaName): ValidateFunction {
  const validate = loaded().getSchema(schemaId(name));
  if (!validate) throw new Error(`no schema ${name}`);
  return validate;
}

/** Ajv's errors, one per line, where they are in the document. */
export function describeErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? []).map((error) =>
    `${error.instancePath || "/"} ${error.message} ${JSON.stringify(error.params)}`
  ).join("\n");
}

/** Fails unless `document` is valid against `name`'s schema; `what` says which output it is. */
export function assertValid(name: SchemaName, document: unknown, what: string = name): void {
  const validate = validator(name);
  if (!validate(document)) {
    throw new Error(
      `${what} does not match schemas/${name}.schema.json:\n${describeErrors(validate.errors)}\n` +
        JSON.stringify(document).slice(0, 2000),
    );
  }
}

/** Each line of JSON-lines `text`, parsed and checked against `name`'s schema. */
export function assertValidLines(name: SchemaName, text: string, what: string = name): unknown[] {
  const lines = text.split("\n").filter((line) => line !== "");
  return lines.map((line, index) => {
    const record = JSON.parse(line);
    assertValid(name, record, `${what}, line ${index + 1}`);
    return record;
  });
}
