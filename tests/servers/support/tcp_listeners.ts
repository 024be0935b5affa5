/**
 * TCP listeners for a test's namespace, in Deno so that they need no other package: binds each
 * port given on the command line on the address given first, prints "ready", and accepts (and
 * closes) connections until it is killed.
 *
 * Usage: deno run --allow-net tcp_listeners.ts ADDRESS PORT...
 *
 * @module
 */

const [hostname, ...ports] = Deno.args;
const listeners = ports.map((port) => Deno.listen({ hostname, port: Number(port) }));
console.log("ready");
await Promise.all(listeners.map(async (listener) => {
  for (;;) {
    try {
      (await listener.accept()).close();
    } catch (error) {
      if (error instanceof Deno.errors.BadResource) return; // the listener itself is closed
      // A prober that resets its connection before it is accepted makes accept fail (ENOTCONN,
      // ECONNABORTED): that connection is gone, the listener is not.
    }
  }
}));
