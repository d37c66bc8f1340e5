/**
 * The hand-rolled `/key=value` command-line parser. It turns raw arguments into
 * a typed {@linkcode Command}, or throws a {@linkcode UsageError} naming the
 * argument at fault and what was expected.
 *
 * @module
 */
import { ipFamily } from "../net/address.ts";
import {
  parseProxyUrl,
  PROXY_PASSWORD_VARIABLE,
  ProxyUrlError,
  redactProxyUrl,
} from "../net/proxy_url.ts";
import { parseHost } from "./host.ts";
import {
  CHECK_DEFAULTS,
  type CheckOptions,
  type Command,
  DEFAULT_PARALLEL,
  EXPORTER_DEFAULTS,
  type ExporterOptions,
  type FleetOptions,
  PING_DEFAULTS,
  type PingOptions,
  PONG_DEFAULTS,
  type PongOptions,
  type RecordOptions,
  type ReportOptions,
  type Secrets,
} from "./options.ts";
import { type CommandName, SPECS } from "./specs.ts";
import {
  parseInteger,
  parsePort,
  parseSeconds,
  parseSize,
  parseThumbprint,
  UsageError,
} from "./values.ts";

export { UsageError };

const COMMANDS = Object.keys(SPECS) as CommandName[];
const COMMAND_LIST = `${COMMANDS.slice(0, -1).join(", ")} or ${COMMANDS.at(-1)}`;
/** The longest delay a JavaScript timer can wait; longer ones fire at once. */
const MAX_TIMER_MS = 2_147_483_647;
/** The most whole days a timer waits: 24 (about 24.8). */
const MAX_TIMER_DAYS = Math.floor(MAX_TIMER_MS / 86_400_000);
const HELP_NAMES = new Set(["?", "h", "help"]);
/**
 * `/name`, `//name`, `-name`, `--name`, each with an optional `=value`. A name
 * is letters, then perhaps digits (`/ipv4`); anything else is a positional
 * argument (a path such as `/tmp/run.jsonl`).
 */
const OPTION = /^(?:\/\/?|--?)([A-Za-z]+[0-9]*|\?)(?:=(.*))?$/s;
/** What Git Bash makes of `/name=value`: `C:/Program Files/Git/name=value`. */
const GIT_BASH_PATH = /^[A-Za-z]:[\\/](?:.*[\\/])?([A-Za-z]+[0-9]*)(?:=(.*))?$/s;

interface Token {
  /** The argument as typed, for messages. */
  raw: string;
  /** Lower-case option name; absent for a positional argument. */
  name?: string;
  value?: string;
}

/** Parses the program's arguments (without the program name). */
export function parseArgs(args: readonly string[]): Command {
  const tokens = args.map(toToken);
  if (tokens.some((t) => t.name !== undefined && HELP_NAMES.has(t.name))) return { kind: "help" };
  if (tokens.some((t) => t.name === "version" || t.name === "v")) return { kind: "version" };
  const [first, ...rest] = tokens;
  if (first?.name === undefined && first?.raw.toLowerCase() === "help") return { kind: "help" };
  if (first === undefined || first.name !== undefined) {
    throw new UsageError(`no command given: expected ${COMMAND_LIST} first`);
  }
  const command = first.raw.toLowerCase();
  if (!isCommand(command)) {
    const near = nearest(command, COMMANDS);
    throw new UsageError(
      `unknown command '${first.raw}': expected ${COMMAND_LIST}` +
        (near ? ` (did you mean ${near}?)` : ""),
    );
  }
  if (command === "pong" && rest.some((t) => t.name === "host")) {
    const notice = "pong does not take /host: a command with /host is a ping, so it runs as " +
      "'ping'. Run 'OctoPing pong /port=<port>' on the machine that should answer.";
    const values = collect("ping", rest);
    return {
      kind: "ping",
      options: buildPing(values),
      notices: [notice],
      secrets: secrets(values),
    };
  }
  const values = collect(command, rest);
  switch (command) {
    case "ping":
      if (values.has("hosts")) {
        return {
          kind: "pingFleet",
          ...fleetOf("ping", values, buildPing),
          notices: [],
          secrets: secrets(values),
        };
      }
      return { kind: "ping", options: buildPing(values), notices: [], secrets: secrets(values) };
    case "pong":
      return { kind: "pong", options: buildPong(values), notices: [] };
    case "check":
      if (values.has("hosts")) {
        return {
          kind: "checkFleet",
          ...fleetOf("check", values, buildCheck),
          secrets: secrets(values),
        };
      }
      return { kind: "check", options: buildCheck(values), secrets: secrets(values) };
    case "exporter":
      return { kind: "exporter", options: buildExporter(values), secrets: secrets(values) };
    case "report":
      return { kind: "report", options: buildReport(values) };
  }
}

