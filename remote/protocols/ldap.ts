/**
 * Connectionless LDAP on UDP 389 (CLDAP, as Active Directory domain controllers answer it): a
 * base-object search of the root DSE, whose entry names the directory's naming contexts, host
 * name and supported versions without any credentials.
 *
 * @module
 */

import { BER, berElement, berInteger, BerReader, berString } from "./ber.ts";

/** The root DSE attributes asked for and reported, in report order. */
export const ROOT_DSE_ATTRIBUTES = [
  "dnsHostName",
  "defaultNamingContext",
  "rootDomainNamingContext",
  "ldapServiceName",
  "serverName",
  "supportedLDAPVersion",
  "currentTime",
] as const;

/** LDAP's application tags (RFC 4511), constructed. */
const SEARCH_REQUEST = 0x63;
const SEARCH_RESULT_ENTRY = 0x64;
const SEARCH_RESULT_DONE = 0x65;
/** The filter `(objectClass=*)`: a present filter, context tag 7, primitive. */
const PRESENT_FILTER = 0x87;

/** A searchRequest for the root DSE (base "", scope base) asking for `attributes`. */
export function encodeRootDseSearch(
  messageId: number,
  attributes: readonly string[] = ROOT_DSE_ATTRIBUTES,
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
  /** Each attribute returned, with its values. */
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

/** Lines for the report: the root DSE attributes of interest, in a fixed order. */
export function describeRootDse(rootDse: RootDse): string[] {
  const lines = [
    rootDse.attributes.size > 0
      ? "LDAP server answered a root DSE search:"
      : `LDAP server answered with result code ${rootDse.resultCode ?? "(none)"}, no entry`,
  ];
  const lower = new Map(
    [...rootDse.attributes].map(([name, values]) => [name.toLowerCase(), values]),
  );
  for (const name of ROOT_DSE_ATTRIBUTES) {
    const values = lower.get(name.toLowerCase());
    if (values) lines.push(`  ${name}: ${values.join(", ")}`);
  }
  return lines;
}
