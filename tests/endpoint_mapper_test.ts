/**
 * remote/endpoint_mapper/: whole `ept_lookup` conversations.
 *
 * - TCP against endpoint mappers served here on loopback, byte by byte from C706's layouts
 *   (independently of remote/protocols/dcerpc/): Windows' and Samba's ways of ending the map, a
 *   reply in fragments and in pieces, every way a server can refuse or break, and one that never
 *   ends.
 * - UDP the same way, through the Linux prober against a UDP server (a prober that calls the
 *   responder directly elsewhere): retransmission, `working`, faults, rejects, fragments,
 *   truncation, silence, a closed port.
 * - The oracle, a Samba AD DC whose map `portset -n` must list as rpcclient and impacket do, is
 *   in the server stage: tests/servers/samba_dc_test.ts. Samba serves no connectionless RPC,
 *   which is why the UDP path is tested against the responder here.
 */

import assert from "node:assert/strict";
import { LinuxUdpProber } from "../collectors/linux/udp_probe.ts";
import type { UdpProbeOutcome, UdpProber, UdpProbeRequest } from "../collectors/probe.ts";
import {
  describeLookup,
  type EndpointLookup,
  EndpointMapperError,
  type EndpointMapperFailure,
  lookupEndpointsTcp,
  lookupEndpointsUdp,
  MAX_LOOKUP_CALLS,
  TCP_ENTRIES_PER_CALL,
  UDP_ENTRIES_PER_CALL,
} from "../remote/endpoint_mapper/mod.ts";
import { TestSockets } from "./support/sockets.ts";
import { type Responder, startUdpServer } from "./support/udp_servers.ts";
import { ascii, le16, le32, readLe16, readLe32 } from "./support/bytes.ts";

// ---- bytes, laid out from C706 ----------------------------------------------------------------

const pad4 = (bytes: number[]) => [...bytes, ...new Array((4 - bytes.length % 4) % 4).fill(0)];

/** uuid_t little-endian: the first three groups byte-reversed, the rest as written. */
function uuidLe(uuid: string): number[] {
  const bytes = (uuid.replaceAll("-", "").match(/../g) ?? []).map((pair) => parseInt(pair, 16));
  return [
    ...bytes.slice(0, 4).reverse(),
    ...bytes.slice(4, 6).reverse(),
    ...bytes.slice(6, 8).reverse(),
    ...bytes.slice(8),
  ];
}

const EPM_UUID = "e1af8308-5d1f-11c9-91a4-08002b14a0fa";
const NDR_UUID = "8a885d04-1ceb-11c9-9fe8-08002b104860";
const NOT_REGISTERED = 0x16c9a0d6;

/** One registered endpoint of a served map: an interface on a TCP port of 10.1.2.3. */
interface MapEntry {
  uuid: string;
  annotation: string;
  port: number;
}

/** A map of `count` entries, each its own interface and port. */
function makeMap(count: number): MapEntry[] {
  return Array.from({ length: count }, (_, i) => ({
    uuid: `${(0x10000000 + i).toString(16)}-0000-4000-8000-00000000abcd`,
    annotation: i % 3 === 0 ? "" : `Service ${i}`,
    port: 49152 + i,
  }));
}

/** The string binding PortQry prints for a served entry. */
const bindingOf = (entry: MapEntry) => `ncacn_ip_tcp:10.1.2.3[${entry.port}]`;

/** An ncacn_ip_tcp tower: interface, NDR, RPC CO, TCP port (big-endian), IPv4. */
function tcpTower(entry: MapEntry): number[] {
  const floor = (
    lhs: number[],
    rhs: number[],
  ) => [...le16(lhs.length), ...lhs, ...le16(rhs.length), ...rhs];
  return [
    ...le16(5),
    ...floor([0x0d, ...uuidLe(entry.uuid), ...le16(1)], le16(0)),
    ...floor([0x0d, ...uuidLe(NDR_UUID), ...le16(2)], le16(0)),
    ...floor([0x0b], le16(0)),
    ...floor([0x07], [entry.port >> 8, entry.port & 0xff]),
    ...floor([0x09], [10, 1, 2, 3]),
  ];
}

/** A handle that remembers where the next call starts: the index in bytes 4-7. */
function handleAt(index: number): number[] {
  return [0, 0, 0, 0, ...le32(index), ...new Array(12).fill(0xab)];
}

