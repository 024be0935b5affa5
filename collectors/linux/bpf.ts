/**
 * The few eBPF commands the owner scan needs (bpf(2): load a program, run it once, attach an
 * iterator and open it), and an assembler for the short programs it loads.
 *
 * Layouts are `union bpf_attr`'s and `struct bpf_insn`'s from linux/bpf.h; numbers are the
 * kernel's own and never change once released.
 *
 * @module
 */

import { errnoCell, type FdScanLibc, HOST_LITTLE_ENDIAN } from "./ffi.ts";

/** enum bpf_cmd */
const BPF_PROG_LOAD = 5, BPF_PROG_TEST_RUN = 10, BPF_LINK_CREATE = 28, BPF_ITER_CREATE = 33;
/** enum bpf_prog_type */
export const BPF_PROG_TYPE_TRACING = 26, BPF_PROG_TYPE_SYSCALL = 31;
/** enum bpf_attach_type */
export const BPF_TRACE_ITER = 28;
/** BPF_PROG_LOAD's prog_flags: the program may sleep (required of syscall programs). */
export const BPF_F_SLEEPABLE = 1 << 4;

/** The system call numbers of bpf(2) and read(2), by architecture; elsewhere, none. */
const SYSCALLS: Partial<Record<typeof Deno.build.arch, { bpf: bigint; read: bigint }>> = {
  x86_64: { bpf: 321n, read: 0n },
  aarch64: { bpf: 280n, read: 63n },
};

/**
 * The licence the programs declare to the kernel: theirs is the project's, offered under the GPL
 * as well, which the kernel asks of a program calling its GPL-only helpers (bpf_seq_write).
 */
const LICENSE = new TextEncoder().encode("Dual MIT/GPL\0");

/** A bpf(2) call the kernel refused, with its errno and, for a load, the verifier's log. */
export class BpfError extends Error {
  override name = "BpfError";
  /** The errno of the refusal: EPERM without CAP_BPF, EINVAL where the kernel lacks a feature. */
  readonly errno: number;

  constructor(message: string, errno: number) {
    super(message);
    this.errno = errno;
  }
}

/** What a program needs to load. */
export interface ProgramSpec {
  /** enum bpf_prog_type */
  type: number;
  instructions: BpfAssembler;
  /** enum bpf_attach_type, for programs attached to something (an iterator). */
  attachType?: number;
  /** The kernel BTF id of what the program attaches to (an iterator's `bpf_iter_*` function). */
  attachBtfId?: number;
  /** prog_flags */
  flags?: number;
}

/** bpf(2) through libc's `syscall`, on the calling thread. */
export class Bpf {
  #libc: FdScanLibc;
  #errno: Int32Array;
  #numbers: { bpf: bigint; read: bigint };

  private constructor(libc: FdScanLibc, numbers: { bpf: bigint; read: bigint }) {
    this.#libc = libc;
    this.#errno = errnoCell(libc);
    this.#numbers = numbers;
  }

  /** bpf(2) on this machine; null on an architecture whose system call numbers are not known. */
  static open(libc: FdScanLibc): Bpf | null {
    // The assembler writes registers in little-endian order, and Deno runs on no other.
    const numbers = SYSCALLS[Deno.build.arch];
    return numbers && HOST_LITTLE_ENDIAN ? new Bpf(libc, numbers) : null;
  }

  /**
   * Loads a program; returns its fd. A refusal is asked again with the verifier's log, whose
   * last line says why: asked for from the start, the log is written for an accepted program
   * too, and one that outgrows its buffer fails the load (ENOSPC).
   */
  loadProgram(spec: ProgramSpec): number {
    const instructions = spec.instructions.bytes();
    const attr = new Attr(128)
      .u32(0, spec.type)
      .u32(4, instructions.length / 8)
      .pointer(8, instructions)
      .pointer(16, LICENSE)
      .u32(44, spec.flags ?? 0)
      .u32(68, spec.attachType ?? 0)
      .u32(108, spec.attachBtfId ?? 0);
    const fd = this.#call(BPF_PROG_LOAD, attr);
    if (fd >= 0) return fd;
    const errno = this.#errno[0];
    const log = new Uint8Array(LOG_BYTES);
    attr.u32(24, 1).u32(28, log.length).pointer(32, log); // log_level 1: the verifier's steps
    const again = this.#call(BPF_PROG_LOAD, attr);
    if (again >= 0) return again; // refused for a passing reason (memory, a signal)
    const end = log.indexOf(0);
    const reason = new TextDecoder().decode(log.subarray(0, end < 0 ? log.length : end)).trim();
    throw new BpfError(
      `the kernel refused an eBPF program (errno ${errno})${reason ? `: ${lastLine(reason)}` : ""}`,
      errno,
    );
  }

