/** remote/services_file.ts: names from a services file, comments and aliases passed over. */

import assert from "node:assert/strict";
import { loadServices, parseServices, serviceName } from "../remote/services_file.ts";

Deno.test("parseServices: the first name per port and protocol; junk lines ignored", () => {
  const names = parseServices(
    [
      "# Network services, Internet style",
      "",
      "ftp\t\t21/tcp",
      "domain\t\t53/tcp\t\t\t# Domain Name Server",
      "domain\t\t53/udp",
      "http\t\t80/tcp\t\twww\t\t# WorldWideWeb HTTP",
      "www-alt\t\t80/tcp",
      "  ntp   123/UDP  ",
      "broken line",
      "nope\t\tabc/tcp",
      "sctp-only\t\t9/sctp",
      "kerberos 88/tcp kerberos5 krb5 # Kerberos v5\r",
    ].join("\n"),
  );
  assert.equal(serviceName(names, "tcp", 21), "ftp");
  assert.equal(serviceName(names, "udp", 53), "domain");
  assert.equal(serviceName(names, "tcp", 80), "http");
  assert.equal(serviceName(names, "udp", 123), "ntp");
  assert.equal(serviceName(names, "tcp", 88), "kerberos");
  assert.equal(serviceName(names, "udp", 80), null);
  assert.equal(names.size, 6);
});

Deno.test("loadServices: a missing file means no names, not an error", () => {
  assert.equal(loadServices("/nonexistent/services").size, 0);
});
