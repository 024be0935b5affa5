/**
 * The UDP services a query knows how to ask something, by port: a silent UDP port tells nothing,
 * but a service asked in its own protocol answers, which proves it listens and says what it is.
 *
 * @module
 */

import { decodeDnsReply, describeDnsReply, encodeDnsQuery } from "./protocols/dns.ts";
import { decodeRootDseReply, describeRootDse, encodeRootDseSearch } from "./protocols/ldap.ts";
import {
  decodeNodeStatusResponse,
  describeNodeStatus,
  encodeNodeStatusRequest,
} from "./protocols/netbios.ts";
import { decodeNtpReply, describeNtpReply, encodeNtpRequest } from "./protocols/ntp.ts";
import { decodeSnmpResponse, describeSnmpResponse, encodeSnmpGet } from "./protocols/snmp.ts";
import {
  decodeBrowserResponse,
  describeBrowserResponse,
  encodeBrowserRequest,
} from "./protocols/sql_browser.ts";

/** What a query's request is built from. */
export interface QueryContext {
  /** `-cn`: the SNMP community. */
  community: string;
  /** A transaction or message id, to tell the answer from stray datagrams. */
  id: number;
}

/** A protocol-specific UDP query. */
export interface UdpQuery {
  /** The protocol's name, for the report. */
  name: string;
  /** A reply of it, with its article, for the report: `an NTP reply`. */
  replyName: string;
  request(context: QueryContext): Uint8Array;
  /** The report's lines for a reply; throws when the reply is not this protocol's. */
  describe(reply: Uint8Array): string[];
}

/** The queries, by UDP port. */
export const UDP_QUERIES: ReadonlyMap<number, UdpQuery> = new Map<number, UdpQuery>([
  [53, {
    name: "DNS",
    replyName: "a DNS reply",
    request: ({ id }) => encodeDnsQuery(id),
    describe: (reply) => describeDnsReply(decodeDnsReply(reply)),
  }],
  [123, {
    name: "NTP",
    replyName: "an NTP reply",
    request: () => encodeNtpRequest(),
    describe: (reply) => describeNtpReply(decodeNtpReply(reply)),
  }],
  [137, {
    name: "NetBIOS",
    replyName: "a NetBIOS reply",
    request: ({ id }) => encodeNodeStatusRequest(id),
    describe: (reply) => describeNodeStatus(decodeNodeStatusResponse(reply)),
  }],
  [161, {
    name: "SNMP",
    replyName: "an SNMP reply",
    request: ({ community, id }) => encodeSnmpGet(community, id),
    describe: (reply) => describeSnmpResponse(decodeSnmpResponse(reply)),
  }],
  [389, {
    name: "LDAP",
    replyName: "an LDAP reply",
    request: ({ id }) => encodeRootDseSearch(id),
    describe: (reply) => describeRootDse(decodeRootDseReply(reply)),
  }],
  [1434, {
    name: "SQL Server",
    replyName: "a SQL Server reply",
    request: () => encodeBrowserRequest(),
    describe: (reply) => describeBrowserResponse(decodeBrowserResponse(reply)),
  }],
]);

/**
 * The report's lines for a reply to `query`: its meaning, or, when it cannot be read, that an
 * answer came that was not the protocol's (the port still listens: something answered).
 */
export function describeReply(query: UdpQuery, reply: Uint8Array): string[] {
  try {
    return query.describe(reply);
  } catch (error) {
    return [
      `a ${reply.length}-byte answer that is not ${query.replyName} (${(error as Error).message})`,
    ];
  }
}
