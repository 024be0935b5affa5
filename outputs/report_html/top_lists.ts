/**
 * The report page's top lists: processes by their share of the window, remote addresses by
 * connections, local ports by time in use, user contexts, and the processes that host several
 * services. Each is a sortable table showing its top rows, the rest behind a "show all" toggle
 * that works without scripts (a checkbox and CSS).
 *
 * @module
 */

import type { Flag, ListCount, Report } from "../../report/model.ts";
import type { FlaggedSubjects } from "./flagged.ts";
import { flagMark } from "./flagged.ts";
import { formatDurationShort } from "../../text/units.ts";
import { int, percent, when } from "./format.ts";
import { attrs, type Html, markup } from "./html.ts";
import { bar, card, type Head, headRow, nameAndPath, nameText, processList } from "./parts.ts";

/** Rows of a top list shown before its "show all" toggle. */
export const TOP_ROWS = 12;

/** A top list's row: its cells, named by one attribute (`data-port="TCP 22"`), in a flag's color. */
interface TopRow {
  severity?: Flag["severity"];
  name: string;
  value: string | number;
  cells: Html;
}

/** A sortable table whose rows past `TOP_ROWS` wait behind a CSS-only toggle. */
function table(id: string, head: Head[], rows: TopRow[], noun: string): Html {
  const toggle = rows.length > TOP_ROWS &&
    markup`<input type="checkbox" class="more-toggle" id="${id}-more"><label class="more-label" for="${id}-more"><span class="show">Show all ${
      int(rows.length)
    } ${noun}</span><span class="hide">Show the top ${TOP_ROWS}</span></label>`;
  const body = rows.map((row, i) => {
    const cls = `item${i < TOP_ROWS ? "" : " more"}${row.severity ? ` sev-${row.severity}` : ""}`;
    return markup`<tr${attrs({ class: cls, [row.name]: row.value })}>${row.cells}</tr>\n`;
  });
  return markup`${toggle}<table id="${id}" class="data sortable">${headRow(head)}<tbody>
${body}</tbody></table>`;
}

/** A top list's card: its table, or a line saying the logs have none. */
function topList(
  list: {
    id: string;
    heading: string;
    empty: string;
    table: string;
    note: string;
    noun: string;
    /** A card of its own across the page, not one of a pair. */
    wide?: boolean;
    /** How many the logs had, where the report kept fewer. */
    count: ListCount;
  },
  head: Head[],
  rows: TopRow[],
): Html {
  // `top`: the compact table style of the top lists (narrow paddings and bars).
  const options = { wide: list.wide ?? false, extraClass: " top" };
  const { total, exact } = list.count;
  // A cut list says so: its length is the report's cap, not what the host had.
  const cut = rows.length < total
    ? `; ${int(rows.length)} kept of ${exact ? "" : "about "}${int(total)}`
    : "";
  return rows.length === 0
    ? card(list.id, list.heading, markup`<p class="empty">${list.empty}</p>`, options)
    : card(list.id, list.heading, table(list.table, head, rows, list.noun), {
      ...options,
      note: `${list.note}${cut}`,
    });
}

/** Processes by the share of the window they had a socket open. */
export function processesSection(report: Report, flagged: FlaggedSubjects): Html {
  const list = [...report.processes].sort((a, b) => b.share - a.share || b.changes - a.changes);
  const rows = list.map((p): TopRow => {
    const pathSeverity = p.path ? flagged.of(p.path) : undefined;
    const severity = pathSeverity || flagged.of(p.process);
    return {
      severity,
      name: "data-process",
      value: p.process,
      cells: markup`<td>${
        nameAndPath(p.process, p.path, flagMark(severity), pathSeverity)
      }</td><td class="share" data-v="${p.share}">${
        bar(p.share, percent(p.share))
      }</td><td class="num" data-v="${p.seconds}">${
        formatDurationShort(p.seconds)
      }</td><td class="num">${int(p.changes)}</td><td class="num">${
        int(p.pidCount)
      }</td><td class="num">${int(p.ports)}</td><td class="list">${
        nameText(p.users.join(", "))
      }</td>`,
    };
  });
  return topList(
    {
      id: "processes",
      count: report.counts.processes,
      heading: "Top processes",
      empty: "No processes in the logs.",
      table: "top-processes",
      noun: "processes",
      note: "by share of the window with a socket open",
    },
    [
      ["Process", "text"],
      ["Share of time", "num", "share"],
      ["In use", "num", "num"],
      ["Changes", "num", "num"],
      ["PIDs", "num", "num"],
      ["Ports", "num", "num"],
      ["Users", "text"],
    ],
    rows,
  );
}

