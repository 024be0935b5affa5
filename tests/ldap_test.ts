/**
 * remote/protocols/ldap.ts: the CLDAP root DSE search, a reply captured from a Samba AD domain
 * controller described as PortQry prints a root DSE, and replies built here: the currentTime
 * forms, several values, no entry, malformed datagrams.
 */

import assert from "node:assert/strict";
import { BER, berElement, berInteger, BerReader, berString } from "../remote/protocols/ber.ts";
import {
  decodeRootDseReply,
  describeRootDse,
  encodeRootDseSearch,
} from "../remote/protocols/ldap.ts";
import { cldapResponder, ROOT_DSE } from "./support/udp_servers.ts";

function fromHex(hex: string): Uint8Array {
  return new Uint8Array(hex.match(/../g)!.map((pair) => parseInt(pair, 16)));
}

/** The attribute names a search asks for. */
function requestedAttributes(request: Uint8Array): string[] {
  const message = new BerReader(request).enter(BER.SEQUENCE);
  message.integer();
  const search = message.enter(0x63);
  for (let i = 0; i < 7; i++) search.read();
  const attributes = search.enter(BER.SEQUENCE);
  const names = [];
  while (attributes.more) names.push(attributes.string());
  return names;
}

Deno.test('encodeRootDseSearch: a base-object search of "" for (objectClass=*), all attributes', () => {
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
  assert.deepEqual([...search.read(BER.SEQUENCE).contents], [], "an empty list: every attribute");
  assert.equal(message.more, false);
  assert.deepEqual(requestedAttributes(encodeRootDseSearch(4, ["dnsHostName"])), ["dnsHostName"]);
});

/**
 * Samba 4.17's CLDAP server (Debian 2:4.17.12; `samba-tool domain provision --realm=
 * PSTEST.EXAMPLE.COM --domain=PSTEST --server-role=dc --dns-backend=NONE --use-rfc2307`, host
 * psdc1, in a network namespace) answering encodeRootDseSearch(1) on 127.0.0.1:389: one
 * 1911-byte datagram, the searchResultEntry then a searchResultDone.
 */
const SAMBA_REPLY = fromHex([
  "308207650201016482075e040030820758304c041a636f6e66696775726174696f6e4e616d696e67436f6e74",
  "657874312e042c434e3d436f6e66696775726174696f6e2c44433d7073746573742c44433d6578616d706c65",
  "2c44433d636f6d3035041464656661756c744e616d696e67436f6e74657874311d041b44433d707374657374",
  "2c44433d6578616d706c652c44433d636f6d30380417726f6f74446f6d61696e4e616d696e67436f6e746578",
  "74311d041b44433d7073746573742c44433d6578616d706c652c44433d636f6d304f0413736368656d614e61",
  "6d696e67436f6e7465787431380436434e3d536368656d612c434e3d436f6e66696775726174696f6e2c4443",
  "3d7073746573742c44433d6578616d706c652c44433d636f6d305a0411737562736368656d61537562656e74",
  "727931450443434e3d4167677265676174652c434e3d536368656d612c434e3d436f6e66696775726174696f",
  "6e2c44433d7073746573742c44433d6578616d706c652c44433d636f6d3081950415737570706f7274656443",
  "61706162696c6974696573317c0416312e322e3834302e3131333535362e312e342e3830300417312e322e38",
  "34302e3131333535362e312e342e313637300417312e322e3834302e3131333535362e312e342e3137393104",
  "17312e322e3834302e3131333535362e312e342e313933350417312e322e3834302e3131333535362e312e34",
  "2e32303830301e0414737570706f727465644c44415056657273696f6e31060401320401333032040a76656e",
  "646f724e616d653124042253616d6261205465616d202868747470733a2f2f7777772e73616d62612e6f7267",
  "293018040e697353796e6368726f6e697a65643106040454525545308188040d6473536572766963654e616d",
  "6531770475434e3d4e5444532053657474696e67732c434e3d50534443312c434e3d536572766572732c434e",
  "3d44656661756c742d46697273742d536974652d4e616d652c434e3d53697465732c434e3d436f6e66696775",
  "726174696f6e2c44433d7073746573742c44433d6578616d706c652c44433d636f6d3074040a736572766572",
  "4e616d6531660464434e3d50534443312c434e3d536572766572732c434e3d44656661756c742d4669727374",
  "2d536974652d4e616d652c434e3d53697465732c434e3d436f6e66696775726174696f6e2c44433d70737465",
  "73742c44433d6578616d706c652c44433d636f6d3029040b646e73486f73744e616d65311a04187073646331",
  "2e7073746573742e6578616d706c652e636f6d3041040f6c646170536572766963654e616d65312e042c7073",
  "746573742e6578616d706c652e636f6d3a707364633124405053544553542e4558414d504c452e434f4d3022",
  "040b63757272656e7454696d653113041132303236313230343133333933322e305a30820219041073757070",
  "6f72746564436f6e74726f6c318202030417312e322e3834302e3131333535362e312e342e31343133041731",
  "2e322e3834302e3131333535362e312e342e313431330417312e322e3834302e3131333535362e312e342e31",
  "3431330416312e322e3834302e3131333535362e312e342e3532380416312e322e3834302e3131333535362e",
  "312e342e3834310416312e322e3834302e3131333535362e312e342e3331390417322e31362e3834302e312e",
  "3131333733302e332e342e390416312e322e3834302e3131333535362e312e342e3437330417312e322e3834",
  "302e3131333535362e312e342e313530340416312e322e3834302e3131333535362e312e342e383031041631",
  "2e322e3834302e3131333535362e312e342e3830310416312e322e3834302e3131333535362e312e342e3830",
  "310416312e322e3834302e3131333535362e312e342e3830350417312e322e3834302e3131333535362e312e",
  "342e313333380416312e322e3834302e3131333535362e312e342e3532390416312e322e3834302e31313335",
  "35362e312e342e3431370417312e322e3834302e3131333535362e312e342e323036340417312e322e383430",
  "2e3131333535362e312e342e313333390417312e322e3834302e3131333535362e312e342e31333430041731",
  "2e322e3834302e3131333535362e312e342e313431330417312e322e3834302e3131333535362e312e342e31",
  "333431308196040e6e616d696e67436f6e7465787473318183041b44433d7073746573742c44433d6578616d",
  "706c652c44433d636f6d042c434e3d436f6e66696775726174696f6e2c44433d7073746573742c44433d6578",
  "616d706c652c44433d636f6d0436434e3d536368656d612c434e3d436f6e66696775726174696f6e2c44433d",
  "7073746573742c44433d6578616d706c652c44433d636f6d301d041368696768657374436f6d6d6974746564",
  "55534e3106040433393930301a0413646f6d61696e46756e6374696f6e616c6974793103040134301a041366",
  "6f7265737446756e6374696f6e616c69747931030401343024041d646f6d61696e436f6e74726f6c6c657246",
  "756e6374696f6e616c6974793103040134301e04146973476c6f62616c436174616c6f675265616479310604",
  "0454525545300c02010165070a010004000400",
].join(""));

