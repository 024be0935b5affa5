/**
 * Services that greet a client as soon as it connects (SMTP, POP3, IMAP, FTP): their greeting
 * says what the server is, so a TCP probe of their ports reads it, as PortQry does, and shows it
 * whole: FTP and SMTP servers often greet over several lines (`220-...` continued, then `220 `).
 *
 * @module
 */

import type { GreetingRead } from "../collectors/probe.ts";

/** The ports whose greeting a TCP probe reads, with the protocol's name. */
const BANNER_PORTS: ReadonlyMap<number, string> = new Map([
  [21, "FTP"],
  [25, "SMTP"],
  [110, "POP3"],
  [143, "IMAP"],
]);

/** A greeting longer than this is cut: enough for any banner, little for a hostile server. */
const BANNER_MAX_BYTES = 4096;

/** FTP and SMTP replies: `NNN-` continues a multi-line reply, `NNN ` (or `NNN` alone) ends it. */
const REPLY_END = /^\d{3}(?: .*)?$/;

/**
 * Whether `text` holds a whole greeting of the protocol on `port`: for FTP and SMTP the last line
 * of a multi-line reply has come; for POP3 and IMAP, whose greeting is one line, that line.
 */
function greetingComplete(port: number, text: string): boolean {
  const lines = text.split("\n");
  lines.pop(); // what follows the last line end is not a whole line yet
  if (lines.length === 0) return false;
  if (port === 110 || port === 143) return true;
  return REPLY_END.test(lines[lines.length - 1].replace(/\r$/, ""));
}

/** How a probe of `port` reads its greeting, waiting up to `waitMs`; null for other ports. */
export function greetingRead(port: number, waitMs: number): GreetingRead | null {
  if (!BANNER_PORTS.has(port)) return null;
  const decoder = new TextDecoder();
  return {
    waitMs,
    maxBytes: BANNER_MAX_BYTES,
    complete: (bytes) => greetingComplete(port, decoder.decode(bytes)),
  };
}

/** The greeting's lines, without line ends; a cut or unterminated last line is kept as it is. */
export function greetingLines(bytes: Uint8Array): string[] {
  const lines = new TextDecoder().decode(bytes).split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1].trim() === "") lines.pop();
  return lines.map((line) => line.trimEnd());
}