/**
 * `ept_lookup`'s [out] parameters: entry_handle, num_ents, the conformant varying array of
 * entries (max_count, offset 0, actual_count; per entry the object, a tower referent, the
 * annotation as offset, length with its NUL, bytes), the towers after the array, the status.
 */
function lookupReplyStub(
  handle: number[],
  entries: MapEntry[],
  status: number,
  maxCount: number,
): number[] {
  const inline = entries.flatMap((entry, i) => {
    const annotation = [...ascii(entry.annotation), 0];
    return pad4([
      ...new Array(16).fill(0),
      ...le32(0x20000 + 4 * i),
      ...le32(0),
      ...le32(annotation.length),
      ...annotation,
    ]);
  });
  const towers = entries.flatMap((entry) => {
    const tower = tcpTower(entry);
    return pad4([...le32(tower.length), ...le32(tower.length), ...tower]);
  });
  return [
    ...handle,
    ...le32(entries.length),
    ...le32(maxCount),
    ...le32(0),
    ...le32(entries.length),
    ...inline,
    ...towers,
    ...le32(status),
  ];
}

/** How a served endpoint mapper ends the map. */
type Ending =
  /**
   * Samba's AD DC: the last entries with status 0 and a handle, then a call that finds none and
   * says EPT_S_NOT_REGISTERED.
   */
  | "empty-last-call"
  /** Samba's file server epmapper: the last entries come with EPT_S_NOT_REGISTERED. */
  | "with-last-entries"
  /** Windows: the last entries with status 0 and a nil handle. */
  | "nil-handle";

/**
 * An endpoint mapper's `ept_lookup` over `map`: from the handle's position, up to max_ents (and
 * at most `batch`) entries.
 */
function serveLookup(map: MapEntry[], ending: Ending, batch = Infinity) {
  return (handle: Uint8Array, maxEnts: number): number[] => {
    const start = handle.every((byte) => byte === 0) ? 0 : readLe32(handle, 4);
    const end = Math.min(map.length, start + maxEnts, start + batch);
    const entries = map.slice(start, end);
    const last = end === map.length;
    if (entries.length === 0) {
      return lookupReplyStub(new Array(20).fill(0), [], NOT_REGISTERED, maxEnts);
    }
    if (last && ending === "with-last-entries") {
      return lookupReplyStub(new Array(20).fill(0), entries, NOT_REGISTERED, maxEnts);
    }
    if (last && ending === "nil-handle") {
      return lookupReplyStub(new Array(20).fill(0), entries, 0, maxEnts);
    }
    return lookupReplyStub(handleAt(end), entries, 0, maxEnts);
  };
}

// ---- connection-oriented PDUs, server side ----------------------------------------------------

/** A connection-oriented PDU: the 16-byte header (little-endian, ASCII), then `body`. */
function coPdu(ptype: number, callId: number, body: number[], flags = 0x03): Uint8Array {
  const length = 16 + body.length;
  return new Uint8Array([
    5,
    0,
    ptype,
    flags,
    0x10,
    0,
    0,
    0,
    ...le16(length),
    0,
    0,
    ...le32(callId),
    ...body,
  ]);
}

/** A bind_ack: fragment sizes, a group, secondary address "135" (padded to 4), one result. */
function bindAck(callId: number, result = 0, reason = 0): Uint8Array {
  return coPdu(12, callId, [
    ...le16(4280),
    ...le16(4280),
    ...le32(0x5151),
    ...le16(4),
    ...ascii("135"),
    0,
    0,
    0,
    1,
    0,
    0,
    0,
    ...le16(result),
    ...le16(reason),
    ...uuidLe(NDR_UUID),
    ...le32(2),
  ]);
}

/** A response carrying `stub`, in `fragments` PDUs (first flagged 0x01, last 0x02). */
function responses(callId: number, stub: number[], fragments = 1): Uint8Array[] {
  const size = Math.ceil(stub.length / fragments);
  return Array.from({ length: fragments }, (_, i) => {
    const flags = (i === 0 ? 0x01 : 0) | (i === fragments - 1 ? 0x02 : 0);
    const part = stub.slice(i * size, (i + 1) * size);
    return coPdu(2, callId, [...le32(stub.length - i * size), 0, 0, 0, 0, ...part], flags);
  });
}

/** A fault: alloc_hint, context, cancel count, reserved, status, reserved. */
function fault(callId: number, status: number): Uint8Array {
  return coPdu(3, callId, [...le32(32), 0, 0, 0, 0, ...le32(status), ...le32(0)]);
}

