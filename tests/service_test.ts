/** `portset service`: the unit it writes, staged installs and uninstalls, status, errors. */

import assert from "node:assert/strict";
import { launchdPlist } from "../collectors/darwin/launchd_service.ts";
import { systemdUnit } from "../collectors/linux/systemd_service.ts";
import { quoteArgument } from "../collectors/service.ts";
import { runCli } from "./support/processes.ts";

const settings = {
  program: ["/usr/local/bin/portset"],
  monitorArgs: ["monitor", "--log-dir", "/var/log/portset", "--interval", "5"],
  logDirectory: "/var/log/portset",
};

Deno.test("the systemd unit runs the monitor as a hardened, restartable boot service", () => {
  const unit = systemdUnit(settings);
  assert.match(
    unit,
    /^ExecStart=\/usr\/local\/bin\/portset monitor --log-dir \/var\/log\/portset --interval 5$/m,
  );
  assert.match(unit, /^Restart=on-failure$/m);
  assert.match(unit, /^KillSignal=SIGTERM$/m);
  assert.match(unit, /^ProtectSystem=strict$/m);
  assert.match(unit, /^ReadWritePaths=\/var\/log\/portset$/m);
  assert.match(unit, /^CapabilityBoundingSet=CAP_SYS_PTRACE CAP_DAC_READ_SEARCH$/m);
  assert.match(unit, /^WantedBy=multi-user\.target$/m);
  assert.doesNotMatch(unit, /DENO_DIR/, "a compiled portset needs no deno cache");
  const fromSource = systemdUnit({
    ...settings,
    program: ["/opt/deno", "run", "--allow-all", "/opt/portset/main.ts"],
  });
  assert.match(fromSource, /^Environment=DENO_DIR=\/var\/cache\/portset$/m);
});

Deno.test("arguments are quoted for ExecStart and the plist escapes XML", () => {
  assert.equal(quoteArgument("/var/log/portset"), "/var/log/portset");
  assert.equal(quoteArgument('/srv/my logs/"x"$y'), '"/srv/my logs/\\"x\\"\\$y"');
  const plist = launchdPlist({
    ...settings,
    monitorArgs: ["monitor", "--rule", "/etc/a&b<c>.xml"],
  });
  assert.match(plist, /<string>\/etc\/a&amp;b&lt;c&gt;\.xml<\/string>/);
  assert.match(plist, /<key>RunAtLoad<\/key>\n {2}<true\/>/);
});

Deno.test("install --dry-run prints the directory, the unit and the systemctl calls, and changes nothing", async () => {
  const run = await runCli([
    "service",
    "install",
    "--dry-run",
    "--log-dir",
    "/srv/portset-logs",
    "--interval",
    "10",
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^create directory \/srv\/portset-logs \(mode 700\)$/m);
  assert.match(run.stdout, /^write \/etc\/systemd\/system\/portset\.service \(mode 644\):$/m);
  assert.match(run.stdout, /^ExecStart=.* monitor --log-dir \/srv\/portset-logs --interval 10$/m);
  assert.match(
    run.stdout,
    /^run: systemctl daemon-reload\nrun: systemctl enable --now portset\.service$/m,
  );
  assert.throws(() => Deno.statSync("/srv/portset-logs"));
});

Deno.test("install and uninstall under a staging root; status says where it stands", async () => {
  const root = Deno.makeTempDirSync({ prefix: "portset-root-" });
  try {
    assert.equal((await runCli(["service", "status", "--root", root])).code, 4, "not installed");
    const install = await runCli([
      "service",
      "install",
      "--root",
      root,
      "--log-dir",
      "/var/log/portset",
    ]);
    assert.equal(install.code, 0, install.stderr);
    const unit = Deno.readTextFileSync(`${root}/etc/systemd/system/portset.service`);
    assert.match(
      unit,
      /^ExecStart=.*main\.ts monitor --log-dir \/var\/log\/portset --interval 5$/m,
    );
    assert.equal(Deno.statSync(`${root}/var/log/portset`).mode! & 0o777, 0o700);
    const status = await runCli(["service", "status", "--root", root]);
    assert.match(status.stdout, /installed, state unknown \(staged, not managed\)/);
    const uninstall = await runCli(["service", "uninstall", "--root", root]);
    assert.equal(uninstall.code, 0, uninstall.stderr);
    assert.throws(() => Deno.statSync(`${root}/etc/systemd/system/portset.service`));
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("service errors: one line, exit code 2", async () => {
  const cases: [string[], RegExp][] = [
    [["service"], /portset service needs install, uninstall or status/],
    [["service", "restart"], /unknown service action 'restart'/],
    [["service", "status", "--log-dir", "/x"], /--log-dir goes with service install/],
    [
      ["service", "install", "--interval", "0"],
      /--interval SECONDS must be a whole number from 1 to 3600/,
    ],
  ];
  for (const [args, pattern] of cases) {
    const run = await runCli(args);
    assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
    assert.match(run.stderr, pattern);
    assert.equal(run.stderr.trimEnd().split("\n").length, 1);
  }
});