/** Remote addresses by connections, with their ports, processes and when last seen. */
export function remotesSection(report: Report, flagged: FlaggedSubjects): Html {
  const list = [...report.remoteAddresses].sort((a, b) => b.connections - a.connections);
  const max = Math.max(...list.map((r) => r.connections), 1);
  const rows = list.map((r): TopRow => {
    const severity = flagged.of(r.address);
    const count = r.overcount > 0
      ? markup`<span title="${`counted approximately: up to ${
        int(r.overcount)
      } may belong to other addresses`}">≤${int(r.connections)}</span>`
      : int(r.connections);
    return {
      severity,
      name: "data-address",
      value: r.address,
      cells: markup`<td class="addr">${r.address}${
        flagMark(severity)
      }</td><td class="share" data-v="${r.connections}">${
        bar(r.connections / max, count)
      }</td><td class="list" title="${r.remotePorts.join(", ")}">${
        r.remotePorts.slice(0, 2).join(", ")
      }${r.remotePorts.length > 2 ? " …" : ""}</td><td class="list">${
        processList(r.processes)
      }</td><td class="time" title="${r.lastSeen}">${nameText(when(r.lastSeen.slice(0, 16)))}</td>`,
    };
  });
  return topList(
    {
      id: "remotes",
      count: report.counts.remoteAddresses,
      heading: "Top remote addresses",
      empty: "No remote addresses in the logs.",
      table: "top-remotes",
      noun: "addresses",
      note: "by connections",
      // Across the page: a column of IPv6 addresses is too wide for half of it.
      wide: true,
    },
    [
      ["Address", "text"],
      ["Connections", "num", "share"],
      ["Remote ports", "text"],
      ["Processes", "text"],
      ["Last seen", "text"],
    ],
    rows,
  );
}

/** Local ports by the share of the window they were in use. */
export function portsSection(report: Report, flagged: FlaggedSubjects): Html {
  const list = [...report.ports].sort((a, b) =>
    b.share - a.share || b.changes - a.changes || a.port - b.port
  );
  const rows = list.map((p): TopRow => {
    const subject = `${p.transport.toUpperCase()} ${p.port}`;
    const severity = flagged.of(subject);
    return {
      severity,
      name: "data-port",
      value: subject,
      cells:
        markup`<td class="port"><span class="proto">${p.transport.toUpperCase()}</span> ${p.port}${
          flagMark(severity)
        }</td><td class="svc">${
          p.service === null
            ? markup`<span class="muted">—</span>`
            : markup`<span class="clip" title="${p.service}">${p.service}</span>`
        }</td><td data-v="${p.listening ? 1 : 0}">${
          p.listening &&
          markup`<span class="listening" title="listened or was bound">listening</span>`
        }</td><td class="share" data-v="${p.share}">${
          bar(p.share, percent(p.share))
        }</td><td class="num">${int(p.changes)}</td><td class="num">${
          int(p.connections)
        }</td><td class="list">${processList(p.processes)}</td>`,
    };
  });
  return topList(
    {
      id: "ports",
      count: report.counts.ports,
      heading: "Local ports",
      empty: "No ports in the logs.",
      table: "ports-table",
      noun: "ports",
      note: "by share of the window in use",
    },
    [
      ["Port", "num"],
      ["Service", "text"],
      ["", "num"],
      ["In use", "num", "share"],
      ["Changes", "num", "num"],
      ["Conns", "num", "num"],
      ["Processes", "text"],
    ],
    rows,
  );
}

/** User contexts by changes, with the processes that ran under each. */
export function usersSection(report: Report, flagged: FlaggedSubjects): Html {
  const max = Math.max(...report.users.map((u) => u.changes), 1);
  const rows = report.users.map((u): TopRow => {
    const severity = flagged.of(u.user);
    return {
      severity,
      name: "data-user",
      value: u.user,
      cells: markup`<td class="name">${nameText(u.user)}${
        flagMark(severity)
      }</td><td class="share" data-v="${u.changes}">${
        bar(u.changes / max, int(u.changes))
      }</td><td class="num" data-v="${u.startupSockets}">${
        u.startupSockets ? int(u.startupSockets) : ""
      }</td><td class="list">${nameText(u.processes.join(", "))}</td>`,
    };
  });
  return topList(
    {
      id: "users",
      count: report.counts.users,
      heading: "User contexts",
      empty: "No user contexts in the logs.",
      table: "users-table",
      noun: "users",
      note: "which accounts ran what",
    },
    [
      ["User", "text"],
      ["Changes", "num", "share"],
      ["At start-up", "num", "num"],
      ["Processes", "text"],
    ],
    rows,
  );
}

/** Processes that host more than one service (`svchost.exe`, systemd's sockets), with them. */
export function sharedSection(report: Report): Html {
  const rows = report.sharedProcesses.map((p): TopRow => ({
    name: "data-pid",
    value: p.pid,
    cells: markup`<td class="num">${p.pid}</td><td>${
      nameAndPath(p.process, p.path)
    }</td><td><ul class="services">${
      p.services.map((s) =>
        markup`<li><code>${s.name}</code> <span class="muted">${s.displayName}</span></li>`
      )
    }</ul></td>`,
  }));
  return topList(
    {
      id: "shared",
      count: report.counts.sharedProcesses,
      heading: "Shared service host processes",
      empty: "No process hosted more than one service.",
      table: "shared-table",
      noun: "processes",
      note: "processes hosting more than one service",
      wide: true,
    },
    [["PID", "num", "num"], ["Process", "text"], ["Services", "text"]],
    rows,
  );
}