function isCommand(name: string): name is CommandName {
  return (COMMANDS as string[]).includes(name);
}

function toToken(raw: string): Token {
  const match = OPTION.exec(raw);
  if (match) return { raw, name: match[1].toLowerCase(), value: match[2] };
  return { raw };
}

/** Checks each option against the command's table; returns name → value ("" for flags). */
function collect(command: CommandName, tokens: Token[]): Map<string, string> {
  const specs = SPECS[command];
  const values = new Map<string, string>();
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token.name === undefined) {
      // The report's log file may be given bare: `OctoPing report C:\logs\run.jsonl`.
      if (command !== "report" || gitBashOption(token.raw)) throw positional(command, token.raw);
      addInput(values, token.raw);
      continue;
    }
    const spec = specs.find((s) => s.name === token.name);
    if (!spec) throw unknownOption(command, token);
    if (values.has(spec.name) && !(command === "report" && spec.name === "in")) {
      throw new UsageError(`/${spec.name} is given twice`);
    }
    if (spec.example === undefined) {
      if (token.value !== undefined) {
        throw new UsageError(
          `/${spec.name} is a switch and takes no value (got '${shown(token.raw, token.value)}')`,
        );
      }
      values.set(spec.name, "");
      continue;
    }
    let value = token.value;
    if (value === undefined && i + 1 < tokens.length && tokens[i + 1].name === undefined) {
      value = tokens[++i].raw; // `--name value`, as on Linux
    }
    if (value === undefined || value.trim() === "") {
      throw new UsageError(`/${spec.name} needs a value, e.g. /${spec.name}=${spec.example}`);
    }
    if (spec.name === "in") addInput(values, value);
    else values.set(spec.name, value);
  }
  return values;
}

/** The report's logs, in the order given, kept as one value: a file name can't hold NUL. */
function addInput(values: Map<string, string>, path: string): void {
  const before = values.get("in");
  values.set("in", before === undefined ? path : `${before}\0${path}`);
}

/** `raw` as Git Bash makes it of a known option, e.g. `C:/Program Files/Git/host=x`. */
function gitBashOption(raw: string): RegExpExecArray | undefined {
  const git = GIT_BASH_PATH.exec(raw) ?? undefined;
  const known = git && COMMANDS.some((c) => SPECS[c].some((s) => s.name === git[1].toLowerCase()));
  return known ? git : undefined;
}

/**
 * An argument as typed, for a message: with a proxy password in its value
 * blanked (a mistyped `/proxy=http://user:password@...` is still a secret).
 */
function shown(raw: string, value = raw): string {
  return raw.slice(0, raw.length - value.length) + redactProxyUrl(value);
}

function positional(command: CommandName, raw: string): UsageError {
  const git = gitBashOption(raw);
  if (git) {
    const option = `${git[1]}${git[2] === undefined ? "" : `=${redactProxyUrl(git[2])}`}`;
    return new UsageError(
      `'${shown(raw, git[2])}' looks like /${option} turned into a path by Git Bash: ` +
        `write --${option} or //${option} there`,
    );
  }
  return new UsageError(
    `unexpected argument '${shown(raw)}': ${command} takes only /name=value options`,
  );
}

function unknownOption(command: CommandName, token: Token): UsageError {
  const name = token.name!;
  const owner = COMMANDS.find((c) => c !== command && SPECS[c].some((s) => s.name === name));
  if (owner) return new UsageError(`/${name} is an option of ${owner}, not of ${command}`);
  const known = SPECS[command].map((s) => s.name);
  const near = nearest(name, known);
  return new UsageError(
    `unknown option '${shown(token.raw, token.value)}' for ${command}` +
      (near
        ? `: did you mean /${near}?`
        : `: expected one of ${known.map((k) => "/" + k).join(" ")}`),
  );
}

