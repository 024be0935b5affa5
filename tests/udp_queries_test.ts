/**
 * What the report says of an answer a protocol's decoder cannot read: the port still listens
 * (something answered), and the line names the protocol with its article.
 */

import assert from "node:assert/strict";
import { describeReply, UDP_QUERIES } from "../remote/udp_queries.ts";

Deno.test("an answer no decoder can read is named by its size and the protocol, in good English", () => {
  const garbage = new Uint8Array([1, 2, 3]);
  const said = (port: number) => describeReply(UDP_QUERIES.get(port)!, garbage)[0];
  assert.match(said(123), /^a 3-byte answer that is not an NTP reply \(.+\)$/);
  assert.match(said(161), /^a 3-byte answer that is not an SNMP reply \(.+\)$/);
  assert.match(said(389), /^a 3-byte answer that is not an LDAP reply \(.+\)$/);
  assert.match(said(53), /^a 3-byte answer that is not a DNS reply \(.+\)$/);
  assert.match(said(137), /^a 3-byte answer that is not a NetBIOS reply \(.+\)$/);
  assert.match(said(1434), /^a 3-byte answer that is not a SQL Server reply \(.+\)$/);
});
