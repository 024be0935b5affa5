/**
 * A throwaway Samba Active Directory domain controller in a namespace of its own: a domain
 * provisioned into the test's directory (`samba-tool domain provision`, about 3 s on 2 cores),
 * then `samba` serving it on loopback, with CLDAP (UDP 389), LDAP (TCP 389), the RPC endpoint
 * mapper (TCP 135) and NetBIOS (UDP 137). Tests of those services start one with
 * {@linkcode startSambaDc} and query it inside {@linkcode SambaDc.namespace}.
 *
 * @module
 */

import { type Daemon, Namespace, waitUntil } from "./netns.ts";
import type { Need } from "./requirements.ts";

/** What a DC needs: the daemon, the provisioning tool and its data, and ldapsearch. */
export const SAMBA_DC_NEEDS: Need[] = [
  { tool: "samba", pkg: "samba" },
  { tool: "samba-tool", pkg: "samba-common-bin" },
  // The AD schema files samba-tool provisions from.
  { pkg: "samba-ad-provision" },
  // The directory's ldb modules, and the ACL module provisioning sets sysvol's ACLs with.
  { pkg: "samba-dsdb-modules" },
  { pkg: "samba-vfs-modules" },
  { tool: "ldapsearch", pkg: "ldap-utils" },
  // Samba's own RPC client: the oracle for the endpoint map.
  { tool: "rpcclient", pkg: "samba-common-bin" },
];

/** The domain's Kerberos realm, and its DNS name in lower case. */
export const DC_REALM = "PORTSET.TEST";
/** The domain's NetBIOS name. */
export const DC_DOMAIN = "PORTSET";
/** The DC's host name. */
export const DC_HOST = "psdc1";

/** A running DC. Disposing of it stops it and deletes its namespace and files. */
export interface SambaDc extends AsyncDisposable {
  /** The DC's namespace: run clients and portset in it. */
  namespace: Namespace;
  /** The `samba` process. */
  daemon: Daemon;
  /** The provisioned files (smb.conf in `etc/`, the directory in `private/`). */
  dir: string;
  /** `psdc1.portset.test` */
  dnsHostName: string;
  /** `DC=portset,DC=test` */
  baseDn: string;
  /** How long provisioning and starting took, for the stage's timing. */
  provisionMs: number;
  /** From starting `samba` until it answered. */
  startMs: number;
}

/**
 * Provisions a domain and starts its DC in a new namespace; resolves once it answers an LDAP
 * root DSE search and its CLDAP and endpoint mapper ports listen.
 */
export async function startSambaDc(label = "sambadc"): Promise<SambaDc> {
  const namespace = await Namespace.create(label);
  try {
    const dir = await namespace.makeDir("dc");
    for (const sub of ["log", "pid", "ncalrpc", "ntp_signd", "winbindd", "nmbd"]) {
      await namespace.makeDir(`dc/${sub}`);
    }
    const options = [
      "interfaces = lo",
      "bind interfaces only = yes",
      // No winbindd (package winbind, not needed for the directory), smbd, KDC, DNS or
      // replication: only what the tests query.
      "server services = rpc, nbt, ldap, cldap",
      // No self-signed certificate made at first start (LDAPS is not tested): a faster start.
      "tls enabled = no",
      // Every file samba writes in the test's directory, none in /run/samba or /var/lib/samba.
      `log file = ${dir}/log/log.%m`,
      `pid directory = ${dir}/pid`,
      `ncalrpc dir = ${dir}/ncalrpc`,
      `ntp signd socket directory = ${dir}/ntp_signd`,
      `winbindd socket directory = ${dir}/winbindd`,
      `nmbd:socket dir = ${dir}/nmbd`,
    ];
    const provisionStart = Date.now();
    await namespace.runOk([
      "samba-tool",
      "domain",
      "provision",
      "--server-role=dc",
      "--dns-backend=NONE",
      `--targetdir=${dir}`,
      `--realm=${DC_REALM}`,
      `--domain=${DC_DOMAIN}`,
      `--host-name=${DC_HOST}`,
      // Only a throwaway domain's, which exists for the length of one test file.
      "--adminpass=Portset-Test-Only-1",
      ...options.map((option) => `--option=${option}`),
    ], { timeoutMs: 180_000 });
    const provisionMs = Date.now() - provisionStart;

    const startStart = Date.now();
    // -i: in the foreground, logging to stdout; -M single: one process, the quickest to start.
    const daemon = namespace.start("samba", [
      "samba",
      "-i",
      "-M",
      "single",
      "-s",
      `${dir}/etc/smb.conf`,
      `--log-basename=${dir}/log`,
    ]);
    await waitUntil("samba answering an LDAP root DSE search", async () => {
      const result = await namespace.run([
        "ldapsearch",
        "-x",
        "-H",
        "ldap://127.0.0.1",
        "-o",
        "nettimeout=2",
        "-b",
        "",
        "-s",
        "base",
        "dnsHostName",
      ], { timeoutMs: 5_000 });
      return result.code === 0 && /^dnsHostName: /m.test(result.stdout);
    }, { daemon, deadlineMs: 90_000, intervalMs: 250 });
    await waitUntil("samba's CLDAP and endpoint mapper ports listening", async () => {
      const udp = await namespace.listeningPorts("udp");
      const tcp = await namespace.listeningPorts("tcp");
      return udp.has(389) && tcp.has(135);
    }, { daemon, deadlineMs: 30_000 });
    const startMs = Date.now() - startStart;
    return {
      namespace,
      daemon,
      dir,
      dnsHostName: `${DC_HOST}.${DC_REALM.toLowerCase()}`,
      baseDn: DC_REALM.toLowerCase().split(".").map((part) => `DC=${part}`).join(","),
      provisionMs,
      startMs,
      [Symbol.asyncDispose]: () => namespace[Symbol.asyncDispose](),
    };
  } catch (error) {
    // The failure to start is the error to report; a failure to clean up after it is shown too.
    await namespace[Symbol.asyncDispose]().catch((cleanup) => console.error(cleanup));
    throw error;
  }
}
