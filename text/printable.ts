/**
 * Text safe for a terminal. Any local user can name a process with escape sequences (they write
 * /proc/self/comm), and root may be the one reading portset's report: control characters are
 * shown as `?`, as `ps` shows them. So are the bidirectional controls (U+061C, U+200E, U+200F,
 * U+202A to U+202E, U+2066 to U+2069), which are not control characters but reorder what follows
 * them on screen: a name holding U+202E would show its row's later text reversed; and the line
 * and paragraph separators (U+2028, U+2029), which some terminals break a line at.
 *
 * @module
 */

/** C0 controls, DEL, C1 controls and the bidirectional controls. */
function isControl(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code <= 0x9f) || isBidiControl(code);
}

/** The bidirectional controls, and the line and paragraph separators, which break a line too. */
function isBidiControl(code: number): boolean {
  return code === 0x061c || code === 0x200e || code === 0x200f ||
    (code >= 0x2028 && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069);
}

function replaceControls(text: string, keep: (code: number) => boolean): string {
  let result: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (isControl(code) && !keep(code)) {
      result ??= text.slice(0, i);
      result += "?";
    } else if (result !== null) {
      result += text[i];
    }
  }
  return result ?? text;
}

/**
 * A control character other than a line feed or a tab, or a bidirectional control, found by the
 * regular expression engine.
 */
const CONTROL_BUT_LINES =
  // deno-lint-ignore no-control-regex -- control characters are what it looks for
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/;
/** Any control character, or a bidirectional control. */
// deno-lint-ignore no-control-regex -- control characters are what it looks for
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/;

/** `text` with control characters replaced by `?`; line feeds and tabs kept. */
export function printable(text: string): string {
  // A whole report (2.5 MB for 16,000 sockets) has none, as a rule: the native search decides
  // that several times faster than the character loop.
  if (!CONTROL_BUT_LINES.test(text)) return text;
  return replaceControls(text, (code) => code === 0x0a || code === 0x09);
}

/** `text` with every control character, line breaks included, replaced by `?`: one field, one line. */
export function printableField(text: string): string {
  if (!CONTROL.test(text)) return text;
  return replaceControls(text, () => false);
}

/**
 * An endpoint's address, safe as {@linkcode printableField} makes a field: the collectors write
 * addresses from the kernel's bytes, so only a scope (`fe80::1%eth0`, an interface's name) can
 * hold a control character, and only such an address is searched (a report prints thousands).
 */
export function printableAddress(address: string): string {
  return address.includes("%") ? printableField(address) : address;
}
