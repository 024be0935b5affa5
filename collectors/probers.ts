/**
 * Picks the probers of the running OS for remote queries (`-n HOST`), and says where its services
 * file is. Apart from collectors/mod.ts, so that a query loads no collector.
 *
 * @module
 */

import { CollectorUnavailableError } from "./collector.ts";
import type { TcpProber, UdpProber } from "./probe.ts";
import { LinuxTcpProber } from "./linux/tcp_probe.ts";
import { LinuxUdpProber } from "./linux/udp_probe.ts";
import { WindowsUdpProber } from "./windows/udp_probe.ts";

/**
 * The UDP prober for this OS (remote queries, `-n HOST -p udp`). Throws
 * {@linkcode CollectorUnavailableError} where there is none.
 */
export function createUdpProber(): UdpProber {
  switch (Deno.build.os) {
    case "linux":
      return new LinuxUdpProber();
    case "windows":
      return new WindowsUdpProber();
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
export function createTcpProber(): TcpProber | null {
  return Deno.build.os === "linux" ? new LinuxTcpProber() : null;
}

export { servicesFilePath } from "./services_path.ts";
