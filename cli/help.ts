/**
 * The help texts: `portset --help` (every command and flag) and `portset COMMAND --help` or
 * `portset help COMMAND` (that command's usage). Loaded only when help is asked for.
 * tests/help_test.ts checks that every flag of every parser's table is here.
 *
 * @module
 */

/** A command whose usage `portset help COMMAND` prints. */
export type HelpTopic =
  | "local"
  | "watch"
  | "query"
  | "scan"
  | "baseline"
  | "check"
  | "monitor"
  | "service"
  | "report";

interface Topic {
  /** Usage lines, each starting `portset`. */
  usage: string;
  /** The section this command is described in. */
  section: string;
  /** Its flags and what it does, indented two spaces. */
  body: string;
}

const RULES_SECTION =
  "PortSet rules (RULE.xml holds a <PortSet>, or several entity sets under one root element)";

/** Each command's usage and description, in the order `portset --help` lists them. */
export const TOPICS: Readonly<Record<HelpTopic, Topic>> = {
  local: {
    usage: `portset -local [FILTERS] [-v] [--json | --csv] [-l FILE [-y]]`,
    section: "Local mode",
    body: `  -local          list every TCP/UDP endpoint (IPv4 and IPv6) with its state and owner:
                  pid, process, executable path, user, services, and with -v loaded modules
  -v              verbose: list each owning process's loaded modules
  --json          one JSON object with an "endpoints" array (and "processes")
  --csv           one CSV line per endpoint, with a header line
  -l FILE         also write the output to FILE (asks before replacing it on a terminal)
  -y              replace FILE without asking
  FILTERS show only the endpoints that pass every one given, in every format; the text
  report's counts and statistics are then of those, and its header says a filter is on:
  --listening     listening ports: TCP listeners and unconnected UDP sockets
  --state NAME    TCP state, PortQry's names in any case: listening, syn_sent,
                  syn_received, established, fin_wait1, fin_wait2, close_wait, closing,
                  last_ack, time_wait, closed (UDP sockets have none)
  --port N[,N...] local port
  --pid N[,N...]  owning process (any of the processes holding the socket)
  --process GLOB  process name, * and ? as in rules (sshd, postgres*)
  --proto tcp|udp|4|6
                  transport and address family: --proto tcp,6 is TCP over IPv6
  --key GLOB      PortSet key, as a rule's <include key=...> matches it (tcp*/*/22)
  --netns current|NAME|INODE
                  network namespace (all by default): portset's, a name or label, an inode
  --state, --port, --pid, --process, --proto, --key and --netns take several values,
  comma-separated or repeated (--state established,time_wait): any of them passes.`,
  },
  watch: {
    usage: `portset -wport PORT | -wpid PID [-wt SECONDS] [-v] [--json] [-l FILE [-y]]`,
    section: "Watch modes (stop with Ctrl+C; the log stays complete)",
    body:
      `  -wport PORT     watch one local port, TCP and UDP: listeners, connections, state changes
  -wpid PID       watch every socket of one process, until it exits
  -wt SECONDS     how often to look, 1 to 1200 (default 60)
  -v              also list the processes' loaded modules
  --json          one JSON line per change (and start and end records)
  -l FILE         also write the watch to FILE, flushed block by block; -y replaces it`,
  },
  query: {
    usage:
      `portset -n HOST [-p tcp|udp|both] [-e PORT | -r START:END | -o P1,P2,...] [-q] [-sl] [-nr]
                [-sp PORT] [-cn COMMUNITY] [--json] [-l FILE [-y]]`,
    section: "Remote queries (PortQry's -n mode)",
    body: `  -n HOST         the host to query, a name or an IPv4/IPv6 address
  -p PROTOCOL     tcp (default), udp or both
  -e PORT         one port (default 80); or -r START:END, a range; or -o P1,P2,..., a list
  -q              quiet: print nothing, answer by exit code: 0 LISTENING, 1 NOT LISTENING,
                  2 FILTERED or LISTENING or FILTERED; for several ports the least certain
                  answer wins (2 over 1 over 0), so 0 means every port listens. Note that 2 is
                  also the exit code of a bad command line (PortQry's codes, kept as they are)
  -sl             slow link: wait 3 s instead of 1 s for UDP answers and greetings
  -nr             do not look up the name of an IP address given as HOST
  -sp PORT        send from this local port (TCP and UDP)
  -cn COMMUNITY   SNMP community for UDP 161 (default public)
  --json          one JSON object: host, address, name, results [{protocol, port, service,
                  state, detail}]
  -l FILE         also write the report to FILE; -y replaces it without asking
  States: LISTENING (connection accepted, UDP answer), NOT LISTENING (TCP reset, ICMP port
  unreachable), FILTERED (no TCP answer to 3 tries of 1 s), LISTENING or FILTERED (UDP silence).
  UDP 53, 123, 137, 161 and 389 are asked a DNS, NTP, NetBIOS, SNMP or CLDAP question, and the
  answer is shown; TCP 21, 25, 110 and 143 have their greeting read. Without -q, the exit code is
  0 when the query ran, 1 when HOST cannot be resolved or probed.`,
  },
  scan: {
    usage: `portset scan RULE.xml [--json]`,
    section: RULES_SECTION,
    body:
      `  scan            the listening ports the rule selects now, with their monitored attributes,
                  in every network namespace (an entity is a key within its namespace; the
                  namespace test narrows: <exclude namespace="*"/> keeps the host's alone)
  --json          {"entities": [{"key", "namespace", "attributes"}]}`,
  },
  baseline: {
    usage: `portset baseline RULE.xml -o BASELINE.json [-y]`,
    section: RULES_SECTION,
    body: `  baseline        write them to BASELINE.json (atomically), with the rule's digest
  -o FILE         where to write; an existing FILE is refused unless -y (or a yes at a terminal)
  -y              replace FILE without asking`,
  },
  check: {
    usage:
      `portset check RULE.xml --baseline BASELINE.json [--json | --jsonl | --cef] [--update [-y]]`,
    section: RULES_SECTION,
    body: `  check           one event per difference from the baseline: Created, Updated, Deleted;
                  exit 0 when nothing changed, 1 when something did, 2 on any error
  --baseline FILE the baseline to compare with
  --json          {"warnings": [...], "events": [...]}
  --jsonl         one JSON event per line
  --cef           one CEF line per event
  --update        after reporting, replace the baseline with what is there now and say so;
                  like every file portset replaces, only with -y (or a yes at a terminal)
  -y              replace the baseline without asking`,
  },
  monitor: {
    usage: `portset monitor [--log-dir DIR] [--rule RULE.xml] [--interval SECONDS] [--max-size SIZE]
                [--keep-size SIZE] [--keep-days N] [--rule-interval SECONDS]
                [--jsonl | --cef] [--syslog udp|tcp|tls://HOST[:PORT] [--syslog-ca FILE]
                [--syslog-queue DIR] [--syslog-queue-size SIZE]] [--loki URL]
                [--metrics HOST:PORT] [--textfile DIR]`,
    section: "Monitor (the Port Reporter service; stops cleanly on Ctrl+C or SIGTERM)",
    body:
      `  --log-dir DIR   write PR-INITIAL, PR-PORTS and PR-PIDS logs there (created 0700; refused
                  when another user owns it or others can write it); new PR-PORTS/PR-PIDS
                  files at midnight and past --max-size
  --max-size SIZE size of one log before the next is started (default 5M)
  --keep-size SIZE
                  remove the oldest logs to keep the directory within SIZE (default 1G)
  --keep-days N   remove logs last written more than N days ago (default 90);
                  0 or off for either: no limit
  --interval SECONDS
                  seconds between looks, 1 to 3600 (default 5)
  --rule RULE.xml report the rule's Created/Updated/Deleted events as they happen (every look
                  when a PortSet has onChange="true", else every --rule-interval)
  --rule-interval SECONDS
                  how often a rule without onChange is checked (default 3600)
  --jsonl         rule events as JSON lines (default: text)
  --cef           rule events as CEF lines
  --syslog URL    also send rule events to a syslog server, RFC 5424 over UDP, TCP or TLS:
                  udp://HOST[:PORT], tcp://HOST[:PORT] (port 514 by default) or
                  tls://HOST[:PORT] (6514); over TCP and TLS events wait while the server
                  is away and are delivered once, in order, when it is back
  --syslog-ca FILE
                  TLS: trust the certificate authorities in this PEM file (default: the
                  system's); the server's certificate must name HOST
  --syslog-queue DIR
                  TCP, TLS: events wait on disk there (made 0700), across restarts of the
                  monitor too (default: in memory, lost when the monitor stops)
  --syslog-queue-size SIZE
                  the most waiting events may take (default 10M); past it new events are
                  dropped, and counted
  --loki URL      also push rule events to Grafana Loki (http://HOST:3100): each event's JSON
                  line in the stream {job="portset", host, kind}; they wait in memory
                  while Loki is away
  --metrics HOST:PORT
                  serve Prometheus metrics at http://HOST:PORT/metrics (listening sockets,
                  sockets by state, changes, rule events, the last look); only where told
  --textfile DIR  write the same metrics to DIR/portset.prom at each look, replaced whole,
                  for node_exporter's textfile collector; removed when the monitor stops
  --windows-service
                  run under the Windows Service Control Manager: the command line the
                  installed service runs, not one to type`,
  },
  service: {
    usage: `portset service install [--log-dir DIR] [--interval SECONDS] [--rule RULE.xml]
                        [--metrics HOST:PORT] [--textfile DIR] [--start auto|manual]
                        [--dry-run] [--root DIR]
portset service uninstall [--dry-run] [--root DIR] | portset service status`,
    section: "Service (runs the monitor from boot; install and uninstall need root)",
    body: `  install         Linux: /etc/systemd/system/portset.service, enabled and started;
                  macOS: /Library/LaunchDaemons/org.portset.monitor.plist, bootstrapped;
                  Windows: service portset, log directory for Administrators and SYSTEM.
                  Refused (exit 2) when the rule does not parse or the service could not see
                  the program, the rule or the log directory (under /tmp, say)
  --log-dir DIR   where the monitor writes its logs
  --interval SECONDS
                  seconds between the monitor's looks (default 5)
  --rule RULE.xml the rule whose events the monitor reports
  --metrics HOST:PORT
                  the monitor serves Prometheus metrics there (a port of its own)
  --textfile DIR  the monitor writes DIR/portset.prom for node_exporter; the unit names DIR
                  writable (ReadWritePaths=), and the file stays readable by node_exporter
  --start auto|manual
                  auto (default): start at boot and now; manual: install only
  --dry-run       print the file and the commands instead of acting
  --root DIR      write the files under DIR instead of / (for packagers)
  uninstall       stop the service and remove it
  status          exit 0 running, 3 installed but not running, 4 not installed`,
  },
  report: {
    usage: `portset report LOGDIR [LOGDIR...] [--json] [--html FILE [-y]] [--interests FILE]
               [--baseline FILE] [--date-order ymd|mdy|dmy] [--top N]`,
    section: "Report (reads Port Reporter logs: portset's, and the original's CSV dialect)",
    body: `  LOGDIR          a directory of PR-INITIAL, PR-PORTS and PR-PIDS logs (or one log file);
                  read streaming, with a progress bar on a terminal. Several LOGDIRs, or
                  one holding a folder per host (at any depth), make a report across
                  hosts, each named by its logs' headers (else by its folder)
  --json          the report as one JSON object (format "portset-report/3"; across
                  hosts "portset-fleet/1")
  --html FILE     also write a self-contained HTML report: timeline, hours, top processes
                  and remote addresses, a filterable table of changes
  -y              replace the HTML file without asking
  --interests FILE
                  a JSON file of ports, processes, modules, users, remote addresses and
                  expected directories of interest, added to the defaults
  --baseline FILE listeners expected (a portset baseline file, or PortSet keys one per line);
                  others are flagged as new. Default: those of the first start-up snapshot
  --date-order ymd|mdy|dmy
                  how the original's slashed dates read: ymd (its own), mdy or dmy
  --top N         rows per ranking in the text report (default 20)`,
  },
};

