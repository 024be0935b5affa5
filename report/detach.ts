/**
 * Strings cut from a large one (a line from a chunk of a file, a field from a line) may keep the
 * whole large string alive in V8: a substring of 13 characters or more refers to its parent
 * rather than copying. The analysis keeps a few strings from across the whole log (addresses,
 * names, flags); each is detached first, so what it keeps is its own characters, not a megabyte
 * of log per string.
 *
 * @module
 */

/** A copy of `text` that shares no memory with the string it was cut from. */
export function detach(text: string): string {
  // Concatenating makes a new flat string holding the characters; slicing that refers to it only.
  return (" " + text).slice(1);
}