/**
 * The oracle: `ldapsearch -x -LLL -o ldif-wrap=no -H ldap://127.0.0.1 -b '' -s base '*' '+'`,
 * over TCP to the same server a few seconds later, printed exactly these lines (LDIF's
 * `name: value` is PortQry's line too), in this order, with two differences: its currentTime was
 * 20261204133937.0Z where the CLDAP reply's is 20261204133932.0Z, shown here as PortQry's
 * currentdate, and it also listed supportedSASLMechanisms (GSS-SPNEGO, GSSAPI, NTLM), which
 * Samba leaves out of its CLDAP answer.
 */
const SAMBA_LINES = [
  "configurationNamingContext: CN=Configuration,DC=pstest,DC=example,DC=com",
  "defaultNamingContext: DC=pstest,DC=example,DC=com",
  "rootDomainNamingContext: DC=pstest,DC=example,DC=com",
  "schemaNamingContext: CN=Schema,CN=Configuration,DC=pstest,DC=example,DC=com",
  "subschemaSubentry: CN=Aggregate,CN=Schema,CN=Configuration,DC=pstest,DC=example,DC=com",
  "supportedCapabilities: 1.2.840.113556.1.4.800",
  "supportedCapabilities: 1.2.840.113556.1.4.1670",
  "supportedCapabilities: 1.2.840.113556.1.4.1791",
  "supportedCapabilities: 1.2.840.113556.1.4.1935",
  "supportedCapabilities: 1.2.840.113556.1.4.2080",
  "supportedLDAPVersion: 2",
  "supportedLDAPVersion: 3",
  "vendorName: Samba Team (https://www.samba.org)",
  "isSynchronized: TRUE",
  "dsServiceName: CN=NTDS Settings,CN=PSDC1,CN=Servers,CN=Default-First-Site-Name,CN=Sites,CN=Configuration,DC=pstest,DC=example,DC=com",
  "serverName: CN=PSDC1,CN=Servers,CN=Default-First-Site-Name,CN=Sites,CN=Configuration,DC=pstest,DC=example,DC=com",
  "dnsHostName: psdc1.pstest.example.com",
  "ldapServiceName: pstest.example.com:psdc1$@PSTEST.EXAMPLE.COM",
  "currentdate: 12/04/2026 13:39:32 (unadjusted GMT)",
  "supportedControl: 1.2.840.113556.1.4.1413",
  "supportedControl: 1.2.840.113556.1.4.1413",
  "supportedControl: 1.2.840.113556.1.4.1413",
  "supportedControl: 1.2.840.113556.1.4.528",
  "supportedControl: 1.2.840.113556.1.4.841",
  "supportedControl: 1.2.840.113556.1.4.319",
  "supportedControl: 2.16.840.1.113730.3.4.9",
  "supportedControl: 1.2.840.113556.1.4.473",
  "supportedControl: 1.2.840.113556.1.4.1504",
  "supportedControl: 1.2.840.113556.1.4.801",
  "supportedControl: 1.2.840.113556.1.4.801",
  "supportedControl: 1.2.840.113556.1.4.801",
  "supportedControl: 1.2.840.113556.1.4.805",
  "supportedControl: 1.2.840.113556.1.4.1338",
  "supportedControl: 1.2.840.113556.1.4.529",
  "supportedControl: 1.2.840.113556.1.4.417",
  "supportedControl: 1.2.840.113556.1.4.2064",
  "supportedControl: 1.2.840.113556.1.4.1339",
  "supportedControl: 1.2.840.113556.1.4.1340",
  "supportedControl: 1.2.840.113556.1.4.1413",
  "supportedControl: 1.2.840.113556.1.4.1341",
  "namingContexts: DC=pstest,DC=example,DC=com",
  "namingContexts: CN=Configuration,DC=pstest,DC=example,DC=com",
  "namingContexts: CN=Schema,CN=Configuration,DC=pstest,DC=example,DC=com",
  "highestCommittedUSN: 3990",
  "domainFunctionality: 4",
  "forestFunctionality: 4",
  "domainControllerFunctionality: 4",
  "isGlobalCatalogReady: TRUE",
];

