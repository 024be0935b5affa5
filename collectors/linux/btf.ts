/**
 * Where fields lie in the running kernel's own structures, from its BTF type information
 * (`/sys/kernel/btf/vmlinux`, linux/btf.h): a program that reads `file->f_inode` must be given the
 * offsets of this kernel's build.
 *
 * The kernel looks type ids up by name itself, in a syscall program run once
 * (bpf_btf_find_by_name_kind): walking vmlinux's 125,000 types here took 20 ms cold. The file is
 * then read only as far as the types asked about, and a member's name only where it is compared.
 *
 * @module
 */

import { type Bpf, BPF_F_SLEEPABLE, BPF_PROG_TYPE_SYSCALL, BpfAssembler } from "./bpf.ts";
import { HOST_LITTLE_ENDIAN } from "./ffi.ts";

/** BTF kinds (linux/btf.h). */
export const BTF_KIND_STRUCT = 4, BTF_KIND_FUNC = 12;
const BTF_KIND_INT = 1, BTF_KIND_PTR = 2, BTF_KIND_ARRAY = 3, BTF_KIND_UNION = 5;
const BTF_KIND_ENUM = 6, BTF_KIND_FUNC_PROTO = 13, BTF_KIND_VAR = 14, BTF_KIND_DATASEC = 15;
const BTF_KIND_DECL_TAG = 17, BTF_KIND_ENUM64 = 19;
/** Kinds that only name or qualify another type: typedef, volatile, const, restrict, type tag. */
const ALIAS_KINDS = new Set([8, 9, 10, 11, 18]);
/** long bpf_btf_find_by_name_kind(char *name, int name_sz, u32 kind, int flags) */
const HELPER_BTF_FIND_BY_NAME_KIND = 167;
/** The longest name a lookup takes, with its NUL: the stack slot it is written into. */
const NAME_SLOT = 32;
const VMLINUX = "/sys/kernel/btf/vmlinux";

/** A type to look up: its name and BTF kind. */
export interface TypeName {
  name: string;
  kind: number;
}

/** A member of a structure: its byte offset and size. */
export interface Member {
  offset: number;
  size: number;
}

/**
 * The kernel's BTF ids of `types` (each a positive id, or the negative errno of its lookup:
 * -ENOENT for a name the kernel does not have), found by the kernel in one program run.
 */
export function findTypeIds(bpf: Bpf, types: readonly TypeName[]): number[] {
  const program = new BpfAssembler().move(6, 1); // r6: the context, where results are written
  const encoder = new TextEncoder();
  types.forEach(({ name, kind }, index) => {
    const slot = new Uint8Array(NAME_SLOT);
    if (encoder.encodeInto(name, slot).written >= NAME_SLOT) throw new Error(`${name}: too long`);
    const words = new Int32Array(slot.buffer);
    for (let i = 0; i < words.length; i++) program.storeWord(10, -NAME_SLOT + 4 * i, words[i]);
    program.move(1, 10).add(1, -NAME_SLOT).set(2, name.length + 1).set(3, kind).set(4, 0)
      .call(HELPER_BTF_FIND_BY_NAME_KIND).store(4, 6, 4 * index, 0);
  });
  program.set(0, 0).exit();
  const fd = bpf.loadProgram({
    type: BPF_PROG_TYPE_SYSCALL,
    instructions: program,
    flags: BPF_F_SLEEPABLE,
  });
  try {
    const results = new Int32Array(types.length);
    bpf.run(fd, new Uint8Array(results.buffer));
    return [...results];
  } finally {
    bpf.close(fd);
  }
}

/** vmlinux's BTF, read as far as asked. */
export class KernelTypes {
  #file: Deno.FsFile;
  /** Where the type section and the string section start in the file. */
  #typesAt: number;
  #typesLength: number;
  #stringsAt: number;
  /** The type section read so far, as 32-bit words (every record is a whole number of them). */
  #words = new Uint32Array(0);
  /** Word index of each type walked so far, by id (id 0 is void). */
  #starts: number[] = [0];
  #nextWord = 0;

  private constructor(file: Deno.FsFile, header: DataView) {
    this.#file = file;
    const headerLength = header.getUint32(4, HOST_LITTLE_ENDIAN);
    this.#typesAt = headerLength + header.getUint32(8, HOST_LITTLE_ENDIAN);
    this.#typesLength = header.getUint32(12, HOST_LITTLE_ENDIAN);
    this.#stringsAt = headerLength + header.getUint32(16, HOST_LITTLE_ENDIAN);
  }

  /** Opens vmlinux's BTF; throws when the kernel has none (built without CONFIG_DEBUG_INFO_BTF). */
  static open(): KernelTypes {
    const file = Deno.openSync(VMLINUX);
    try {
      const header = new DataView(readAt(file, 0, 24).buffer);
      if (header.getUint16(0, HOST_LITTLE_ENDIAN) !== 0xeb9f) {
        throw new Error(`${VMLINUX} is not BTF in this machine's byte order`);
      }
      return new KernelTypes(file, header);
    } catch (error) {
      file.close();
      throw error;
    }
  }

