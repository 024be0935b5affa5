/**
 * The endpoint map as the reference clients list it, for comparing with portset's: Samba's own
 * `rpcclient -c epmlookup`, and impacket's epm module (its NDR decoding and tower-to-binding
 * code). Each entry is a row `UUID BINDING ANNOTATION`, with the annotation empty when none.
 *
 * @module
 */

import type { Namespace } from "./netns.ts";

/** One endpoint as compared across clients. */
export type Row = string;

/**
 * rpcclient's `epmlookup` lines, `OBJECT ncacn_ip_tcp:0.0.0.0[49153,abstract_syntax=UUID/0xVER]:
 * annotation`, as rows.
 */
export function rpcclientRows(text: string): Row[] {
  const rows: Row[] = [];
  const line =
    /^\S+ (\w+):([^[]*)\[([^,\]]*),abstract_syntax=([0-9a-f-]{36})\/0x[0-9a-f]{8}\](?:: ?(.*))?$/;
  for (const row of text.split("\n")) {
    const match = row.match(line);
    if (!match) continue;
    const [, protseq, host, endpoint, uuid, annotation = ""] = match;
    rows.push(`${uuid} ${protseq}:${host}[${endpoint}] ${annotation}`.trimEnd());
  }
  return rows.sort();
}

/** rpcclient's rows for the endpoint mapper at 127.0.0.1 in `namespace`. */
export async function rpcclientEndpoints(namespace: Namespace): Promise<Row[]> {
  return rpcclientRows(
    await namespace.runOk(["rpcclient", "-U%", "ncacn_ip_tcp:127.0.0.1", "-c", "epmlookup"]),
  );
}

/**
 * impacket's lookup of 127.0.0.1's map, looping the calls itself: impacket-rpcdump stops at the
 * first non-zero status, which Samba sends on the call after the last entries.
 */
const IMPACKET_LOOKUP = `
import json
from impacket.dcerpc.v5 import transport, epm
from impacket.dcerpc.v5.ndr import NULL
from impacket.uuid import bin_to_string
dce = transport.DCERPCTransportFactory(r"ncacn_ip_tcp:127.0.0.1[135]").get_dce_rpc()
dce.connect()
dce.bind(epm.MSRPC_UUID_PORTMAP)
handle = epm.ept_lookup_handle_t()
rows = []
for _ in range(100):
    call = epm.ept_lookup()
    call["inquiry_type"] = epm.RPC_C_EP_ALL_ELTS
    call["object"] = NULL
    call["Ifid"] = NULL
    call["vers_option"] = epm.RPC_C_VERS_ALL
    call["entry_handle"] = handle
    call["max_ents"] = 500
    reply = dce.request(call, checkError=False)
    for i in range(reply["num_ents"]):
        entry = reply["entries"][i]
        floors = epm.EPMTower(b"".join(entry["tower"]["tower_octet_string"]))["Floors"]
        annotation = b"".join(entry["annotation"]).rstrip(b"\\0").decode("latin-1")
        rows.append(("%s %s %s" % (bin_to_string(floors[0]["InterfaceUUID"]).lower(),
                                   epm.PrintStringBinding(floors), annotation)).rstrip())
    handle = reply["entry_handle"]
    if reply["status"] != 0 or handle.isNull():
        break
dce.disconnect()
print(json.dumps(rows))
`;

/**
 * impacket's rows, or null when Debian's python3 has no impacket (package python3-impacket).
 * Debian's python3 is named by path: a python3 earlier on the PATH may lack the package.
 */
export async function impacketEndpoints(namespace: Namespace): Promise<Row[] | null> {
  const python = "/usr/bin/python3";
  const probe = await namespace.run([python, "-c", "import impacket"]);
  if (probe.code !== 0) return null;
  return (JSON.parse(await namespace.runOk([python, "-c", IMPACKET_LOOKUP])) as Row[]).sort();
}

/**
 * portset's endpoint map, from the lines of its report (`UUID: X annotation`, then the binding),
 * as rows.
 */
export function portsetEndpoints(lines: readonly string[]): Row[] {
  const rows: Row[] = [];
  for (let i = 0; i < lines.length; i++) {
    const match = lines[i].match(/^UUID: ([0-9a-f-]{36})(?: (.*))?$/);
    if (match) rows.push(`${match[1]} ${lines[i + 1]} ${match[2] ?? ""}`.trimEnd());
  }
  return rows.sort();
}
