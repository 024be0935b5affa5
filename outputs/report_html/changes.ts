/**
 * The table of changes: the last changes and every flagged one, oldest first, with the controls
 * the page's script uses to filter it (text, kind, flagged only) and the count of rows shown.
 * Each row carries its index into the embedded JSON (`data-i`), its kind and whether it is
 * flagged, which is all the filter reads from the page.
 *
 * @module
 */

import {
  type ChangeRow,
  LOG_CHANGE_KINDS,
  type LogChangeKind,
  type Report,
} from "../../report/model.ts";
import type { FlaggedSubjects } from "./flagged.ts";
import { addressPort, int, when } from "./format.ts";
import { attrs, type Html, markup } from "./html.ts";
import { card, headRow, NO_PROCESS, tail } from "./parts.ts";

/** The kind a change is colored and filtered as: one the page does not know (from JSON) is `seen`. */
function knownKind(kind: LogChangeKind): LogChangeKind {
  return LOG_CHANGE_KINDS.includes(kind) ? kind : "seen";
}

const PROCESS_TITLE =
  "its executable's path on hover; shown when flagged or not the one this name usually runs from";

/** The changes card: controls, the count line and the table, or a line saying there were none. */
export function changesSection(report: Report, flagged: FlaggedSubjects): Html {
  const total = report.changes.length;
  const note = total ? "oldest first; click a column to sort" : "";
  if (total === 0) {
    return card(
      "changes-section",
      "Changes",
      markup`<p class="empty" id="changes-empty">No changes were logged in this window.</p>`,
      { note, wide: true },
    );
  }
  const logged = new Set(report.changes.map((c) => c.change));
  const controls = markup`<div class="controls">
<input type="search" id="filter-text" placeholder="Filter: any column, e.g. sshd 4444" aria-label="Filter changes" autocomplete="off" spellcheck="false">
<select id="filter-kind" aria-label="Change kind"><option value="">all kinds</option>${
    LOG_CHANGE_KINDS.map((k) =>
      markup`<option${attrs({ value: k, disabled: !logged.has(k) })}>${k}</option>`
    )
  }</select>
<label class="check"><input type="checkbox" id="filter-flagged"> flagged only</label>
<button type="button" id="filter-clear">Clear</button>
</div>`;
  const omitted = report.changesOmitted > 0 &&
    markup`<span class="omitted" id="changes-omitted">${
      int(report.changesOmitted)
    } older changes are not in this table: the report keeps the latest changes and every flagged one.</span>`;
  const usual = usualPaths(report.changes);
  const rows = report.changes.map((c, i) => {
    const kind = knownKind(c.change);
    // The local address, and the remote one after an arrow, where a narrow cell may wrap.
    const remote = c.remoteAddress !== null &&
      markup` <span class="to">→ ${addressPort(c.remoteAddress, c.remotePort)}</span>`;
    return markup`<tr${
      attrs({
        class: c.flagged ? "change flagged" : "change",
        "data-i": i,
        "data-kind": kind,
        "data-flagged": c.flagged && "1",
      })
    }><td class="time" data-v="${c.time}">${
      c.flagged && markup`<span class="mark sev-alert">⚑</span>`
    }${
      when(c.time)
    }</td><td><span class="k k-${kind}">${c.change}</span></td><td class="num port" data-v="${c.localPort}"><span class="proto">${c.protocol.toUpperCase()}</span> ${c.localPort}</td><td class="addr">${c.localAddress}${remote}</td><td class="num">${
      c.pid ?? ""
    }</td><td class="proc">${processCell(c, flagged, usual)}</td><td>${
      clipped(c.user, "user")
    }</td><td>${c.state ?? ""}</td><td class="src"><span class="src-clip" title="${c.source}">${
      tail(c.source)
    }</span></td></tr>\n`;
  });
  return card(
    "changes-section",
    "Changes",
    markup`${controls}
<div class="count-line"><span id="changes-count" aria-live="polite">${int(total)} of ${
      int(total)
    } shown</span>${omitted}</div>
<div class="scroll"><table id="changes" class="data sortable changes" data-total="${total}" data-visible="${total}">${
      headRow([
        ["Time", "text"],
        ["Change", "text"],
        ["Port", "num", "num"],
        ["Local address → remote", "text"],
        ["PID", "num", "num"],
        ["Process", "text", undefined, PROCESS_TITLE],
        ["User", "text"],
        ["State", "text"],
        ["Source", "text"],
      ])
    }<tbody>
${rows}</tbody></table><p class="empty" id="no-match" hidden>No change matches the filter.</p></div>`,
    { note, wide: true },
  );
}

/**
 * A change's process: its name, then its executable's path, muted and cut to fit (the title has
 * it all), in the flag's color when the path is flagged; a dash when no process owned the socket.
 */
function processCell(c: ChangeRow, flagged: FlaggedSubjects, usual: Map<string, string>): Html {
  if (c.process === null && c.pid === null) return NO_PROCESS;
  if (c.path === null) return markup`<span class="name">${c.process ?? ""}</span>`;
  const name = markup`<span class="name" title="${c.path}">${c.process ?? ""}</span>`;
  const severity = flagged.of(c.path);
  if (!severity && usual.get(c.process ?? "") === c.path) return name;
  return markup`${name}<span class="cpath${severity ? ` sev-${severity}` : ""}" title="${c.path}">${
    tail(c.path)
  }</span>`;
}

/** Each process name's most common executable path among the changes. */
function usualPaths(changes: ChangeRow[]): Map<string, string> {
  const counts = new Map<string, Map<string, number>>();
  for (const c of changes) {
    if (c.process === null || c.path === null) continue;
    const paths = counts.get(c.process) ?? new Map<string, number>();
    paths.set(c.path, (paths.get(c.path) ?? 0) + 1);
    counts.set(c.process, paths);
  }
  const usual = new Map<string, string>();
  for (const [process, paths] of counts) {
    usual.set(process, [...paths].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0][0]);
  }
  return usual;
}

/** Text cut to its cell's width (CSS class `cut-<kind>`), whole in its title. */
function clipped(text: string | null, kind: string): Html | "" {
  if (text === null || text === "") return "";
  return markup`<span class="cut cut-${kind}" title="${text}">${text}</span>`;
}
