/** outputs/cef.ts: header and extension escaping as the CEF specification has it. */

import assert from "node:assert/strict";
import { cefHeader, cefValue, formatCef } from "../outputs/cef.ts";

Deno.test("header fields escape pipe and backslash; extension values escape equals, backslash, newlines", () => {
  assert.equal(cefHeader("a|b\\c"), "a\\|b\\\\c");
  assert.equal(cefValue("a=b\\c\nd\re|f"), "a\\=b\\\\c\\nd\\re|f");
});

Deno.test("formatCef lays out the record and leaves out empty extensions", () => {
  const line = formatCef({
    vendor: "portset",
    product: "portset",
    version: "0.1.0",
    signature: "PortSet:Created",
    name: "PortSet entity created",
    severity: 6,
    extensions: [["dpt", 80], ["dproc", null], ["filePath", "C:\\x=y"], ["duser", undefined]],
  });
  assert.equal(
    line,
    "CEF:0|portset|portset|0.1.0|PortSet:Created|PortSet entity created|6|dpt=80 filePath=C:\\\\x\\=y",
  );
});
