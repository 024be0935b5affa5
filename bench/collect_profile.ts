/**
 * Where the time of one `portset -local --json` goes, measured inside a fresh process with
 * performance.now(): the benchmark runs this script the way it runs portset and subtracts.
 *
 * Two modes, each in its own process so that every phase is measured cold, as the CLI runs it:
 * - `pipeline` does what `main.ts -local --json` does (import, collect once, format, write to
 *   /dev/null), then collects once more to show what JIT warm-up is worth;
 * - `split` loads libc and runs the collector's two kernel-facing halves alone, one after the
 *   other on one thread: the sock_diag dump, the /proc fd scan, and the kernel's fd iterator
 *   (its program's loading, then its walk). collectOnce runs the dump's kernel work on Deno's
 *   blocking pool while it finds the owners (with the iterator as root on a busy host), so these
 *   do not add up in it.
 *
 * It imports nothing statically, so that the first timestamp is taken before any portset module
 * loads. Usage: deno run --allow-all collect_profile.ts --mode pipeline|split --out FILE
 *
 * @module
 */

/** Milliseconds from the runtime's time origin to the first statement of this module. */
const firstStatementMs = performance.now();

/** The timings of one mode, milliseconds, with the counts that explain them. */
export type Profile = Record<string, number>;

/** A profile, and `lap(name)` recording under `name` the time since the previous lap. */
function startProfile(): { profile: Profile; lap: (name: string) => void } {
  const profile: Profile = { firstStatementMs };
  let mark = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    profile[name] = now - mark;
    mark = now;
  };
  return { profile, lap };
}

async function pipeline(): Promise<Profile> {
  const { profile, lap } = startProfile();
  const [{ collectOnce }, { jsonChunks }] = await Promise.all([
    import("../collectors/platform.ts"),
    import("../outputs/json.ts"),
  ]);
  lap("importMs");
  const snapshot = await collectOnce({ modules: false });
  lap("collectMs");
  // As the CLI does it: JSON built in chunks, each encoded into one buffer and written.
  const encoder = new TextEncoder();
  using sink = Deno.openSync("/dev/null", { write: true });
  let jsonBytes = 0, buffer = new Uint8Array(0);
  for (const chunk of jsonChunks(snapshot)) {
    if (buffer.length < chunk.length * 3) buffer = new Uint8Array(chunk.length * 3);
    const bytes = buffer.subarray(0, encoder.encodeInto(chunk, buffer).written);
    for (let written = 0; written < bytes.length;) {
      written += sink.writeSync(bytes.subarray(written));
    }
    jsonBytes += bytes.length;
  }
  lap("jsonMs");
  profile.inProcessTotalMs = performance.now();
  await collectOnce({ modules: false });
  lap("collectWarmMs");
  profile.endpoints = snapshot.endpoints.length;
  profile.jsonBytes = jsonBytes;
  return profile;
}

async function split(): Promise<Profile> {
  const { profile, lap } = startProfile();
  const [{ loadLibc }, { SockDiag }, { scanSocketOwners }, { BpfOwnerScan }] = await Promise.all([
    import("../collectors/linux/ffi.ts"),
    import("../collectors/linux/sock_diag.ts"),
    import("../collectors/linux/proc_owners.ts"),
    import("../collectors/linux/bpf_owners.ts"),
  ]);
  lap("importMs");
  const libc = loadLibc();
  lap("loadLibcMs");
  const diag = new SockDiag(libc);
  const dumps = diag.dumpAll(String); // loopback sockets have no scope to name
  diag.close();
  lap("sockDiagDumpMs");
  const owners = scanSocketOwners(libc);
  lap("procFdScanMs");
  try {
    const iterator = BpfOwnerScan.open(libc);
    lap("bpfLoadMs");
    iterator.scan();
    lap("bpfScanMs");
    iterator.close();
  } catch {
    // not root, or no BTF: the report says the iterator was not measured
  }
  profile.sockets = dumps.reduce((sum, dump) => sum + dump.sockets.length, 0);
  profile.ownedInodes = owners.size;
  profile.fdsScanned = countFileDescriptors();
  return profile;
}

/** Every `/proc/<pid>/fd` entry: the number of readlink calls the owner scan makes. */
function countFileDescriptors(): number {
  let count = 0;
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      for (const _ of Deno.readDirSync(`/proc/${entry.name}/fd`)) count++;
    } catch {
      // exited, or not ours to read
    }
  }
  return count;
}

/** `--mode M --out F`, parsed by hand: loading node:util would add its own start-up to the profile. */
function parseCommandLine(args: readonly string[]): { mode: string; out: string } | null {
  if (args.length !== 4 || args[0] !== "--mode" || args[2] !== "--out") return null;
  const [, mode, , out] = args;
  return mode === "pipeline" || mode === "split" ? { mode, out } : null;
}

if (import.meta.main) {
  const command = parseCommandLine(Deno.args);
  if (!command) {
    console.error("usage: collect_profile.ts --mode pipeline|split --out FILE");
    Deno.exit(2);
  }
  const profile = command.mode === "pipeline" ? await pipeline() : await split();
  Deno.writeTextFileSync(command.out, JSON.stringify(profile));
}