function buildPing(
  values: Map<string, string>,
  where: Connection = connection("ping", values),
): PingOptions {
  const get = getter(values);
  const options: PingOptions = {
    ...where,
    dataSize: get("datasize", (t) => parseSize("datasize", t, true), PING_DEFAULTS.dataSize),
    chunkSize: get("chunksize", (t) => parseSize("chunksize", t, false), PING_DEFAULTS.chunkSize),
    count: get(
      "count",
      (t) => parseInteger("count", t, [1, Number.MAX_SAFE_INTEGER], "a whole number, 1 or more"),
      Infinity,
    ),
    intervalMs: get(
      "interval",
      (t) =>
        parseInteger(
          "interval",
          t,
          [0, MAX_TIMER_MS],
          "a whole number of milliseconds from 0 to 2,147,483,647 (24 days)",
        ),
      PING_DEFAULTS.intervalMs,
    ),
    timeoutMs: get("timeout", (t) => parseSeconds("timeout", t) * 1000, PING_DEFAULTS.timeoutMs),
    reverse: values.has("reverse"),
    record: recordOptions(values),
  };
  if (options.reverse && options.dataSize === 0) {
    throw new UsageError("/reverse needs /datasize: how much should pong send back?");
  }
  return options;
}

/** A polling Tentacle's subscription, as Octopus shows it: `poll://<id>/`. */
const SUBSCRIPTION = /^poll:\/\/[A-Za-z0-9][A-Za-z0-9._-]*\/?$/;

function buildCheck(
  values: Map<string, string>,
  where: Connection = connection("check", values),
): CheckOptions {
  const get = getter(values);
  const options: CheckOptions = {
    ...where,
    timeoutMs: get("timeout", (t) => parseSeconds("timeout", t) * 1000, CHECK_DEFAULTS.timeoutMs),
    subscription: get("subscription", (text) => {
      if (!SUBSCRIPTION.test(text)) {
        throw new UsageError(
          `/subscription=${text}: expected a polling Tentacle's subscription, poll://<id>/`,
        );
      }
      return text.endsWith("/") ? text : `${text}/`;
    }, undefined),
    record: recordOptions(values),
  };
  if (options.subscription && !options.clientCertificate) {
    throw new UsageError(
      "/subscription needs /clientcert: the polling Tentacle's certificate, whose trust it tests",
    );
  }
  return options;
}

/**
 * Where and how ping and check connect: the target, TLS, address family,
 * proxy and certificates.
 */
type Connection = ReturnType<typeof connection>;

function connection(command: "ping" | "check", values: Map<string, string>) {
  const hostText = values.get("host");
  if (hostText === undefined) {
    throw new UsageError(
      `${command} needs /host=<ip/hostname>, e.g. OctoPing ${command} /host=MyServer, ` +
        "or /hosts=<file> with one target per line",
    );
  }
  if (values.has("parallel")) {
    throw new UsageError("/parallel goes with /hosts=<file>: one /host makes one connection");
  }
  const spec = parseHost(hostText);
  const portText = values.get("port");
  const port = portText === undefined ? undefined : parsePort("port", portText);
  if (spec.port !== undefined && port !== undefined && spec.port !== port) {
    throw new UsageError(
      `/host=${hostText} names port ${spec.port} but /port=${port}: give the port once`,
    );
  }
  return {
    target: { host: spec.host, port: spec.port ?? port ?? PING_DEFAULTS.port },
    ...link(command, values, spec.host),
  };
}

/**
 * How ping and check connect, wherever to: TLS, address family (`host` must
 * fit it), proxy and certificates.
 */
function link(command: "ping" | "check", values: Map<string, string>, host: string) {
  const options = {
    noSsl: values.has("nossl"),
    family: family(values, host),
    proxy: getter(values)("proxy", proxy, undefined),
    thumbprint: getter(values)("thumbprint", (t) => parseThumbprint("thumbprint", t), undefined),
    clientCertificate: clientCertificate(values),
  };
  if (options.proxy && options.family) {
    throw new UsageError(
      `/ipv${options.family} with /proxy: the proxy resolves the name, so ${command} cannot ` +
        "choose the address family",
    );
  }
  if (options.thumbprint && options.noSsl) {
    throw new UsageError(
      "/thumbprint needs TLS: it checks the certificate, which /nossl does without",
    );
  }
  if (options.clientCertificate && options.noSsl) {
    throw new UsageError(
      "/clientcert is presented in the TLS handshake, which /nossl does without",
    );
  }
  return options;
}