const EXIT_CODES =
  `Exit codes: 0 done (check: no change); 1 the system could not be read or output could not be
written (check: something changed); 2 bad command line, rule file, baseline or output file
(check: any error); 70 an internal error (a bug: please report it).
`;

/** `portset --help`: every command and flag. */
export function fullHelp(): string {
  const topics = Object.values(TOPICS);
  const usage = topics.map((topic) => indent(topic.usage));
  const sections: string[] = [];
  let section = "";
  for (const topic of topics) {
    if (topic.section !== section) sections.push(`\n${topic.section}:`);
    section = topic.section;
    sections.push(topic.body);
  }
  return `portset: TCP/UDP port monitor

Usage:
${usage.join("\n")}
  portset help [COMMAND] | portset COMMAND --help
  portset --help | --version
${sections.join("\n")}

Help:
  --help, -h      this help; after a command (portset scan --help, portset -local --help),
                  that command's; portset help COMMAND says the same
  --version       the version and build target

Run as root for every owner; without root, other users' sockets are listed with pid null.

${EXIT_CODES}`;
}

/** `portset help COMMAND`: that command's usage and flags. */
export function commandHelp(topic: HelpTopic): string {
  const { usage, section, body } = TOPICS[topic];
  return `Usage:
${indent(usage)}

${section}:
${body}

Every command: portset --help.

${EXIT_CODES}`;
}

/** The help for `topic`, or the whole help for null. */
export function helpText(topic: HelpTopic | null): string {
  return topic === null ? fullHelp() : commandHelp(topic);
}

function indent(text: string): string {
  return text.split("\n").map((line) => `  ${line}`).join("\n");
}
