/**
 * The endpoint mapper over UDP (ncadg_ip_udp): one connectionless `ept_lookup` request per
 * datagram, sent through a {@linkcode UdpProber}, so the port's own answer (silence, an ICMP
 * error, a socket that reached itself) is read as for any UDP port.
 *
 * @module
 */

import type { UdpProbeOutcome, UdpProber } from "../../collectors/probe.ts";
import { formatAddressPort } from "../../model/address.ts";
import {
  CL_FLAGS1,
  DceRpcError,
  decodeClPdu,
  decodeEptLookupReply,
  encodeClRequest,
  encodeEptLookup,
  EPMAPPER_SYNTAX,
  EPT_LOOKUP_OPNUM,
  PTYPE,
  statusText,
} from "../protocols/dcerpc/mod.ts";
import { describeFailure, UDP_SELF_REASON } from "../failure_text.ts";
import { EndpointMapperError } from "./error.ts";
import { type EndpointLookup, EPMAP_PORT, lookupAll, type LookupCall } from "./lookup.ts";

/**
 * Entries asked per call over UDP. A connectionless server fragments a reply longer than it can
 * send in one datagram (at first 1464 bytes with the header, the size C706 makes every
 * implementation receive), and reading fragments would need an exchange of fack PDUs that a probe
 * socket cannot make; so each reply must fit one. The reply's fixed part is 120 bytes with the
 * header, and an entry is at most about 225: its object (16), tower pointer (4), annotation
 * (8 + up to 64) and tower (8 + about 130 for a named pipe on a long host name). Five stay near
 * 1250 even at the worst.
 */
export const UDP_ENTRIES_PER_CALL = 5;

/** Times the UDP lookup asks again after a `working` answer (the server is still busy). */
const WORKING_RETRIES = 3;

/**
 * The whole lookup's deadline, in waits for one answer: 5 s at the default 1 s wait (15 s with
 * `-sl`), as over TCP. Without it a server that answers every call just in time, or says
 * `working`, and never ends the map held a query for up to 400 calls of 4 probes of 2 waits.
 */
export const UDP_LOOKUP_WAITS = 5;

/** A lookup over UDP. */
export interface UdpLookupOptions {
  /** Numeric IPv4 or IPv6 address. */
  address: string;
  /** Default 135. */
  port?: number;
  /** Local port to send from (`-sp`); null lets the OS pick. */
  sourcePort: number | null;
  /** How long to wait for an answer to each datagram. */
  waitMs: number;
  /**
   * How long the whole lookup may take, every call and datagram; default
   * {@linkcode UDP_LOOKUP_WAITS} times `waitMs`.
   */
  timeoutMs?: number;
  /**
   * Times each request is sent again when no answer comes, as a connectionless client
   * retransmits (the same activity and sequence number, so the server answers once). Default 1.
   */
  retransmits?: number;
}

/**
 * Looks up every endpoint over UDP: connectionless `ept_lookup` requests, one datagram each,
 * in one activity (a random UUID) with consecutive sequence numbers, marked idempotent, as
 * `ept_lookup` is, so the server answers without first calling back to check the activity. Each
 * reply must be one whole, unfragmented datagram; see {@linkcode UDP_ENTRIES_PER_CALL}. No ack is
 * sent after the last reply: an idempotent call's server keeps nothing waiting for one.
 *
 * @throws {EndpointMapperError} for every failure of the conversation; the prober's own
 * `ProbeError` when it cannot send at all (a source port in use).
 */
