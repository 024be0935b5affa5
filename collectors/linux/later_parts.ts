/**
 * The parts of the Linux collector a single look at a host of one network namespace never runs,
 * loaded only when wanted: the other namespaces' readers, the destroy notifications of the watch
 * modes and the monitor, and the /proc/net fallback. Deno charges every run for each byte of
 * TypeScript it loads (what it emits for a file, inline source map included), so leaving out these
 * 33 KB saves about 1 ms of a 25 ms `portset -local` on a quiet host.
 *
 * A collector that looks more than once is made by `LinuxCollector.open()`, which loads
 * them first; a single look loads them when the host turns out to need them.
 *
 * @module
 */

import type { OtherNamespaces } from "./other_namespaces.ts";
import type { readProcNet } from "./proc_net.ts";
import type { restoreDestroyed, SockDiagEvents } from "./sock_diag_events.ts";

/** The parts, once loaded. */
export interface LaterParts {
  OtherNamespaces: typeof OtherNamespaces;
  SockDiagEvents: typeof SockDiagEvents;
  restoreDestroyed: typeof restoreDestroyed;
  readProcNet: typeof readProcNet;
}

let loaded: LaterParts | null = null;
let loading: Promise<LaterParts> | null = null;

/** Loads the parts, once per process. */
export function loadLaterParts(): Promise<LaterParts> {
  loading ??= Promise.all([
    import("./other_namespaces.ts"),
    import("./sock_diag_events.ts"),
    import("./proc_net.ts"),
  ]).then(([others, events, procNet]) => {
    loaded = {
      OtherNamespaces: others.OtherNamespaces,
      SockDiagEvents: events.SockDiagEvents,
      restoreDestroyed: events.restoreDestroyed,
      readProcNet: procNet.readProcNet,
    };
    return loaded;
  });
  return loading;
}

/** Whether the parts have been loaded in this process. */
export function laterPartsLoaded(): boolean {
  return loaded !== null;
}

/**
 * The parts, for code that runs synchronously; loaded by then, as the collector's own entry
 * points see to. Throws when they are not: a collector made without {@linkcode loadLaterParts}.
 */
export function laterParts(): LaterParts {
  if (loaded === null) {
    throw new Error(
      "the Linux collector's later parts are not loaded: make it with LinuxCollector.open()",
    );
  }
  return loaded;
}
