/**
 * UDP servers the remote-query tests start on loopback: a node:dgram socket that answers each
 * datagram with what a responder makes of it (or stays silent), and minimal responders for DNS,
 * NTP, SNMP, NetBIOS and CLDAP. The replies are laid out byte by byte here, independently of
 * remote/protocols/, so an encoder and its decoder cannot share a mistake unnoticed.
 *
 * A server here takes a port the kernel picks. One on a protocol's well-known port, which the
 * host's own services may hold, runs in a network namespace of its test's own instead
 * (../fixtures/serve.ts, started by netns.ts's `serve`).
 *
 * @module
 */

import dgram from "node:dgram";

/** A datagram the server received, and from which port. */
export interface Received {
  bytes: Uint8Array;
  port: number;
}

/** A running UDP server. */
export interface UdpServer extends AsyncDisposable {
  address: string;
  port: number;
  /** Everything received so far. */
  received: Received[];
  close(): Promise<void>;
}

/** Makes the answer to one request; null to stay silent. */
export type Responder = (request: Uint8Array) => Uint8Array | null;

/**
 * A UDP server on `address:port` (0: any free port) answering with `respond`; `reuseAddr` lets it
 * share the port with other SO_REUSEADDR sockets.
 */
export async function startUdpServer(
  address: string,
  respond: Responder,
  port = 0,
  { reuseAddr = false } = {},
): Promise<UdpServer> {
  const socket = dgram.createSocket({
    type: address.includes(":") ? "udp6" : "udp4",
    reuseAddr,
  });
  const received: Received[] = [];
  socket.on("message", (message: Uint8Array, remote: dgram.RemoteInfo) => {
    const bytes = new Uint8Array(message);
    received.push({ bytes, port: remote.port });
    const answer = respond(bytes);
    if (answer) socket.send(answer, remote.port, remote.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(port, address, () => resolve());
  });
  const close = () => new Promise<void>((resolve) => socket.close(() => resolve()));
  return {
    address,
    port: socket.address().port,
    received,
    close,
    [Symbol.asyncDispose]: close,
  };
}

// ---- byte helpers -------------------------------------------------------------------------

function u16(value: number): number[] {
  return [value >> 8, value & 0xff];
}

function ascii(text: string): number[] {
  return [...text].map((char) => char.charCodeAt(0));
}

/** A BER element with a short or one-byte long length: all these replies need. */
function tlv(tag: number, contents: number[]): number[] {
  const length = contents.length < 128 ? [contents.length] : [0x81, contents.length];
  if (contents.length > 255) throw new Error("test replies stay under 256 bytes per element");
  return [tag, ...length, ...contents];
}

// ---- DNS ----------------------------------------------------------------------------------

/** Answers `.` NS with two name servers, the second name compressed against the first. */
export const dnsResponder: Responder = (request) => {
  // Header (12) + root name (1 byte: 0) + type + class = 17 bytes.
  if (request.length !== 17 || request[12] !== 0) return null;
  const id = [request[0], request[1]];
  const question = [...request.subarray(12)];
  // The question ends at 17. Answer 1: name = root (1 byte), NS, IN, TTL 3600, data length,
  // then its data "a.test." at 28, whose "test" label starts at 30.
  const first = [1, ...ascii("a"), 4, ...ascii("test"), 0];
  // Answer 2: data "b" + a pointer to that "test." label.
  const second = [1, ...ascii("b"), 0xc0, 30];
  const record = (
    data: number[],
  ) => [0, ...u16(2), ...u16(1), 0, 0, 0x0e, 0x10, ...u16(data.length), ...data];
  return new Uint8Array([
    ...id,
    0x84,
    0x00, // response, authoritative, NOERROR
    ...u16(1),
    ...u16(2),
    ...u16(0),
    ...u16(0),
    ...question,
    ...record(first),
    ...record(second),
  ]);
};

// ---- NTP ----------------------------------------------------------------------------------

/** The time every NTP reply carries: 2026-01-02T03:04:05.500Z. */
export const NTP_TIME = new Date("2026-01-02T03:04:05.500Z");

/** Answers a mode 3 request with a version 4, stratum 2 reply referencing 192.0.2.7. */
export const ntpResponder: Responder = (request) => {
  if (request.length !== 48 || (request[0] & 7) !== 3) return null;
  const reply = new Uint8Array(48);
  const view = new DataView(reply.buffer);
  reply[0] = (0 << 6) | (4 << 3) | 4;
  reply[1] = 2;
  reply.set([192, 0, 2, 7], 12);
  const seconds = Math.floor(NTP_TIME.getTime() / 1000) + 2_208_988_800;
  view.setUint32(40, seconds);
  view.setUint32(44, 0x80000000); // half a second
  return reply;
};

// ---- SNMP ---------------------------------------------------------------------------------

/** The sysDescr the SNMP responder reports. */
export const SYS_DESCR = "Test agent 1.0 on loopback";

/**
 * Answers a v1 GetRequest for sysDescr.0 with community `community`; other communities get
 * silence, as real agents give.
 */
export function snmpResponder(community = "public"): Responder {
  const sysDescrOid = [0x2b, 6, 1, 2, 1, 1, 1, 0];
  return (request) => {
    const expected = [...tlv(0x04, ascii(community))];
    // version INTEGER 0 comes first inside the outer SEQUENCE: 30 len 02 01 00 04 ...
    const start = request[1] & 0x80 ? 2 + (request[1] & 0x7f) : 2;
    const version = [...request.subarray(start, start + 3)];
    const given = [...request.subarray(start + 3, start + 3 + expected.length)];
    if (version.join() !== "2,1,0" || given.join() !== expected.join()) return null;
    // The request id: first element of the PDU, after the community.
    const pduStart = start + 3 + expected.length;
    if (request[pduStart] !== 0xa0) return null;
    const idStart = pduStart + 2;
    const requestId = [...request.subarray(idStart, idStart + 2 + request[idStart + 1])];
    const binding = tlv(0x30, [...tlv(0x06, sysDescrOid), ...tlv(0x04, ascii(SYS_DESCR))]);
    const pdu = tlv(0xa2, [
      ...requestId,
      ...tlv(0x02, [0]),
      ...tlv(0x02, [0]),
      ...tlv(0x30, binding),
    ]);
    return new Uint8Array(tlv(0x30, [...tlv(0x02, [0]), ...tlv(0x04, ascii(community)), ...pdu]));
  };
}

// ---- NetBIOS ------------------------------------------------------------------------------

/** The MAC address the NetBIOS responder reports. */
export const NETBIOS_MAC = [0x02, 0x00, 0x5e, 0x10, 0x20, 0x30];

/** Answers a node status request for `*` with a three-name table. */
export const netbiosResponder: Responder = (request) => {
  // 12-byte header, 34-byte name, type 0x21, class 1.
  if (request.length !== 50 || request[12] !== 0x20 || request[13] !== 0x43) return null;
  const name = (text: string, suffix: number, flags: number) => [
    ...ascii(text.padEnd(15, " ")),
    suffix,
    ...u16(flags),
  ];
  const names = [
    ...name("TESTHOST", 0x00, 0x0400),
    ...name("WORKGROUP", 0x00, 0x8400),
    ...name("TESTHOST", 0x20, 0x0400),
  ];
  const data = [3, ...names, ...NETBIOS_MAC, ...new Array(40).fill(0)];
  return new Uint8Array([
    request[0],
    request[1],
    0x84,
    0x00, // response, authoritative
    ...u16(0),
    ...u16(1),
    ...u16(0),
    ...u16(0),
    ...request.subarray(12, 46), // the name, as asked
    ...u16(0x21),
    ...u16(1),
    0,
    0,
    0,
    0, // TTL
    ...u16(data.length),
    ...data,
  ]);
};

// ---- CLDAP --------------------------------------------------------------------------------

/** The root DSE attributes the CLDAP responder returns. */
export const ROOT_DSE = {
  dnsHostName: "dc1.test.example",
  defaultNamingContext: "DC=test,DC=example",
  supportedLDAPVersion: ["3", "2"],
};

/** Answers a searchRequest with a root DSE entry and a searchResultDone, in one datagram. */
export const cldapResponder: Responder = (request) => {
  // SEQUENCE { INTEGER messageID, [APPLICATION 3] ... }
  if (request[0] !== 0x30) return null;
  const start = request[1] & 0x80 ? 2 + (request[1] & 0x7f) : 2;
  if (request[start] !== 0x02) return null;
  const messageId = [...request.subarray(start, start + 2 + request[start + 1])];
  if (request[start + messageId.length] !== 0x63) return null;
  const attribute = (type: string, values: string[]) =>
    tlv(0x30, [
      ...tlv(0x04, ascii(type)),
      ...tlv(0x31, values.flatMap((v) => tlv(0x04, ascii(v)))),
    ]);
  const entry = tlv(0x64, [
    ...tlv(0x04, []),
    ...tlv(0x30, [
      ...attribute("dnsHostName", [ROOT_DSE.dnsHostName]),
      ...attribute("defaultNamingContext", [ROOT_DSE.defaultNamingContext]),
      ...attribute("supportedLDAPVersion", ROOT_DSE.supportedLDAPVersion),
    ]),
  ]);
  const done = tlv(0x65, [...tlv(0x0a, [0]), ...tlv(0x04, []), ...tlv(0x04, [])]);
  return new Uint8Array([
    ...tlv(0x30, [...messageId, ...entry]),
    ...tlv(0x30, [...messageId, ...done]),
  ]);
};

/** Answers anything with `pong`. */
export const echoResponder: Responder = () => new TextEncoder().encode("pong");

/** Never answers. */
export const silentResponder: Responder = () => null;

// ---- SQL Server browser ([MC-SQLR]) -------------------------------------------------------

/**
 * The instances the SQL browser responder lists, as RESP_DATA spells each: `key;value` pairs
 * closed by `;;`. The first is PortQry's published example; the second a named instance with
 * the rarer transports, bv's five fields included.
 */
export const SQL_BROWSER_INSTANCES = [
  "ServerName;SQL-Server1;InstanceName;MSSQLSERVER;IsClustered;No;Version;8.00.194;" +
  "tcp;1433;np;\\\\SQL-Server1\\pipe\\sql\\query;;",
  "ServerName;SQL-Server1;InstanceName;LEGACY;IsClustered;Yes;Version;8.00.2039;" +
  "np;\\\\SQL-Server1\\pipe\\MSSQL$LEGACY\\sql\\query;tcp;1500;via;SQL-SERVER1,0:1433,1:1500;" +
  "rpc;SQL-Server1;spx;LEGACY;adsp;SQL2000;bv;item;group;item2;group2;org;;",
];

/**
 * Answers as SQL Server Browser does, listing `instances` (each a RESP_DATA instance, closed by
 * `;;`): CLNT_BCAST_EX (0x02) and CLNT_UCAST_EX (0x03) get every instance, CLNT_UCAST_INST (0x04,
 * then the name and a NUL) that instance alone; anything else, or an unknown instance, gets
 * silence. The SVR_RESP is 0x05, RESP_SIZE little-endian, then RESP_DATA.
 */
export function sqlBrowserResponderFor(instances: readonly string[]): Responder {
  return (request) => {
    let data: string;
    if ((request[0] === 0x02 || request[0] === 0x03) && request.length === 1) {
      data = instances.join("");
    } else if (request[0] === 0x04 && request.length > 2 && request.at(-1) === 0) {
      const wanted = new TextDecoder().decode(request.subarray(1, -1)).toLowerCase();
      // The fourth field is InstanceName's value: ServerName;x;InstanceName;NAME;...
      const found = instances.find((instance) => instance.split(";")[3].toLowerCase() === wanted);
      if (!found) return null;
      data = found;
    } else {
      return null;
    }
    const bytes = ascii(data);
    return new Uint8Array([0x05, bytes.length & 0xff, bytes.length >> 8, ...bytes]);
  };
}

/**
 * Instances in the order FreeTDS's `tsql -L` expects (its listing checks for ServerName,
 * InstanceName, IsClustered, Version, tcp, np, via, in turn, and complains about any other order).
 */
export const SQL_BROWSER_TSQL_INSTANCES = [
  SQL_BROWSER_INSTANCES[0],
  "ServerName;SQL-Server1;InstanceName;SALES;IsClustered;No;Version;15.0.2000.5;tcp;49723;" +
  "np;\\\\SQL-Server1\\pipe\\MSSQL$SALES\\sql\\query;via;SQL-SERVER1,0:1433;;",
];

/** The SQL browser responder for SQL_BROWSER_INSTANCES. */
export const sqlBrowserResponder: Responder = sqlBrowserResponderFor(SQL_BROWSER_INSTANCES);