/** What the client sent in a request PDU. */
function parseRequest(pdu: Uint8Array) {
  return {
    ptype: pdu[2],
    callId: readLe32(pdu, 12),
    opnum: readLe16(pdu, 22),
    handle: pdu.slice(40, 60),
    maxEnts: readLe32(pdu, 60),
  };
}

/** An endpoint mapper on TCP: binds, then answers lookups with `lookup`. */
function tcpEndpointMapper(
  lookup: (handle: Uint8Array, maxEnts: number) => number[],
  fragments = 1,
) {
  return (pdu: Uint8Array): TcpAnswer => {
    const request = parseRequest(pdu);
    if (request.ptype === 11) return bindAck(request.callId);
    return responses(request.callId, lookup(request.handle, request.maxEnts), fragments);
  };
}

/**
 * What a TCP server does with one PDU: answer (bytes, maybe several PDUs), close, send some bytes
 * and close, or nothing.
 */
type TcpAnswer = Uint8Array | Uint8Array[] | "close" | "hang" | { thenClose: Uint8Array };

interface TcpServer extends AsyncDisposable {
  port: number;
  /** Every PDU received, in order. */
  received: Uint8Array[];
}

/**
 * A TCP server on loopback reading whole PDUs (by frag_length) and answering each with
 * `answer`. `chunk` splits what it writes into writes of that many bytes, to test a client's
 * reassembly; otherwise all of one answer goes in one write, coalescing its PDUs.
 */
function startTcpServer(answer: (pdu: Uint8Array) => TcpAnswer, chunk = 0): TcpServer {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const received: Uint8Array[] = [];
  const connections = new Set<Deno.Conn>();
  const handlers: Promise<void>[] = [];
  const write = async (connection: Deno.Conn, bytes: Uint8Array) => {
    const size = chunk || bytes.length;
    for (let offset = 0; offset < bytes.length; offset += size) {
      const piece = bytes.subarray(offset, offset + size);
      for (let written = 0; written < piece.length;) {
        written += await connection.write(piece.subarray(written));
      }
    }
  };
  const serve = async (connection: Deno.Conn) => {
    let pending = new Uint8Array(0);
    const buffer = new Uint8Array(65536);
    try {
      for (;;) {
        while (pending.length < 16 || pending.length < readLe16(pending, 8)) {
          const read = await connection.read(buffer);
          if (read === null) return;
          pending = new Uint8Array([...pending, ...buffer.subarray(0, read)]);
        }
        const length = readLe16(pending, 8);
        const pdu = pending.slice(0, length);
        pending = pending.slice(length);
        received.push(pdu);
        const reply = answer(pdu);
        if (reply === "close") return;
        if (reply === "hang") continue;
        if ("thenClose" in reply) {
          await write(connection, reply.thenClose);
          return;
        }
        const parts = reply instanceof Uint8Array ? [reply] : reply;
        const joined = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
        parts.reduce((offset, part) => (joined.set(part, offset), offset + part.length), 0);
        await write(connection, joined);
      }
    } catch {
      // the client closed its end
    } finally {
      connections.delete(connection);
      try {
        connection.close();
      } catch {
        // already closed
      }
    }
  };
  const accepting = (async () => {
    try {
      for await (const connection of listener) {
        connections.add(connection);
        handlers.push(serve(connection));
      }
    } catch {
      // the listener was closed
    }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    received,
    async [Symbol.asyncDispose]() {
      listener.close();
      for (const connection of connections) {
        try {
          connection.close();
        } catch {
          // already closed
        }
      }
      await accepting;
      await Promise.all(handlers);
    },
  };
}

/** Asserts `promise` fails with an EndpointMapperError of `kind`, one line matching `pattern`. */
async function assertFails(
  promise: Promise<EndpointLookup>,
  kind: EndpointMapperFailure,
  pattern: RegExp,
  answered = true,
): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof EndpointMapperError, `an EndpointMapperError, not ${error}`);
    assert.equal(error.kind, kind, error.message);
    assert.match(error.message, pattern);
    assert.ok(!error.message.includes("\n"), "one line");
    assert.equal(error.answered, answered, `answered, for: ${error.message}`);
    return true;
  });
}

const tcp = (port: number, timeoutMs = 5000) =>
  lookupEndpointsTcp({ address: "127.0.0.1", port, timeoutMs });

// ---- TCP --------------------------------------------------------------------------------------

