/**
 * portset makes no network call of its own, and needs no registry once installed: run the way
 * users and services run it (the `portset` launcher, the npm script), inside a network namespace
 * with only a loopback interface and a mount namespace whose resolv.conf points at a resolver
 * this test holds, with an empty Deno cache, it answers `-local`, `scan` (whose XML parser comes
 * from node_modules, not the npm registry) and runs `monitor`, and the resolver hears nothing.
 * A bare `deno run` in the same place, as a control, is heard: Deno's update check asks for
 * dl.deno.land unless DENO_NO_UPDATE_CHECK says not to.
 */

import assert from "node:assert/strict";
import { namespaceUnavailable } from "./support/netns.ts";
import { REPO_ROOT } from "./support/processes.ts";

const unavailable = namespaceUnavailable("python3");

/** Answers nothing; writes each question's name to the log file given. */
const RESOLVER = new URL("./fixtures/resolver.py", import.meta.url).pathname;

/** Runs `script` (sh) with no network but loopback, the resolver above, an empty Deno cache. */
async function withoutNetwork(
  script: string,
): Promise<{ code: number; output: string; log: string }> {
  const directory = await Deno.makeTempDir({ prefix: "portset-nonet-" });
  try {
    await Deno.copyFile(RESOLVER, `${directory}/resolver.py`);
    await Deno.writeTextFile(`${directory}/resolv.conf`, "nameserver 127.0.0.1\n");
    await Deno.writeTextFile(
      `${directory}/rule.xml`,
      '<PortSet>\n  <include key="*"/>\n</PortSet>\n',
    );
    const setup = `
      set -e
      ip link set lo up
      mount --bind "$DIR/resolv.conf" /etc/resolv.conf
      python3 "$DIR/resolver.py" "$DIR/queries.log" > "$DIR/resolver.out" &
      resolver=$!
      trap 'kill $resolver' EXIT
      while ! grep -q ready "$DIR/resolver.out"; do sleep 0.02; done
      mkdir "$DIR/cache"
      export DENO_DIR="$DIR/cache"
      cd "$DIR"
    `;
    const output = await new Deno.Command("unshare", {
      args: ["-mn", "sh", "-c", `${setup}\n${script}`],
      env: {
        DIR: directory,
        ROOT: REPO_ROOT,
        PORTSET: `${REPO_ROOT}bin/portset`,
        DENO: Deno.execPath(),
      },
      clearEnv: true,
      stdin: "null",
    }).output();
    let log = "";
    try {
      log = await Deno.readTextFile(`${directory}/queries.log`);
    } catch {
      // nothing was asked
    }
    const text = new TextDecoder();
    return {
      code: output.code,
      output: text.decode(output.stdout) + text.decode(output.stderr),
      log,
    };
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
}

Deno.test({
  name: "control: a bare deno run asks the resolver for Deno's download host",
  ignore: unavailable !== null,
  async fn() {
    // The update check runs in the background: a script that lives a moment gives it time.
    const run = await withoutNetwork(`
      echo 'await new Promise((r) => setTimeout(r, 2000));' > wait.ts
      PATH=/usr/bin:/bin "$DENO" run wait.ts
    `);
    assert.equal(run.code, 0, run.output);
    assert.match(
      run.log,
      /dl\.deno\.land/,
      "the control must be heard, or the test proves nothing",
    );
  },
});

Deno.test({
  name: "portset -local, scan and monitor, started as users and services start them, ask nothing",
  ignore: unavailable !== null,
  async fn() {
    const run = await withoutNetwork(`
      PATH=/usr/bin:/bin
      "$PORTSET" -local --json > local.json
      "$PORTSET" scan rule.xml > scan.txt
      "$PORTSET" monitor --log-dir logs --interval 1 > monitor.txt 2>&1 &
      monitor=$!
      for i in $(seq 100); do [ -n "$(ls logs 2>/dev/null)" ] && break; sleep 0.05; done
      sleep 2
      kill -TERM $monitor
      wait $monitor || true
      ls logs
      # As the installed service runs it (cli/service_command.ts, and the unit's Environment=):
      # from /, deno.json named.
      (cd / && DENO_NO_UPDATE_CHECK=1 "$DENO" run --allow-all --config "$ROOT/deno.json" "$ROOT/main.ts" monitor \
        --rule "$DIR/rule.xml" --rule-interval 1 --log-dir "$DIR/service" > "$DIR/service.txt" 2>&1) &
      service=$!
      for i in $(seq 100); do [ -n "$(ls service 2>/dev/null)" ] && break; sleep 0.05; done
      sleep 2
      kill -TERM $service
      wait $service || true
      echo service: $(ls service | head -1)
      cat service.txt
      echo scanned: $(head -c 200 scan.txt | head -1)
      echo local: $(head -c 120 local.json)
    `);
    assert.equal(run.code, 0, run.output);
    assert.match(run.output, /PR-PORTS-/, `the monitor wrote its logs:\n${run.output}`);
    assert.match(run.output, /service: PR-/, `the service's monitor ran its rule:\n${run.output}`);
    assert.doesNotMatch(run.output, /npm|registry|error/i, run.output);
    assert.match(run.output, /scanned: \d+ entit/, `scan read its rule:\n${run.output}`);
    assert.match(run.output, /local: \{"format":"portset-local\//, run.output);
    assert.equal(run.log, "", `questions asked of the resolver:\n${run.log}`);
  },
});
