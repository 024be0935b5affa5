/**
 * `portset service`: the unit it writes, staged installs and uninstalls, status, errors, and what
 * install checks first (the rule parses, the service can see and use what it needs).
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { launchdPlist, LaunchdServiceManager } from "../collectors/darwin/launchd_service.ts";
import {
  SystemdServiceManager,
  systemdUnit,
  systemdWord,
} from "../collectors/linux/systemd_service.ts";
import { quoteArgument, type ServiceSettings } from "../collectors/service.ts";
import { type CliRun, exists, isRoot, REPO_ROOT, runCli } from "./support/processes.ts";

const settings: ServiceSettings = {
  program: ["/usr/local/bin/portset"],
  monitorArgs: ["monitor", "--log-dir", "/var/log/portset", "--interval", "5"],
  logDirectory: "/var/log/portset",
  writableDirectories: [],
  start: "auto",
};

/** Under /tmp or /var/tmp, which the unit's PrivateTmp=yes hides from the service. */
function underTmp(path: string): boolean {
  const real = Deno.realPathSync(path);
  return ["/tmp", "/var/tmp"].some((tmp) => real === tmp || real.startsWith(`${tmp}/`));
}

/** portset's sources (not the tests, not the toolchain) copied to `directory`. */
function copySources(directory: string): void {
  const skip = new Set([".git", ".ci", "toolchain", "tests", "bench", "docs", "dist"]);
  for (const entry of Deno.readDirSync(REPO_ROOT)) {
    if (skip.has(entry.name)) continue;
    new Deno.Command("cp", { args: ["-a", join(REPO_ROOT, entry.name), directory] }).outputSync();
  }
}

/**
 * A portset that `service install` accepts: this checkout and this deno, unless either is under
 * /tmp (a fresh clone there: install refuses it, rightly), in which case a copy of both in a
 * directory of the home directory, which the unit's ProtectHome=read-only lets it read.
 */
/** `service install --dry-run` with `args`, run by `portset` (see {@linkcode installable}). */
function dryRunInstall(
  portset: { run(args: string[]): Promise<CliRun> },
  ...args: string[]
): Promise<CliRun> {
  return portset.run(["service", "install", "--dry-run", ...args]);
}

function installable(): { run(args: string[]): Promise<CliRun> } & Disposable {
  let deno = Deno.execPath(), main = join(REPO_ROOT, "main.ts"), copy: string | null = null;
  if (underTmp(deno) || underTmp(REPO_ROOT)) {
    copy = Deno.makeTempDirSync({ dir: Deno.env.get("HOME") ?? "/root", prefix: "portset-svc-" });
    copySources(copy);
    Deno.copyFileSync(deno, deno = join(copy, "deno"));
    main = join(copy, "main.ts");
  }
  return {
    async run(args) {
      const output = await new Deno.Command(deno, {
        args: ["run", "--allow-all", main, ...args],
        stdin: "null",
      }).output();
      const decoder = new TextDecoder();
      return {
        code: output.code,
        stdout: decoder.decode(output.stdout),
        stderr: decoder.decode(output.stderr),
      };
    },
    [Symbol.dispose]: () => copy && Deno.removeSync(copy, { recursive: true }),
  };
}

/** A one-line refusal with exit code 2. */
function assertRefused(run: CliRun, pattern: RegExp): void {
  assert.equal(run.code, 2, run.stderr || run.stdout);
  assert.equal(run.stderr.trimEnd().split("\n").length, 1, run.stderr);
  assert.match(run.stderr, pattern);
  assert.equal(run.stdout, "", "a refused dry run prints no unit");
}

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
  // Deno's update check would be a DNS query of the monitor's own.
  assert.match(unit, /^Environment=DENO_NO_UPDATE_CHECK=1$/m);
  assert.doesNotMatch(unit, /DENO_DIR/, "a compiled portset needs no deno cache");
  const fromSource = systemdUnit({
    ...settings,
    program: ["/opt/deno", "run", "--allow-all", "/opt/portset/main.ts"],
  });
  assert.match(fromSource, /^Environment=DENO_DIR=\/var\/cache\/portset$/m);
});

