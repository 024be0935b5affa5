/**
 * collectors/linux/btf.ts against the kernel's own tool for the same format: `bpftool btf dump`
 * (Debian's bpftool) reads /sys/kernel/btf/vmlinux, and the ids and member offsets portset finds
 * must be the ones it prints, anonymous unions included. CI installs bpftool; a host without it,
 * or without BTF, skips with a message.
 */

import assert from "node:assert/strict";
import { Bpf } from "../collectors/linux/bpf.ts";
import {
  BTF_KIND_FUNC,
  BTF_KIND_STRUCT,
  findTypeIds,
  KernelTypes,
} from "../collectors/linux/btf.ts";
import { loadLibc } from "../collectors/linux/ffi.ts";
import { exists, isRoot } from "./support/processes.ts";

const BPFTOOL = ["/usr/sbin/bpftool", "/usr/bin/bpftool"].find(exists);
const ready = isRoot() && exists("/sys/kernel/btf/vmlinux") && BPFTOOL !== undefined;
if (!ready) {
  console.error(
    "btf_test: skipped: needs root, /sys/kernel/btf/vmlinux and bpftool (apt-get install bpftool)",
  );
}

interface DumpedType {
  kind: string;
  name: string;
  members: { name: string; type: number; bits: number; bitfield: boolean }[];
}

/** bpftool's raw dump of vmlinux, by type id. */
async function bpftoolTypes(): Promise<Map<number, DumpedType>> {
  const output = await new Deno.Command(BPFTOOL!, {
    args: ["btf", "dump", "file", "/sys/kernel/btf/vmlinux", "format", "raw"],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  assert.ok(output.success, "bpftool btf dump");
  const types = new Map<number, DumpedType>();
  let current: DumpedType | null = null;
  for (const line of new TextDecoder().decode(output.stdout).split("\n")) {
    const header = /^\[(\d+)\] (\w+) '([^']*)'/.exec(line);
    if (header) {
      current = { kind: header[2], name: header[3], members: [] };
      types.set(Number(header[1]), current);
      continue;
    }
    const member = /^\t'([^']*)' type_id=(\d+) bits_offset=(\d+)( bitfield_size=\d+)?/.exec(line);
    if (member && current) {
      current.members.push({
        name: member[1],
        type: Number(member[2]),
        bits: Number(member[3]),
        bitfield: member[4] !== undefined,
      });
    }
  }
  return types;
}

/** The first id bpftool lists for `name` of `kind`, as the kernel's lookup finds it. */
function firstId(types: Map<number, DumpedType>, kind: string, name: string): number {
  for (const [id, type] of types) if (type.kind === kind && type.name === name) return id;
  return -1;
}

Deno.test({
  name: "type ids and member offsets are those bpftool btf dump prints, through anonymous unions",
  ignore: !ready,
  async fn() {
    const dumped = await bpftoolTypes();
    const structs = ["file", "inode", "task_struct", "sock_common", "sk_buff"];
    const bpf = Bpf.open(loadLibc())!;
    const ids = findTypeIds(bpf, [
      { name: "bpf_iter_task_file", kind: BTF_KIND_FUNC },
      ...structs.map((name) => ({ name, kind: BTF_KIND_STRUCT })),
    ]);
    assert.deepEqual(ids, [
      firstId(dumped, "FUNC", "bpf_iter_task_file"),
      ...structs.map((name) => firstId(dumped, "STRUCT", name)),
    ]);
    const types = KernelTypes.open();
    try {
      let checked = 0, nested = 0;
      for (const [index, name] of structs.entries()) {
        const id = ids[index + 1];
        for (const member of dumped.get(id)!.members) {
          if (member.bitfield) continue;
          if (member.name !== "(anon)") {
            assert.equal(
              types.member(id, member.name).offset,
              member.bits / 8,
              `${name}.${member.name}`,
            );
            checked++;
            continue;
          }
          // A member of an anonymous union or structure (through no typedef: anonymous ones
          // are named by nothing), at its own offset plus the union's.
          const inner = dumped.get(member.type)!;
          for (const field of inner.members) {
            if (field.bitfield || field.name === "(anon)") continue;
            // The struct's own member of that name, if any, comes first in a search.
            if (dumped.get(id)!.members.some((m) => m.name === field.name)) continue;
            assert.equal(
              types.member(id, field.name).offset,
              (member.bits + field.bits) / 8,
              `${name}.(anon).${field.name}`,
            );
            nested++;
          }
        }
      }
      assert.ok(checked > 200 && nested > 5, `${checked} members, ${nested} in anonymous ones`);
      // Sizes: through typedefs (pid_t, umode_t) and pointers.
      assert.equal(types.member(ids[3], "tgid").size, 4);
      assert.equal(types.member(ids[2], "i_mode").size, 2);
      assert.equal(types.member(ids[1], "f_inode").size, 8);
      assert.throws(() => types.member(ids[1], "no_such_member"), /no member no_such_member/);
    } finally {
      types.close();
    }
  },
});
