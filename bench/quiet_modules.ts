/**
 * The modules `portset -local --json` loads, loaded and nothing run: main.ts and the CLI, the
 * local command, the Linux collector and the JSON output. What a run of this takes beyond an
 * empty `deno run` is what loading portset's code costs on the quiet host (main.ts runs nothing
 * when imported).
 *
 * @module
 */

import "../main.ts";
import "../cli/local_command.ts";
import "../collectors/linux/mod.ts";
import "../outputs/json.ts";
