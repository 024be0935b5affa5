/**
 * portset against Debian's vsftpd greeting with a banner of several lines (FTP's multi-line
 * reply, `220-` lines closed by a `220 ` line): TCP 21 is LISTENING and the detail holds the whole
 * greeting, every line of what a raw read of the connection gives, in order.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Namespace, waitUntil } from "./support/netns.ts";
import { detailLines, explain, resultFor, runPortset } from "./support/portset.ts";
import { type Need, serverTest, systemPython } from "./support/requirements.ts";

const NEEDS: Need[] = [
  { tool: "vsftpd", pkg: "vsftpd" },
  { tool: "python3", pkg: "python3" },
];

const BANNER = [
  "Welcome to the portset test FTP server.",
  "This greeting has several lines;",
  "a client that reads only the first misses these.",
];

/**
 * Reads an FTP greeting as a client would, in Python's plain sockets: until the line that ends a
 * reply (three digits and a space), the connection's end, or 5 s. Prints it as JSON.
 */
const READ_GREETING = `
import json, re, socket, time
s = socket.create_connection(("127.0.0.1", 21), timeout=5)
data = b""
deadline = time.monotonic() + 5
while time.monotonic() < deadline:
    chunk = s.recv(4096)
    if not chunk:
        break
    data += chunk
    if re.search(rb"(^|\\r?\\n)\\d{3} [^\\n]*\\r?\\n$", data):
        break
s.close()
print(json.dumps(data.decode("latin-1")))
`;

await serverTest("vsftpd: TCP 21 LISTENING, the whole multi-line greeting in the detail", {
  needs: NEEDS,
  fn: async () => {
    await using namespace = await Namespace.create("vsftpd");
    const banner = await namespace.writeFile("banner.txt", BANNER.join("\n") + "\n");
    // vsftpd refuses to start unless its chroot directory exists and is not writable by others.
    const empty = await namespace.makeDir("empty", 0o755);
    const conf = await namespace.writeFile(
      "vsftpd.conf",
      [
        "listen=YES",
        "listen_ipv6=NO",
        "listen_address=127.0.0.1",
        "listen_port=21",
        "background=NO",
        `banner_file=${banner}`,
        `secure_chroot_dir=${empty}`,
        // With both local and anonymous logins off, vsftpd greets with "500 OOPS" and closes.
        "local_enable=YES",
        "anonymous_enable=NO",
        "write_enable=NO",
        "xferlog_enable=NO",
        // vsftpd 3.0.3's seccomp filter kills its session process on newer kernels and libcs.
        "seccomp_sandbox=NO",
        "",
      ].join("\n"),
    );
    const daemon = namespace.start("vsftpd", ["vsftpd", conf]);
    await waitUntil("vsftpd listening on 127.0.0.1:21", async () => {
      return (await namespace.listeningPorts("tcp")).has(21);
    }, { daemon });

    const raw: string = JSON.parse(
      await namespace.runOk([systemPython(), "-c", READ_GREETING]),
    );
    const greeting = raw.split(/\r?\n/).map((line) => line.trimEnd()).filter((line) => line);
    // The greeting really is the banner, one 220- line each, and a final 220 line.
    assert.deepEqual(greeting.slice(0, BANNER.length), BANNER.map((line) => `220-${line}`), raw);
    assert.match(greeting[greeting.length - 1], /^220( |$)/, raw);

    const run = await runPortset(namespace, ["-n", "127.0.0.1", "-p", "tcp", "-e", "21"]);
    const ftp = resultFor(run, "tcp", 21);
    const why = explain(run, "a raw read of the greeting gave:", ...greeting);
    assert.equal(ftp.state, "LISTENING", why);
    // Each line of the greeting, in order, within the detail's lines (which may carry a label
    // such as "FTP greeting: " before the server's text).
    const lines = detailLines(ftp);
    let from = 0;
    for (const line of greeting) {
      const at = lines.findIndex((detail, index) => index >= from && detail.endsWith(line));
      assert.ok(at >= 0, `greeting line '${line}' not in the detail (in order)\n${why}`);
      from = at + 1;
    }
  },
});
