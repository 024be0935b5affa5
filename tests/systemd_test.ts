/** collectors/linux/systemd.ts: a process's unit from its cgroup, a unit's description. */

import assert from "node:assert/strict";
import { parseSystemdUnit, UnitDescriptions } from "../collectors/linux/systemd.ts";

Deno.test("parseSystemdUnit finds the service in cgroup v2 and v1 paths", () => {
  assert.equal(parseSystemdUnit("0::/system.slice/ssh.service\n"), "ssh.service");
  assert.equal(parseSystemdUnit("1:name=systemd:/system.slice/cron.service\n"), "cron.service");
  // A hybrid host: v1 controllers, name=systemd and the unified line.
  assert.equal(
    parseSystemdUnit(
      [
        "12:pids:/system.slice/nginx.service",
        "11:memory:/system.slice/nginx.service",
        "1:name=systemd:/system.slice/nginx.service",
        "0::/system.slice/nginx.service",
        "",
      ].join("\n"),
    ),
    "nginx.service",
  );
  // Controller hierarchies other than name=systemd do not count.
  assert.equal(parseSystemdUnit("4:memory:/system.slice/docker.service\n0::/\n"), null);
  assert.equal(parseSystemdUnit("4:memory:/system.slice/docker.service\n"), null);
});

Deno.test("parseSystemdUnit returns the innermost service of a nested path", () => {
  assert.equal(
    parseSystemdUnit("0::/user.slice/user-1000.slice/user@1000.service/app.slice/foo.service\n"),
    "foo.service",
  );
  assert.equal(
    parseSystemdUnit("0::/user.slice/user-1000.slice/user@1000.service/init.scope\n"),
    "user@1000.service",
  );
  assert.equal(
    parseSystemdUnit("0::/system.slice/docker-abc.scope/system.slice/nginx.service\n"),
    "nginx.service",
  );
});

Deno.test("parseSystemdUnit returns null where no service is in the path", () => {
  assert.equal(parseSystemdUnit("0::/\n"), null);
  assert.equal(parseSystemdUnit("0::/init.scope\n"), null);
  assert.equal(parseSystemdUnit("0::/user.slice/user-1000.slice/session-3.scope\n"), null);
  assert.equal(parseSystemdUnit("0::/system.slice/ssh.service.d\n"), null);
  assert.equal(parseSystemdUnit(""), null);
  assert.equal(parseSystemdUnit("garbage\n"), null);
});

Deno.test("UnitDescriptions reads Description= from the unit directories in order", () => {
  const root = Deno.makeTempDirSync({ prefix: "portset-units-" });
  try {
    const etc = `${root}/etc`, lib = `${root}/lib`, missing = `${root}/missing`;
    Deno.mkdirSync(etc);
    Deno.mkdirSync(lib);
    Deno.writeTextFileSync(
      `${lib}/ssh.service`,
      "[Unit]\nDescription=OpenBSD Secure Shell server\nAfter=network.target\n",
    );
    Deno.writeTextFileSync(`${etc}/ssh.service`, "[Unit]\nDescription=Local SSH override  \n");
    Deno.writeTextFileSync(
      `${lib}/getty@.service`,
      "[Unit]\nDescription=Getty on %I\nDocumentation=man:agetty(8)\n",
    );
    Deno.writeTextFileSync(`${lib}/cron.service`, "[Unit]\nAfter=remote-fs.target\n");
    Deno.writeTextFileSync(`${lib}/user@.service`, "[Unit]\nDescription=User Manager for UID %i\n");
    Deno.writeTextFileSync(`${lib}/user@0.service`, "[Unit]\nDescription=Root's own\n");

    const units = new UnitDescriptions([missing, etc, lib]);
    // The first directory that has the unit wins, and the value is trimmed.
    assert.equal(units.describe("ssh.service"), "Local SSH override");
    // A template instance is described by its template.
    assert.equal(units.describe("getty@tty1.service"), "Getty on %I");
    assert.equal(units.describe("getty@ttyS0.service"), "Getty on %I");
    // An instance's own file comes before the template.
    assert.equal(units.describe("user@0.service"), "Root's own");
    assert.equal(units.describe("user@1000.service"), "User Manager for UID %i");
    // A unit file without Description=, and no unit file at all.
    assert.equal(units.describe("cron.service"), null);
    assert.equal(units.describe("nosuch.service"), null);
    assert.equal(units.describe("nosuch@x.service"), null);

    // Answers are kept: a later change on disk does not change them.
    Deno.removeSync(`${etc}/ssh.service`);
    assert.equal(units.describe("ssh.service"), "Local SSH override");
    assert.equal(
      new UnitDescriptions([missing, etc, lib]).describe("ssh.service"),
      "OpenBSD Secure Shell server",
    );
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("parseSystemdUnit falls back to name=systemd when the unified path names no unit", () => {
  const hybrid = "1:name=systemd:/system.slice/cron.service\n0::/\n";
  assert.equal(parseSystemdUnit(hybrid), "cron.service");
  const unified = "1:name=systemd:/system.slice/cron.service\n0::/system.slice/ssh.service\n";
  assert.equal(
    parseSystemdUnit(unified),
    "ssh.service",
    "the unified hierarchy wins when it names one",
  );
});

Deno.test({
  name: "UnitDescriptions describes an instance whose name holds dots by its template",
  fn() {
    const root = Deno.makeTempDirSync({ prefix: "portset-units-" });
    try {
      Deno.writeTextFileSync(`${root}/ifup@.service`, "[Unit]\nDescription=ifup for %I\n");
      const units = new UnitDescriptions([root]);
      assert.equal(units.describe("ifup@eth0.100.service"), "ifup for %I");
    } finally {
      Deno.removeSync(root, { recursive: true });
    }
  },
});
