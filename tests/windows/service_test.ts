// `portset service install|status|uninstall` on Windows, under Wine: the Service Control Manager
// starts `portset monitor --windows-service`, which must speak the SCM's protocol, write its logs,
// and stop when told; the log directory gets a DACL for Administrators and SYSTEM only, and the
// service's key an Environment value; `--start manual` installs without starting.
//
// What Wine 8.0 does with the DACL: SetNamedSecurityInfoW succeeds, but Wine keeps no ACL for a
// directory. It turns the DACL into Unix mode bits (entries for Everyone, for the owner, and for
// groups of its one user's token, such as Administrators), after adding the parent's inheritable
// entries although PROTECTED_DACL_SECURITY_INFORMATION says not to, and GetNamedSecurityInfoW
// reads a DACL made from the mode back (SYSTEM, the user, Everyone). Nor does Wine's services.exe
// read a service's Environment value. So under Wine these tests check that the calls succeed and
// that the values can be read back; the exact DACL only on Windows.
//
// Ignored under the Linux deno unless the Wine runner's PORTSET_EXPECT_WINDOWS says otherwise.
import assert from "node:assert/strict";
import {
  ADMINISTRATORS_AND_SYSTEM_ONLY,
  directoryAcl,
  setDirectoryAcl,
} from "../../collectors/windows/directory_acl.ts";
import { SERVICE_ENVIRONMENT, serviceEnvironment } from "../../collectors/windows/scm_service.ts";

const ignore = Deno.build.os !== "windows" && Deno.env.get("PORTSET_EXPECT_WINDOWS") !== "1";
const main = new URL("../../main.ts", import.meta.url).href;

/** Wine's version when running under Wine (ntdll's wine_get_version), else null. */
function wineVersion(): string | null {
  const ntdll = Deno.dlopen("ntdll.dll", {
    wine_get_version: { parameters: [], result: "pointer", optional: true },
  });
  try {
    const pointer = ntdll.symbols.wine_get_version?.() ?? null;
    return pointer === null ? null : Deno.UnsafePointerView.getCString(pointer);
  } finally {
    ntdll.close();
  }
}

/** The log directory's DACL must be Administrators' and SYSTEM's; under Wine, readable. */
function assertAdministratorsOnly(path: string): void {
  const acl = directoryAcl(path);
  const wine = wineVersion();
  if (wine === null) {
    assert.equal(acl, ADMINISTRATORS_AND_SYSTEM_ONLY);
  } else {
    // Wine keeps no DACL of a directory's: what reads back is made from the Unix mode.
    assert.match(acl, /^D:(\([^)]*\))+$/);
    console.log(`Wine ${wine}: ${path}'s DACL reads back as ${acl}`);
  }
}

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
        /create service portset \(automatic start, LocalSystem, environment DENO_NO_UPDATE_CHECK=1\): .*monitor --log-dir .* --interval 1 --windows-service/,
      );
      assert.match(
        dryRun.out,
        /^restrict .* to Administrators and SYSTEM \(D:P\(A;OICI;FA;;;SY\)\(A;OICI;FA;;;BA\)\)$/m,
      );

      const install = await portset("service", "install", "--log-dir", logs, "--interval", "1");
      assert.equal(install.code, 0, install.out);
      const running = await portset("service", "status");
      assert.equal(running.code, 0, `running: ${running.out}`);
      assert.match(running.out, /installed, running/);
      assert.deepEqual(serviceEnvironment(), [...SERVICE_ENVIRONMENT]);
      assertAdministratorsOnly(logs);

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

Deno.test({
  name: "service install --start manual creates the service without starting it",
  ignore,
  async fn() {
    const logs = Deno.makeTempDirSync({ prefix: "portset-manual-" });
    try {
      const dryRun = await portset("service", "install", "--dry-run", "--start", "manual");
      assert.equal(dryRun.code, 0, dryRun.out);
      assert.match(dryRun.out, /create service portset \(manual start, LocalSystem/);
      assert.doesNotMatch(dryRun.out, /^start service/m);

      const install = await portset("service", "install", "--log-dir", logs, "--start", "manual");
      assert.equal(install.code, 0, install.out);
      assert.match(install.out, /not started \(--start manual\): 'sc start portset' starts it/);
      const stopped = await portset("service", "status");
      assert.equal(stopped.code, 3, `installed, not running: ${stopped.out}`);
      assert.deepEqual([...Deno.readDirSync(logs)], [], "no monitor ran");
      assert.equal((await portset("service", "uninstall")).code, 0);
      assert.equal((await portset("service", "status")).code, 4);
    } finally {
      await portset("service", "uninstall");
      Deno.removeSync(logs, { recursive: true });
    }
  },
});

Deno.test({
  name: "a directory's DACL set from SDDL through advapi32 reads back with GetNamedSecurityInfoW",
  ignore,
  fn() {
    const directory = Deno.makeTempDirSync({ prefix: "portset-acl-" });
    try {
      const before = directoryAcl(directory);
      assert.match(before, /^D:/);
      setDirectoryAcl(directory);
      assertAdministratorsOnly(directory);
      assert.throws(
        () => setDirectoryAcl(`${directory}\\missing`),
        /cannot set the ACL of .*missing \(error \d+\)/,
      );
      assert.throws(
        () => setDirectoryAcl(directory, "D:(nonsense)"),
        /cannot read the ACL D:\(nonsense\)/,
      );
    } finally {
      Deno.removeSync(directory, { recursive: true });
    }
  },
});
