/**
 * Every option of every command, written once: its name, its value, what `/?`
 * says of it, and (in {@linkcode SPECS}) the commands that take it. The parser
 * checks arguments against these, `/?` is built from them, and
 * tests/docs_test.ts holds the docs' option tables to them.
 *
 * @module
 */

/** The commands, as typed on the command line. */
export type CommandName = "ping" | "pong" | "check" | "exporter" | "report";

/** One option a command takes. */
export interface OptionSpec {
  /** Lower-case name, letters only. */
  name: string;
  /** The value as `/?` names it (`<ip/hostname>`); absent for a switch. */
  value?: string;
  /** An example value, shown when the value is missing; absent for a switch. */
  example?: string;
  /**
   * What `/?` says of it, one string per printed line, its default as
   * `(default …)`; absent where another option's text covers it.
   */
  help?: readonly string[];
  /** A synopsis line needs it, so it is shown without brackets. */
  needed?: true;
  /**
   * How the synopsis joins it to the option listed before it: one or the
   * other (`[/ipv4 | /ipv6]`), both (`[/cert /key]`), or only with it
   * (`[/clientcert [/clientkey]]`).
   */
  joins?: "or" | "and" | "inside";
}

const HOST: OptionSpec = {
  name: "host",
  value: "<ip/hostname>",
  example: "MyServer",
  needed: true,
  help: [
    "The Tentacle: MyServer, 10.0.0.1, MyServer:10933, https://MyServer:10933/,",
    "MyServer:10933/, [2001:db8::5]:10933 (not link-local fe80::, see the docs)",
  ],
};

const PORT: OptionSpec = {
  name: "port",
  value: "<port>",
  example: "10933",
  help: ["Its port (default 10933, the Tentacle port)"],
};

/** `/hosts`: many targets at once; `/?` gives it a section of its own. */
export const HOSTS: OptionSpec = {
  name: "hosts",
  value: "<file>",
  example: "tentacles.txt",
  needed: true,
  help: [
    "Many Tentacles at once (ping and check): one per line, in any /host form, then",
    'optionally a name and thumbprint=<hex> ("web01:10933 Web01 thumbprint=3C2A..."); # starts',
    "a comment; /hosts=- reads stdin. Ends with a table, worst first, and the failing targets.",
  ],
};

/** `/parallel`, which goes with {@linkcode HOSTS}. */
export const PARALLEL: OptionSpec = {
  name: "parallel",
  value: "<N>",
  example: "50",
  help: ["Connections in flight at most, over all targets (default 50)"],
};

const NOSSL: OptionSpec = {
  name: "nossl",
  help: ["Plain TCP instead of TLS (for a pong started with /nossl)"],
};

const TIMEOUT: OptionSpec = {
  name: "timeout",
  value: "<s>",
  example: "30",
  help: ["Longest wait with no progress in any phase (default 30 s; 0.5 allowed)"],
};

const IPV4: OptionSpec = {
  name: "ipv4",
  help: ["Use only IPv4 or only IPv6 addresses of the host"],
};

const IPV6: OptionSpec = { name: "ipv6", joins: "or" };

const PROXY: OptionSpec = {
  name: "proxy",
  value: "<url>",
  example: "http://proxy:8080",
  help: [
    "Through this HTTP proxy, as Octopus can: http://[user[:password]@]host:port",
    "(CONNECT, Basic credentials; a user without a password takes it from the",
    "OCTOPING_PROXY_PASSWORD variable). The proxy resolves the Tentacle's name",
  ],
};

const THUMBPRINT: OptionSpec = {
  name: "thumbprint",
  value: "<hex>",
  example: "3C2A0F...(40 hex digits)",
  help: [
    "Fail when the certificate is not this one (SHA-1 as Octopus shows it,",
    "or SHA-256)",
  ],
};

const CLIENTCERT: OptionSpec = {
  name: "clientcert",
  value: "<file>",
  example: "octopus.pfx",
  help: [
    "The client certificate to present, as Octopus presents its own (default:",
    "one made for this run). A PEM file with /clientkey=<file.pem>, or a .pfx",
    "with /clientpassword=<p> (or the OCTOPING_CLIENT_PASSWORD variable)",
  ],
};

const CLIENTKEY: OptionSpec = {
  name: "clientkey",
  value: "<file>",
  example: "octopus.key",
  joins: "inside",
};

const CLIENTPASSWORD: OptionSpec = {
  name: "clientpassword",
  value: "<p>",
  example: "secret",
  joins: "or",
};

/** `/logfile`; `/?` describes it before the commands, as every command takes it. */
export const LOGFILE: OptionSpec = {
  name: "logfile",
  value: "<path>",
  example: "run.log",
  help: ["also appends every line to that file"],
};

/** `/format`; `/?` describes it before the commands, as every command takes it. */
export const FORMAT: OptionSpec = {
  name: "format",
  value: "json",
  example: "json",
  help: ["writes JSON Lines instead of text"],
};

const DATASIZE: OptionSpec = {
  name: "datasize",
  value: "<MB>",
  example: "100",
  help: [
    "Also send this much data per attempt (default 0: none); 0.5, 100, 512KB,",
    "1GB (units B, KB, MB, GB, TB)",
  ],
};

const CHUNKSIZE: OptionSpec = {
  name: "chunksize",
  value: "<MB>",
  example: "2",
  help: ["Data per connection (default 2 MB); the last chunk holds the remainder"],
};

const COUNT: OptionSpec = {
  name: "count",
  value: "<N>",
  example: "100",
  help: ["Stop after N attempts (default: run until Ctrl+C)"],
};