  /**
   * Runs a syscall program once (BPF_PROG_TEST_RUN) with `context` as its context, which the
   * kernel copies back with what the program wrote; returns the program's return value.
   */
  run(programFd: number, context: Uint8Array<ArrayBuffer>): number {
    const attr = new Attr(80).u32(0, programFd).u32(40, context.length).pointer(48, context);
    this.#check(this.#call(BPF_PROG_TEST_RUN, attr), "run an eBPF program");
    return attr.view.getInt32(4, HOST_LITTLE_ENDIAN);
  }

  /** Attaches an iterator program (BPF_LINK_CREATE); returns the link's fd. */
  attachIterator(programFd: number): number {
    const attr = new Attr(64).u32(0, programFd).u32(8, BPF_TRACE_ITER);
    return this.#check(this.#call(BPF_LINK_CREATE, attr), "attach an eBPF iterator");
  }

  /** Opens one walk of an attached iterator (BPF_ITER_CREATE); returns the fd to read it from. */
  openIterator(linkFd: number): number {
    return this.#check(
      this.#call(BPF_ITER_CREATE, new Attr(16).u32(0, linkFd)),
      "open an iterator",
    );
  }

  /**
   * Reads `fd` to its end into `buffer`, made larger as needed; returns the buffer and the number
   * of bytes read.
   */
  readAll(fd: number, buffer: Uint8Array<ArrayBuffer>): [Uint8Array<ArrayBuffer>, number] {
    let used = 0;
    for (;;) {
      if (buffer.length - used < READ_AT_LEAST) {
        const larger = new Uint8Array(buffer.length * 2);
        larger.set(buffer.subarray(0, used));
        buffer = larger;
      }
      const room = buffer.subarray(used);
      const count = Number(this.#libc.syscall(this.#numbers.read, fd, room, BigInt(room.length)));
      if (count === 0) return [buffer, used];
      // A signal (V8's profiler, the monitor's SIGTERM handler) interrupts a walk between two
      // files; and the kernel ends a read with EAGAIN once it has visited 1,000,000 objects
      // (open files) without writing one record (MAX_ITER_OBJECTS in kernel/bpf/bpf_iter.c), as
      // past a million dup()ed descriptors of one file. Either way the read takes up where it
      // stopped, at the object it had not shown.
      if (count < 0 && (this.#errno[0] === EINTR || this.#errno[0] === EAGAIN)) continue;
      used += this.#check(count, "read an eBPF iterator");
    }
  }

  /** Closes an fd a call above returned. */
  close(fd: number): void {
    this.#libc.close(fd);
  }

  /**
   * One bpf(2) command. The verifier gives up with EAGAIN when a signal arrives while it checks
   * a program (V8's profiler sends one every 50 µs to 1 ms); like libbpf, it is asked again.
   */
  #call(command: number, attr: Attr): number {
    for (let attempt = 1;; attempt++) {
      const result = Number(
        this.#libc.syscall(this.#numbers.bpf, command, attr.bytes, BigInt(attr.bytes.length)),
      );
      const errno = this.#errno[0];
      if (result >= 0 || attempt === RETRIES || (errno !== EAGAIN && errno !== EINTR)) {
        return result;
      }
    }
  }

  #check(result: number, what: string): number {
    if (result >= 0) return result;
    const errno = this.#errno[0];
    throw new BpfError(`cannot ${what} (errno ${errno})`, errno);
  }
}

const EINTR = 4, EAGAIN = 11;
/** Attempts at a bpf(2) command that a signal interrupted. */
const RETRIES = 10;

/** The verifier's log of a refused program: the programs here verify in a few hundred steps. */
const LOG_BYTES = 256 * 1024;

/** Room left in a read buffer below which it is made larger: a page of seq_file output. */
const READ_AT_LEAST = 64 * 1024;

/** The verifier's log ends with its reason; the line before the statistics it appends. */
function lastLine(log: string): string {
  const lines = log.split("\n").filter((line) => line && !line.startsWith("processed "));
  return lines[lines.length - 1] ?? log;
}

/** A `union bpf_attr`, zeroed, filled field by field; pointers keep their buffers alive. */
class Attr {
  readonly bytes: Uint8Array<ArrayBuffer>;
  readonly view: DataView;
  #kept: Uint8Array[] = [];

  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }

  u32(offset: number, value: number): this {
    this.view.setUint32(offset, value, HOST_LITTLE_ENDIAN);
    return this;
  }

  pointer(offset: number, buffer: Uint8Array<ArrayBuffer>): this {
    this.#kept.push(buffer);
    const address = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(buffer)));
    this.view.setBigUint64(offset, address, HOST_LITTLE_ENDIAN);
    return this;
  }
}

