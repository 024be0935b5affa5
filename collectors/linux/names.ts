/**
 * Names for numbers: user names for uids (libc's getpwuid_r, so NSS sources such as LDAP count)
 * and interface names for interface indexes: the current network namespace's by if_indextoname,
 * another namespace's by SIOCGIFNAME on a socket made in it. Each cached until cleared.
 *
 * @module
 */

import { HOST_LITTLE_ENDIAN, type Libc } from "./ffi.ts";

const PASSWD_STRUCT_SIZE = 64; // struct passwd is 48 bytes on LP64; a little slack costs nothing
const IF_NAMESIZE = 16;
/** SIOCGIFNAME, from <linux/sockios.h>: the name of the interface whose index `ifr_ifindex` holds. */
const SIOCGIFNAME = 0x8910n;
/** sizeof(struct ifreq) on Linux: `ifr_name[IFNAMSIZ]`, then a union of 24 bytes. */
const IFREQ_SIZE = 40;

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

/**
 * Looks up interface names by index in another network namespace than the thread's, once per
 * index until cleared. An index means nothing outside its namespace, and if_indextoname asks the
 * thread's; `ioctl(SIOCGIFNAME)` answers in the namespace of the socket it is made on, so the
 * names are asked of a socket made inside the namespace, by `openSocket` (which enters it), on
 * the first name asked for: a namespace with no link-local socket is never entered for this.
 */
export class NamespaceInterfaceNames {
  #libc: Libc;
  #openSocket: () => number;
  /** The socket asked; -1 before it is opened, or when opening it failed. */
  #fd = -1;
  #openFailed = false;
  #cache = new Map<number, string>();
  #request = new Uint8Array(IFREQ_SIZE);

  /**
   * `openSocket` makes a socket in the namespace and returns its descriptor, or -1 when it
   * cannot; these names close it.
   */
  constructor(libc: Libc, openSocket: () => number) {
    this.#libc = libc;
    this.#openSocket = openSocket;
  }

  /**
   * Forgets every name, and a failure to open the socket: interfaces come, go and are renamed,
   * and indexes are reused.
   */
  clear(): void {
    this.#cache.clear();
    this.#openFailed = false;
  }

  /** The interface's name, or its index as text when it has gone or cannot be asked. */
  name = (index: number): string => {
    let name = this.#cache.get(index);
    if (name === undefined) {
      name = this.#lookup(index) ?? String(index);
      this.#cache.set(index, name);
    }
    return name;
  };

  /** Closes the socket. */
  close(): void {
    if (this.#fd >= 0) this.#libc.close(this.#fd);
    this.#fd = -1;
  }

  #lookup(index: number): string | null {
    if (this.#fd < 0) {
      if (this.#openFailed) return null;
      this.#fd = this.#openSocket();
      if (this.#fd < 0) {
        this.#openFailed = true;
        return null;
      }
    }
    const request = this.#request;
    request.fill(0);
    // ifr_ifindex, an int, is the union's first member, after the name.
    new DataView(request.buffer).setInt32(IF_NAMESIZE, index, HOST_LITTLE_ENDIAN);
    if (this.#libc.ioctl(this.#fd, SIOCGIFNAME, request) !== 0) return null;
    const end = request.indexOf(0);
    return new TextDecoder().decode(
      request.subarray(0, end < 0 || end > IF_NAMESIZE ? IF_NAMESIZE : end),
    );
  }
}
