/**
 * NTP (RFC 5905) on UDP 123: a client request (mode 3) and the server's reply (mode 4). The reply
 * tells the server's version, stratum, reference and clock.
 *
 * @module
 */

/** Seconds from the NTP era's start (1900-01-01) to the Unix epoch. */
const NTP_TO_UNIX_SECONDS = 2_208_988_800;
const PACKET_SIZE = 48;
const MODE_CLIENT = 3;
const MODE_SERVER = 4;
const VERSION = 4;

/** A 48-byte client request: LI 0, version 4, mode 3, everything else zero. */
export function encodeNtpRequest(): Uint8Array {
  const packet = new Uint8Array(PACKET_SIZE);
  packet[0] = (VERSION << 3) | MODE_CLIENT;
  return packet;
}

/** The leap indicator's meanings (RFC 5905 figure 9), by value. */
const LEAP_MEANINGS = [
  "no warning",
  "last minute has 61 seconds",
  "last minute has 59 seconds",
  "alarm: clock not synchronized",
];

/** What a server's reply says. */
export interface NtpReply {
  /**
   * LI: 0 no warning, 1 or 2 a leap second at the end of the day (61- or 59-second last
   * minute), 3 the server's clock is not synchronised (chronyd sends 3 until it has a source).
   */
  leap: number;
  version: number;
  mode: number;
  stratum: number;
  /** Stratum 0-1: the source's code (`GPS`, `PPS`, a kiss code); else an IPv4 address. */
  reference: string;
  /** The server's transmit time; null when it sent none. */
  time: Date | null;
}

/** Reads a server reply. Throws for anything shorter than a header or in another mode. */
export function decodeNtpReply(bytes: Uint8Array): NtpReply {
  if (bytes.length < PACKET_SIZE) throw new Error(`an NTP reply of ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const mode = bytes[0] & 0x07;
  if (mode !== MODE_SERVER) throw new Error(`an NTP packet in mode ${mode}, not a server reply`);
  const stratum = bytes[1];
  const referenceBytes = bytes.subarray(12, 16);
  const reference = stratum <= 1
    ? String.fromCharCode(...referenceBytes).replace(/\0+$/, "")
    : [...referenceBytes].join(".");
  let ntpSeconds = view.getUint32(40);
  // The 32-bit seconds wrap in 2036; no server clock reads before 1968 (2^31 s), so a smaller
  // value is in the next era.
  if (ntpSeconds !== 0 && ntpSeconds < 2 ** 31) ntpSeconds += 2 ** 32;
  const fraction = view.getUint32(44) / 2 ** 32;
  return {
    leap: bytes[0] >> 6,
    version: (bytes[0] >> 3) & 0x07,
    mode,
    stratum,
    reference,
    time: ntpSeconds === 0
      ? null
      : new Date(Math.round((ntpSeconds - NTP_TO_UNIX_SECONDS + fraction) * 1000)),
  };
}

/**
 * Lines for the report: version, stratum and reference; the server's clock; the leap indicator,
 * last so that the first two lines read as they did before it was shown.
 */
export function describeNtpReply(reply: NtpReply): string[] {
  const stratum = reply.stratum === 0 ? "0 (unsynchronised)" : String(reply.stratum);
  return [
    `NTP server version ${reply.version}, stratum ${stratum}, reference ${reply.reference || "-"}`,
    `server time: ${reply.time?.toISOString() ?? "(not given)"}`,
    `leap indicator: ${reply.leap} (${LEAP_MEANINGS[reply.leap]})`,
  ];
}
