/**
 * What the benchmark ran on, printed with the results: timings mean little without it.
 *
 * @module
 */

/** A description of the machine and the moment. */
export interface Machine {
  date: string;
  /** `uname -srm`. */
  system: string;
  cpu: string;
  /** `nproc`: the CPUs this process may run on. */
  cpus: number;
  deno: string;
}

async function run(argv: string[]): Promise<string> {
  try {
    const { stdout } = await new Deno.Command(argv[0], { args: argv.slice(1), stderr: "null" })
      .output();
    return new TextDecoder().decode(stdout).trim();
  } catch {
    return "unknown";
  }
}

/** The first `model name` of /proc/cpuinfo. */
async function cpuModel(): Promise<string> {
  try {
    const cpuinfo = await Deno.readTextFile("/proc/cpuinfo");
    return /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1].trim() ?? "unknown";
  } catch {
    return "unknown";
  }
}

/** Describes this machine now. */
export async function describeMachine(): Promise<Machine> {
  return {
    date: new Date().toISOString(),
    system: await run(["uname", "-srm"]),
    cpu: await cpuModel(),
    cpus: Number(await run(["nproc"])),
    deno: Deno.version.deno,
  };
}
