/**
 * `-local`'s filters, read from the flags portqry.ts found: `--listening`, `--state NAME`,
 * `--port N[,N...]`, `--pid N[,N...]`, `--process GLOB`, `--proto tcp|udp|4|6`, `--key GLOB`,
 * `--netns current|NAME|INODE`.
 * Loaded only when one is given. cli/local_filter.ts applies them.
 *
 * @module
 */

import { type Protocol, PROTOCOLS, TCP_STATES, type TcpState } from "../../model/endpoint.ts";
import { UsageError } from "../errors.ts";
import { didYouMean, type Given, parseWhole } from "../flags.ts";

/**
 * Which endpoints `-local` shows: those that pass every test given (AND); a test given several
 * values passes an endpoint that matches any of them (OR). Null is no test.
 */
export interface LocalFilter {
  /** Listening ports as PortSet has them: TCP listeners and unconnected UDP sockets. */
  listening: boolean;
  /** TCP states; a UDP socket has none, so it never passes. */
  states: TcpState[] | null;
  /** Local ports. */
  ports: number[] | null;
  /** Owning processes: the owner, or any of the processes holding the socket. */
  pids: number[] | null;
  /** Globs on the process name (any holder's). */
  processes: string[] | null;
  /** The protocols `--proto` leaves: `tcp`, `udp`, `4` and `6` narrow transport and family. */
  protocols: Protocol[] | null;
  /** PortSet key globs, matched as a rule's `<include key=...>` matches. */
  keys: string[] | null;
  /** Network namespaces: `current`, a label (an `ip netns` name, `docker:<id>`) or an inode. */
  namespaces: string[] | null;
  /** The filter as it was typed, for the text report's header. */
  description: string;
}

/** The filter `given` asks for. */
export function parseLocalFilter(given: Given): LocalFilter {
  const values = (key: string): string[] | null => {
    const entry = given.get(key);
    return entry ? entry.values as string[] : null;
  };
  const items = (key: string): string[] | null => {
    const texts = values(key);
    if (!texts) return null;
    const list = texts.flatMap((text) => text.split(",")).map((item) => item.trim());
    if (list.some((item) => item === "")) {
      throw new UsageError(`${given.get(key)!.name} has an empty item in '${texts.join(",")}'`);
    }
    return list;
  };
  const wholes = (key: string, placeholder: string, range: [number, number]) =>
    items(key)?.map((item) => parseWhole(given.get(key)!.name, placeholder, item, range)) ?? null;

  return {
    listening: given.has("listening"),
    states: items("state")?.map((name) => tcpState(given.get("state")!.name, name)) ?? null,
    ports: wholes("port", "N", [1, 65535]),
    pids: wholes("pid", "N", [1, 4194304]),
    processes: values("process"),
    protocols: protocols(given.get("proto")?.name ?? "--proto", items("proto")),
    keys: values("key"),
    namespaces: items("netns"),
    description: describe(given),
  };
}

/** ss's names for two states, which its users will type. */
const SS_NAMES: Record<string, TcpState> = { LISTEN: "LISTENING", SYN_RECV: "SYN_RECEIVED" };

/**
 * A PortQry state name in any case, with `-` for `_` (`time-wait`, `fin-wait-1`), or a one-line
 * UsageError.
 */
function tcpState(flag: string, name: string): TcpState {
  const wanted = name.toUpperCase().replaceAll("-", "_").replace(/_(\d)$/, "$1");
  const state = TCP_STATES.find((state) => state === wanted) ?? SS_NAMES[wanted];
  if (state) return state;
  const names = TCP_STATES.map((state) => state.toLowerCase());
  throw new UsageError(
    `${flag} NAME must be one of ${names.join(", ")}, not '${name}'${didYouMean(name, names)}`,
  );
}

/** `tcp` and `udp` choose the transport, `4` and `6` the family; what is not named stays open. */
function protocols(flag: string, tokens: string[] | null): Protocol[] | null {
  if (!tokens) return null;
  const transports = new Set<string>(), families = new Set<string>();
  for (const token of tokens) {
    const word = token.toLowerCase();
    if (word === "tcp" || word === "udp") transports.add(word);
    else if (word === "4" || word === "6") families.add(word);
    else throw new UsageError(`${flag} must be tcp, udp, 4 or 6, not '${token}'`);
  }
  return PROTOCOLS.filter((protocol) =>
    (transports.size === 0 || transports.has(protocol.slice(0, 3))) &&
    (families.size === 0 || families.has(protocol.endsWith("6") ? "6" : "4"))
  );
}

/** `--listening --port 22,80 --process sshd`: the filter flags as typed, in the order given. */
function describe(given: Given): string {
  const parts: string[] = [];
  for (const key of ["listening", "state", "port", "pid", "process", "proto", "key", "netns"]) {
    const entry = given.get(key);
    if (!entry) continue;
    if (entry.value === true) parts.push(entry.name);
    else for (const value of entry.values) parts.push(`${entry.name} ${value}`);
  }
  return parts.join(" ");
}
