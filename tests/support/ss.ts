/**
 * `ss` as an oracle: its listening sockets as PortSet keys.
 *
 * @module
 */

/** Runs `ss ARGS` and returns its lines. */
export async function ss(args: string[]): Promise<string[]> {
  const output = await new Deno.Command("ss", { args, stdout: "piped", stderr: "inherit" })
    .output();
  if (!output.success) throw new Error(`ss ${args.join(" ")} failed`);
  return new TextDecoder().decode(output.stdout).split("\n").filter((line) => line.trim() !== "");
}

/**
 * Turns ss's `Local Address:Port` column into portset's protocol and address text. ss writes a
 * dual-stack wildcard as `*`, brackets IPv6, and appends `%iface` for sockets bound to a device;
 * portset keeps the interface only as a link-local address's scope.
 */
export function ssLocalKey(netid: string, local: string): string {
  const colon = local.lastIndexOf(":");
  let address = local.slice(0, colon);
  const port = local.slice(colon + 1);
  let scope = "";
  const percent = address.lastIndexOf("%");
  if (percent >= 0 && !address.endsWith("]")) {
    scope = address.slice(percent + 1);
    address = address.slice(0, percent);
  }
  const ipv6 = address.startsWith("[") || address === "*";
  address = address === "*" ? "::" : address.replace(/^\[|\]$/g, "");
  if (ipv6 && scope && /^fe[89ab]|^ff.2/i.test(address)) address += `%${scope}`;
  return `${netid}${ipv6 ? "6" : ""}/${address}/${port}`;
}

/** The keys of every listening socket `ss -Htuln` reports, one entry per socket. */
export async function ssListeningKeys(): Promise<string[]> {
  return (await ss(["-Htuln"])).map((line) => {
    const [netid, , , , local] = line.trim().split(/\s+/);
    return ssLocalKey(netid, local);
  }).sort();
}