/**
 * `/hosts=<file>`: what `build` makes of the options every target shares
 * (each target brings its own host, port and thumbprint), and how to read the targets.
 */
function fleetOf<T extends { target: unknown; thumbprint?: string }>(
  command: "ping" | "check",
  values: Map<string, string>,
  build: (values: Map<string, string>, where: Connection) => T,
): { options: Omit<T, "target" | "thumbprint">; fleet: FleetOptions } {
  if (values.has("host")) {
    throw new UsageError("/host and /hosts exclude each other: put every target in the file");
  }
  if (values.has("thumbprint")) {
    throw new UsageError(
      "/thumbprint with /hosts: a thumbprint belongs to one Tentacle; write " +
        "thumbprint=<hex> on its line of the hosts file",
    );
  }
  if (values.has("subscription")) {
    throw new UsageError("/subscription with /hosts: a subscription belongs to one Tentacle");
  }
  const portText = values.get("port");
  const shared = build(values, { target: { host: "", port: 0 }, ...link(command, values, "") });
  const { target: _, thumbprint: __, ...options } = shared;
  return {
    options,
    fleet: {
      hosts: values.get("hosts")!,
      defaultPort: portText === undefined ? PING_DEFAULTS.port : parsePort("port", portText),
      parallel: parallel(values, DEFAULT_PARALLEL),
    },
  };
}

/** `/parallel`, or `fallback` when it was not given. */
function parallel(values: Map<string, string>, fallback: number): number {
  return getter(values)(
    "parallel",
    (t) => parseInteger("parallel", t, [1, 10_000], "a number of connections, 1 to 10,000"),
    fallback,
  );
}

/** `/proxy`; a password left out of the URL comes from the environment. */
function proxy(text: string): PingOptions["proxy"] {
  try {
    return parseProxyUrl(text, () => Deno.env.get(PROXY_PASSWORD_VARIABLE));
  } catch (error) {
    if (error instanceof ProxyUrlError) throw new UsageError(error.message);
    throw error;
  }
}

/** A PFX holds certificate and key together; a PEM certificate needs its key beside it. */
const PFX = /\.(pfx|p12)$/i;

function clientCertificate(values: Map<string, string>): PingOptions["clientCertificate"] {
  const cert = values.get("clientcert");
  const key = values.get("clientkey");
  if (cert === undefined) {
    if (key !== undefined) throw new UsageError("/clientkey goes with /clientcert=<file.pem>");
    if (values.has("clientpassword")) {
      throw new UsageError("/clientpassword goes with /clientcert=<file.pfx>");
    }
    return undefined;
  }
  if (PFX.test(cert)) {
    if (key !== undefined) {
      throw new UsageError(`/clientkey is not needed: ${cert} holds the key (it is a PFX)`);
    }
    return { cert };
  }
  if (key === undefined) {
    throw new UsageError(
      `/clientcert=${cert} needs its key: /clientkey=<file.pem>, or give a .pfx file`,
    );
  }
  if (values.has("clientpassword")) {
    throw new UsageError("/clientpassword is for a PFX file; PEM keys are read without one");
  }
  return { cert, key };
}

function secrets(values: Map<string, string>): Secrets {
  return { clientPassword: values.get("clientpassword") };
}

function family(values: Map<string, string>, host: string): 4 | 6 | undefined {
  const v4 = values.has("ipv4");
  const v6 = values.has("ipv6");
  if (v4 && v6) throw new UsageError("/ipv4 and /ipv6 exclude each other: give one, or neither");
  const literal = ipFamily(host);
  if (v4 && literal === 6) throw new UsageError(`/ipv4 with the IPv6 address ${host}`);
  if (v6 && literal === 4) throw new UsageError(`/ipv6 with the IPv4 address ${host}`);
  return v4 ? 4 : v6 ? 6 : undefined;
}

/** `/listen`: an IP address of this machine, if given. */
function listenAddress(values: Map<string, string>): string | undefined {
  const address = values.get("listen");
  if (address !== undefined && ipFamily(address) === 0) {
    throw new UsageError(
      `/listen=${address}: expected an IP address of this machine, e.g. 127.0.0.1`,
    );
  }
  return address;
}

