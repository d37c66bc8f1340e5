/**
 * The text `OctoPing /?` prints, built from the option specs: each command's
 * synopsis and option lines come from {@linkcode SPECS}, so they cannot drift
 * from what the parser takes. Only what describes a command as a whole, and
 * the examples, are written here.
 *
 * @module
 */
import { PROGRAM, VERSION } from "../version.ts";
import {
  type CommandName,
  FORMAT,
  HOSTS,
  LOGFILE,
  type OptionSpec,
  PARALLEL,
  SPECS,
} from "./specs.ts";

/** The widest a synopsis line runs. */
const WIDTH = 100;
/** Where a synopsis's following lines start. */
const SYNOPSIS_INDENT = " ".repeat(18);
/** Where the text about a command starts, and its following lines. */
const ABOUT_COLUMN = 7;
/** Where an option's text starts, and its following lines. */
const OPTION_TEXT_COLUMN = 23;
/** Options `/?` describes in a part of their own, not in each command's section. */
const DESCRIBED_APART = new Set([LOGFILE, FORMAT].map((spec) => spec.name));
/** The options that go with `/hosts`, which have a synopsis line and a section of their own. */
const FLEET = [HOSTS, PARALLEL];

/** What `/?` says of a command as a whole. */
interface CommandSection {
  command: CommandName;
  /** What it does, one string per printed line. */
  about: readonly string[];
  /** What comes before its options in the synopsis. */
  operands?: string;
  /** The command whose options it shares, and what is said of them here. */
  shares?: { from: CommandName; help: readonly string[] };
  /** A paragraph after its options. */
  after?: readonly string[];
}

const PING: CommandSection = {
  command: "ping",
  about: [
    "Makes repeated TLS connections to a Tentacle (or to a pong) and counts the failures.",
    "Leave it running for hours; Ctrl+C stops it. Exit code 0: no attempt failed; 1: some did,",
    "or Ctrl+C cut one short before any finished.",
  ],
  after: [
    "Each failure names its cause (dns, proxy, refused, timeout, reset, tls, closed, unreachable,",
    "thumbprint, intercepted, rejected, incomplete, other) with a hint; Ctrl+C or /count ends the",
    "run with statistics.",
  ],
};

const PONG: CommandSection = {
  command: "pong",
  about: [
    "Stands in for a Tentacle: if ping fails against the Tentacle but not against pong on the",
    "same machine and port, look at the Tentacle; if it fails against both, look at the network.",
    "Press Enter or Ctrl+C to stop it, or give /duration.",
  ],
};

const CHECK: CommandSection = {
  command: "check",
  about: [
    "Runs Octopus's Tentacle troubleshooting checklist once: every address the name resolves",
    "to, TCP, which TLS versions, suites and curves the server speaks, its certificate, who",
    "answers, and (with /clientcert) whether the Tentacle trusts the Octopus Server's",
    "certificate. One [ OK ], [WARN] or [FAIL] line per finding, then a verdict. Exit code 0:",
    "Octopus should be able to connect (warnings allowed); 1: something blocks it.",
  ],
  shares: {
    from: "ping",
    help: [
      "As for ping (/nossl skips the TLS",
      "probe; through /proxy, the name is checked as one entry, by CONNECT)",
    ],
  },
};

const EXPORTER: CommandSection = {
  command: "exporter",
  about: [
    "Serves Prometheus: GET /probe?target=<host[:port] or a name from /hosts> makes one ping",
    "attempt (module=check: a check) and answers with blackbox_exporter's metrics and",
    "OctoPing's (cause, certificate, who answered); /metrics has the exporter's own. Prints",
    "a line per failed probe and a summary a minute; Ctrl+C stops it. See docs/exporter.md.",
  ],
};

const REPORT: CommandSection = {
  command: "report",
  operands: "<log file> [<log file> ...]",
  about: [
    "Reads a log (OctoPing's JSON or text, or TentaclePing's Output.txt) and prints its",
    "statistics, or with /out writes an HTML page with charts. /in=<file> names a log too.",
    "Several logs (or one from /hosts) are reported by machine and target, worst first;",
    "*.jsonl is expanded by OctoPing itself.",
  ],
};

