/**
 * `portset report DIR DIR… --html FILE`: the fleet report as one self-contained page, made as the
 * one-host page is (escape-by-default templates, the same style sheet, no request of any kind, a
 * Content Security Policy that allows the page's one script by its hash): the hosts, one row each;
 * every flag with its host; which hosts listen on each port; the busiest remote addresses across
 * the fleet. Every row says its host, and a host filter at the top (kept in the URL's hash,
 * `#host=web1`) shows one host's rows in every table.
 *
 * @module
 */

import type { FleetHost, FleetReport } from "../../report/fleet_model.ts";
import { formatBytesShort, formatDurationShort } from "../../text/units.ts";
import { fleetPageScript } from "./fleet_script.ts";
import { SEVERITIES } from "./flagged.ts";
import { int, when } from "./format.ts";
import { attrs, type Html, markup } from "./html.ts";
import { reportPage } from "./page.ts";
import { card, headRow, nameText, proseText } from "./parts.ts";
import { CSS } from "./style.ts";

/** The page's script, the same for every fleet report. */
const SCRIPT = fleetPageScript();

/** Rows of the listening ports and remote addresses tables, at most: the JSON has the rest. */
const FLEET_PAGE_ROWS = 500;

/** The fleet report as one HTML document. */
export function formatFleetHtml(report: FleetReport): string {
  return reportPage({
    title: `portset report: ${int(report.hosts.length)} hosts`,
    css: CSS + FLEET_CSS,
    script: SCRIPT,
    data: report,
    portset: report.portset,
    format: report.format,
    header: header(report),
    main: markup`${hostFilter(report)}
${hostsSection(report)}
${flagsSection(report)}
${portsSection(report)}
${remotesSection(report)}`,
  });
}

/** What the fleet page adds to the one-host page's style sheet. */
const FLEET_CSS = `
.host-filter{display:none;gap:10px;align-items:center;margin-bottom:14px;font-size:14px}
.js .host-filter{display:flex}
.host-filter select{padding:4px 8px;border:1px solid #cbd5e1;border-radius:6px;font:inherit}
td.host{white-space:nowrap;font-weight:600}
.row-count{font-size:12.5px;color:var(--muted)}
`;

/** The dark band at the top: how many hosts, the directories, what was read. */
function header(report: FleetReport): Html {
  const hosts = report.hosts;
  const files = hosts.reduce((sum, h) => sum + h.files, 0);
  const bytes = hosts.reduce((sum, h) => sum + h.bytes, 0);
  const changes = hosts.reduce((sum, h) => sum + h.totals.changes, 0);
  const alerts = hosts.reduce((sum, h) => sum + h.flags.alert, 0);
  const fact = (label: string, value: string, id?: string) =>
    markup`<div><dt>${label}</dt><dd${attrs({ id })}>${value}</dd></div>`;
  return markup`<header class="top"><div class="top-inner">
<div class="title"><div class="eyebrow">portset · port activity across hosts</div>
<h1 id="hosts">${int(hosts.length)} hosts</h1>
<div class="dir" id="directory" title="log directories">${report.directories.join(", ")}</div></div>
<dl class="facts">${[
    fact("Hosts", int(hosts.length), "host-count"),
    fact("Files read", `${int(files)} (${formatBytesShort(bytes)})`),
    fact("Change lines", int(changes)),
    fact("Alerts", int(alerts), "alert-count"),
  ]}</dl></div>
<p class="basis" id="time-basis">Times are each host's logs' own local times${
    report.utcOffsets.assumed.length
      ? `; the original Port Reporter's state no offset: UTC${
        report.utcOffsets.assumed.join(", UTC")
      } assumed`
      : ""
  }. Interests: ${report.interests}; new listeners against ${
    report.baseline ?? "each host's first start-up snapshot"
  }.</p>
</header>`;
}

