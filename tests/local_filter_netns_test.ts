/**
 * `--netns` selectors that name no namespace with a socket are said in the snapshot's warnings
 * (an attack run found a namespace named with a comma that no list could select, the report empty
 * and silent); a namespace's inode selects it whatever its name.
 */

import assert from "node:assert/strict";
import { filterSnapshot } from "../cli/local_filter.ts";
import type { LocalFilter } from "../cli/parse/local_filters.ts";
import type { NetworkNamespace } from "../model/endpoint.ts";
import { makeEndpoint, makeSnapshot } from "./support/endpoints.ts";

const host: NetworkNamespace = { inode: 4026531840, current: true, name: null, container: null };
const comma: NetworkNamespace = { inode: 4026532001, current: false, name: "a,b", container: null };
const web: NetworkNamespace = { inode: 4026532002, current: false, name: "web", container: null };

const snapshot = makeSnapshot([
  makeEndpoint({ localPort: 22, netns: host }),
  makeEndpoint({ localPort: 80, netns: comma }),
  makeEndpoint({ localPort: 443, netns: web }),
], { warnings: ["collected as root"] });

/** The filter of `--netns` with `namespaces` (as the parser splits them) alone. */
function byNamespace(namespaces: string[]): LocalFilter {
  return {
    listening: false,
    states: null,
    ports: null,
    pids: null,
    processes: null,
    protocols: null,
    keys: null,
    namespaces,
    description: `--netns ${namespaces.join(",")}`,
  };
}

Deno.test("a --netns selector that names no namespace with a socket is warned of; one that does is not", () => {
  // `--netns a,b` is the list a and b: neither is a namespace here.
  const split = filterSnapshot(snapshot, byNamespace(["a", "b", "web"]));
  assert.deepEqual(split.endpoints.map((endpoint) => endpoint.localPort), [443]);
  assert.equal(split.warnings[0], "collected as root");
  assert.equal(split.warnings.length, 3);
  assert.match(split.warnings[1], /^--netns 'a' names no network namespace with a socket/);
  assert.match(split.warnings[2], /^--netns 'b' names no/);
  // Its inode selects it, with nothing to warn of.
  const byInode = filterSnapshot(snapshot, byNamespace([String(comma.inode)]));
  assert.deepEqual(byInode.endpoints.map((endpoint) => endpoint.localPort), [80]);
  assert.deepEqual(byInode.warnings, ["collected as root"]);
  const current = filterSnapshot(snapshot, byNamespace(["current"]));
  assert.deepEqual(current.warnings, ["collected as root"]);
});