/** `/duration`, in ms; undefined when not given (run until stopped). */
function duration(values: Map<string, string>): number | undefined {
  return getter(values)(
    "duration",
    (t) => parseSeconds("duration", t, MAX_TIMER_DAYS) * 1000,
    undefined,
  );
}

/** 127.0.0.0/8 and ::1: addresses only this machine can reach. */
function isLoopback(address: string): boolean {
  if (ipFamily(address) === 4) return address.startsWith("127.");
  return new URL(`http://[${address}]/`).hostname === "[::1]";
}

function buildExporter(values: Map<string, string>): ExporterOptions {
  const address = listenAddress(values) ?? EXPORTER_DEFAULTS.address;
  if (!isLoopback(address) && !values.has("hosts")) {
    throw new UsageError(
      `/listen=${address} needs /hosts=<file>: on an address other machines reach, an ` +
        "exporter without an allow-list probes whatever anyone asks it to (see docs/security.md)",
    );
  }
  const get = getter(values);
  return {
    address,
    port: get("port", (t) => parsePort("port", t, true), EXPORTER_DEFAULTS.port),
    hosts: values.get("hosts"),
    parallel: parallel(values, EXPORTER_DEFAULTS.parallel),
    maxDataSize: get(
      "maxdatasize",
      (t) => parseSize("maxdatasize", t, true),
      EXPORTER_DEFAULTS.maxDataSize,
    ),
    proxy: get("proxy", proxy, undefined),
    clientCertificate: clientCertificate(values),
    durationMs: duration(values),
    record: recordOptions(values),
  };
}

function buildPong(values: Map<string, string>): PongOptions {
  const portText = values.get("port");
  const address = listenAddress(values);
  const get = getter(values);
  const cert = values.get("cert");
  const key = values.get("key");
  if ((cert === undefined) !== (key === undefined)) {
    throw new UsageError("/cert and /key go together: give the certificate file and its key file");
  }
  if (cert !== undefined && values.has("nossl")) {
    throw new UsageError("/cert and /key are for TLS, which /nossl turns off");
  }
  return {
    port: portText === undefined ? PING_DEFAULTS.port : parsePort("port", portText, true),
    noSsl: values.has("nossl"),
    address,
    idleMs: get("idle", (t) => parseSeconds("idle", t) * 1000, PONG_DEFAULTS.idleMs),
    handshakeMs: get(
      "handshake",
      (t) => parseSeconds("handshake", t) * 1000,
      PONG_DEFAULTS.handshakeMs,
    ),
    maxConnections: get(
      "maxconn",
      (t) => parseInteger("maxconn", t, [1, 1_000_000], "a whole number of connections, 1 or more"),
      PONG_DEFAULTS.maxConnections,
    ),
    maxSendBytes: get(
      "maxsend",
      (t) => parseSize("maxsend", t, false),
      PONG_DEFAULTS.maxSendBytes,
    ),
    certificateFiles: cert !== undefined && key !== undefined ? { cert, key } : undefined,
    durationMs: duration(values),
    record: recordOptions(values),
  };
}

function buildReport(values: Map<string, string>): ReportOptions {
  const input = values.get("in");
  if (input === undefined) {
    throw new UsageError(
      "report needs the log file: OctoPing report run.jsonl [more.jsonl ...] [/out=report.html]",
    );
  }
  return { inputs: input.split("\0"), output: values.get("out") };
}

function recordOptions(values: Map<string, string>): RecordOptions {
  const format = (values.get("format") ?? "text").toLowerCase();
  if (format !== "text" && format !== "json") {
    throw new UsageError(`/format=${values.get("format")}: expected text or json`);
  }
  return { format, logfile: values.get("logfile") };
}

/** Reads an option with `parse`, or gives `fallback` when it was not given. */
function getter(values: Map<string, string>) {
  return <T>(name: string, parse: (text: string) => T, fallback: T): T => {
    const text = values.get(name);
    return text === undefined ? fallback : parse(text);
  };
}

/** The closest of `candidates` to `word` by edit distance, if close enough to be a typo. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = candidate.startsWith(word) && word.length >= 2
      ? 0
      : editDistance(word, candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return bestDistance <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}

/** Edits (insert, delete, substitute, swap two neighbours) that turn `a` into `b`. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}