Deno.test("decodeRootDseReply: Samba's CLDAP root DSE, every value in the server's order", () => {
  const rootDse = decodeRootDseReply(SAMBA_REPLY);
  assert.equal(rootDse.resultCode, 0);
  assert.deepEqual(rootDse.attributes.get("namingContexts"), [
    "DC=pstest,DC=example,DC=com",
    "CN=Configuration,DC=pstest,DC=example,DC=com",
    "CN=Schema,CN=Configuration,DC=pstest,DC=example,DC=com",
  ]);
  assert.deepEqual(rootDse.attributes.get("currentTime"), ["20261204133932.0Z"]);
  assert.deepEqual(describeRootDse(rootDse), SAMBA_LINES);
});

Deno.test("decodeRootDseReply: the responder's entry, one line per value", () => {
  const rootDse = decodeRootDseReply(cldapResponder(encodeRootDseSearch(77))!);
  assert.equal(rootDse.resultCode, 0);
  assert.deepEqual(Object.fromEntries(rootDse.attributes), {
    dnsHostName: [ROOT_DSE.dnsHostName],
    defaultNamingContext: [ROOT_DSE.defaultNamingContext],
    supportedLDAPVersion: ROOT_DSE.supportedLDAPVersion,
  });
  assert.deepEqual(describeRootDse(rootDse), [
    `dnsHostName: ${ROOT_DSE.dnsHostName}`,
    `defaultNamingContext: ${ROOT_DSE.defaultNamingContext}`,
    "supportedLDAPVersion: 3",
    "supportedLDAPVersion: 2",
  ]);
});

/** A datagram holding a root DSE entry with `attributes` and a successful searchResultDone. */
function entryReply(attributes: [string, string[]][]): Uint8Array {
  const list = attributes.map(([name, values]) =>
    berElement(
      BER.SEQUENCE,
      berString(name),
      berElement(BER.SET, ...values.map((v) => berString(v))),
    )
  );
  const entry = berElement(0x64, berString(""), berElement(BER.SEQUENCE, ...list));
  const done = berElement(0x65, berInteger(0, BER.ENUMERATED), berString(""), berString(""));
  return new Uint8Array([
    ...berElement(BER.SEQUENCE, berInteger(9), entry),
    ...berElement(BER.SEQUENCE, berInteger(9), done),
  ]);
}

Deno.test("describeRootDse: currentTime as PortQry's currentdate, where it can be", () => {
  const lines = (time: string) =>
    describeRootDse(decodeRootDseReply(entryReply([["currentTime", [time]], ["x", ["y"]]])));
  assert.deepEqual(lines("20261204133000.0Z"), [
    "currentdate: 12/04/2026 13:30:00 (unadjusted GMT)",
    "x: y",
  ]);
  assert.deepEqual(
    lines("20260102030405Z")[0],
    "currentdate: 01/02/2026 03:04:05 (unadjusted GMT)",
  );
  assert.equal(lines("202601020304Z")[0], "currentdate: 01/02/2026 03:04:00 (unadjusted GMT)");
  assert.equal(lines("2026010203Z")[0], "currentdate: 01/02/2026 03:00:00 (unadjusted GMT)");
  // An offset, a fraction of an hour, or no time at all: shown as sent.
  assert.equal(lines("20261204133000+0100")[0], "currentTime: 20261204133000+0100");
  assert.equal(lines("2026120413.5Z")[0], "currentTime: 2026120413.5Z");
  assert.equal(lines("yesterday")[0], "currentTime: yesterday");
  // The name is matched without case, as LDAP's attribute descriptions are.
  const upper = decodeRootDseReply(entryReply([["CURRENTTIME", ["20261204133000.0Z"]]]));
  assert.deepEqual(describeRootDse(upper), ["currentdate: 12/04/2026 13:30:00 (unadjusted GMT)"]);
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
  assert.throws(() => decodeRootDseReply(SAMBA_REPLY.subarray(0, 1000)), /fewer are left/);
});
