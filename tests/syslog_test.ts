/** sinks/syslog.ts: RFC 5424 messages over TCP, framed by octet counting (RFC 6587). */

import assert from "node:assert/strict";
import { MemoryQueue } from "../sinks/message_queue.ts";
import { StreamSender } from "../sinks/syslog_stream.ts";
import { UdpSyslogSender } from "../sinks/syslog.ts";
import { createSocket } from "node:dgram";
import { pollUntil } from "./support/poll.ts";

/** Splits an octet-counted stream into its messages: `LENGTH SP MESSAGE`, LENGTH in bytes. */
function frames(stream: Uint8Array): string[] {
  const decoder = new TextDecoder();
  const messages: string[] = [];
  for (let at = 0; at < stream.length;) {
    const space = stream.indexOf(0x20, at);
    const length = decoder.decode(stream.subarray(at, space));
    assert.match(
      length,
      /^[1-9]\d*$/,
      `no frame length at byte ${at}: ${decoder.decode(stream.subarray(at, at + 200))}`,
    );
    const end = space + 1 + Number(length);
    assert.ok(end <= stream.length, `the frame at byte ${at} runs past the stream`);
    messages.push(decoder.decode(stream.subarray(space + 1, end)));
    at = end;
  }
  return messages;
}

Deno.test("StreamSender over TCP: messages sent without waiting for each other arrive as whole frames, in order", async () => {
  using server = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const failures: string[] = [];
  const sender = await StreamSender.open(
    {
      transport: "tcp",
      host: "127.0.0.1",
      port: (server.addr as Deno.NetAddr).port,
      caCerts: null,
    },
    new MemoryQueue(1 << 20),
    { onOutage: (reason) => failures.push(reason), onRecovery: () => {}, onFull: () => {} },
  );
  const connection = await server.accept();
  // A tick with several events sends them one after another without waiting; the lengths count
  // bytes, which a non-ASCII character makes more than the characters.
  const messages = Array.from(
    { length: 50 },
    (_, i) => `<108>1 message ${i} … ${"x".repeat(i * 97)}`,
  );
  for (const message of messages) sender.send(message);
  await sender.settled();
  assert.deepEqual(failures, []);
  await sender.close();
  const received = await new Response(connection.readable).bytes();
  assert.deepEqual(frames(received), messages);
});

Deno.test("UdpSyslogSender: messages sent just before the close still go out", async () => {
  const receiver = createSocket("udp4");
  const received: string[] = [];
  receiver.on("message", (bytes) => received.push(new TextDecoder().decode(bytes)));
  await new Promise<void>((resolve) => receiver.bind(0, "127.0.0.1", resolve));
  const said: string[] = [];
  const sender = new UdpSyslogSender(
    "127.0.0.1",
    receiver.address().port,
    (line) => said.push(line),
  );
  // A monitor stopped right after a look's events: the close comes in the same turn.
  for (let i = 0; i < 20; i++) sender.send(`<108>1 message ${i}`);
  await sender.close();
  const all = await pollUntil(() => received.length >= 20 || undefined, { deadlineMs: 5_000 });
  receiver.close();
  assert.ok(all, `${received.length} of 20 messages arrived`);
  assert.deepEqual(
    received.sort(),
    Array.from({ length: 20 }, (_, i) => `<108>1 message ${i}`).sort(),
  );
  assert.deepEqual(said, []);
});
