/**
 * `deno task bench:query`: how fast `portset -n` (the PortQry-style remote query) scans, against
 * nmap's TCP connect scan (`nmap -sT`, the fair peer: like PortQry and portset it makes full
 * connections through the kernel, no raw SYN packets) and OpenBSD netcat's `nc -z`, all in one run
 * on this machine.
 *
 * The bench itself holds the ports that should be found: `--listeners` TCP listeners (default 50)
 * on random ports, accepting and closing whatever connects, plus 5 UDP sockets, on two addresses:
 * 127.0.0.1, where a probe from an ephemeral port can reach its own socket (a scanner that does not
 * notice reports closed ports open), and a spare loopback address (`--address`, default
 * 127.0.0.77). For each it times, round-robin (`--rounds`, default 3):
 *
 * - every TCP port, 1-65535: `portset -n ADDR -r 1:65535 -nr -p tcp`, `nmap -n -Pn -sT -p1-65535
 *   --max-retries 2 ADDR`, `nc -z -w1 ADDR 1-65535`;
 * - a list (`-o`) of the listeners' ports and as many closed ones;
 * - UDP, a list of the 5 UDP ports and 5 closed ones: `portset -p udp -o`, `nmap -sU` (root only).
 *
 * Before timing, each command runs once with machine-readable output (`--json`, `-oG -`, `nc -v`)
 * and what it found must be the listeners opened: a port missed, or one reported open that is
 * neither ours nor another process's listener (`ss -tln`, before and after), fails the bench. The
 * report is a Markdown table per case of median wall time as a ratio to portset (command ÷
 * portset) and peak RSS (GNU time `%M`), then the targets against nmap, each PASS or FAIL: a full
 * TCP range in at most 1.0x nmap's wall time and at most 2x its peak memory, a UDP list no slower
 * than `nmap -sU`. nmap, netcat and GNU time are installed with apt-get when missing; a tool that
 * cannot be had is reported as skipped.
 *
 * @module
 */

import dgram from "node:dgram";
import type { Transport } from "../model/endpoint.ts";
import { describeMachine } from "./machine.ts";
import { progress } from "./progress.ts";
import { runRounds, type Timed } from "./rounds.ts";
import { median } from "./stats.ts";
import { ensureTool } from "./tools.ts";
import { scriptArgs } from "./script_args.ts";

const values = scriptArgs(
  "bench:query",
  "deno task bench:query [--rounds N] [--listeners N] [--address 127.x.y.z]",
  {
    rounds: { type: "string", default: "3" },
    listeners: { type: "string", default: "50" },
    address: { type: "string", default: "127.0.0.77" },
  },
);
const rounds = Number(values.rounds), listenerCount = Number(values.listeners);
/** 127.0.0.1, where self-connects happen, and a spare address where they cannot. */
const addresses = ["127.0.0.1", values.address];
if (!(rounds >= 1) || !(listenerCount >= 1 && listenerCount <= 1000)) {
  console.error("bench:query: --rounds must be at least 1, --listeners between 1 and 1000");
  Deno.exit(2);
}
if (Deno.build.os !== "linux") {
  console.error("bench:query: Linux only (loopback addresses beyond 127.0.0.1, ss, apt-get)");
  Deno.exit(2);
}

const REPO = new URL("../", import.meta.url).pathname;
const DENO = Deno.execPath();
const UDP_SOCKETS = 5;
const RUN_TIMEOUT_MS = 180_000;
const isRoot = Deno.uid() === 0;

// ---------------------------------------------------------------------------------------------
// Tools

const tools = {
  time: { name: "GNU time", probe: ["/usr/bin/time", "-f", "%M", "true"], aptPackage: "time" },
  nmap: { name: "nmap", probe: ["nmap", "--version"], aptPackage: "nmap" },
  nc: {
    name: "nc (OpenBSD netcat)",
    probe: ["sh", "-c", "nc -h 2>&1 | grep -q OpenBSD"],
    aptPackage: "netcat-openbsd",
  },
};
const timeMissing = await ensureTool(tools.time);
if (timeMissing) {
  console.error(`bench:query: GNU time ${timeMissing}`);
  Deno.exit(1);
}
const skipped = new Map<string, string>();
for (const key of ["nmap", "nc"] as const) {
  const why = await ensureTool(tools[key]);
  if (why) skipped.set(key, why);
}
for (const [key, why] of skipped) console.error(`bench:query: skipping ${key}: ${why}`);

