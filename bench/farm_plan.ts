/**
 * The mix of sockets one farm opens.
 *
 * @module
 */

/** How many sockets of each kind one farm opens. */
export interface FarmPlan {
  tcp4Listeners: number;
  tcp6Listeners: number;
  udp4: number;
  udp6: number;
  /** Established connections; each is two sockets, both held by the farm. */
  tcp4Pairs: number;
  tcp6Pairs: number;
}

/** The smallest farm that still has every kind of socket. */
export const MIN_FARM_SOCKETS = 20;

/**
 * Splits `sockets` into roughly 40% established-connection ends, 30% listeners and 30% UDP, a
 * third of listeners and UDP sockets and a quarter of connections on IPv6: a busy server's shape,
 * with every kind of line `ss` prints.
 */
export function planFarm(sockets: number): FarmPlan {
  if (!Number.isInteger(sockets) || sockets < MIN_FARM_SOCKETS) {
    throw new RangeError(`a farm needs at least ${MIN_FARM_SOCKETS} sockets, not ${sockets}`);
  }
  const pairs = Math.floor(sockets * 0.4 / 2);
  const listeners = Math.floor(sockets * 0.3);
  const udp = sockets - 2 * pairs - listeners;
  const tcp6Pairs = Math.floor(pairs / 4);
  const tcp6Listeners = Math.max(1, Math.floor(listeners / 3));
  const udp6 = Math.floor(udp / 3);
  return {
    tcp4Listeners: listeners - tcp6Listeners,
    tcp6Listeners,
    udp4: udp - udp6,
    udp6,
    tcp4Pairs: pairs - tcp6Pairs,
    tcp6Pairs,
  };
}