const INTERVAL: OptionSpec = {
  name: "interval",
  value: "<ms>",
  example: "500",
  help: ["Pause between attempts (default 500 ms)"],
};

const REVERSE: OptionSpec = {
  name: "reverse",
  help: [
    "With /datasize: pong sends the data back (times the download; pong",
    "must be started with /maxsend)",
  ],
};

const CHECK_TIMEOUT: OptionSpec = {
  ...TIMEOUT,
  help: ["Longest wait for any one step (default 5 s)"],
};

const CHECK_CLIENTCERT: OptionSpec = {
  ...CLIENTCERT,
  help: [
    "The Octopus Server's certificate (.pfx, or PEM with /clientkey): the",
    "Tentacle is asked, as Octopus asks it, whether it trusts it",
  ],
};

const SUBSCRIPTION: OptionSpec = {
  name: "subscription",
  value: "poll://<id>/",
  example: "poll://abcdefghijklmnopqrst/",
  joins: "inside",
  help: [
    "With /clientcert (a polling Tentacle's certificate), against an",
    "Octopus Server's polling port: does the server accept this Tentacle?",
  ],
};

const PONG: readonly OptionSpec[] = [
  {
    ...PORT,
    help: ["Port to listen on (default 10933; 0 picks a free port and prints it)"],
  },
  { ...NOSSL, help: ["Plain TCP instead of TLS"] },
  {
    name: "listen",
    value: "<ip>",
    example: "127.0.0.1",
    help: ["Listen on this one address of the machine (default: every interface)"],
  },
  {
    name: "idle",
    value: "<s>",
    example: "60",
    help: ["Drop a client silent this long (default 60 s)"],
  },
  {
    name: "handshake",
    value: "<s>",
    example: "10",
    help: ["Give up on a TLS handshake not done in this time (default 10 s)"],
  },
  {
    name: "maxconn",
    value: "<N>",
    example: "1000",
    help: ["Connections open at once; more are closed at once (default 1000)"],
  },
  {
    name: "maxsend",
    value: "<MB>",
    example: "1024",
    help: [
      "Turns /reverse on: the most sent back for one request (default: off,",
      "nothing is sent back)",
    ],
  },
  {
    name: "cert",
    value: "<file.pem>",
    example: "pong.pem",
    help: ["Serve this PEM certificate and key instead of a generated one"],
  },
  { name: "key", value: "<file.pem>", example: "pong.key", joins: "and" },
  {
    name: "duration",
    value: "<s>",
    example: "7200",
    help: [
      "Stop after this many seconds, with the statistics (default: run until",
      "stopped); 7200 leaves pong for two hours",
    ],
  },
  { ...LOGFILE, example: "pong.log" },
  FORMAT,
];

/** `exporter`: its own /hosts and /parallel, which guard the network behind it. */
const EXPORTER: readonly OptionSpec[] = [
  {
    name: "listen",
    value: "<ip>",
    example: "127.0.0.1",
    help: ["Serve HTTP on this address (default 127.0.0.1); any other needs /hosts"],
  },
  { ...PORT, example: "9933", help: ["Serve HTTP on this port (default 9933)"] },
  {
    ...HOSTS,
    needed: undefined,
    help: [
      "Probe only the targets in this file, as ping reads it (a line without a port",
      "is port 10933; its name and thumbprint= are used); others are refused (403)",
    ],
  },
  {
    ...PARALLEL,
    example: "10",
    help: [
      "Probes under way at once (default 10); more wait, or get 503 when their",
      "time limit passes first",
    ],
  },
  {
    name: "maxdatasize",
    value: "<MB>",
    example: "1",
    help: ["The most a probe's datasize= may send (default 0: none)"],
  },
  { ...PROXY, help: ["Probe through this HTTP proxy, as ping's /proxy (never from the URL)"] },
  {
    ...CLIENTCERT,
    help: [
      "The client certificate every probe presents (default: one made at start):",
      "a PEM file with /clientkey=<file.pem>, or a .pfx with /clientpassword=<p>",
    ],
  },
  CLIENTKEY,
  CLIENTPASSWORD,
  {
    name: "duration",
    value: "<s>",
    example: "3600",
    help: ["Stop after this many seconds (default: run until stopped)"],
  },
  { ...LOGFILE, example: "exporter.log" },
];

/**
 * Every command's options, in the order `/?` shows them: the one table the
 * parser checks arguments against and `/?` is built from.
 */
export const SPECS: Readonly<Record<CommandName, readonly OptionSpec[]>> = {
  ping: [
    HOST,
    PORT,
    HOSTS,
    PARALLEL,
    DATASIZE,
    CHUNKSIZE,
    NOSSL,
    COUNT,
    INTERVAL,
    TIMEOUT,
    IPV4,
    IPV6,
    THUMBPRINT,
    REVERSE,
    CLIENTCERT,
    CLIENTKEY,
    CLIENTPASSWORD,
    PROXY,
    LOGFILE,
    FORMAT,
  ],
  pong: PONG,
  check: [
    HOST,
    PORT,
    HOSTS,
    PARALLEL,
    THUMBPRINT,
    CHECK_TIMEOUT,
    IPV4,
    IPV6,
    NOSSL,
    CHECK_CLIENTCERT,
    CLIENTKEY,
    CLIENTPASSWORD,
    SUBSCRIPTION,
    PROXY,
    LOGFILE,
    FORMAT,
  ],
  exporter: EXPORTER,
  report: [
    { name: "in", value: "<log file>", example: "run.jsonl" },
    { name: "out", value: "<report.html>", example: "report.html" },
  ],
};