// ---------------------------------------------------------------------------------------------
// The commands

/** A command timed, and the same query run once with output the bench can check. */
interface Contender extends Timed {
  /** What the ports it found open are read from. */
  check: { argv: string[]; parse: (stdout: string, stderr: string) => Set<number> };
}

/** A timed case: the commands, and the ports they must find open. */
interface Case {
  title: string;
  /** A full range, or a list of ports. */
  kind: "range" | "list";
  protocol: Transport;
  expected: Set<number>;
  /** For UDP: ports with no socket, which must read closed. */
  closed: number[];
  contenders: Contender[];
}

function portsetJson(state: string) {
  return (stdout: string) => {
    const report = JSON.parse(stdout) as { results: { port: number; state: string }[] };
    return new Set(report.results.filter((r) => r.state === state).map((r) => r.port));
  };
}

/** nmap's grepable output: `Host: A ()\tPorts: 2024/open/tcp//name///, ...`. */
function nmapOpen(state: string) {
  return (stdout: string) => {
    const open = new Set<number>();
    for (const match of stdout.matchAll(/(\d+)\/([a-z|]+)\/(tcp|udp)\//g)) {
      if (match[2] === state) open.add(Number(match[1]));
    }
    return open;
  };
}

/** `nc -zv`: `Connection to A P port [tcp/*] succeeded!` on stderr for each open port. */
function ncOpen(_stdout: string, stderr: string): Set<number> {
  return new Set(
    [...stderr.matchAll(/^Connection to \S+ (\d+) port .* succeeded!$/gm)].map((m) => Number(m[1])),
  );
}

const portsetArgv = (args: string[]) => [DENO, "run", "--allow-all", `${REPO}main.ts`, ...args];

/** Ports as the command line gives them; `shown` is what the table prints instead of a long list. */
interface PortArgs {
  portset: string[];
  nmap: string;
  nc: string[];
  shown?: { portset: string[]; nmap: string; nc: string[] };
}

// ---------------------------------------------------------------------------------------------
// The ports to find, and the commands, for one address

/** What the bench holds on one address, and the cases timed there. */
interface Target {
  address: string;
  cases: Case[];
  /** Ports other processes listen on there (wildcard or that address), before the bench began. */
  foreignBefore: Set<number>;
  shutdown(): void;
}

/** TCP ports on `address` that listeners of other processes cover (wildcard or that address). */
async function foreignListeners(address: string): Promise<Set<number>> {
  const { stdout } = await new Deno.Command("ss", { args: ["-Htln"], stderr: "null" }).output();
  const ports = new Set<number>();
  for (const line of new TextDecoder().decode(stdout).split("\n")) {
    const local = line.trim().split(/\s+/)[3];
    const match = local && /^(.*):(\d+)$/.exec(local);
    if (!match) continue;
    const host = match[1].replace(/%.*$/, "");
    if (["0.0.0.0", "*", "[::]", "[::ffff:0.0.0.0]", address].includes(host)) {
      ports.add(Number(match[2]));
    }
  }
  return ports;
}

function randomPort(): number {
  return 1024 + Math.floor(Math.random() * (65536 - 1024));
}

/** Opens the listeners and sockets on `address`, and makes its cases. */
async function prepare(address: string): Promise<Target> {
  const foreignBefore = await foreignListeners(address);
  const listeners: Deno.TcpListener[] = [];
  const tcpPorts = new Set<number>();
  while (tcpPorts.size < listenerCount) {
    const port = randomPort();
    if (tcpPorts.has(port) || foreignBefore.has(port)) continue;
    try {
      listeners.push(Deno.listen({ hostname: address, port, transport: "tcp" }));
      tcpPorts.add(port);
    } catch (error) {
      if (!(error instanceof Deno.errors.AddrInUse)) throw error;
    }
  }
  // Accept and drop every connection, so that no backlog fills up over the rounds.
  for (const listener of listeners) {
    (async () => {
      try {
        for await (const connection of listener) {
          try {
            connection.close();
          } catch {
            // reset by the prober already
          }
        }
      } catch {
        // closed at the end
      }
    })();
  }

  const udpSockets: dgram.Socket[] = [];
  const udpPorts = new Set<number>();
  while (udpPorts.size < UDP_SOCKETS) {
    const port = randomPort();
    if (udpPorts.has(port)) continue;
    const socket = dgram.createSocket("udp4");
    const bound = await new Promise<boolean>((resolve) => {
      socket.once("error", () => resolve(false));
      socket.bind(port, address, () => resolve(true));
    });
    if (bound) {
      socket.on("message", () => {}); // silent, as a service that ignores unknown datagrams
      udpSockets.push(socket);
      udpPorts.add(port);
    } else socket.close();
  }

  /** `count` random ports that nothing listens on, for the `-o` cases. */
  function closedPorts(count: number, taken: Set<number>): number[] {
    const ports = new Set<number>();
    while (ports.size < count) {
      const port = randomPort();
      if (!taken.has(port) && !foreignBefore.has(port)) ports.add(port);
    }
    return [...ports];
  }
  const byNumber = (a: number, b: number) => a - b;
  const tcpList = [...tcpPorts, ...closedPorts(listenerCount, tcpPorts)].sort(byNumber);
  const udpList = [...udpPorts, ...closedPorts(UDP_SOCKETS, udpPorts)].sort(byNumber);
  progress(
    `holding ${tcpPorts.size} TCP listeners and ${udpPorts.size} UDP sockets on ${address}` +
      (foreignBefore.size ? `; other processes' wildcard listeners: ${[...foreignBefore]}` : ""),
  );

  function shutdown(): void {
    for (const listener of listeners) {
      try {
        listener.close();
      } catch {
        // already closed
      }
    }
    for (const socket of udpSockets) socket.close();
  }

  function tcpCase(title: string, kind: Case["kind"], ports: PortArgs): Case {
    const shown = ports.shown ?? ports;
    const portset = (p: string[]) => ["-n", address, ...p, "-nr", "-p", "tcp"];
    const nmap = (
      p: string,
    ) => ["nmap", "-n", "-Pn", "-sT", `-p${p}`, "--max-retries", "2", address];
    const nc = (p: string[]) => ["nc", "-z", "-w1", address, ...p];
    const contenders: Contender[] = [{
      name: `portset ${portset(shown.portset).join(" ")}`,
      argv: portsetArgv(portset(ports.portset)),
      check: {
        argv: portsetArgv([...portset(ports.portset), "--json"]),
        parse: portsetJson("LISTENING"),
      },
    }];
    if (!skipped.has("nmap")) {
      contenders.push({
        name: nmap(shown.nmap).join(" "),
        argv: nmap(ports.nmap),
        check: { argv: [...nmap(ports.nmap), "-oG", "-"], parse: nmapOpen("open") },
      });
    }
    if (!skipped.has("nc")) {
      contenders.push({
        name: nc(shown.nc).join(" "),
        argv: nc(ports.nc),
        check: { argv: ["nc", "-zv", ...nc(ports.nc).slice(2)], parse: ncOpen },
      });
    }
    return { title, kind, protocol: "tcp", expected: tcpPorts, closed: [], contenders };
  }

  const shortList = (ports: number[]) => `${ports.slice(0, 2).join(",")},…`;
  const cases: Case[] = [
    tcpCase(`${address}, TCP 1-65535`, "range", {
      portset: ["-r", "1:65535"],
      nmap: "1-65535",
      nc: ["1-65535"],
    }),
    tcpCase(`${address}, TCP list: ${listenerCount} open + ${listenerCount} closed ports`, "list", {
      portset: ["-o", tcpList.join(",")],
      nmap: tcpList.join(","),
      nc: tcpList.map(String),
      shown: { portset: ["-o", shortList(tcpList)], nmap: shortList(tcpList), nc: ["P1 P2 …"] },
    }),
  ];
  {
    const portset = ["-n", address, "-o", udpList.join(","), "-nr", "-p", "udp"];
    const udp: Case = {
      title: `${address}, UDP list: ${UDP_SOCKETS} silent sockets + ${UDP_SOCKETS} closed ports`,
      kind: "list",
      protocol: "udp",
      expected: udpPorts,
      closed: udpList.filter((port) => !udpPorts.has(port)),
      contenders: [{
        name: `portset -n ${address} -o ${shortList(udpList)} -nr -p udp`,
        argv: portsetArgv(portset),
        check: { argv: portsetArgv([...portset, "--json"]), parse: portsetJson("NOT LISTENING") },
      }],
    };
    if (!skipped.has("nmap") && isRoot) {
      const nmap = ["nmap", "-n", "-Pn", "-sU", `-p${udpList.join(",")}`, address];
      udp.contenders.push({
        name: `nmap -n -Pn -sU -p${shortList(udpList)} ${address}`,
        argv: nmap,
        check: { argv: [...nmap, "-oG", "-"], parse: nmapOpen("closed") },
      });
    } else if (!isRoot) skipped.set("nmap -sU", "needs root");
    cases.push(udp);
  }
  return { address, cases, foreignBefore, shutdown };
}

/**
 * What the runtime allows against the memory target: the peak memory of an empty `deno run` and
 * of portset's smallest query (one closed port of 127.0.0.1), each the largest of a few runs,
 * as multiples of nmap's full-range peak.
 */
async function runtimeFloor(nmapPeakMib: number): Promise<string> {
  const empty = { name: "empty", argv: [DENO, "run", "--allow-all", `${REPO}bench/noop.ts`] };
  const onePort = { name: "one port", argv: portsetArgv(["-n", "127.0.0.1", "-e", "1", "-nr"]) };
  const results = await runRounds([empty, onePort], { warmup: 1, rounds: 5, timeoutMs: 30_000 });
  const peak = (timed: typeof empty) => {
    const peaks = results.get(timed)!.filter((r) => r.ok).map((r) => r.maxRssKib);
    return peaks.length > 0 ? Math.max(...peaks) / 1024 : NaN; // NaN: every run failed
  };
  const times = (mib: number) => `${mib.toFixed(1)} MiB, ${(mib / nmapPeakMib).toFixed(2)}x`;
  return `what the runtime allows: an empty \`deno run\` peaks at ${times(peak(empty))} nmap's ` +
    `full-range peak; portset's smallest query (\`-n 127.0.0.1 -e 1 -nr\`) at ` +
    `${times(peak(onePort))}`;
}

// ---------------------------------------------------------------------------------------------
// Checking and timing

async function found(contender: Contender): Promise<Set<number>> {
  const [command, ...args] = contender.check.argv;
  const output = await new Deno.Command(command, {
    args,
    cwd: REPO,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  const stdout = decoder.decode(output.stdout), stderr = decoder.decode(output.stderr);
  if (!output.success) {
    throw new Error(`${contender.check.argv.join(" ")} failed:\n${stderr.slice(-500)}`);
  }
  return contender.check.parse(stdout, stderr);
}

const difference = (a: Set<number>, b: Set<number>) => [...a].filter((x) => !b.has(x));

/** Checks one contender's finding; a line on stderr, and false when it is wrong. */
async function check(target: Target, testCase: Case, contender: Contender): Promise<boolean> {
  const seen = await found(contender);
  let missed: number[], extra: number[];
  if (testCase.protocol === "tcp") {
    const allowed = new Set([
      ...testCase.expected,
      ...target.foreignBefore,
      ...await foreignListeners(target.address),
    ]);
    missed = difference(testCase.expected, seen);
    extra = difference(seen, allowed);
  } else {
    // UDP: a silent socket cannot be told from a dropped datagram, so check the closed ports:
    // every one, and nothing else, must read closed.
    const closed = new Set(testCase.closed);
    missed = difference(closed, seen);
    extra = difference(seen, closed);
  }
  const what = testCase.protocol === "tcp" ? "open" : "closed";
  if (missed.length === 0 && extra.length === 0) {
    const foreign = testCase.protocol === "tcp" ? difference(seen, testCase.expected) : [];
    const others = foreign.length ? ` (with other processes' listeners on ${foreign})` : "";
    progress(`ok: ${contender.name}: ${seen.size} ${what} ports, as expected${others}`);
    return true;
  }
  progress(
    `MISMATCH: ${contender.name}: not reported ${what}: [${missed}]; ` +
      `reported ${what} but should not be: [${extra}]`,
  );
  return false;
}

/** A target against nmap: what is compared, the ratio, the limit. */
interface TargetCheck {
  what: string;
  ratio: number;
  limit: number;
}

const machine = await describeMachine();
const tables: string[] = [];
const targets: TargetCheck[] = [];
const peerMistakes: string[] = [];
let mismatches = 0;
/** nmap's peak memory over the full range, for the runtime's floor (see below). */
let nmapRangePeakMib = NaN;
for (const address of addresses) {
  const target = await prepare(address);
  try {
    for (const testCase of target.cases) {
      progress(`${testCase.title}: checking what each command finds`);
      for (const [i, contender] of testCase.contenders.entries()) {
        // portset must be right; a peer that is wrong is reported (nc -z counts a connection
        // to its own socket as an open port on 127.0.0.1) but not portset's failure.
        if (!await check(target, testCase, contender)) {
          if (i === 0) mismatches++;
          else peerMistakes.push(`${contender.name}: ${testCase.title}`);
        }
      }
      progress(`${testCase.title}: timing, ${rounds} rounds`);
      const results = await runRounds(testCase.contenders, {
        warmup: 0,
        rounds,
        timeoutMs: RUN_TIMEOUT_MS,
      });
      const ok = (c: Contender) => results.get(c)!.filter((r) => r.ok);
      const wall = (c: Contender) => median(ok(c).map((r) => r.wallMs));
      const peakMib = (c: Contender) => Math.max(...ok(c).map((r) => r.maxRssKib)) / 1024;
      const [portset] = testCase.contenders;
      const lines = [
        `**${testCase.title}**`,
        "",
        "| command | time relative to portset (command ÷ portset) | peak RSS (MiB) |",
        "| --- | ---: | ---: |",
      ];
      for (const contender of testCase.contenders) {
        const failed = results.get(contender)!.length - ok(contender).length;
        lines.push(
          `| \`${contender.name}\` | ${(wall(contender) / wall(portset)).toFixed(2)}${
            failed ? ` (${failed} of ${rounds} runs failed)` : ""
          } | ${peakMib(contender).toFixed(1)} |`,
        );
        if (failed) mismatches++;
      }
      tables.push(lines.join("\n"));
      const nmap = testCase.contenders.find((c) => c.argv[0] === "nmap");
      if (!nmap) continue;
      if (testCase.kind === "range") {
        targets.push({
          what: `${address} TCP 1-65535: portset ÷ nmap -sT wall time`,
          ratio: wall(portset) / wall(nmap),
          limit: 1.0,
        });
        targets.push({
          what: `${address} TCP 1-65535: portset ÷ nmap -sT peak RSS`,
          ratio: peakMib(portset) / peakMib(nmap),
          limit: 2.0,
        });
        nmapRangePeakMib = Math.max(
          peakMib(nmap),
          Number.isFinite(nmapRangePeakMib) ? nmapRangePeakMib : 0,
        );
      } else if (testCase.protocol === "udp") {
        targets.push({
          what: `${address} UDP list: portset ÷ nmap -sU wall time`,
          ratio: wall(portset) / wall(nmap),
          limit: 1.0,
        });
      }
    }
  } finally {
    target.shutdown();
  }
}

console.log(
  `Remote query scans of ${addresses.join(" and ")}, ${listenerCount} TCP listeners and ` +
    `${UDP_SOCKETS} UDP sockets held by the bench on each; median wall time of ${rounds} ` +
    `rounds, round-robin.\n`,
);
console.log(
  `Measured ${machine.date.slice(0, 10)} on ${machine.system}, ${machine.cpu}, ` +
    `${machine.cpus} cores, Deno ${machine.deno}.\n`,
);
console.log(tables.join("\n\n"));
if (Number.isFinite(nmapRangePeakMib)) console.log(`\n${await runtimeFloor(nmapRangePeakMib)}`);
console.log("\n| target | measured | limit | |\n| --- | ---: | ---: | --- |");
let missedTargets = 0;
for (const { what, ratio, limit } of targets) {
  const pass = ratio <= limit;
  if (!pass) missedTargets++;
  console.log(
    `| ${what} | ${ratio.toFixed(2)} | ${limit.toFixed(1)} | ${pass ? "PASS" : "FAIL"} |`,
  );
}
for (const [tool, why] of skipped) console.log(`\nskipped ${tool}: ${why}`);
for (const mistake of peerMistakes) {
  console.log(`\nnote: a peer found other ports than the bench holds: ${mistake} (see stderr)`);
}
if (mismatches) {
  console.log(`\nFAIL: portset found other ports than the bench holds, or failed (${mismatches})`);
  Deno.exit(1);
}
console.log("\nPASS: portset found exactly the ports the bench holds");
console.log(
  missedTargets ? `FAIL: ${missedTargets} target(s) missed` : "PASS: every target against nmap met",
);
Deno.exit(missedTargets ? 1 : 0);