/** The host filter: every host, or one; the tables below show that host's rows. */
function hostFilter(report: FleetReport): Html {
  return markup`<div class="host-filter"><label for="host-filter">Show</label><select id="host-filter" aria-label="Host"><option value="">every host</option>${
    report.hosts.map((host) => markup`<option value="${host.name}">${host.name}</option>`)
  }</select></div>`;
}

/** A table's count line, which the filter updates. */
function rowCount(id: string, rows: number): Html {
  return markup`<span class="row-count" id="${id}-count">${int(rows)} rows</span>`;
}

/** The hosts, one row each: window, changes, flags, ports of interest, new listeners, programs. */
function hostsSection(report: FleetReport): Html {
  const rows = report.hosts.map((host) =>
    markup`<tr class="item${worst(host)}" data-host="${host.name}"><td class="host">${host.name}${
      host.nameFrom === "folder"
        ? markup` <span class="muted" title="no log header names a computer: the folder's name">(folder)</span>`
        : ""
    }</td><td title="${host.directories.join(", ")}">${
      nameText(host.directories.join(", "))
    }</td><td class="num" data-v="${host.window.seconds}">${
      formatDurationShort(host.window.seconds)
    }</td><td class="num">${int(host.totals.changes)}</td><td class="num">${
      int(host.flags.alert)
    }</td><td class="num">${int(host.flags.warning)}</td><td class="num">${
      int(host.flags.info)
    }</td><td class="ports-of-interest">${host.listeningPortsOfInterest.join(", ")}</td><td>${
      host.newListeners.processes
        ? `${int(host.newListeners.listeners)} by ${int(host.newListeners.processes)}`
        : ""
    }</td><td class="unexpected">${nameText(host.unexpectedPrograms.join(", "))}</td></tr>\n`
  );
  return card(
    "hosts-section",
    "Hosts",
    markup`<table id="hosts-table" class="data sortable" data-filtered="1">${
      headRow([
        ["Host", "text"],
        ["Logs", "text"],
        ["Observed", "num", "num"],
        ["Changes", "num", "num"],
        ["Alerts", "num", "num"],
        ["Warnings", "num", "num"],
        ["Notes", "num", "num"],
        ["Ports of interest listening", "text"],
        ["New listeners", "text"],
        ["Unexpected programs", "text"],
      ])
    }<tbody>
${rows}</tbody></table>`,
    { note: rowCount("hosts-table", report.hosts.length), wide: true },
  );
}

/** ` sev-alert` for a host with an alert, and so on; nothing for a quiet host. */
function worst(host: FleetHost): string {
  const severity = SEVERITIES.find((s) => host.flags[s] > 0);
  return severity && severity !== "info" ? ` sev-${severity}` : "";
}

/** Every flag with its host, alerts first. */
function flagsSection(report: FleetReport): Html {
  if (report.flags.length === 0) {
    return card(
      "flags",
      "Flags",
      markup`<p class="empty ok" id="no-flags">Nothing flagged on any host.</p>`,
      { wide: true },
    );
  }
  const rows = report.flags.map((flag) =>
    markup`<tr class="flag sev-${flag.severity}" data-host="${flag.host}" data-severity="${flag.severity}"><td class="sev"><span class="pill sev-${flag.severity}">${flag.severity}</span></td><td class="host">${flag.host}</td><td class="fkind">${flag.kind}</td><td class="about"><div class="subject">${
      nameText(flag.subject)
    }</div><div class="detail">${proseText(flag.detail)}</div>${
      flag.ports.length
        ? markup`<div class="detail">${
          nameText(
            flag.ports.join(", ") +
              (flag.portCount > flag.ports.length
                ? ` and ${int(flag.portCount - flag.ports.length)} more`
                : ""),
          )
        }</div>`
        : ""
    }</td><td class="time">${when(flag.firstSeen)} – ${when(flag.lastSeen)}</td><td class="num">${
      int(flag.count)
    }</td></tr>\n`
  );
  const omitted = report.flagsOmitted > 0 &&
    markup`<p class="note" id="flags-omitted">${
      int(report.flagsOmitted)
    } more warnings and notes were not kept (each host keeps its first; alerts are always kept).</p>`;
  return card(
    "flags",
    "Flags across hosts",
    markup`<table id="flags-table" class="data flags sortable" data-filtered="1">${
      headRow([
        ["Severity", "text"],
        ["Host", "text"],
        ["What", "text"],
        ["Subject and detail", "text"],
        ["First – last seen", "text"],
        ["Lines", "num", "num"],
      ])
    }<tbody>
${rows}</tbody></table>${omitted}`,
    { note: rowCount("flags-table", report.flags.length), wide: true },
  );
}

