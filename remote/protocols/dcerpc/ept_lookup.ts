/**
 * The NDR of the one call an endpoint mapper client makes, `ept_lookup` (C706 appendix O): its
 * [in] parameters, written, and its [out] parameters, read: the entry handle to continue from, the
 * map's entries with their towers, and the status. The same stub travels in a connection-oriented
 * request or a connectionless one.
 *
 * @module
 */

import { CONTEXT_HANDLE_SIZE, RPC_C_EP_ALL_ELTS, RPC_C_VERS_ALL } from "./constants.ts";
import { cString, DceRpcError, Reader, Writer } from "./wire.ts";

/**
 * The [in] parameters of `ept_lookup` (C706 appendix O), NDR: inquiry_type RPC_C_EP_ALL_ELTS,
 * a null object pointer and a null interface_id pointer (a 0 referent each), vers_option
 * RPC_C_VERS_ALL, the 20-byte entry_handle (nil on the first call, the returned one after), and
 * max_ents. 40 bytes, all 4-aligned.
 */
export function encodeEptLookup(entryHandle: Uint8Array, maxEntries: number): Uint8Array {
  if (entryHandle.length !== CONTEXT_HANDLE_SIZE) {
    throw new DceRpcError(`a ${entryHandle.length}-byte context handle`);
  }
  return new Writer(40)
    .u32(RPC_C_EP_ALL_ELTS)
    .u32(0)
    .u32(0)
    .u32(RPC_C_VERS_ALL)
    .put(entryHandle)
    .u32(maxEntries)
    .bytes;
}

/**
 * ept_max_annotation_size (C706 appendix O): an annotation is a `char[64]`, its NUL included. A
 * longer one is not an endpoint mapper's; read as one, a hostile server's reply made lines of
 * hundreds of kilobytes, call after call.
 */
const MAX_ANNOTATION_BYTES = 64;

/** One element of the endpoint map as `ept_lookup` returns it. */
export interface EptEntry {
  object: string;
  /** The protocol tower's octets, or null for a null tower pointer. */
  tower: Uint8Array | null;
  /** The annotation, without its terminating NUL. */
  annotation: string;
}

/** What one `ept_lookup` call returned. */
export interface EptLookupReply {
  /** Pass it to the next call; nil when the server has nothing more. */
  entryHandle: Uint8Array;
  entries: EptEntry[];
  /** 0, or EPT_S_NOT_REGISTERED when the map is exhausted (possibly with entries), or a failure. */
  status: number;
}

/**
 * Reads `ept_lookup`'s [out] parameters: the entry_handle (20 bytes), num_ents, the entries as a
 * conformant varying array (max_count, offset, actual_count, then each ept_entry_t: the object
 * UUID, a tower pointer's referent id, the annotation as a varying string: offset, length, bytes)
 * with the towers deferred after it (each: its conformance, tower_length, the octets), and last
 * the status. Towers behind a referent id seen before are shared, as full pointers allow.
 */
export function decodeEptLookupReply(stub: Uint8Array, littleEndian = true): EptLookupReply {
  const reader = new Reader(stub, littleEndian, "the ept_lookup reply");
  const entryHandle = reader.take(CONTEXT_HANDLE_SIZE, "the entry handle").slice();
  const count = reader.u32("num_ents");
  const maxCount = reader.u32("the entries' max_count");
  const offset = reader.u32("the entries' offset");
  const actualCount = reader.u32("the entries' actual_count");
  if (offset !== 0) throw new DceRpcError(`the ept_lookup reply's entries start at ${offset}`);
  if (actualCount !== count || actualCount > maxCount) {
    throw new DceRpcError(
      `the ept_lookup reply says ${count} entries, its array ${actualCount} of ${maxCount}`,
    );
  }
  // Each entry takes at least 28 bytes: a count beyond what the reply holds is a lie, found
  // before it sizes anything.
  if (actualCount * 28 > stub.length) {
    throw new DceRpcError(`the ept_lookup reply says ${count} entries in ${stub.length} bytes`);
  }
  const shells: { object: string; referent: number; annotation: string }[] = [];
  for (let i = 0; i < actualCount; i++) {
    reader.align(4);
    const object = reader.uuid("an entry's object");
    const referent = reader.u32("an entry's tower pointer");
    const annotationOffset = reader.u32("an annotation's offset");
    const annotationLength = reader.u32("an annotation's length");
    if (annotationOffset !== 0) {
      throw new DceRpcError(`an annotation starting at offset ${annotationOffset}`);
    }
    if (annotationLength > MAX_ANNOTATION_BYTES) {
      throw new DceRpcError(
        `an annotation of ${annotationLength} bytes (at most ${MAX_ANNOTATION_BYTES})`,
      );
    }
    const annotation = cString(reader.take(annotationLength, "an annotation"));
    shells.push({ object, referent, annotation });
  }
  const towers = new Map<number, Uint8Array>();
  const entries = shells.map(({ object, referent, annotation }): EptEntry => {
    if (referent === 0) return { object, tower: null, annotation };
    let tower = towers.get(referent);
    if (!tower) {
      reader.align(4);
      const conformance = reader.u32("a tower's size");
      const length = reader.u32("a tower's length");
      if (conformance !== length) {
        throw new DceRpcError(`a tower of ${length} bytes in an array of ${conformance}`);
      }
      tower = reader.take(length, "a tower");
      towers.set(referent, tower);
    }
    return { object, tower, annotation };
  });
  reader.align(4);
  const status = reader.u32("the status");
  return { entryHandle, entries, status };
}

/** Whether a context handle is the nil one (all 20 bytes zero). */
export function isNilHandle(handle: Uint8Array): boolean {
  return handle.every((byte) => byte === 0);
}