Deno.test("arguments are quoted for the dry run's shell commands and the plist escapes XML", () => {
  assert.equal(quoteArgument("/var/log/portset"), "/var/log/portset");
  assert.equal(quoteArgument('/srv/my logs/"x"$y'), '"/srv/my logs/\\"x\\"\\$y"');
  const plist = launchdPlist({
    ...settings,
    monitorArgs: ["monitor", "--rule", "/etc/a&b<c>.xml"],
  });
  assert.match(plist, /<string>\/etc\/a&amp;b&lt;c&gt;\.xml<\/string>/);
  assert.match(plist, /<key>RunAtLoad<\/key>\n {2}<true\/>/);
  assert.match(plist, /<key>KeepAlive<\/key>\n {2}<true\/>/);
  assert.match(
    plist,
    /<key>EnvironmentVariables<\/key>\n {2}<dict>\n {4}<key>DENO_NO_UPDATE_CHECK<\/key>\n {4}<string>1<\/string>/,
  );
  // Started by hand: loaded, but not run at load (boot) nor kept running.
  const manual = launchdPlist({ ...settings, start: "manual" });
  assert.match(manual, /<key>RunAtLoad<\/key>\n {2}<false\/>/);
  assert.doesNotMatch(manual, /KeepAlive/);
  assert.match(manual, /DENO_NO_UPDATE_CHECK/);
});

Deno.test("ExecStart= and ReadWritePaths= read back as given: systemd's %n and $VAR stay literal", () => {
  // systemd expands specifiers (%h: root's home) in every setting and $VAR, ${VAR} in ExecStart=,
  // where \$ is no escape (systemd keeps the backslash and still expands); a backtick needs none.
  const odd = "/srv/%h/$HOME/${PATH}/a`b/%n";
  const unit = systemdUnit({
    ...settings,
    monitorArgs: ["monitor", "--log-dir", odd, "--metrics", "[fe80::1%eth0]:9100"],
    logDirectory: odd,
  });
  assert.match(
    unit,
    /^ExecStart=\/usr\/local\/bin\/portset monitor --log-dir "\/srv\/%%h\/\$\$HOME\/\$\$\{PATH\}\/a`b\/%%n" --metrics "\[fe80::1%%eth0\]:9100"$/m,
  );
  assert.match(unit, /^ReadWritePaths="\/srv\/%%h\/\$HOME\/\$\{PATH\}\/a`b\/%%n"$/m);
  // The command's own path is run as written: systemd expands no $ there, only specifiers.
  const program = systemdUnit({ ...settings, program: ["/opt/a$b %n/portset"] });
  assert.match(program, /^ExecStart="\/opt\/a\$b %%n\/portset" monitor /m);
  // A newline in an argument is systemd's \x0a, inside the line, never a line of its own.
  assert.equal(systemdWord("/srv/a\nExecStartPre=/x", "exec"), '"/srv/a\\x0aExecStartPre=/x"');
  assert.equal(systemdWord('/srv/my logs/"x"\\', "path"), '"/srv/my logs/\\"x\\"\\\\"');
});

Deno.test("install refuses a path with a newline, which would start a unit line of its own", async () => {
  using portset = installable();
  const run = await dryRunInstall(
    portset,
    "--log-dir",
    "/var/log/x\nExecStartPre=/bin/touch /pwned\n",
  );
  assertRefused(run, /^portset: cannot install the service: ".*" has a control character/);
});

Deno.test("--root naming / another way is the system, not a staging directory", async () => {
  using portset = installable();
  for (const root of ["//", "/.", "/etc/.."]) {
    const run = await dryRunInstall(portset, "--root", root);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^write \/etc\/systemd\/system\/portset\.service /m, root);
    assert.match(run.stdout, /^run: systemctl daemon-reload$/m, root);
  }
});

Deno.test({
  name: "a reinstall writes the unit 644 and root's, whatever the file it replaces was",
  ignore: !isRoot(),
  async fn() {
    using portset = installable();
    const root = Deno.makeTempDirSync({ prefix: "portset-root-" });
    try {
      const install = ["service", "install", "--root", root];
      assert.equal((await portset.run(install)).code, 0);
      const unit = `${root}/etc/systemd/system/portset.service`;
      Deno.chmodSync(unit, 0o666);
      Deno.chownSync(unit, 65534, 65534);
      const again = await portset.run(install);
      assert.equal(again.code, 0, again.stderr);
      const info = Deno.statSync(unit);
      assert.equal(info.mode! & 0o7777, 0o644);
      assert.equal(info.uid, 0);
      assert.equal(info.gid, 0);
    } finally {
      Deno.removeSync(root, { recursive: true });
    }
  },
});