/** Which hosts listen on each port, ports of interest first. */
function portsSection(report: FleetReport): Html {
  const ports = report.listeningPorts.slice(0, FLEET_PAGE_ROWS);
  if (ports.length === 0) {
    return card("ports", "Listening ports", markup`<p class="empty">No listeners in the logs.</p>`);
  }
  const rows = ports.map((port) => {
    const name = `${port.transport.toUpperCase()} ${port.port}`;
    return markup`<tr${
      attrs({
        class: `item${port.ofInterest ? " sev-alert" : ""}`,
        "data-hosts": JSON.stringify(port.hosts),
        "data-port": name,
      })
    }><td>${name}${
      port.ofInterest ? markup` <span class="pill sev-alert">of interest</span>` : ""
    }</td><td>${port.service ?? ""}</td><td class="num">${int(port.hostCount)}</td><td>${
      nameText(port.hosts.join(", "))
    }${
      port.hostCount > port.hosts.length
        ? ` and ${int(port.hostCount - port.hosts.length)} more`
        : ""
    }</td></tr>\n`;
  });
  const cut = report.listeningPorts.length > ports.length
    ? `; the first ${int(ports.length)} of ${int(report.listeningPorts.length)}`
    : "";
  return card(
    "ports",
    "Listening ports across hosts",
    markup`<table id="ports-table" class="data sortable" data-filtered="1">${
      headRow([["Port", "text"], ["Service", "text"], ["Hosts", "num", "num"], [
        "Host names",
        "text",
      ]])
    }<tbody>
${rows}</tbody></table>`,
    { note: markup`${rowCount("ports-table", ports.length)}${cut}`, wide: true },
  );
}

/** The busiest remote addresses across hosts. */
function remotesSection(report: FleetReport): Html {
  const remotes = report.remoteAddresses.slice(0, FLEET_PAGE_ROWS);
  if (remotes.length === 0) {
    return card(
      "remotes",
      "Remote addresses",
      markup`<p class="empty">No connections in the logs.</p>`,
    );
  }
  const rows = remotes.map((remote) =>
    markup`<tr${
      attrs({
        class: "item",
        "data-hosts": JSON.stringify(remote.hosts),
        "data-address": remote.address,
      })
    }><td>${nameText(remote.address)}</td><td class="num" data-v="${remote.connections}">${
      remote.overcount > 0 ? `≤${int(remote.connections)}` : int(remote.connections)
    }</td><td class="num">${int(remote.hostCount)}</td><td>${nameText(remote.hosts.join(", "))}${
      remote.hostCount > remote.hosts.length
        ? ` and ${int(remote.hostCount - remote.hosts.length)} more`
        : ""
    }</td><td>${remote.remotePorts.join(", ")}</td><td>${
      nameText(remote.processes.join(", "))
    }</td><td class="time">${when(remote.firstSeen)} – ${when(remote.lastSeen)}</td></tr>\n`
  );
  return card(
    "remotes",
    "Remote addresses across hosts by connections",
    markup`<table id="remotes-table" class="data sortable" data-filtered="1">${
      headRow([
        ["Address", "text"],
        ["Connections", "num", "num"],
        ["Hosts", "num", "num"],
        ["Host names", "text"],
        ["Remote ports", "text"],
        ["Processes", "text"],
        ["First – last seen", "text"],
      ])
    }<tbody>
${rows}</tbody></table>`,
    { note: rowCount("remotes-table", remotes.length), wide: true },
  );
}
