/**
 * Connectionless LDAP on UDP 389 (CLDAP, as Active Directory domain controllers answer it): a
 * base-object search of the root DSE, whose entry names the directory's naming contexts, host
 * name and supported versions without any credentials.
 *
 * @module
 */

import { BER, berElement, berInteger, BerReader, berString } from "./ber.ts";

/** LDAP's application tags (RFC 4511), constructed. */
const SEARCH_REQUEST = 0x63;
const SEARCH_RESULT_ENTRY = 0x64;
const SEARCH_RESULT_DONE = 0x65;
/** The filter `(objectClass=*)`: a present filter, context tag 7, primitive. */
const PRESENT_FILTER = 0x87;

/**
 * A searchRequest for the root DSE (base "", scope base) asking for `attributes`; by default
 * none, which LDAP reads as every user attribute, and so the whole root DSE as PortQry shows it.
 */
export function encodeRootDseSearch(
  messageId: number,
  attributes: readonly string[] = [],
): Uint8Array {
  const request = berElement(
    SEARCH_REQUEST,
    berString(""), // baseObject: the root DSE
    berInteger(0, BER.ENUMERATED), // scope: baseObject
    berInteger(0, BER.ENUMERATED), // derefAliases: never
    berInteger(0), // sizeLimit
    berInteger(0), // timeLimit
    berElement(BER.BOOLEAN, new Uint8Array([0])), // typesOnly: false
    berString("objectClass", PRESENT_FILTER),
    berElement(BER.SEQUENCE, ...attributes.map((name) => berString(name))),
  );
  return berElement(BER.SEQUENCE, berInteger(messageId), request);
}

/** What the server sent back. */
export interface RootDse {
  /** Each attribute returned, with its values, in the server's order (a Map keeps it). */
  attributes: Map<string, string[]>;
  /** The searchResultDone's resultCode, when the datagram carried one (0 is success). */
  resultCode: number | null;
}

/**
 * Reads a reply datagram: one or more LDAPMessages, a searchResultEntry and usually the
 * searchResultDone after it. Throws BerError for anything malformed.
 */
export function decodeRootDseReply(bytes: Uint8Array): RootDse {
  const attributes = new Map<string, string[]>();
  let resultCode: number | null = null;
  const messages = new BerReader(bytes);
  while (messages.more) {
    const message = messages.enter(BER.SEQUENCE);
    message.integer(); // messageID
    const operation = message.read();
    const body = new BerReader(operation.contents);
    if (operation.tag === SEARCH_RESULT_ENTRY) {
      body.string(); // objectName: "" for the root DSE
      const list = body.enter(BER.SEQUENCE);
      while (list.more) {
        const attribute = list.enter(BER.SEQUENCE);
        const type = attribute.string();
        const values = attribute.enter(BER.SET);
        const texts: string[] = [];
        while (values.more) texts.push(values.string());
        attributes.set(type, texts);
      }
    } else if (operation.tag === SEARCH_RESULT_DONE) {
      resultCode = body.integer(BER.ENUMERATED);
    }
  }
  return { attributes, resultCode };
}

/**
 * Lines for the report, as PortQry prints a root DSE: every attribute in the server's order, one
 * `name: value` line per value, except `currentTime`, which PortQry shows as
 * `currentdate: MM/DD/YYYY HH:MM:SS (unadjusted GMT)`. A reply without an entry gets one line
 * with its result code.
 */
export function describeRootDse(rootDse: RootDse): string[] {
  if (rootDse.attributes.size === 0) {
    return [`LDAP server answered with result code ${rootDse.resultCode ?? "(none)"}, no entry`];
  }
  const lines: string[] = [];
  for (const [name, values] of rootDse.attributes) {
    for (const value of values) {
      const date = name.toLowerCase() === "currenttime" ? portqryDate(value) : null;
      lines.push(date ? `currentdate: ${date} (unadjusted GMT)` : `${name}: ${value}`);
    }
  }
  return lines;
}

/**
 * A GeneralizedTime in UTC (`20261204133000.0Z`; RFC 4517 lets seconds, or minutes and seconds,
 * go) as `12/04/2026 13:30:00`; null for anything else, which then shows as the server sent it:
 * a time with an offset from UTC, or a fraction of an hour or minute (`2026120413.5Z`), which
 * would need arithmetic PortQry's "unadjusted" copy of the fields does not do.
 */
function portqryDate(generalizedTime: string): string | null {
  const match = generalizedTime.match(
    /^(\d{4})(\d{2})(\d{2})(\d{2})(?:(\d{2})(?:(\d{2})(?:[.,]\d+)?)?)?Z$/,
  );
  if (!match) return null;
  const [, year, month, day, hour, minute = "00", second = "00"] = match;
  return `${month}/${day}/${year} ${hour}:${minute}:${second}`;
}
