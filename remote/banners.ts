/**
 * Services that greet a client as soon as it connects (SMTP, POP3, IMAP, FTP): their first line
 * says what the server is, so a TCP probe of their ports reads it, as PortQry does.
 *
 * @module
 */

/** The ports whose greeting line a TCP probe reads, with the protocol's name. */
export const BANNER_PORTS: ReadonlyMap<number, string> = new Map([
  [21, "FTP"],
  [25, "SMTP"],
  [110, "POP3"],
  [143, "IMAP"],
]);

/** A greeting longer than this is cut: one line is all the report shows. */
export const BANNER_MAX_BYTES = 512;

/** The report's line for a greeting: its first line, without the line end. */
export function describeBanner(port: number, bytes: Uint8Array): string[] {
  const text = new TextDecoder().decode(bytes).split(/\r?\n/)[0].trimEnd();
  return [`${BANNER_PORTS.get(port) ?? "Server"} greeting: ${text}`];
}
