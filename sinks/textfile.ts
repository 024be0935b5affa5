/**
 * The metrics as a file for node_exporter's textfile collector (`--textfile DIR`): `DIR/portset.prom`,
 * replaced whole at each look. Written under a temporary name that does not end in `.prom` (the
 * collector reads only `*.prom`) with an exclusive create, which never follows a link, flushed,
 * and renamed over the old file, which replaces a link rather than writing through it: the
 * collector reads the last whole file or the one before, never half of one.
 *
 * @module
 */

import { abandonTemporary, TemporaryFile, temporaryName } from "../text/temporary_file.ts";

/** The file's name in the directory. */
export const TEXTFILE_NAME = "portset.prom";

/** Writes `DIR/portset.prom` whole, each time anew. */
export class TextfileWriter {
  /** The file node_exporter reads. */
  readonly path: string;
  /**
   * The temporary name, `portset.prom.<pid>.tmp`: the name portset gives every file it writes
   * through a temporary one, so that a killed run's leftover is found and removed the same way.
   */
  readonly temporaryPath: string;
  #encoder = new TextEncoder();

  constructor(readonly directory: string) {
    this.path = `${directory}${directory.endsWith("/") ? "" : "/"}${TEXTFILE_NAME}`;
    this.temporaryPath = temporaryName(this.path);
  }

  /**
   * Throws what the file system says when the file could not be written (a missing or read-only
   * directory): the temporary file is made and removed, and the file itself is left alone.
   */
  probe(): void {
    if (!Deno.statSync(this.directory).isDirectory) {
      throw new Deno.errors.NotADirectory(`not a directory`);
    }
    TemporaryFile.create(this.path, 0o644).file.close();
    Deno.removeSync(this.temporaryPath);
  }

  /** Replaces the file with `text`; throws what the file system said when it cannot. */
  write(text: string): void {
    let temporary: TemporaryFile | null = null;
    try {
      temporary = TemporaryFile.create(this.path, 0o644);
      // Readable by node_exporter's user whatever the umask (a service's is 0077): the mode
      // given at create is filtered by it, a chmod is not.
      if (Deno.build.os !== "windows") Deno.chmodSync(temporary.temporaryPath, 0o644);
      temporary.write(this.#encoder.encode(text));
      temporary.file.syncDataSync();
      temporary.file.close();
      temporary.place();
    } catch (error) {
      abandonTemporary(this.path, temporary);
      throw error;
    }
  }

  /**
   * Removes the file: a stopped monitor's listeners must not go on being exported as the host's
   * (node_exporter would serve the last file for as long as it is there).
   */
  remove(): void {
    try {
      Deno.removeSync(this.path);
    } catch {
      // already gone
    }
  }
}
