/**
 * What a record says about the run itself: the tool's version, the command
 * line, when and where it ran — so a file sent to support explains itself.
 *
 * @module
 */
import { redactProxyUrl } from "../net/proxy_url.ts";
import { PROGRAM, VERSION } from "../version.ts";

/** The run, as its record's header (text) or `start` object (JSON) describes it. */
export interface RunInfo {
  /** The command run: `ping` or `pong`. */
  command: string;
  version: string;
  /** The full command line, quoted where an argument has spaces. */
  commandLine: string;
  started: Date;
  /** The machine's name. */
  hostname: string;
  /** e.g. `linux 6.1.0 (x86_64)`. */
  os: string;
  deno: string;
  /** The client certificate ping presents, once it is known: its SHA-1, and its file if given. */
  clientCertificate?: { thumbprint: string; file?: string };
}

/**
 * Options whose values are or hold secrets, `/name=value` or `--name value`,
 * any case: a password, blanked whole, and a proxy URL, whose password is.
 */
const SECRET = /^((?:\/\/?|--?)(clientpassword|proxy))(?:=(.*))?$/is;

/** `scheme://user:password@`: the password's place in any URL. */
const CREDENTIALS_IN_URL = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]*:)[^\s/@]*@/gi;

/**
 * Describes this run of `command` with `args`. This is the one place the
 * command line is copied for output, logs and JSON, so it is where secrets
 * are blanked out: they reach no record at all.
 */
export function describeRun(command: string, args: readonly string[]): RunInfo {
  const blank = (name: string, value: string) =>
    name.toLowerCase() === "proxy" ? redactProxyUrl(value) : "***";
  const redacted = args.map((arg, i) => {
    const secret = SECRET.exec(arg);
    if (secret) {
      return secret[3] === undefined ? arg : `${secret[1]}=${blank(secret[2], secret[3])}`;
    }
    const previous = SECRET.exec(args[i - 1] ?? "");
    // `--clientpassword value`
    if (previous && previous[3] === undefined) return blank(previous[2], arg);
    // A URL with credentials anywhere else (a proxy's URL given to /host by mistake).
    return arg.replace(CREDENTIALS_IN_URL, "$1***@");
  });
  const quoted = redacted.map((arg) => /[\s"]/.test(arg) ? `"${arg.replaceAll('"', '\\"')}"` : arg);
  return {
    command,
    version: VERSION,
    commandLine: [PROGRAM, ...quoted].join(" "),
    started: new Date(),
    hostname: ask(() => Deno.hostname()),
    os: `${Deno.build.os} ${ask(() => Deno.osRelease())} (${Deno.build.arch})`,
    deno: Deno.version.deno,
  };
}

/**
 * The first lines of every text run, on the console and in the log file, so
 * that an `Output.txt` explains itself; `report` reads them back, and a new
 * first line starts a new run in a log appended to.
 */
export function headerLines(run: RunInfo): string[] {
  return [
    `# ${PROGRAM} ${run.version} ${run.command}`,
    `# command line: ${run.commandLine}`,
    `# started: ${run.started.toISOString()}`,
    `# machine: ${run.hostname}, ${run.os}, Deno ${run.deno}`,
    ...(run.clientCertificate ? [clientCertificateLine(run.clientCertificate)] : []),
  ];
}

function clientCertificateLine({ thumbprint, file }: { thumbprint: string; file?: string }) {
  const source = file ?? "made for this run, as Octopus presents its own";
  return `# client certificate: ${thumbprint} (${source})`;
}

function ask(question: () => string): string {
  try {
    return question();
  } catch {
    return "unknown"; // not permitted or not supported: the record still starts
  }
}
