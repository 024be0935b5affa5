/**
 * `-local --json`: one object with `endpoints` (the model's fields, named as the CLI contract
 * names them, plus `key`) and `processes` (services, and modules with `-v`).
 *
 * @module
 */

import { type Endpoint, endpointKey, type Snapshot } from "../model/endpoint.ts";
import { VERSION } from "../version.ts";

/** Chunks of about this many characters keep memory flat however many endpoints there are. */
const CHUNK_SIZE = 64 * 1024;

/**
 * The JSON text of a snapshot in chunks, one endpoint or process per line so that large dumps
 * stay readable with `grep`. Written out chunk by chunk, a 16,000-socket dump never exists as one
 * string.
 */
export function* jsonChunks(snapshot: Snapshot): Generator<string> {
  const head = JSON.stringify({
    portset: VERSION,
    host: snapshot.host,
    time: snapshot.time,
    source: snapshot.source,
    warnings: snapshot.warnings,
  });
  let chunk = `${head.slice(0, -1)},\n"endpoints": [\n`;
  const endpoints = snapshot.endpoints;
  for (let index = 0; index < endpoints.length; index++) {
    chunk += (index === 0 ? "" : ",\n") + endpointJson(endpoints[index]);
    if (chunk.length >= CHUNK_SIZE) {
      yield chunk;
      chunk = "";
    }
  }
  yield chunk;
  chunk = `\n],\n"processes": [\n`;
  let first = true;
  for (const process of snapshot.processes.values()) {
    chunk += (first ? "" : ",\n") + JSON.stringify(process);
    first = false;
  }
  yield chunk + "\n]}\n";
}

/** The whole JSON text of a snapshot. */
export function formatJson(snapshot: Snapshot): string {
  return [...jsonChunks(snapshot)].join("");
}

/**
 * One endpoint as JSON, written field by field: several times faster than `JSON.stringify` of a
 * copy of the object, which matters at 16,000 endpoints. tests/json_test.ts checks it against
 * `JSON.stringify` of the model, so the two cannot drift apart.
 */
export function endpointJson(endpoint: Endpoint): string {
  const owners = endpoint.owners ? `,"owners":${JSON.stringify(endpoint.owners)}` : "";
  return `{"protocol":"${endpoint.protocol}","localAddress":${text(endpoint.localAddress)}` +
    `,"localPort":${endpoint.localPort},"remoteAddress":${text(endpoint.remoteAddress)}` +
    `,"remotePort":${endpoint.remotePort},"state":${text(endpoint.state)}` +
    `,"pid":${endpoint.pid},"process":${text(endpoint.process)},"path":${text(endpoint.path)}` +
    `,"user":${text(endpoint.user)}${owners},"inode":${endpoint.inode},"uid":${endpoint.uid}` +
    `,"receiveQueue":${endpoint.receiveQueue},"sendQueue":${endpoint.sendQueue}` +
    `,"interface":${text(endpoint.interface)},"created":${text(endpoint.created)}` +
    `,"key":${text(endpointKey(endpoint))}}`;
}

function text(value: string | null): string {
  return value === null ? "null" : JSON.stringify(value);
}