/** An eBPF register, r0 to r10 (r10: the read-only frame pointer). */
export type Register = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10;

/** The width of a memory access, in bytes. */
export type AccessSize = 1 | 2 | 4 | 8;

/** BPF_SIZE bits of a load or store opcode, by width. */
const SIZE_BITS: Record<AccessSize, number> = { 1: 0x10, 2: 0x08, 4: 0x00, 8: 0x18 };
/** Instruction classes and operations (linux/bpf_common.h, linux/bpf.h). */
const LDX_MEM = 0x61, ST_MEM = 0x62, STX_MEM = 0x63;
const ALU64_ADD_K = 0x07, ALU64_AND_K = 0x57, ALU64_MOV_K = 0xb7, ALU64_MOV_X = 0xbf;
const JMP_JEQ_K = 0x15, JMP_JNE_K = 0x55, JMP_JNE_X = 0x5d, JMP_CALL = 0x85, JMP_EXIT = 0x95;

/**
 * Writes eBPF instructions (`struct bpf_insn`: opcode, dst and src registers, 16-bit offset,
 * 32-bit immediate), with named labels for forward jumps.
 */
export class BpfAssembler {
  #words: number[] = [];
  #labels = new Map<string, number>();
  #jumps: { at: number; label: string }[] = [];

  /** dst = src */
  move(dst: Register, src: Register): this {
    return this.#emit(ALU64_MOV_X, dst, src, 0, 0);
  }

  /** dst = imm */
  set(dst: Register, imm: number): this {
    return this.#emit(ALU64_MOV_K, dst, 0, 0, imm);
  }

  /** dst += imm */
  add(dst: Register, imm: number): this {
    return this.#emit(ALU64_ADD_K, dst, 0, 0, imm);
  }

  /** dst &= imm */
  and(dst: Register, imm: number): this {
    return this.#emit(ALU64_AND_K, dst, 0, 0, imm);
  }

  /** dst = *(size *)(src + offset) */
  load(size: AccessSize, dst: Register, src: Register, offset: number): this {
    return this.#emit(LDX_MEM | SIZE_BITS[size], dst, src, offset, 0);
  }

  /** *(size *)(dst + offset) = src */
  store(size: AccessSize, dst: Register, offset: number, src: Register): this {
    return this.#emit(STX_MEM | SIZE_BITS[size], dst, src, offset, 0);
  }

  /** *(u32 *)(dst + offset) = imm */
  storeWord(dst: Register, offset: number, imm: number): this {
    return this.#emit(ST_MEM | SIZE_BITS[4], dst, 0, offset, imm);
  }

  /** if (dst == imm) goto label */
  jumpIfEqual(dst: Register, imm: number, label: string): this {
    return this.#jump(JMP_JEQ_K, dst, 0, imm, label);
  }

  /** if (dst != imm) goto label */
  jumpIfNotEqual(dst: Register, imm: number, label: string): this {
    return this.#jump(JMP_JNE_K, dst, 0, imm, label);
  }

  /** if (dst != src) goto label */
  jumpIfNotEqualRegister(dst: Register, src: Register, label: string): this {
    return this.#jump(JMP_JNE_X, dst, src, 0, label);
  }

  /** r0 = helper(r1, ..., r5) */
  call(helper: number): this {
    return this.#emit(JMP_CALL, 0, 0, 0, helper);
  }

  /** return r0 */
  exit(): this {
    return this.#emit(JMP_EXIT, 0, 0, 0, 0);
  }

  /** Names the next instruction, for jumps to it. */
  label(name: string): this {
    this.#labels.set(name, this.#words.length / 2);
    return this;
  }

  /** The program as the kernel reads it, with every jump resolved. */
  bytes(): Uint8Array<ArrayBuffer> {
    const words = Int32Array.from(this.#words);
    for (const { at, label } of this.#jumps) {
      const target = this.#labels.get(label);
      if (target === undefined) throw new Error(`eBPF jump to an unknown label ${label}`);
      words[2 * at] = (words[2 * at] & 0xffff) | ((target - at - 1) << 16);
    }
    return new Uint8Array(words.buffer);
  }

  /** A conditional jump to `label`, its offset written by {@linkcode bytes}. */
  #jump(opcode: number, dst: number, src: number, imm: number, label: string): this {
    this.#jumps.push({ at: this.#words.length / 2, label });
    return this.#emit(opcode, dst, src, 0, imm);
  }

  #emit(opcode: number, dst: number, src: number, offset: number, imm: number): this {
    this.#words.push(opcode | (dst << 8) | (src << 12) | ((offset & 0xffff) << 16), imm | 0);
    return this;
  }
}