Deno.test("install --dry-run prints the directory, the unit and the systemctl calls, and changes nothing", async () => {
  using portset = installable();
  const run = await dryRunInstall(portset, "--log-dir", "/srv/portset-logs", "--interval", "10");
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^create directory \/srv\/portset-logs \(mode 700\)$/m);
  assert.match(run.stdout, /^write \/etc\/systemd\/system\/portset\.service \(mode 644\):$/m);
  assert.match(run.stdout, /^ExecStart=.* monitor --log-dir \/srv\/portset-logs --interval 10$/m);
  assert.match(run.stdout, /^Environment=DENO_NO_UPDATE_CHECK=1$/m);
  assert.match(
    run.stdout,
    /^run: systemctl daemon-reload\nrun: systemctl enable --now portset\.service$/m,
  );
  assert.throws(() => Deno.statSync("/srv/portset-logs"));

  // --start manual, as the original's installer by default: installed, neither started nor
  // enabled at boot (an earlier automatic install's enablement is undone).
  const manual = await dryRunInstall(portset, "--start", "manual");
  assert.equal(manual.code, 0, manual.stderr);
  assert.match(
    manual.stdout,
    /^run: systemctl daemon-reload\nrun: systemctl disable portset\.service$/m,
  );
  assert.doesNotMatch(manual.stdout, /enable|--now/);

  // Prometheus: the metrics listener and node_exporter's textfile directory, which the unit's
  // ProtectSystem=strict must name writable, and node_exporter's user must be able to read.
  const metrics = await dryRunInstall(
    portset,
    "--log-dir",
    "/srv/portset-logs",
    "--metrics",
    "127.0.0.1:9465",
    "--textfile",
    "/srv/node-exporter-textfiles",
  );
  assert.equal(metrics.code, 0, metrics.stderr);
  assert.match(
    metrics.stdout,
    /^ExecStart=.* monitor --log-dir \/srv\/portset-logs --interval 5 --metrics 127\.0\.0\.1:9465 --textfile \/srv\/node-exporter-textfiles$/m,
  );
  assert.match(
    metrics.stdout,
    /^ReadWritePaths=\/srv\/portset-logs \/srv\/node-exporter-textfiles$/m,
  );
  assert.match(metrics.stdout, /^create directory \/srv\/node-exporter-textfiles \(mode 755\)$/m);
});

