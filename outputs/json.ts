/**
 * `-local --json` (schemas/local.schema.json): one object with `endpoints` (the model's fields,
 * named as the CLI contract names them, plus `key`) and `processes` (services, and modules with
 * `-v`), in the layout every JSON output has (text/json_layout.ts).
 *
 * @module
 */

import {
  type Endpoint,
  endpointKey,
  type NetworkNamespace,
  type Snapshot,
} from "../model/endpoint.ts";
import { VERSION } from "../version.ts";

/**
 * The format `-local --json` declares. Version 2: the socket's uid is `socketUid` (it was `uid`,
 * beside the process's `user`, which it could contradict).
 */
const LOCAL_FORMAT = "portset-local/2";

/** Chunks of about this many characters keep memory flat however many endpoints there are. */
const CHUNK_SIZE = 64 * 1024;

/**
 * The JSON text of a snapshot in chunks, one endpoint or process per line so that large dumps
 * stay readable with `grep`. Written out chunk by chunk, a 16,000-socket dump never exists as one
 * string.
 */
export function* jsonChunks(snapshot: Snapshot): Generator<string> {
  const head = JSON.stringify({
    format: LOCAL_FORMAT,
    portset: VERSION,
    host: snapshot.host,
    time: snapshot.time,
    source: snapshot.source,
    warnings: snapshot.warnings,
  });
  const writer = new EndpointJsonWriter();
  let chunk = `${head.slice(0, -1)},\n"endpoints": [\n`;
  const endpoints = snapshot.endpoints;
  for (let index = 0; index < endpoints.length; index++) {
    chunk += (index === 0 ? "" : ",\n") + writer.write(endpoints[index]);
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

/** One endpoint as JSON. */
export function endpointJson(endpoint: Endpoint): string {
  return new EndpointJsonWriter().write(endpoint);
}

/**
 * Writes endpoints as JSON field by field: several times faster than `JSON.stringify` of a copy
 * of each object, which matters at 16,000 endpoints. The owner's fields are the same for every
 * socket of a process and are written once per pid. tests/json_test.ts checks the result against
 * `JSON.stringify` of the model, so the two cannot drift apart.
 */
class EndpointJsonWriter {
  #ownerFields = new Map<number, string>();
  /** Each namespace's JSON, written once: its endpoints share one object. */
  #namespaces = new Map<NetworkNamespace, string>();

  write(endpoint: Endpoint): string {
    const local = endpoint.localAddress, remote = endpoint.remoteAddress, state = endpoint.state;
    // Numeric addresses and the key made of one need quoting only when they carry a scope's
    // interface name (`fe80::1%eth0`); states are names of PortQry's. No pattern test for them.
    const key = local.includes("%")
      ? quote(endpointKey(endpoint))
      : `"${endpoint.protocol}/${local}/${endpoint.localPort}"`;
    return `{"protocol":"${endpoint.protocol}","localAddress":${quoteAddress(local)}` +
      `,"localPort":${endpoint.localPort},"remoteAddress":${
        remote === null ? "null" : quoteAddress(remote)
      }` +
      `,"remotePort":${endpoint.remotePort},"state":${state === null ? "null" : `"${state}"`}` +
      this.#owner(endpoint) +
      `,"inode":${endpoint.inode},"socketUid":${endpoint.socketUid}` +
      `,"receiveQueue":${endpoint.receiveQueue},"sendQueue":${endpoint.sendQueue}` +
      `,"interface":${quote(endpoint.interface)},"v6only":${endpoint.v6only}` +
      `,"created":${quote(endpoint.created)},"netns":${this.#namespace(endpoint.netns)}` +
      `,"key":${key}}`;
  }

  /** `{"inode":…,"name":…,"container":…,"current":…}`, or null where the OS has none. */
  #namespace(namespace: NetworkNamespace | undefined): string {
    if (namespace === undefined) return "null";
    let text = this.#namespaces.get(namespace);
    if (text === undefined) {
      const { inode, name, container, current } = namespace;
      text = JSON.stringify({ inode, name, container, current });
      this.#namespaces.set(namespace, text);
    }
    return text;
  }

  /** `,"pid":…,"process":…,"path":…,"user":…` and `owners` when several processes hold it. */
  #owner(endpoint: Endpoint): string {
    if (endpoint.pid === null || endpoint.owners) return ownerFields(endpoint);
    let fields = this.#ownerFields.get(endpoint.pid);
    if (fields === undefined) {
      fields = ownerFields(endpoint);
      this.#ownerFields.set(endpoint.pid, fields);
    }
    return fields;
  }
}

function ownerFields(endpoint: Endpoint): string {
  const owners = endpoint.owners ? `,"owners":${JSON.stringify(endpoint.owners)}` : "";
  return `,"pid":${endpoint.pid},"process":${quote(endpoint.process)}` +
    `,"path":${quote(endpoint.path)},"user":${quote(endpoint.user)}${owners}`;
}

/** A numeric address as a JSON string: quoted as it is unless it has a scope's name. */
function quoteAddress(address: string): string {
  return address.includes("%") ? quote(address) : `"${address}"`;
}

/** Printable ASCII other than `"` and `\`: text JSON takes as it is. */
const PLAIN = /^[ !#-[\]-~]*$/;

/** A JSON string (or null); plain text such as addresses, states and keys is quoted as is. */
function quote(value: string | null): string {
  if (value === null) return "null";
  return PLAIN.test(value) ? `"${value}"` : JSON.stringify(value);
}
