/**
 * remote/protocols/ldap.ts: the CLDAP root DSE search, and the entry read from a reply datagram
 * holding a searchResultEntry and a searchResultDone.
 */

import assert from "node:assert/strict";
import { BER, BerReader } from "../remote/protocols/ber.ts";
import {
  decodeRootDseReply,
  describeRootDse,
  encodeRootDseSearch,
  ROOT_DSE_ATTRIBUTES,
} from "../remote/protocols/ldap.ts";
import { cldapResponder, ROOT_DSE } from "./support/udp_servers.ts";

Deno.test('encodeRootDseSearch: a base-object search of "" for (objectClass=*)', () => {
  const message = new BerReader(encodeRootDseSearch(3)).enter(BER.SEQUENCE);
  assert.equal(message.integer(), 3);
  const search = message.enter(0x63);
  assert.equal(search.string(), "");
  assert.equal(search.integer(BER.ENUMERATED), 0, "scope baseObject");
  assert.equal(search.integer(BER.ENUMERATED), 0, "derefAliases never");
  assert.equal(search.integer(), 0);
  assert.equal(search.integer(), 0);
  assert.deepEqual([...search.read(BER.BOOLEAN).contents], [0]);
  assert.equal(search.string(0x87), "objectClass");
  const attributes = search.enter(BER.SEQUENCE);
  const names = [];
  while (attributes.more) names.push(attributes.string());
  assert.deepEqual(names, [...ROOT_DSE_ATTRIBUTES]);
  assert.equal(message.more, false);
});

Deno.test("decodeRootDseReply: attributes and the result code from one datagram", () => {
  const rootDse = decodeRootDseReply(cldapResponder(encodeRootDseSearch(77))!);
  assert.equal(rootDse.resultCode, 0);
  assert.deepEqual(Object.fromEntries(rootDse.attributes), {
    dnsHostName: [ROOT_DSE.dnsHostName],
    defaultNamingContext: [ROOT_DSE.defaultNamingContext],
    supportedLDAPVersion: ROOT_DSE.supportedLDAPVersion,
  });
  assert.deepEqual(describeRootDse(rootDse), [
    "LDAP server answered a root DSE search:",
    `  dnsHostName: ${ROOT_DSE.dnsHostName}`,
    `  defaultNamingContext: ${ROOT_DSE.defaultNamingContext}`,
    "  supportedLDAPVersion: 3, 2",
  ]);
});

Deno.test("decodeRootDseReply: only a searchResultDone, and malformed datagrams", () => {
  const done = new Uint8Array([
    0x30,
    0x0c,
    0x02,
    0x01,
    0x01,
    0x65,
    0x07,
    0x0a,
    0x01,
    0x35,
    0x04,
    0x00,
    0x04,
    0x00,
  ]);
  const rootDse = decodeRootDseReply(done);
  assert.equal(rootDse.resultCode, 53);
  assert.deepEqual(describeRootDse(rootDse), [
    "LDAP server answered with result code 53, no entry",
  ]);
  assert.throws(() => decodeRootDseReply(done.subarray(0, 9)));
});