Deno.test("install and uninstall under a staging root; status says where it stands", async () => {
  using portset = installable();
  const root = Deno.makeTempDirSync({ prefix: "portset-root-" });
  try {
    assert.equal((await portset.run(["service", "status", "--root", root])).code, 4);
    const install = await portset.run([
      "service",
      "install",
      "--root",
      root,
      "--log-dir",
      "/var/log/portset",
    ]);
    assert.equal(install.code, 0, install.stderr);
    const unit = Deno.readTextFileSync(`${root}/etc/systemd/system/portset.service`);
    // From source, the checkout's deno.json is named: the service starts in /, and the rules'
    // XML parser resolves from the checkout's node_modules through it.
    assert.match(
      unit,
      /^ExecStart=\S+ run --allow-all --config \S+\/deno\.json \S+\/main\.ts monitor --log-dir \/var\/log\/portset --interval 5$/m,
    );
    assert.equal(Deno.statSync(`${root}/var/log/portset`).mode! & 0o777, 0o700);
    const status = await portset.run(["service", "status", "--root", root]);
    assert.match(status.stdout, /installed, state unknown \(staged, not managed\)/);
    const uninstall = await portset.run(["service", "uninstall", "--root", root]);
    assert.equal(uninstall.code, 0, uninstall.stderr);
    assert.throws(() => Deno.statSync(`${root}/etc/systemd/system/portset.service`));

    // An existing directory is used as it is: --log-dir /var/log must not make /var/log 0700.
    Deno.mkdirSync(`${root}/srv/logs`, { recursive: true, mode: 0o750 });
    Deno.chmodSync(`${root}/srv/logs`, 0o750);
    const existing = ["service", "install", "--root", root, "--log-dir", "/srv/logs"];
    const dryRun = await portset.run([...existing, "--dry-run"]);
    assert.match(dryRun.stdout, new RegExp(`^use directory ${root}/srv/logs as it is$`, "m"));
    assert.equal((await portset.run(existing)).code, 0);
    assert.equal(Deno.statSync(`${root}/srv/logs`).mode! & 0o777, 0o750);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("install refuses a checkout under /tmp, which the unit's PrivateTmp=yes hides", async () => {
  // A fresh clone in /tmp, as a new user might make one: the service could not find main.ts.
  const clone = Deno.makeTempDirSync({ dir: "/tmp", prefix: "portset-clone-" });
  try {
    copySources(clone);
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", `${clone}/main.ts`, "service", "install", "--dry-run"],
      stdin: "null",
    }).output();
    const decoder = new TextDecoder();
    assertRefused(
      {
        code: output.code,
        stdout: decoder.decode(output.stdout),
        stderr: decoder.decode(output.stderr),
      },
      /^portset: cannot install the service: (the Deno executable|portset's main\.ts) \/tmp\/\S+ is under \/tmp, which the service cannot see \(its unit sets PrivateTmp=yes\) and which does not outlast a reboot; put portset where it stays, such as \/opt\/portset/,
    );
  } finally {
    Deno.removeSync(clone, { recursive: true });
  }
});

Deno.test("install checks the rule as scan does, and that the service can see it and the logs", async () => {
  using portset = installable();
  const home = Deno.makeTempDirSync({
    dir: Deno.env.get("HOME") ?? "/root",
    prefix: "portset-rule-",
  });
  const tmp = Deno.makeTempDirSync({ dir: "/tmp", prefix: "portset-rule-" });
  try {
    // A missing rule and one that does not parse: scan's own one-line message, exit code 2.
    Deno.writeTextFileSync(`${home}/bad.xml`, '<PortSet><include key="*"></PortSet>');
    for (const rule of [`${home}/nope.xml`, `${home}/bad.xml`]) {
      const scan = await portset.run(["scan", rule]);
      const install = await dryRunInstall(portset, "--rule", rule);
      assertRefused(install, /^portset: \S+\.xml(:\d+:\d+)?: /);
      assert.equal(install.stderr, scan.stderr, "the parser scan uses");
    }
    // A good rule where the service reads it; the same rule under /tmp, or linked to from
    // outside it, is not.
    const rule = '<PortSet>\n  <include key="*"/>\n</PortSet>\n';
    Deno.writeTextFileSync(`${home}/rule.xml`, rule);
    const good = await dryRunInstall(portset, "--rule", `${home}/rule.xml`);
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stdout, new RegExp(`^ExecStart=.* --rule ${home}/rule\\.xml$`, "m"));
    Deno.writeTextFileSync(`${tmp}/rule.xml`, rule);
    Deno.symlinkSync(`${tmp}/rule.xml`, `${home}/link.xml`);
    for (
      const [path, where] of [[`${tmp}/rule.xml`, ""], [
        `${home}/link.xml`,
        ` \\(really ${tmp}/rule\\.xml\\)`,
      ]]
    ) {
      assertRefused(
        await dryRunInstall(portset, "--rule", path),
        new RegExp(
          `cannot install the service: the rule ${path}${where} is under /tmp, which the service cannot see.*; copy it where it stays, such as /etc/portset/`,
        ),
      );
    }
    // Logs under /tmp would go to the service's private /tmp, removed when it stops.
    assertRefused(
      await dryRunInstall(portset, "--log-dir", `${tmp}/logs`),
      /the log directory \/tmp\/\S+ is under \/tmp, which the service cannot use: its unit sets PrivateTmp=yes, so it would write to a \/tmp of its own, removed when it stops; use a directory such as \/var\/log\/portset/,
    );
  } finally {
    Deno.removeSync(home, { recursive: true });
    Deno.removeSync(tmp, { recursive: true });
  }
});

Deno.test({
  name:
    "install refuses a log directory that another user owns or others can write, as the monitor does",
  ignore: !isRoot(),
  async fn() {
    using portset = installable();
    const home = Deno.makeTempDirSync({
      dir: Deno.env.get("HOME") ?? "/root",
      prefix: "portset-logs-",
    });
    try {
      Deno.mkdirSync(`${home}/logs`);
      Deno.chownSync(`${home}/logs`, 65534, 65534);
      assertRefused(
        await dryRunInstall(portset, "--log-dir", `${home}/logs`),
        /^portset: cannot install the service: log directory \S+ is owned by nobody \(uid 65534\).*'chown root /,
      );
      Deno.chownSync(`${home}/logs`, 0, 0);
      Deno.chmodSync(`${home}/logs`, 0o1777);
      assertRefused(
        await dryRunInstall(portset, "--log-dir", `${home}/logs`),
        /is writable by its group and every user \(mode 1777;.*'chmod 700 /,
      );
      Deno.chmodSync(`${home}/logs`, 0o700);
      const run = await dryRunInstall(portset, "--log-dir", `${home}/logs`);
      assert.equal(run.code, 0, run.stderr);
    } finally {
      Deno.removeSync(home, { recursive: true });
    }
  },
});

Deno.test({
  name: "what the systemd and launchd services could not use, on real files and by path",
  ignore: !isRoot(),
  fn() {
    const systemd = new SystemdServiceManager("/");
    const home = Deno.makeTempDirSync({
      dir: Deno.env.get("HOME") ?? "/root",
      prefix: "portset-x-",
    });
    try {
      // The unit's root has no CAP_DAC_OVERRIDE: an executable of nobody's needs o+x.
      const executable = `${home}/portset`;
      Deno.writeTextFileSync(executable, "#!/bin/sh\n");
      Deno.chownSync(executable, 65534, 65534);
      const file = {
        path: executable,
        what: "the executable",
        access: "execute",
        instead: "move it",
      } as const;
      Deno.chmodSync(executable, 0o754);
      assert.match(
        systemd.unusable(file) ?? "",
        /^the executable \S+ \(mode 0754, uid 65534\) is not executable by the service, whose root has no CAP_DAC_OVERRIDE: 'chmod o\+x \S+', or move it$/,
      );
      Deno.chmodSync(executable, 0o755);
      assert.equal(systemd.unusable(file), null);
      // Home directories are read-only to the service, not hidden: reading there is fine.
      assert.equal(systemd.unusable({ ...file, access: "read" }), null);
      assert.match(
        systemd.unusable({ ...file, path: "/var/tmp/portset/main.ts", access: "read" }) ?? "",
        /is under \/var\/tmp, which the service cannot see/,
      );
    } finally {
      Deno.removeSync(home, { recursive: true });
    }
    // launchd: macOS empties /tmp and the per-user temporary folders at boot, and keeps daemons
    // out of Desktop, Documents and Downloads.
    const launchd = new LaunchdServiceManager("/");
    const read = { what: "the rule", access: "read", instead: "copy it to /etc/portset/" } as const;
    for (const path of ["/tmp/rule.xml", "/private/tmp/rule.xml", "/var/folders/xy/T/rule.xml"]) {
      assert.match(launchd.unusable({ ...read, path }) ?? "", /which macOS empties at boot/);
    }
    assert.match(
      launchd.unusable({ ...read, path: "/Users/ann/Documents/rule.xml" }) ?? "",
      /in a folder macOS keeps daemons out of .* unless given Full Disk Access; copy it/,
    );
    assert.equal(launchd.unusable({ ...read, path: "/Users/ann/portset/rule.xml" }), null);
    assert.equal(launchd.unusable({ ...read, path: "/etc/portset/rule.xml" }), null);
  },
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
    [
      ["service", "install", "--start", "sometimes"],
      /--start must be auto or manual, not 'sometimes'/,
    ],
    [["service", "status", "--start", "manual"], /--start goes with service install/],
    [["service", "install", "--metrics", "9465"], /--metrics HOST:PORT must name a host/],
    [["service", "install", "--metrics", "127.0.0.1:0"], /needs a port of its own/],
    [["service", "uninstall", "--textfile", "/x"], /--textfile goes with service install/],
  ];
  for (const [args, pattern] of cases) {
    const run = await runCli(args);
    assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
    assert.match(run.stderr, pattern);
    assert.equal(run.stderr.trimEnd().split("\n").length, 1);
  }
});

Deno.test({
  name:
    "systemd's own parser finds the unit's program where install put it, whatever its path holds",
  ignore: !["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].some(exists),
  async fn() {
    // systemd-analyze verify resolves specifiers and checks the ExecStart= program exists: a
    // mangled %, $ or quote in the path names a file that does not.
    const dir = Deno.makeTempDirSync({ prefix: "portset-unit-" });
    try {
      const program = `${dir}/bin a$b %n/portset`;
      Deno.mkdirSync(program.slice(0, program.lastIndexOf("/")), { recursive: true });
      Deno.writeTextFileSync(program, "#!/bin/sh\n");
      Deno.chmodSync(program, 0o755);
      const logs = `${dir}/logs %h $HOME "q"`;
      Deno.mkdirSync(logs);
      const unit = systemdUnit({
        ...settings,
        program: [program],
        monitorArgs: ["monitor", "--log-dir", logs],
        logDirectory: logs,
      });
      Deno.writeTextFileSync(`${dir}/portset.service`, unit);
      const { code, stderr } = await new Deno.Command("systemd-analyze", {
        args: ["verify", "--man=no", `${dir}/portset.service`],
      }).output();
      const said = new TextDecoder().decode(stderr);
      assert.equal(code, 0, said);
      assert.doesNotMatch(said, /not executable|Ignoring|unknown escape/i, said);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});