Deno.test("TCP: a map served three at a time, ended by a call that finds nothing more", async () => {
  const map = makeMap(7);
  await using server = startTcpServer(tcpEndpointMapper(serveLookup(map, "empty-last-call", 3)));
  const lookup = await tcp(server.port);
  assert.deepEqual(lookup.entries.map((entry) => entry.binding), map.map(bindingOf));
  assert.deepEqual(lookup.entries.map((entry) => entry.interface?.uuid), map.map((e) => e.uuid));
  assert.deepEqual(lookup.entries.map((entry) => entry.annotation), map.map((e) => e.annotation));
  assert.equal(lookup.calls, 4, "3 + 3 + 1, then the call that finds nothing more");
  assert.equal(lookup.truncated, false);

  const [bind, ...calls] = server.received;
  assert.equal(bind[2], 11, "a bind first");
  assert.deepEqual(calls.map((pdu) => parseRequest(pdu).ptype), [0, 0, 0, 0]);
  assert.deepEqual(calls.map((pdu) => parseRequest(pdu).opnum), [2, 2, 2, 2]);
  assert.deepEqual(calls.map((pdu) => parseRequest(pdu).callId), [2, 3, 4, 5]);
  assert.deepEqual(
    calls.map((pdu) => parseRequest(pdu).maxEnts),
    new Array(4).fill(TCP_ENTRIES_PER_CALL),
  );
  assert.deepEqual(calls.map((pdu) => [...parseRequest(pdu).handle]), [
    new Array(20).fill(0),
    handleAt(3),
    handleAt(6),
    handleAt(7),
  ]);
});

Deno.test("TCP: entries that come with EPT_S_NOT_REGISTERED count; so does a nil handle's", async () => {
  for (const ending of ["with-last-entries", "nil-handle"] as const) {
    const map = makeMap(5);
    await using server = startTcpServer(tcpEndpointMapper(serveLookup(map, ending, 3)));
    const lookup = await tcp(server.port);
    assert.deepEqual(lookup.entries.map((entry) => entry.binding), map.map(bindingOf), ending);
    assert.equal(lookup.calls, 2, ending);
  }
});

Deno.test("TCP: a reply in fragments, written whole or in 7-byte pieces", async () => {
  for (const chunk of [0, 7]) {
    const map = makeMap(40);
    await using server = startTcpServer(
      tcpEndpointMapper(serveLookup(map, "empty-last-call"), 3),
      chunk,
    );
    const lookup = await tcp(server.port);
    assert.deepEqual(
      lookup.entries.map((entry) => entry.binding),
      map.map(bindingOf),
      `chunk ${chunk}`,
    );
    assert.equal(lookup.calls, 2);
  }
});

Deno.test("TCP: a server that never ends the map stops at the call cap", async () => {
  const endless = (_handle: Uint8Array, maxEnts: number) =>
    lookupReplyStub(handleAt(1), makeMap(1), 0, maxEnts);
  await using server = startTcpServer(tcpEndpointMapper(endless));
  const lookup = await tcp(server.port, 20_000);
  assert.equal(lookup.truncated, true);
  assert.equal(lookup.calls, MAX_LOOKUP_CALLS);
  assert.equal(lookup.entries.length, MAX_LOOKUP_CALLS);
});

/**
 * An `ept_lookup` reply of one entry: `annotation` (its bytes as given, NUL included) and a
 * tower of an interface floor and then `floors` of `floorBytes` bytes each, of protocol 0x99.
 */
function oversizedStub(handle: number[], annotation: number[], floors: number, floorBytes: number) {
  const floor = (lhs: number[], rhs: number[]) => [
    ...le16(lhs.length),
    ...lhs,
    ...le16(rhs.length),
    ...rhs,
  ];
  const tower = [
    ...le16(1 + floors),
    ...floor([0x0d, ...uuidLe(EPM_UUID), ...le16(3)], le16(0)),
    ...new Array(floors).fill(floor([0x99], new Array(floorBytes).fill(0xee))).flat(),
  ];
  return [
    ...handle,
    ...le32(1),
    ...le32(1),
    ...le32(0),
    ...le32(1),
    ...pad4([
      ...new Array(16).fill(0),
      ...le32(0x20000),
      ...le32(0),
      ...le32(annotation.length),
      ...annotation,
    ]),
    ...pad4([...le32(tower.length), ...le32(tower.length), ...tower]),
    ...le32(0),
  ];
}

