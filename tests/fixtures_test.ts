/**
 * The Python programs tests start (tests/fixtures/*.py) compile: a fixture that no longer parses
 * fails here, by name, rather than as a holder that never says it is ready.
 */

import assert from "node:assert/strict";
import { exists, SYSTEM_PYTHON } from "./support/processes.ts";

const FIXTURES = new URL("./fixtures/", import.meta.url).pathname;

Deno.test({
  name: "every Python fixture compiles",
  ignore: !exists(SYSTEM_PYTHON),
  async fn() {
    const programs = [...Deno.readDirSync(FIXTURES)]
      .filter((entry) => entry.isFile && entry.name.endsWith(".py"))
      .map((entry) => `${FIXTURES}${entry.name}`);
    assert.ok(programs.length >= 10, `the fixtures found: ${programs.length}`);
    // Compiled only, nothing run; the bytecode goes to a directory of the test's own.
    const cache = Deno.makeTempDirSync({ prefix: "portset-pycache-" });
    const { code, stderr } = await new Deno.Command(SYSTEM_PYTHON, {
      args: ["-m", "py_compile", ...programs],
      env: { PYTHONPYCACHEPREFIX: cache },
      stdout: "null",
    }).output();
    Deno.removeSync(cache, { recursive: true });
    assert.equal(code, 0, new TextDecoder().decode(stderr));
  },
});
