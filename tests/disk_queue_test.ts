/** sinks/disk_queue.ts on real files: order, once, the bound, a restart, a kill mid-append. */

import assert from "node:assert/strict";
import { DiskQueue } from "../sinks/disk_queue.ts";

function withDirectory(use: (directory: string) => void | Promise<void>) {
  return async () => {
    const directory = Deno.makeTempDirSync({ prefix: "portset-queue-" });
    try {
      await use(`${directory}/queue`);
    } finally {
      Deno.removeSync(directory, { recursive: true });
    }
  };
}

/** Takes out every waiting message, in order. */
function drain(queue: DiskQueue): string[] {
  const out: string[] = [];
  for (let message = queue.peek(); message !== null; message = queue.peek()) {
    out.push(message);
    queue.delivered();
  }
  return out;
}

Deno.test(
  "messages come out in order, once each; a line break in one stays one message",
  withDirectory((directory) => {
    const queue = DiskQueue.open(directory, 1 << 20);
    assert.equal(queue.peek(), null);
    for (const message of ["one", "two\nlines", "dëmon ✓"]) assert.ok(queue.push(message));
    assert.equal(queue.peek(), "one");
    assert.equal(queue.peek(), "one", "peek does not take it out");
    assert.deepEqual(drain(queue), ["one", "two lines", "dëmon ✓"]);
    assert.ok(queue.empty);
    assert.equal(Deno.statSync(`${directory}/queue`).size, 0, "emptied once all delivered");
    queue.close();
  }),
);

Deno.test(
  "what waits survives a restart; what was delivered does not come back",
  withDirectory((directory) => {
    const first = DiskQueue.open(directory, 1 << 20);
    for (let i = 0; i < 100; i++) first.push(`message ${i}`);
    for (let i = 0; i < 40; i++) {
      first.peek();
      first.delivered();
    }
    first.close();
    const second = DiskQueue.open(directory, 1 << 20);
    const rest = drain(second);
    assert.equal(rest.length, 60);
    assert.equal(rest[0], "message 40");
    assert.equal(rest.at(-1), "message 99");
    second.close();
  }),
);

Deno.test(
  "a full queue drops new messages and counts them; the oldest are kept",
  withDirectory((directory) => {
    const queue = DiskQueue.open(directory, 100);
    let kept = 0;
    for (let i = 0; i < 20; i++) if (queue.push(`message ${String(i).padStart(2, "0")}`)) kept++;
    assert.equal(kept, 9, "100 bytes hold nine 11-byte lines");
    assert.equal(queue.dropped, 11);
    assert.ok(queue.waitingBytes <= 100);
    assert.deepEqual(drain(queue), Array.from({ length: 9 }, (_, i) => `message 0${i}`));
    assert.ok(queue.push("room again"), "delivered messages make room");
    queue.close();
  }),
);

Deno.test(
  "a message longer than a read buffer comes out whole",
  withDirectory((directory) => {
    const queue = DiskQueue.open(directory, 1 << 20);
    const long = "x".repeat(100_000);
    queue.push(long);
    queue.push("after");
    assert.deepEqual(drain(queue), [long, "after"]);
    queue.close();
  }),
);

Deno.test(
  "a process killed while pushing leaves whole messages only, and no gap in their order",
  withDirectory(async (directory) => {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-all",
        new URL("./fixtures/disk_queue_pusher.ts", import.meta.url).pathname,
        directory,
      ],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    const deadline = Date.now() + 20_000;
    let said = "";
    while (!said.includes("pushing") && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      said += value;
    }
    assert.ok(said.includes("pushing"), "the child started pushing");
    child.kill("SIGKILL");
    await child.status;
    await reader.cancel();
    const queue = DiskQueue.open(directory, 1 << 30);
    const messages = drain(queue);
    assert.ok(messages.length > 50);
    messages.forEach((message, i) => {
      assert.equal(message, String(i).padStart(8, "0") + " " + "y".repeat(i % 3000));
    });
    queue.close();
  }),
);