export async function lookupEndpointsUdp(
  prober: UdpProber,
  options: UdpLookupOptions,
): Promise<EndpointLookup> {
  const port = options.port ?? EPMAP_PORT;
  const where = formatAddressPort(options.address, port);
  const sends = 1 + (options.retransmits ?? 1);
  const timeoutMs = options.timeoutMs ?? UDP_LOOKUP_WAITS * options.waitMs;
  const deadline = Date.now() + timeoutMs;
  const activity = crypto.randomUUID();
  let serverBoot = 0;
  let answered = false;
  let calls = 0;
  const call: LookupCall = async (handle, maxEntries) => {
    // The sequence number is the call's index in the activity: 0, 1, 2...
    const seqnum = calls++;
    const request = encodeClRequest({
      activity,
      seqnum,
      serverBoot,
      interface: EPMAPPER_SYNTAX,
      opnum: EPT_LOOKUP_OPNUM,
      flags1: CL_FLAGS1.IDEMPOTENT,
      stub: encodeEptLookup(handle, maxEntries),
    });
    const overDeadline = () =>
      new EndpointMapperError(
        `the endpoint mapper at ${where} did not end its map within ${timeoutMs} ms ` +
          `(${seqnum} call(s) answered)`,
        "timeout",
        answered,
      );
    for (let working = 0;; working++) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw overDeadline();
      // Every datagram's wait together stays within what is left of the deadline.
      const waitMs = Math.max(1, Math.min(options.waitMs, Math.floor(remaining / sends)));
      const outcome = await prober.probe({
        address: options.address,
        port,
        sourcePort: options.sourcePort,
        payloads: new Array(sends).fill(request),
        waitMs,
      });
      if (outcome.kind === "silent") {
        // Silence in a wait the deadline cut short says the deadline, not that nothing answers.
        if (waitMs < options.waitMs) throw overDeadline();
        throw new EndpointMapperError(
          `no answer from the endpoint mapper at ${where} ` +
            `(${sends} datagram(s), ${waitMs} ms each)`,
          "timeout",
          answered,
          outcome,
        );
      }
      if (outcome.kind === "refused") {
        throw new EndpointMapperError(
          `nothing listens at UDP ${where} (ICMP port unreachable)`,
          "refused",
          answered,
          outcome,
        );
      }
      if (outcome.kind !== "reply") {
        throw new EndpointMapperError(
          `${where}: ${probeFailureText(outcome)}`,
          "unreachable",
          answered,
          outcome,
        );
      }
      answered = true;
      const pdu = decodeClPdu(outcome.bytes);
      if (pdu.header.ptype === PTYPE.REQUEST) {
        throw new EndpointMapperError(
          "the endpoint mapper called back (a conversation manager request), " +
            "which this client does not answer",
          "rejected",
          true,
        );
      }
      if (pdu.header.activity !== activity || pdu.header.seqnum !== seqnum) {
        throw new EndpointMapperError(
          `the endpoint mapper answered activity ${pdu.header.activity} call ` +
            `${pdu.header.seqnum}, not ${activity} call ${seqnum}`,
          "malformed",
          true,
        );
      }
      switch (pdu.kind) {
        case "response":
          if (pdu.header.flags1 & CL_FLAGS1.FRAG) {
            throw new EndpointMapperError(
              `the endpoint mapper sent a fragmented reply (fragment ${pdu.header.fragnum}, ` +
                `${outcome.bytes.length} bytes); only single-datagram replies are read`,
              "malformed",
              true,
            );
          }
          serverBoot = pdu.header.serverBoot;
          return decodeEptLookupReply(pdu.stub, pdu.header.littleEndian);
        case "fault":
          throw new EndpointMapperError(
            `the endpoint mapper answered ept_lookup with a fault, status ${
              statusText(pdu.status)
            }`,
            "rejected",
            true,
          );
        case "reject":
          throw new EndpointMapperError(
            `the endpoint mapper rejected ept_lookup, status ${statusText(pdu.status)}`,
            "rejected",
            true,
          );
      }
      // `working`: the call is still running; asking again (same sequence number) fetches the
      // reply once it is ready.
      if (pdu.header.ptype === PTYPE.WORKING && working < WORKING_RETRIES) continue;
      throw new EndpointMapperError(
        `the endpoint mapper answered ept_lookup with ${clTypeName(pdu.header.ptype)}`,
        pdu.header.ptype === PTYPE.NOCALL || pdu.header.ptype === PTYPE.WORKING
          ? "rejected"
          : "malformed",
        true,
      );
    }
  };
  try {
    return await lookupAll(call, UDP_ENTRIES_PER_CALL);
  } catch (error) {
    if (error instanceof DceRpcError) {
      throw new EndpointMapperError(
        `unreadable reply from the endpoint mapper at ${where}: ${error.message}`,
        "malformed",
        true,
      );
    }
    throw error;
  }
}

/** Words for a probe outcome other than a reply, silence or a refusal. */
function probeFailureText(outcome: UdpProbeOutcome): string {
  if (outcome.kind === "self") return UDP_SELF_REASON;
  if (outcome.kind === "failed") return describeFailure(outcome.failure);
  return outcome.kind;
}

/** A connectionless PDU type's name, for messages. */
function clTypeName(ptype: number): string {
  const names: Record<number, string> = {
    [PTYPE.PING]: "a ping",
    [PTYPE.WORKING]: "working (still running) more often than it is asked again",
    [PTYPE.NOCALL]: "nocall (it has no such call)",
    [PTYPE.ACK]: "an ack",
    [PTYPE.FACK]: "a fack",
    [PTYPE.CANCEL_ACK]: "a cancel_ack",
  };
  return names[ptype] ?? `a PDU of type ${ptype}`;
}
