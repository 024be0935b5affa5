/** scripts/compile.ts: the part that does not depend on reaching Deno's download host. */

import assert from "node:assert/strict";
import { REPO_ROOT } from "./support/processes.ts";

Deno.test("deno task compile refuses an unknown target in one line, naming the known ones", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", `${REPO_ROOT}scripts/compile.ts`, "--target", "sparc-sun-solaris"],
    cwd: REPO_ROOT,
    env: { NO_COLOR: "1" },
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 2, stderr);
  assert.equal(stderr.trimEnd().split("\n").length, 1, stderr);
  assert.match(stderr, /unknown target 'sparc-sun-solaris'/);
  for (
    const triple of [
      "x86_64-unknown-linux-gnu",
      "aarch64-unknown-linux-gnu",
      "x86_64-pc-windows-msvc",
      "aarch64-pc-windows-msvc",
      "x86_64-apple-darwin",
      "aarch64-apple-darwin",
    ]
  ) {
    assert.match(stderr, new RegExp(triple), `lists ${triple}`);
  }
});