Deno.test("TCP: towers and annotations far past any real one's size are not written out", async () => {
  // Each call's entry had a 240 KB tower, written out as 480 KB of hex: in its 5 s a hostile
  // endpoint mapper made portset -n HOST -e 135 print 120 MB and take 850 MB of memory.
  let calls = 0;
  const huge = () =>
    oversizedStub(calls++ < 30 ? handleAt(calls) : new Array(20).fill(0), [0], 4, 60_000);
  {
    await using server = startTcpServer(tcpEndpointMapper(huge, 4));
    const lookup = await tcp(server.port);
    assert.equal(lookup.entries.length, 31);
    for (const entry of lookup.entries) {
      assert.equal(
        entry.binding,
        "unreadable tower of 240047 bytes: longer than the 1024 bytes a tower is read to",
      );
    }
  }
  // A tower of nearly 1 KB is still read; its binding stays a few kilobytes.
  {
    const large = () => oversizedStub(new Array(20).fill(0), [0], 4, 240);
    await using server = startTcpServer(tcpEndpointMapper(large));
    const lookup = await tcp(server.port);
    assert.match(lookup.entries[0].binding, /^unknown:0x99=0x(ee){240} 0x99=/);
    assert.ok(lookup.entries[0].binding.length < 4096);
  }
  // An annotation is a char[64] (C706's ept_max_annotation_size): 64 bytes with its NUL is the
  // most; a longer one makes the reply unreadable.
  for (const [length, fits] of [[64, true], [65, false], [200_000, false]] as const) {
    const annotation = [...new Array(length - 1).fill(0x41), 0];
    const stub = () => oversizedStub(new Array(20).fill(0), annotation, 1, 2);
    await using server = startTcpServer(tcpEndpointMapper(stub, length > 60_000 ? 4 : 1));
    if (fits) {
      assert.equal((await tcp(server.port)).entries[0].annotation, "A".repeat(63));
    } else {
      await assertFails(
        tcp(server.port),
        "malformed",
        new RegExp(`an annotation of ${length} bytes \\(at most 64\\)`),
      );
    }
  }
});

Deno.test("TCP: refusals, faults, garbage and short reads are EndpointMapperErrors", async () => {
  const lookupOk = serveLookup(makeMap(2), "empty-last-call");
  const onBind = (reply: TcpAnswer) => (pdu: Uint8Array) =>
    pdu[2] === 11 ? reply : tcpEndpointMapper(lookupOk)(pdu);
  const onLookup = (reply: (callId: number) => TcpAnswer) => (pdu: Uint8Array) =>
    pdu[2] === 11 ? bindAck(parseRequest(pdu).callId) : reply(parseRequest(pdu).callId);
  const cases: [string, (pdu: Uint8Array) => TcpAnswer, EndpointMapperFailure, RegExp][] = [
    [
      "bind_nak",
      onBind(coPdu(13, 1, [...le16(4), 1, 5, 0])),
      "rejected",
      /refused the bind \(bind_nak\): protocol version not supported/,
    ],
    [
      "refused context",
      onBind(bindAck(1, 2, 1)),
      "rejected",
      /refused the bind: provider rejection: abstract syntax not supported/,
    ],
    [
      "fault on bind",
      onBind(fault(1, 0x1c010003)),
      "rejected",
      /bind with a fault, status 0x1c010003 \(nca_s_unk_if\)/,
    ],
    [
      "fault on lookup",
      onLookup((id) => fault(id, 0x00000005)),
      "rejected",
      /ept_lookup with a fault, status 0x00000005 \(access denied\)/,
    ],
    [
      "failure status",
      onLookup((id) => responses(id, lookupReplyStub(new Array(20).fill(0), [], 0x16c9a012, 100))),
      "rejected",
      /ept_lookup with status 0x16c9a012$/,
    ],
    [
      "garbage",
      onBind(new TextEncoder().encode("HTTP/1.1 400 Bad Request\r\n\r\n")),
      "malformed",
      /unreadable reply from the endpoint mapper: not a DCE\/RPC 5.0 PDU \(version 72.84\)/,
    ],
    [
      "another call's reply",
      onLookup((id) => responses(id + 7, lookupOk(new Uint8Array(20), 100))),
      "malformed",
      /answered call 9 when call 2 was made/,
    ],
    [
      "a truncated stub",
      onLookup((id) => responses(id, lookupOk(new Uint8Array(20), 100).slice(0, 90))),
      "malformed",
      /unreadable reply from the endpoint mapper: the ept_lookup reply ends inside/,
    ],
    [
      "closed without answering",
      onBind("close"),
      "closed",
      /closed the connection without answering/,
    ],
    [
      "closed inside a PDU header",
      onBind({ thenClose: bindAck(1).slice(0, 10) }),
      "closed",
      /closed the connection after 10 bytes of a PDU header/,
    ],
    [
      "closed inside a PDU's body",
      onBind({ thenClose: bindAck(1).slice(0, 30) }),
      "closed",
      /closed the connection after 30 bytes of a 60-byte PDU/,
    ],
    [
      "a shutdown PDU",
      onLookup((id) => coPdu(17, id, [])),
      "malformed",
      /answered ept_lookup with a PDU of type 17/,
    ],
  ];
  for (const [name, answer, kind, pattern] of cases) {
    await using server = startTcpServer(answer);
    await assertFails(tcp(server.port), kind, pattern).catch((error) => {
      throw new Error(`${name}: ${error.message}`);
    });
  }
});