const EXAMPLES = `Examples:
  ${PROGRAM} ping /host=MyServer                                # default port 10933
  ${PROGRAM} ping /host=10.0.0.1 /port=10934                    # explicit port
  ${PROGRAM} pong /port=10945                                   # on server 1: listen
  ${PROGRAM} ping /host=Server1 /port=10945                     # on server 2: ping server 1
  ${PROGRAM} ping /host=Server1 /port=10945 /datasize=100       # send 100 MB in 2 MB chunks
  ${PROGRAM} ping /host=Server1 /port=10945 /datasize=100 /chunksize=10
  ${PROGRAM} pong /port=10945 /maxsend=100                      # may send 100 MB back
  ${PROGRAM} ping /host=Server1 /port=10945 /datasize=100 /reverse     # pong sends it back
  ${PROGRAM} ping /host=MyServer > Output.txt                   # keep the output for support
  ${PROGRAM} check /host=MyServer                               # the checklist, once
  ${PROGRAM} check /host=MyServer /clientcert=octopus.pfx       # ... and the Tentacle's trust
  ${PROGRAM} ping /host=MyServer /proxy=http://proxy:8080       # through Octopus's proxy
  ${PROGRAM} ping /host=MyServer /format=json /logfile=run.jsonl   # a record to chart
  ${PROGRAM} report run.jsonl /out=report.html                 # ... charted
  ${PROGRAM} ping /hosts=tentacles.txt /count=100 > Output.txt  # many Tentacles, one table
  ${PROGRAM} report node1.jsonl node2.jsonl /out=fleet.html     # merged from two HA nodes
  ${PROGRAM} exporter /hosts=tentacles.txt > exporter.txt       # Prometheus probes them

Runs on Windows 10 / Windows Server 2019 or later (not 2012 R2; 2016 is untested), Linux with
glibc 2.27 or later (x64, arm64), and macOS.

${PROGRAM} /? (or help, -h, --help) prints this; -v (or --version) prints the version.

Options may also be written -name=value, --name=value or --name value; names are
case-insensitive. In Git Bash on Windows write --host=... or //host=... (it rewrites /host=...).
`;

/** Usage with examples, for `/?`, `/help`, `-h` and `--help`. */
export function usage(): string {
  const fleetCommands = (Object.keys(SPECS) as CommandName[])
    .filter((command) => SPECS[command].includes(HOSTS));
  const synopsis = [
    ...[PING, PONG, CHECK].map(commandSynopsis),
    wrap(`  ${PROGRAM} ${fleetCommands.join(" | ")}`, [
      ...synopsisGroups(FLEET),
      ["[the options above but /host, /thumbprint and /subscription]"],
    ]),
    commandSynopsis(EXPORTER),
    commandSynopsis(REPORT),
  ];
  const sections = [
    ...[PING, PONG, CHECK].map(commandText),
    block(term(HOSTS), HOSTS.help!, optionLines([PARALLEL])),
    commandText(EXPORTER),
    commandText(REPORT),
  ];
  return `${PROGRAM} ${VERSION} - diagnoses connections between an Octopus Server and a listening Tentacle.

Usage:
${synopsis.join("\n")}

${[LOGFILE, FORMAT].map((spec) => `${term(spec)} ${spec.help!.join(" ")}`).join(";\n")}.

${sections.join("\n\n")}

${EXAMPLES}`;
}

/** `/name=<value>`, or `/name` for a switch. */
function term(spec: OptionSpec): string {
  return spec.value === undefined ? `/${spec.name}` : `/${spec.name}=${spec.value}`;
}

function commandSynopsis(section: CommandSection): string {
  const operands = section.operands === undefined ? [] : [[section.operands]];
  const options = SPECS[section.command].filter((spec) => !FLEET.includes(spec));
  return wrap(`  ${PROGRAM} ${section.command}`, [...operands, ...synopsisGroups(options)]);
}

/**
 * The options as a synopsis: a group of words per option and those that join
 * it, e.g. `[/ipv4`, `|`, `/ipv6]`.
 */
