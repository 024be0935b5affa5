/**
 * The target's address and name, as PortQry looks them up before it queries: a name is resolved
 * to an address (the system's resolver: hosts file, DNS, whatever it is set to use), and an
 * address is resolved back to a name unless `-nr` says not to.
 *
 * @module
 */

import { parseIpAddress } from "../model/address.ts";

/** A reverse lookup that takes longer than this is given up: the query does not need the name. */
const REVERSE_LOOKUP_TIMEOUT_MS = 3000;

/** The target as the query will probe it. */
export interface ResolvedTarget {
  /** `-n HOST`, as given. */
  host: string;
  /** The numeric address probed. */
  address: string;
  /** Whether HOST was a name (resolved to an address) or an address (looked up for a name). */
  given: "name" | "address";
  /**
   * For an address: the name it resolves back to; null when it has none, the lookup failed or
   * was not made (`-nr`).
   */
  name: string | null;
  /** For an address: whether the reverse lookup was made. */
  reverseLookup: boolean;
  /** For a name: the resolver's other answers, in its order; not probed (as nmap does). */
  otherAddresses: string[];
}

/** The host could not be resolved; the message says so in one line. */
export class ResolveError extends Error {
  /** The error's name, as traces and `String(error)` show it. */
  override name = "ResolveError";
}

/**
 * Resolves `host`: the resolver's first answer, IPv4 or IPv6, in the order getaddrinfo gives
 * (RFC 6724's, as /etc/gai.conf tunes it): `localhost` is `::1` where the hosts file lists that
 * first, as `getent ahosts` shows. Node's default would put IPv4 answers first.
 */
export async function resolveTarget(host: string, reverseLookup: boolean): Promise<ResolvedTarget> {
  const literal = host.replace(/^\[(.*)\]$/, "$1");
  if (parseIpAddress(literal.split("%")[0])) {
    const name = reverseLookup ? await reverseName(literal) : null;
    return { host, address: literal, given: "address", name, reverseLookup, otherAddresses: [] };
  }
  try {
    // node:dns is loaded only when a name needs it: most of a query's start-up is loading.
    const dns = await import("node:dns/promises");
    const answers = await dns.lookup(host, { all: true, verbatim: true });
    if (answers.length === 0) throw Object.assign(new Error("no address"), { code: "ENOTFOUND" });
    const addresses = [...new Set(answers.map((answer) => answer.address))];
    return {
      host,
      address: addresses[0],
      given: "name",
      name: null,
      reverseLookup: false,
      otherAddresses: addresses.slice(1),
    };
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new ResolveError(
      `cannot resolve ${host} to an IP address` +
        (code === "ENOTFOUND" ? ": no such host" : `: ${code ?? (error as Error).message}`),
    );
  }
}

/** The name `address` resolves back to (getnameinfo: hosts file, then DNS), or null. */
async function reverseName(address: string): Promise<string | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), REVERSE_LOOKUP_TIMEOUT_MS);
  });
  try {
    const dns = await import("node:dns/promises");
    const lookup = dns.lookupService(address, 0).then(
      ({ hostname }) => (hostname && hostname !== address ? hostname : null),
      () => null,
    );
    return await Promise.race([lookup, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