Deno.test("TCP: silence past the deadline, and a closed port", async () => {
  using sockets = new TestSockets();
  await using server = startTcpServer(() => "hang");
  const started = performance.now();
  await assertFails(
    tcp(server.port, 300),
    "timeout",
    /no answer from the endpoint mapper at 127\.0\.0\.1:\d+ within 300 ms/,
  );
  const elapsed = performance.now() - started;
  assert.ok(elapsed >= 250 && elapsed < 3000, `took ${elapsed} ms`);
  await assertFails(
    tcp(sockets.tcpClosed()),
    "refused",
    /^127\.0\.0\.1:\d+ refused the connection$/,
    false,
  );
});

// ---- connectionless PDUs, server side ---------------------------------------------------------

/** What the client sent in a connectionless request. */
function parseDatagram(bytes: Uint8Array) {
  return {
    ptype: bytes[1],
    flags1: bytes[2],
    interfaceId: [...bytes.subarray(24, 40)],
    activity: [...bytes.subarray(40, 56)],
    serverBoot: readLe32(bytes, 56),
    interfaceVersion: readLe32(bytes, 60),
    seqnum: readLe32(bytes, 64),
    opnum: readLe16(bytes, 68),
    length: readLe16(bytes, 74),
    handle: bytes.slice(96, 116),
    maxEnts: readLe32(bytes, 116),
  };
}

const SERVER_BOOT = 0x65a1b2c3;

/** A connectionless reply to `request`: the 80-byte header, then `body`. */
function datagram(
  request: Uint8Array,
  ptype: number,
  body: number[],
  { flags1 = 0, fragnum = 0, declared = body.length, activity = [...request.subarray(40, 56)] } =
    {},
): Uint8Array {
  return new Uint8Array([
    4,
    ptype,
    flags1,
    0,
    0x10,
    0,
    0,
    0,
    ...new Array(16).fill(0),
    ...uuidLe(EPM_UUID),
    ...activity,
    ...le32(SERVER_BOOT),
    ...le32(3),
    ...request.subarray(64, 68), // seqnum, as asked
    ...le16(2),
    ...le16(0xffff),
    ...le16(0),
    ...le16(declared),
    ...le16(fragnum),
    0,
    0,
    ...body,
  ]);
}

/** An endpoint mapper on UDP over `lookup`. */
function udpEndpointMapper(lookup: (handle: Uint8Array, maxEnts: number) => number[]): Responder {
  return (bytes) => {
    if (bytes.length < 80 || bytes[0] !== 4 || bytes[1] !== 0) return null;
    const request = parseDatagram(bytes);
    return datagram(bytes, 2, lookup(request.handle, request.maxEnts));
  };
}

/**
 * Runs `test` with a prober and the address and port of a UDP server answering with
 * `responder`: the Linux prober and a real server on Linux; elsewhere a prober that hands each
 * payload to the responder itself.
 */
async function withUdpServer(
  responder: Responder,
  test: (prober: UdpProber, port: number) => Promise<void>,
): Promise<void> {
  if (Deno.build.os === "linux") {
    await using server = await startUdpServer("127.0.0.1", responder);
    const prober = new LinuxUdpProber();
    try {
      await test(prober, server.port);
    } finally {
      prober.close();
    }
    return;
  }
  const prober: UdpProber = {
    probe(request: UdpProbeRequest): Promise<UdpProbeOutcome> {
      for (const [payloadIndex, payload] of request.payloads.entries()) {
        const bytes = responder(payload);
        if (bytes) return Promise.resolve({ kind: "reply", bytes, payloadIndex });
      }
      return Promise.resolve({ kind: "silent" });
    },
    close() {},
  };
  await test(prober, 135);
}

