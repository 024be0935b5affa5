/**
 * Names for numbers: user names for uids (libc's getpwuid_r, so NSS sources such as LDAP count)
 * and interface names for interface indexes (if_indextoname). Both cached for the collector's life.
 *
 * @module
 */

import { HOST_LITTLE_ENDIAN, type Libc } from "./ffi.ts";

const PASSWD_STRUCT_SIZE = 64; // struct passwd is 48 bytes on LP64; a little slack costs nothing
const IF_NAMESIZE = 16;

/** Looks up user names by uid, once per uid. */
export class UserNames {
  #libc: Libc;
  #cache = new Map<number, string>();
  #passwd = new Uint8Array(PASSWD_STRUCT_SIZE);
  #strings = new Uint8Array(16 * 1024);
  #result = new Uint8Array(8);

  constructor(libc: Libc) {
    this.#libc = libc;
  }

  /** Forgets every name: users are renamed and removed while a monitor runs. */
  clear(): void {
    this.#cache.clear();
  }

  /** The user's name, or the uid as text when no user database knows it. */
  name(uid: number): string {
    let name = this.#cache.get(uid);
    if (name === undefined) {
      name = this.#lookup(uid) ?? String(uid);
      this.#cache.set(uid, name);
    }
    return name;
  }

  #lookup(uid: number): string | null {
    this.#result.fill(0);
    const status = this.#libc.getpwuid_r(
      uid,
      this.#passwd,
      this.#strings,
      BigInt(this.#strings.length),
      this.#result,
    );
    const found = new DataView(this.#result.buffer).getBigUint64(0, HOST_LITTLE_ENDIAN);
    if (status !== 0 || found === 0n) return null;
    // pw_name is the first member of struct passwd.
    const namePointer = new DataView(this.#passwd.buffer).getBigUint64(0, HOST_LITTLE_ENDIAN);
    const pointer = Deno.UnsafePointer.create(namePointer);
    return pointer ? Deno.UnsafePointerView.getCString(pointer) : null;
  }
}

/** Looks up interface names by index, once per index. */
export class InterfaceNames {
  #libc: Libc;
  #cache = new Map<number, string>();
  #buffer = new Uint8Array(IF_NAMESIZE);

  constructor(libc: Libc) {
    this.#libc = libc;
  }

  /** Forgets every name: interfaces come, go and are renamed, and indexes are reused. */
  clear(): void {
    this.#cache.clear();
  }

  /** The interface's name, or its index as text when it has gone. */
  name = (index: number): string => {
    let name = this.#cache.get(index);
    if (name === undefined) {
      this.#buffer.fill(0);
      const found = this.#libc.if_indextoname(index, this.#buffer);
      name = found
        ? new TextDecoder().decode(this.#buffer.subarray(0, this.#buffer.indexOf(0)))
        : String(index);
      this.#cache.set(index, name);
    }
    return name;
  };
}
