/**
 * One socket farm: a child process of the benchmark that opens a mix of loopback sockets, says
 * `ready <count>` on stdout, and holds them until its stdin closes (the benchmark ended or died)
 * or it is killed.
 *
 * Usage: deno run --allow-ffi socket_farm.ts --index K --sockets N
 *
 * @module
 */

import { parseArgs } from "node:util";
import { type FarmPlan, planFarm } from "./farm_plan.ts";
import {
  LOOPBACK_V6,
  type LoopbackAddress,
  LoopbackSockets,
  loopbackV4,
  raiseOpenFileLimit,
} from "./loopback_sockets.ts";

/** Files a farm needs besides its sockets: stdio, Deno's own descriptors, libc. */
const FD_HEADROOM = 64;

/** Listeners that also accept the farm's connections: a few, so each carries many, as servers do. */
const ACCEPTING_LISTENERS = 16;

/** Opens a farm's sockets; returns how many are open. */
export function openFarm(index: number, plan: FarmPlan): number {
  const sockets = new LoopbackSockets();
  // Each farm binds its own 200 addresses 127.K.0.x. A port is taken per address, so spreading the
  // sockets keeps thousands of kernel-chosen ports from crowding one address's port range.
  const v4 = (i: number) => loopbackV4(index + 1, 0, 1 + (i % 200));

  const openListeners = (count: number, address: (i: number) => LoopbackAddress) => {
    const accepting: { fd: number; port: number; address: LoopbackAddress }[] = [];
    for (let i = 0; i < count; i++) {
      const where = address(i);
      const listener = sockets.listenTcp(where);
      if (i < ACCEPTING_LISTENERS) accepting.push({ ...listener, address: where });
    }
    return accepting;
  };
  const connect = (count: number, listeners: ReturnType<typeof openListeners>) => {
    for (let i = 0; i < count; i++) {
      const { fd, port, address } = listeners[i % listeners.length];
      sockets.connectPair(fd, address, port);
    }
  };

  connect(plan.tcp4Pairs, openListeners(plan.tcp4Listeners, v4));
  connect(plan.tcp6Pairs, openListeners(plan.tcp6Listeners, () => LOOPBACK_V6));
  for (let i = 0; i < plan.udp4; i++) sockets.bindUdp(v4(i));
  for (let i = 0; i < plan.udp6; i++) sockets.bindUdp(LOOPBACK_V6);
  return sockets.count;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: { index: { type: "string" }, sockets: { type: "string" } },
    strict: true,
  });
  const index = Number(values.index), total = Number(values.sockets);
  if (!Number.isInteger(index) || index < 0 || index > 254) {
    throw new RangeError(`--index must be 0..254, not ${values.index}`);
  }
  raiseOpenFileLimit(total + FD_HEADROOM);
  const count = openFarm(index, planFarm(total));
  console.log(`ready ${count}`);
  // The benchmark holds our stdin open; end of file means it is gone, so no farm outlives it.
  await Deno.stdin.readable.pipeTo(new WritableStream());
}

if (import.meta.main) {
  try {
    await main();
    Deno.exit(0);
  } catch (error) {
    console.error(`socket_farm: ${error instanceof Error ? error.message : error}`);
    Deno.exit(1);
  }
}
