/**
 * Plain listeners for the state tests (`listeners.py`, in Debian's python3): TCP listeners, UDP
 * sockets that answer and UDP sockets that never do, each on 127.0.0.1 and ::1 of a test's
 * namespace.
 *
 * @module
 */

import { type Daemon, type Namespace, waitUntil } from "./netns.ts";
import { systemPython } from "./requirements.ts";

const SCRIPT = new URL("./listeners.py", import.meta.url).pathname;

/** What listens on a port. */
export type ListenerKind = "tcp" | "udp-echo" | "udp-silent";

/** Starts the listeners and waits until every socket is bound. */
export async function startListeners(
  namespace: Namespace,
  listeners: ReadonlyArray<readonly [ListenerKind, number]>,
): Promise<Daemon> {
  const daemon = namespace.start("listeners.py", [
    systemPython(),
    SCRIPT,
    ...listeners.map(([kind, port]) => `${kind}:${port}`),
  ]);
  await waitUntil("the listeners bound", () => Promise.resolve(daemon.log.includes("ready")), {
    daemon,
  });
  return daemon;
}
