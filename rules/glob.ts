/**
 * Globs as the PortSet rule language has them: `*` matches any run of characters (none
 * included), `?` exactly one, and every other character, `/`, `\`, `[` and `]` included, stands
 * for itself. Keys are not hierarchical, so `/` is not special and `**` is just two stars.
 *
 * A pattern is compiled once into the cheapest test that decides it: equality, a prefix, a
 * suffix, a substring, or a scan of its literal segments, so matching thousands of entities
 * against hundreds of patterns costs string comparisons, not regular expressions.
 *
 * @module
 */

/** A compiled glob. */
export interface Glob {
  /** The pattern as written. */
  readonly pattern: string;
  /** False when letters match either case. */
  readonly caseSensitive: boolean;
  /** True when the whole of `text` matches. */
  matches(text: string): boolean;
  /**
   * The same for text already lower-cased, for a case-insensitive glob: a caller matching one
   * text against many globs folds it once.
   */
  matchesFolded(foldedText: string): boolean;
}

/** Compiles `pattern`; with `caseSensitive` false, letters match either case. */
export function compileGlob(pattern: string, caseSensitive = true): Glob {
  const test = compile(caseSensitive ? pattern : pattern.toLowerCase());
  return {
    pattern,
    caseSensitive,
    matches: caseSensitive ? test : (text: string) => test(text.toLowerCase()),
    matchesFolded: test,
  };
}

function compile(pattern: string): (text: string) => boolean {
  if (!pattern.includes("*")) {
    if (!pattern.includes("?")) return (text) => text === pattern;
    return (text) => text.length === pattern.length && segmentAt(text, 0, pattern);
  }
  // `prefix*middle*…*suffix`: the prefix and suffix are fixed to the ends (either may be empty),
  // the middle segments must follow one another in between. Placing each middle segment as early
  // as it fits is always right: a later place only leaves less room for the ones after it.
  const segments = pattern.split("*");
  const prefix = segments[0], suffix = segments[segments.length - 1];
  const middle = segments.slice(1, -1).filter((segment) => segment !== "");
  const ends = prefix.length + suffix.length;

  if (!pattern.includes("?")) {
    if (middle.length === 0) {
      if (ends === 0) return () => true;
      return (text) => text.length >= ends && text.startsWith(prefix) && text.endsWith(suffix);
    }
    return (text) => {
      if (text.length < ends || !text.startsWith(prefix) || !text.endsWith(suffix)) return false;
      const end = text.length - suffix.length;
      let position = prefix.length;
      for (const segment of middle) {
        const found = text.indexOf(segment, position);
        if (found < 0 || found + segment.length > end) return false;
        position = found + segment.length;
      }
      return true;
    };
  }
  // With `?` in play, the text must still contain the longest literal fragment somewhere; one
  // indexOf rules most texts out before the character-by-character walk.
  const fragment = pattern.split(/[*?]/).reduce((a, b) => (b.length > a.length ? b : a), "");
  return (text) => {
    if (text.length < ends || (fragment.length > 1 && !text.includes(fragment))) return false;
    const end = text.length - suffix.length;
    if (!segmentAt(text, 0, prefix) || !segmentAt(text, end, suffix)) return false;
    let position = prefix.length;
    for (const segment of middle) {
      const found = find(text, segment, position, end);
      if (found < 0) return false;
      position = found + segment.length;
    }
    return true;
  };
}

/** True when `segment` (where `?` matches any one character) lies in `text` at `at`. */
function segmentAt(text: string, at: number, segment: string): boolean {
  if (at + segment.length > text.length) return false;
  for (let i = 0; i < segment.length; i++) {
    const code = segment.charCodeAt(i);
    if (code !== 63 /* ? */ && code !== text.charCodeAt(at + i)) return false;
  }
  return true;
}

/** The first place at or after `from` where `segment` lies wholly before `end`, or -1. */
function find(text: string, segment: string, from: number, end: number): number {
  for (let at = from; at + segment.length <= end; at++) {
    if (segmentAt(text, at, segment)) return at;
  }
  return -1;
}