  /**
   * The member `name` of structure `structId`, found also inside the anonymous structures and
   * unions it holds (where kernels move fields between releases); throws when it has none.
   */
  member(structId: number, name: string): Member {
    const found = this.#findMember(structId, name, 0);
    if (!found) throw new Error(`the kernel's type ${structId} has no member ${name}`);
    return found;
  }

  close(): void {
    this.#file.close();
  }

  /** `name` among `id`'s members, or in an anonymous structure or union among them. */
  #findMember(id: number, name: string, base: number): Member | null {
    const at = this.#start(id);
    const words = this.#words;
    const info = words[at + 1];
    const bitfields = info >>> 31 === 1;
    const count = info & 0xffff;
    const names: number[] = [];
    for (let i = 0; i < count; i++) names.push(words[at + 3 + 3 * i]);
    const matches = this.#namesEqual(names, name);
    for (let i = 0; i < count; i++) {
      const member = at + 3 + 3 * i;
      const type = this.#words[member + 1];
      const bits = bitfields ? this.#words[member + 2] & 0xffffff : this.#words[member + 2];
      const offset = base + bits / 8;
      if (matches[i]) return { offset, size: this.#size(type) };
      if (names[i] === 0) {
        const inner = this.#resolve(type);
        const kind = (this.#words[this.#start(inner) + 1] >>> 24) & 0x1f;
        if (kind === BTF_KIND_STRUCT || kind === BTF_KIND_UNION) {
          const found = this.#findMember(inner, name, offset);
          if (found) return found;
        }
      }
    }
    return null;
  }

  /** Which of the strings at `offsets` equal `name`: one read of the span they lie in. */
  #namesEqual(offsets: readonly number[], name: string): boolean[] {
    const wanted = new TextEncoder().encode(`${name}\0`);
    const named = offsets.filter((offset) => offset !== 0);
    if (named.length === 0) return offsets.map(() => false);
    const low = Math.min(...named), high = Math.max(...named) + wanted.length;
    const span = this.#read(this.#stringsAt + low, high - low);
    return offsets.map((offset) => {
      if (offset === 0) return false;
      for (let i = 0; i < wanted.length; i++) {
        if (span[offset - low + i] !== wanted[i]) return false;
      }
      return true;
    });
  }

  /** A type's size in bytes, through typedefs and qualifiers; pointers are 8. */
  #size(id: number): number {
    const resolved = this.#resolve(id);
    const at = this.#start(resolved);
    const kind = (this.#words[at + 1] >>> 24) & 0x1f;
    return kind === BTF_KIND_PTR ? 8 : this.#words[at + 2];
  }

  /** `id` through typedefs and qualifiers (const, volatile, restrict, type tags). */
  #resolve(id: number): number {
    for (;;) {
      const at = this.#start(id);
      if (!ALIAS_KINDS.has((this.#words[at + 1] >>> 24) & 0x1f)) return id;
      id = this.#words[at + 2];
    }
  }

  /** The word index of type `id`'s record, walking (and reading) the section as far as needed. */
  #start(id: number): number {
    while (this.#starts.length <= id) {
      while (this.#nextWord + 3 > this.#words.length) this.#readMoreTypes();
      const words = this.#words;
      let at = this.#nextWord;
      // A record's three words, then what its kind appends (vlen: the low 16 bits of info).
      this.#starts.push(at);
      const info = words[at + 1], kind = (info >>> 24) & 0x1f, count = info & 0xffff;
      at += 3;
      if (kind === BTF_KIND_INT || kind === BTF_KIND_VAR || kind === BTF_KIND_DECL_TAG) at += 1;
      else if (kind === BTF_KIND_ARRAY) at += 3;
      else if (
        kind === BTF_KIND_STRUCT || kind === BTF_KIND_UNION || kind === BTF_KIND_DATASEC ||
        kind === BTF_KIND_ENUM64
      ) at += 3 * count;
      else if (kind === BTF_KIND_ENUM || kind === BTF_KIND_FUNC_PROTO) at += 2 * count;
      this.#nextWord = at;
    }
    const end = id + 1 < this.#starts.length ? this.#starts[id + 1] : this.#nextWord;
    while (end > this.#words.length) this.#readMoreTypes();
    return this.#starts[id];
  }

  /** Reads twice as much of the type section as read so far (64 KiB at first). */
  #readMoreTypes(): void {
    const have = this.#words.length * 4;
    if (have >= this.#typesLength) throw new Error(`${VMLINUX}: a type lies past the section`);
    const length = Math.min(this.#typesLength, Math.max(64 * 1024, have * 2));
    this.#words = new Uint32Array(this.#read(this.#typesAt, length).buffer, 0, length / 4);
  }

  #read(position: number, length: number): Uint8Array<ArrayBuffer> {
    return readAt(this.#file, position, length);
  }
}

/** `length` bytes of `file` from `position` (sysfs hands a binary attribute out a page a read). */
function readAt(file: Deno.FsFile, position: number, length: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(length);
  file.seekSync(position, Deno.SeekMode.Start);
  for (let done = 0; done < length;) {
    const count = file.readSync(bytes.subarray(done));
    if (count === null) throw new Error(`${VMLINUX} ends early`);
    done += count;
  }
  return bytes;
}