function synopsisGroups(specs: readonly OptionSpec[]): string[][] {
  const groups: string[][] = [];
  let open = 0;
  const close = (brackets: number) => {
    const group = groups[groups.length - 1];
    group[group.length - 1] += "]".repeat(brackets);
    open -= brackets;
  };
  for (const spec of specs) {
    const words = groups[groups.length - 1];
    if (spec.joins === "or") words.push("|", term(spec));
    else if (spec.joins === "and") words.push(term(spec));
    else if (spec.joins === "inside") {
      if (open > 1) close(1);
      words.push(`[${term(spec)}`);
      open++;
    } else {
      if (open > 0) close(open);
      groups.push([spec.needed ? term(spec) : `[${term(spec)}`]);
      open = spec.needed ? 0 : 1;
    }
  }
  if (open > 0) close(open);
  return groups;
}

/**
 * `groups` after `start`, on lines of at most {@linkcode WIDTH}: a group
 * starts a line rather than break, unless no line holds it.
 */
function wrap(start: string, groups: readonly string[][]): string {
  const lines = [start];
  const add = (text: string) => {
    const line = lines[lines.length - 1];
    if (line.length + 1 + text.length <= WIDTH) lines[lines.length - 1] = `${line} ${text}`;
    else lines.push(SYNOPSIS_INDENT + text);
  };
  for (const group of groups) {
    const text = group.join(" ");
    if (SYNOPSIS_INDENT.length + text.length <= WIDTH) add(text);
    else group.forEach(add);
  }
  return lines.join("\n");
}

/**
 * A command's section: what it does, a line for the options it shares with
 * another command, a line for each of its own, and a paragraph after them.
 */
function commandText(section: CommandSection): string {
  const own = SPECS[section.command].filter((spec) =>
    !DESCRIBED_APART.has(spec.name) && !FLEET.includes(spec)
  );
  const shared = section.shares ? SPECS[section.shares.from] : [];
  const lines = optionLines(own.filter((spec) => !shared.includes(spec)));
  if (section.shares) {
    const names = own.filter((spec) => shared.includes(spec) && described(spec, own));
    lines.unshift(optionLine(names.map((spec) => `/${spec.name}`).join(", "), section.shares.help));
  }
  const text = block(section.command, section.about, lines);
  const after = section.after?.map((line) => `  ${line}`).join("\n");
  return after === undefined ? text : `${text}\n\n${after}`;
}

/** A heading at the margin, the text beside it, then the option lines. */
function block(heading: string, about: readonly string[], options: string[]): string {
  const [first, ...rest] = about;
  const indent = " ".repeat(ABOUT_COLUMN);
  // A heading too long for its column (`exporter`) stands on a line of its own.
  const opening = heading.length < ABOUT_COLUMN
    ? [`${heading.padEnd(ABOUT_COLUMN - 1)} ${first}`]
    : [heading, indent + first];
  return [...opening, ...rest.map((line) => indent + line)].concat(options).join("\n");
}

/** Whether `spec` has a line: its own help, or one it shares with the option it joins. */
function described(spec: OptionSpec, specs: readonly OptionSpec[]): boolean {
  if (spec.joins === "or" || spec.joins === "and") {
    const before = specs[specs.indexOf(spec) - 1];
    return before !== undefined && described(before, specs);
  }
  return spec.help !== undefined;
}

/**
 * One line per option with help; an option that joins the one before it
 * (`/ipv4, /ipv6`, `/cert=<file.pem> /key=<file.pem>`) shares its line.
 */
function optionLines(specs: readonly OptionSpec[]): string[] {
  const lines: { label: string; help: readonly string[] }[] = [];
  for (const spec of specs) {
    if (!described(spec, specs)) continue;
    if (spec.help !== undefined) lines.push({ label: term(spec), help: spec.help });
    else lines[lines.length - 1].label += `${spec.joins === "or" ? "," : ""} ${term(spec)}`;
  }
  return lines.map((line) => optionLine(line.label, line.help));
}

function optionLine(label: string, help: readonly string[]): string {
  const [first, ...rest] = help;
  const indent = " ".repeat(OPTION_TEXT_COLUMN);
  return [`  ${label.padEnd(OPTION_TEXT_COLUMN - 4)}  ${first}`]
    .concat(rest.map((line) => indent + line)).join("\n");
}