const udp = (prober: UdpProber, port: number, waitMs = 1000) =>
  lookupEndpointsUdp(prober, { address: "127.0.0.1", port, sourcePort: null, waitMs });

// ---- UDP --------------------------------------------------------------------------------------

Deno.test("UDP: a 12-entry map in calls of five, one activity, the server's boot time kept", async () => {
  const map = makeMap(12);
  const seen: Uint8Array[] = [];
  const serve = udpEndpointMapper(serveLookup(map, "empty-last-call"));
  await withUdpServer((bytes) => (seen.push(bytes), serve(bytes)), async (prober, port) => {
    const lookup = await udp(prober, port);
    assert.deepEqual(lookup.entries.map((entry) => entry.binding), map.map(bindingOf));
    assert.equal(lookup.calls, 4, "5 + 5 + 2, then the call that finds nothing more");
  });
  const requests = seen.map(parseDatagram);
  assert.equal(requests.length, 4);
  assert.deepEqual(requests.map((r) => r.seqnum), [0, 1, 2, 3]);
  assert.ok(
    requests.every((r) => r.activity.join() === requests[0].activity.join()),
    "one activity",
  );
  assert.deepEqual(requests.map((r) => r.serverBoot), [0, SERVER_BOOT, SERVER_BOOT, SERVER_BOOT]);
  assert.ok(requests.every((r) => r.ptype === 0 && r.flags1 === 0x20), "idempotent requests");
  assert.ok(requests.every((r) => r.interfaceId.join() === uuidLe(EPM_UUID).join()));
  assert.ok(requests.every((r) => r.interfaceVersion === 3 && r.opnum === 2 && r.length === 40));
  assert.deepEqual(requests.map((r) => r.maxEnts), new Array(4).fill(UDP_ENTRIES_PER_CALL));
  assert.deepEqual(requests.map((r) => [...r.handle]), [
    new Array(20).fill(0),
    handleAt(5),
    handleAt(10),
    handleAt(12),
  ]);
});

Deno.test("UDP: a lost datagram is sent again; `working` is asked again", async () => {
  const map = makeMap(3);
  const serve = udpEndpointMapper(serveLookup(map, "with-last-entries"));
  const seen = new Map<number, number>();
  const dropFirst: Responder = (bytes) => {
    const seqnum = parseDatagram(bytes).seqnum;
    seen.set(seqnum, (seen.get(seqnum) ?? 0) + 1);
    return seen.get(seqnum) === 1 ? null : serve(bytes);
  };
  await withUdpServer(dropFirst, async (prober, port) => {
    const lookup = await udp(prober, port, 200);
    assert.deepEqual(lookup.entries.map((entry) => entry.binding), map.map(bindingOf));
  });
  assert.deepEqual([...seen.values()], [2], "one call, sent twice");

  let asked = 0;
  const busyFirst: Responder = (bytes) => asked++ === 0 ? datagram(bytes, 4, []) : serve(bytes);
  await withUdpServer(busyFirst, async (prober, port) => {
    const lookup = await udp(prober, port);
    assert.equal(lookup.entries.length, 3);
  });
  assert.equal(asked, 2);
});

