/**
 * Picks the probers of the running OS for remote queries (`-n HOST`), and says where its services
 * file is. Apart from collectors/mod.ts, so that a query loads no collector.
 *
 * @module
 */

import { CollectorUnavailableError } from "./collector.ts";
import type { TcpProber, UdpProber } from "./probe.ts";

/**
 * The UDP prober for this OS (remote queries, `-n HOST -p udp`), its module loaded when asked for:
 * a query on Linux loads no Windows code. Rejects with {@linkcode CollectorUnavailableError}
 * where there is none.
 */
export async function createUdpProber(): Promise<UdpProber> {
  switch (Deno.build.os) {
    case "linux":
      return new (await import("./linux/udp_probe.ts")).LinuxUdpProber();
    case "windows":
      return new (await import("./windows/udp_probe.ts")).WindowsUdpProber();
    default:
      throw new CollectorUnavailableError(
        `UDP queries are not available on ${Deno.build.os} in this build; TCP queries are`,
      );
  }
}

/**
 * The TCP prober of this OS for remote queries, or null where there is none of its own (the
 * remote queries then use Deno's sockets).
 */
export async function createTcpProber(): Promise<TcpProber | null> {
  return Deno.build.os === "linux"
    ? new (await import("./linux/tcp_probe.ts")).LinuxTcpProber()
    : null;
}

export { servicesFilePath } from "./services_path.ts";
