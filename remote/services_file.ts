/**
 * Service names for port numbers, from the system's services file (`/etc/services`, or
 * `%SystemRoot%\System32\drivers\etc\services` on Windows): `name port/protocol [aliases] [#...]`.
 *
 * @module
 */

/** Names by `protocol/port`, e.g. `tcp/80` → `http`. */
export type ServiceNames = ReadonlyMap<string, string>;

/**
 * Reads a services file's text. The first name listed for a port wins, as getservbyport answers;
 * comments, aliases and malformed lines are passed over.
 */
export function parseServices(text: string): ServiceNames {
  const names = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const [name, portProtocol] = line.replace(/#.*/, "").trim().split(/\s+/);
    const match = /^(\d+)\/(tcp|udp)$/i.exec(portProtocol ?? "");
    if (!name || !match) continue;
    const key = `${match[2].toLowerCase()}/${Number(match[1])}`;
    if (!names.has(key)) names.set(key, name);
  }
  return names;
}

/** The services file at `path`; no names at all when it is missing or unreadable. */
export function loadServices(path: string): ServiceNames {
  try {
    return parseServices(Deno.readTextFileSync(path));
  } catch {
    return new Map();
  }
}

/** The service name of `port` under `protocol`, or null. */
export function serviceName(names: ServiceNames, protocol: string, port: number): string | null {
  return names.get(`${protocol}/${port}`) ?? null;
}

/** The names of `protocol`'s ports, by number. */
export function servicesOf(names: ServiceNames, protocol: string): Map<number, string> {
  const prefix = `${protocol}/`;
  const byPort = new Map<number, string>();
  for (const [key, name] of names) {
    if (key.startsWith(prefix)) byPort.set(Number(key.slice(prefix.length)), name);
  }
  return byPort;
}