Deno.test("UDP: faults, rejects, fragments, truncation and strangers are EndpointMapperErrors", async () => {
  const cases: [string, Responder, EndpointMapperFailure, RegExp][] = [
    [
      "fault",
      (b) => datagram(b, 3, le32(0x1c010002)),
      "rejected",
      /ept_lookup with a fault, status 0x1c010002 \(nca_s_op_rng_error\)/,
    ],
    [
      "reject",
      (b) => datagram(b, 6, le32(0x1c010003)),
      "rejected",
      /rejected ept_lookup, status 0x1c010003 \(nca_s_unk_if\)/,
    ],
    [
      "a fragment",
      (b) => datagram(b, 2, lookupReplyStub(handleAt(1), makeMap(1), 0, 5), { flags1: 0x04 }),
      "malformed",
      /sent a fragmented reply \(fragment 0, \d+ bytes\); only single-datagram replies are read/,
    ],
    [
      "a truncated datagram",
      (b) => datagram(b, 2, lookupReplyStub(handleAt(1), makeMap(1), 0, 5), { declared: 1400 }),
      "malformed",
      /truncated datagram: its header says a 1400-byte body, \d+ came/,
    ],
    [
      "a truncated stub",
      (b) => datagram(b, 2, lookupReplyStub(handleAt(1), makeMap(1), 0, 5).slice(0, 60)),
      "malformed",
      /the ept_lookup reply ends inside/,
    ],
    ["garbage", () => new TextEncoder().encode("pong"), "malformed", /4-byte datagram/],
    [
      "a callback",
      (b) => datagram(b, 0, [], { activity: new Array(16).fill(7) }),
      "rejected",
      /called back \(a conversation manager request\)/,
    ],
    [
      "another activity",
      (b) => datagram(b, 2, [], { activity: new Array(16).fill(7) }),
      "malformed",
      /answered activity 07070707-0707-0707-0707-070707070707 call 0, not/,
    ],
    ["nocall", (b) => datagram(b, 5, []), "rejected", /ept_lookup with nocall/],
    ["always working", (b) => datagram(b, 4, []), "rejected", /working \(still running\)/],
    ["an ack", (b) => datagram(b, 7, []), "malformed", /ept_lookup with an ack/],
  ];
  for (const [name, responder, kind, pattern] of cases) {
    await withUdpServer(responder, async (prober, port) => {
      await assertFails(udp(prober, port), kind, pattern).catch((error) => {
        throw new Error(`${name}: ${error.message}`);
      });
    });
  }
});

Deno.test("UDP: silence, silence after answers, and a closed port", async () => {
  await withUdpServer(() => null, async (prober, port) => {
    await assertFails(
      udp(prober, port, 100),
      "timeout",
      /no answer from the endpoint mapper at 127\.0\.0\.1:\d+ \(2 datagram\(s\), 100 ms each\)/,
      false,
    );
  });
  const serve = udpEndpointMapper(serveLookup(makeMap(9), "empty-last-call"));
  await withUdpServer(
    (bytes) => parseDatagram(bytes).seqnum === 0 ? serve(bytes) : null,
    async (prober, port) => {
      // What the first call brought is kept, said to be cut where the answers stopped.
      const lookup = await udp(prober, port, 100);
      assert.equal(lookup.entries.length, 5);
      assert.equal(lookup.truncated, true);
      assert.match(lookup.stoppedBy ?? "", /^no answer from the endpoint mapper/);
      assert.match(describeLookup(lookup).at(-1)!, /^\(the list stops here: no answer from/);
    },
  );
  if (Deno.build.os === "linux") {
    const prober = new LinuxUdpProber();
    using sockets = new TestSockets();
    try {
      const port = sockets.udpClosed();
      await assertFails(
        udp(prober, port),
        "refused",
        /nothing listens at UDP 127\.0\.0\.1:\d+ \(ICMP port unreachable\)/,
        false,
      );
    } finally {
      prober.close();
    }
  }
});

Deno.test("UDP: a server that answers each call late and never ends the map stops at the deadline", async () => {
  // One entry per call, each handle leading on, and only each call's second datagram answered:
  // one wait per call, for up to 400 calls (20 s here at 50 ms waits; at the default 1 s wait,
  // with `working` said three times first, a server could hold a query for 50 minutes).
  const serve = udpEndpointMapper(serveLookup(makeMap(2000), "nil-handle", 1));
  const seen = new Map<number, number>();
  const late: Responder = (bytes) => {
    const seqnum = parseDatagram(bytes).seqnum;
    seen.set(seqnum, (seen.get(seqnum) ?? 0) + 1);
    return seen.get(seqnum) === 1 ? null : serve(bytes);
  };
  await withUdpServer(late, async (prober, port) => {
    const started = Date.now();
    // The entries the answered calls brought are the answer, the deadline its last word.
    const lookup = await udp(prober, port, 50);
    assert.ok(lookup.entries.length >= 1 && lookup.entries.length === lookup.calls);
    assert.equal(lookup.truncated, true);
    assert.match(
      lookup.stoppedBy ?? "",
      /did not end its map within 250 ms \(\d+ call\(s\) answered\)/,
    );
    const took = Date.now() - started;
    assert.ok(took < 1000, `${took} ms for a 250 ms deadline`);
  });
  // The last waits shrink to what is left of the deadline, so a few more calls fit; not 400.
  assert.ok(seen.size >= 2 && seen.size < 20, `${seen.size} calls in 250 ms`);
});
