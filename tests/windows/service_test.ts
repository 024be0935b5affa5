// `portset service install|status|uninstall` on Windows, under Wine: the Service Control Manager
// starts `portset monitor --windows-service`, which must speak the SCM's protocol, write its logs,
// and stop when told.
//
// Ignored under the Linux deno unless the Wine runner's PORTSET_EXPECT_WINDOWS says otherwise.
import assert from "node:assert/strict";

const ignore = Deno.build.os !== "windows" && Deno.env.get("PORTSET_EXPECT_WINDOWS") !== "1";
const main = new URL("../../main.ts", import.meta.url).href;

async function portset(...args: string[]): Promise<{ code: number; out: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", main, ...args],
  }).output();
  const decoder = new TextDecoder();
  return { code: output.code, out: decoder.decode(output.stdout) + decoder.decode(output.stderr) };
}

Deno.test({
  name: "the monitor installed as a Windows service runs, logs, reports its status and uninstalls",
  ignore,
  async fn() {
    const logs = Deno.makeTempDirSync({ prefix: "portset-service-" });
    try {
      const dryRun = await portset(
        "service",
        "install",
        "--dry-run",
        "--log-dir",
        logs,
        "--interval",
        "1",
      );
      assert.equal(dryRun.code, 0, dryRun.out);
      assert.match(
        dryRun.out,
        /create service portset \(automatic start, LocalSystem\): .*monitor --log-dir .* --interval 1 --windows-service/,
      );

      const install = await portset("service", "install", "--log-dir", logs, "--interval", "1");
      assert.equal(install.code, 0, install.out);
      const running = await portset("service", "status");
      assert.equal(running.code, 0, `running: ${running.out}`);
      assert.match(running.out, /installed, running/);

      // The service's own monitor writes its logs.
      const deadline = Date.now() + 60_000;
      let names: string[] = [];
      while (Date.now() < deadline) {
        names = [...Deno.readDirSync(logs)].map((e) => e.name);
        if (names.some((n) => n.startsWith("PR-PORTS-"))) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      assert.ok(names.some((n) => n.startsWith("PR-INITIAL-")), `PR-INITIAL written: ${names}`);
      assert.ok(names.some((n) => n.startsWith("PR-PORTS-")), `PR-PORTS written: ${names}`);

      const uninstall = await portset("service", "uninstall");
      assert.equal(uninstall.code, 0, uninstall.out);
      const gone = await portset("service", "status");
      assert.equal(gone.code, 4, gone.out);
    } finally {
      await portset("service", "uninstall"); // in case an assertion stopped the test midway
      Deno.removeSync(logs, { recursive: true });
    }
  },
});
