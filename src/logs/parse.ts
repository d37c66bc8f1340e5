/**
 * Understanding a log, line by line: OctoPing's JSON lines, OctoPing's text
 * output, and the text output of the original TentaclePing (timestamps without
 * a zone or none at all, numbers in the machine's locale, a failure followed
 * by a multi-line .NET exception). Splits the log into the runs appended to
 * it, at their headers, banners and `start` events. Keeps nothing but the
 * attempt in hand and, per run, what {@linkcode LoggedRun} bounds.
 *
 * @module
 */
import { MB } from "../units.ts";
import { type Cause, CAUSES } from "../connection/failure.ts";
import { clip, type LoggedCertificate, type LoggedRun, newRun } from "./run.ts";

/** One attempt as a log tells it. */
export interface LoggedAttempt {
  /** Absent in logs without timestamps: then attempts are placed by number. */
  time?: Date;
  /**
   * The time was logged to the whole second (OctoPing's text before milliseconds,
   * TentaclePing's): attempts in one second are known only by their order.
   */
  wholeSecond: boolean;
  ok: boolean;
  ms: number;
  cause?: Cause;
  /** Payload bytes moved, in data mode (for throughput). */
  dataBytes: number;
  /** Where the attempt starts in the file, for hover text. */
  line: number;
  /** The number of the run it belongs to. */
  run: number;
  /** In a fleet's run (`ping /hosts`), the target's name. */
  target?: string;
}

const OCTOPING_ATTEMPT =
  /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z?)?\s*Connect: (Success|Failed)! ([\d.,\s\u00a0\u202f']+)ms(.*)$/;
// The dash may arrive as mojibake ("ΓÇö") from PowerShell 5.1's `>`, hence any short separator.
const BANNER =
  /^OctoPing (\S+) \S{1,3} pinging (\S+) on port (\d+).*?(?: through the proxy (\S+))?$/;
const PONG_BANNER = /^OctoPing (\S+) \S{1,3} listening on port (\d+)/;
/** A fleet's banner (`ping /hosts`), its per-target lines, and its closing table. */
const FLEET_BANNER = /^OctoPing (\S+) \S{1,3} pinging ([\d,]+) targets? from (.*), at most/;
const TARGET_LINE = /^\[(\S+)\] (.*)$/s;
const FLEET_TABLE = /^--- [\d,]+ targets?, worst first/;
/** The original TentaclePing's banner. */
const OLD_BANNER = /^Pinging (\S+) on port (\d+)/;
/** A text run's first line (`log` in older versions, for ping and pong alike). */
const HEADER = /^# OctoPing (\S+) (ping|pong|log)\s*$/;
const HEADER_FIELD = /^# (command line|started|machine): (.*)$/;
/** What ping writes below an attempt when something changed. */
const CERTIFICATE = /^\s+certificate( changed)?: (.*)$/;
const THUMBPRINT = /^\s+thumbprint: (\S+) \(SHA-1[^;]*; SHA-256: (\S+)/;
const VALIDITY = /^\s+(valid from .*)$/;
const PEER = /^\s+answered by: (.*)$/;
/** Through a proxy, the address is the proxy's: `address: the proxy proxy.corp is 10.0.0.8`. */
const ADDRESS = /^\s+address: (?:the proxy )?\S+ (?:is|now resolves to) (\S+)/;
/** Pong's line for a connection that ended, and its count of those it did not list. */
const PONG_CONNECTION = /^\d{4}-\d\d-\d\dT\S+Z (?!Accepted |Accepting )\S+: /;
const PONG_COUNTED = /^\d{4}-\d\d-\d\dT\S+Z \.\.\. and ([\d,]+) more connections ended/;
const CAUSE_LINE = /^\s+cause: (\w+) \S{1,3} /;
/** The start of an attempt line that did not parse: a line cut short, or noise. */
const BROKEN_ATTEMPT = /^(\d{4}-\d\d-\d\dT\S*\s+)?Connect:/;
const RATE = /, ([\d.,]+) MB\/s/;
/** OctoPing's own lines that are not attempts: totals, statistics, header, details. */
const KNOWN = [
  /^\d[\d.,\s\u00a0\u202f']* successful connections?, \d[\d.,\s\u00a0\u202f']* failed connections?/,
  /^(Done|Stopped): /,
  /^no attempt finished$/,
  /^Cut short: attempt /,
  /^--- statistics for /,
  /^\d[\d.,\s\u00a0\u202f']* attempts?: /,
  /^(failures by cause|latency of successful attempts|longest run of failures|throughput): /,
  /^stopped: /,
  /^effective interval: /,
  /^note: /,
  /^# /,
  /^\s*$/,
];
/** What .NET said, for TentaclePing's failures: the only clue to the cause they have. */
const DOTNET_CAUSES: [RegExp, Cause][] = [
  [/actively refused|connection refused/i, "refused"],
  [/timed? ?out|did not properly respond/i, "timeout"],
  [/forcibly closed|connection reset|was reset/i, "reset"],
  [/no such host|name or service not known|not known|name resolution/i, "dns"],
  [/unreachable/i, "unreachable"],
  [/authentication|sspi|ssl|tls|handshake/i, "tls"],
  [/closed|aborted/i, "closed"],
];

/** Reads a log's lines one by one, turning them into attempts and runs. */
export class LogParser {
  /** The runs found so far, in file order (numbered from 1). */
  readonly runs: LoggedRun[] = [];
  /** Lines that could not be read, and the first of them. */
  skipped = 0;
  firstSkipped?: number;
  #pending?: LoggedAttempt & { causeFromText: boolean };
  /** A JSON log's payload per attempt (its start's datasize); text lines carry their MB/s. */
  #dataBytes = 0;
  #run?: LoggedRun;
  #runHasAttempts = false;
  /** The time of the last attempt: text certificate lines belong to it. */
  #lastTime?: Date;
  /** A text certificate whose thumbprint and validity lines are still to come. */
  #certificate?: LoggedCertificate;
  /** In a fleet's text run: a parser per target for its `[name] ` lines. */
  #targets = new Map<string, LogParser>();
  /** In a fleet's text run: its closing table has begun. */
  #inFleetTable = false;

  /** Takes line number `number`; returns the attempts it completes. */
  push(line: string, number: number): LoggedAttempt[] {
    const done: LoggedAttempt[] = [];
    const text = line.replace(/^\uFEFF/, "");
    if (text.startsWith("{")) {
      this.#flush(done);
      this.#json(text, number, done);
      return done;
    }
    if (this.#textRunStart(text, number, done)) return done;
    if (this.#run?.fleet && this.#run.format === "text") {
      const tagged = TARGET_LINE.exec(text);
      if (tagged) {
        this.#targetLine(this.#run, tagged[1], tagged[2], number, done);
        return done;
      }
      if (FLEET_TABLE.test(text)) this.#inFleetTable = true;
      if (this.#inFleetTable) return done; // the table sums up what the lines above told
    }
    if (this.#run?.command === "pong") {
      const counted = PONG_COUNTED.exec(text);
      if (counted) this.#run.connections += Number(counted[1].replaceAll(",", ""));
      else if (PONG_CONNECTION.test(text)) this.#run.connections++;
      return done; // pong's own lines: nothing to chart
    }
    const attempt = OCTOPING_ATTEMPT.exec(text);
    if (attempt) {
      this.#flush(done);
      const [, stamp, outcome, digits, rest] = attempt;
      const rate = RATE.exec(rest);
      const ms = Number(digits.replace(/\D/g, ""));
      const time = stamp ? new Date(stamp.endsWith("Z") ? stamp : `${stamp}Z`) : undefined;
      if (time && isNaN(time.getTime())) {
        this.#skip(number); // a timestamp that is no time (25:00): noise
        return done;
      }
      this.#pending = {
        time,
        wholeSecond: stamp !== undefined && !stamp.includes("."),
        ok: outcome === "Success",
        ms,
        dataBytes: rate ? Number(rate[1].replaceAll(",", "")) * MB * (ms / 1000) : 0,
        line: number,
        run: this.#attemptRun("text", number).number,
        causeFromText: false,
      };
      this.#lastTime = time;
      return done;
    }
    if (BROKEN_ATTEMPT.test(text)) {
      this.#flush(done);
      this.#skip(number); // an attempt line cut short (a run killed mid-line)
      return done;
    }
    if (this.#run && this.#detail(this.#run, text)) return done;
    if (this.#pending && !this.#pending.ok) {
      const cause = CAUSE_LINE.exec(text);
      if (cause && (CAUSES as readonly string[]).includes(cause[1])) {
        this.#pending.cause = cause[1] as Cause;
        this.#pending.causeFromText = true;
        return done;
      }
      if (!this.#pending.causeFromText) {
        const match = DOTNET_CAUSES.find(([pattern]) => pattern.test(text));
        if (match && this.#pending.cause === undefined) this.#pending.cause = match[1];
      }
      return done; // a failure's detail: its message, an exception's lines
    }
    if (/^\s{2,}\S/.test(text) || KNOWN.some((pattern) => pattern.test(text))) return done;
    this.#skip(number);
    return done;
  }

  /**
   * A header or banner line: a header always starts a run; a banner starts one unless it
   * completes the header just read (a banner without a header: the run before had no header).
   */
  #textRunStart(text: string, number: number, done: LoggedAttempt[]): boolean {
    const header = HEADER.exec(text);
    if (header) {
      this.#flush(done);
      this.#endTargets(done);
      const run = this.#begin("text", number);
      run.version = clip(header[1]);
      if (header[2] !== "log") run.command = header[2] as "ping" | "pong";
      return true;
    }
    const field = HEADER_FIELD.exec(text);
    if (field && this.#run?.format === "text" && !this.#runHasAttempts) {
      const value = clip(field[2]);
      if (field[1] === "command line") this.#run.commandLine = value;
      else if (field[1] === "started") this.#run.started = value;
      else this.#run.machine = value;
      return true;
    }
    const fleet = FLEET_BANNER.exec(text);
    if (fleet) {
      this.#flush(done);
      this.#endTargets(done);
      const fresh = this.#run?.format === "text" && !this.#runHasAttempts && !this.#run.target;
      const run = fresh ? this.#run! : this.#begin("text", number);
      run.version = clip(fleet[1]);
      run.command = "ping";
      run.target = clip(`${fleet[2]} targets from ${fleet[3]}`);
      run.fleet = { targets: Number(fleet[2].replaceAll(",", "")) };
      return true;
    }
    const banner = BANNER.exec(text);
    const pong = banner ? undefined : PONG_BANNER.exec(text);
    const old = banner || pong ? undefined : OLD_BANNER.exec(text);
    if (!banner && !pong && !old) return false;
    this.#flush(done);
    const fresh = this.#run?.format === "text" && this.#run.target === undefined &&
      !this.#runHasAttempts;
    const run = fresh ? this.#run! : this.#begin("text", number);
    if (banner) {
      run.version = clip(banner[1]);
      run.command = "ping";
      run.target = clip(`${banner[2]} port ${banner[3]}`);
      if (banner[4]) run.proxy = clip(banner[4]);
    } else if (pong) {
      run.version = clip(pong[1]);
      run.command = "pong";
      run.target = `port ${pong[2]}`;
    } else {
      run.target = clip(`${old![1]} port ${old![2]}`);
    }
    return true;
  }

  /** The lines ping writes below an attempt when the certificate, address or peer changed. */
  #detail(run: LoggedRun, text: string): boolean {
    const certificate = CERTIFICATE.exec(text);
    if (certificate) {
      this.#certificate = {
        time: this.#lastTime,
        changed: !!certificate[1],
        name: clip(certificate[2]),
      };
      run.certificates.add(this.#certificate);
      if (certificate[1]) run.certificateChanges++;
      return true;
    }
    const thumbprint = THUMBPRINT.exec(text);
    if (thumbprint && this.#certificate) {
      this.#certificate.sha1 = clip(thumbprint[1]);
      this.#certificate.sha256 = clip(thumbprint[2]);
      return true;
    }
    const validity = VALIDITY.exec(text);
    if (validity && this.#certificate) {
      this.#certificate.detail = clip(validity[1]);
      return true;
    }
    const peer = PEER.exec(text);
    if (peer) {
      run.peers.add(clip(peer[1]));
      return true;
    }
    const address = ADDRESS.exec(text);
    if (address) {
      run.addresses.add(clip(address[1]));
      return true;
    }
    return false;
  }

  /** A line of one target in a fleet's text run: its own parser reads it. */
  #targetLine(run: LoggedRun, name: string, text: string, number: number, done: LoggedAttempt[]) {
    let parser = this.#targets.get(name);
    if (!parser) {
      parser = new LogParser();
      this.#targets.set(name, parser);
    }
    this.#runHasAttempts = true;
    for (const attempt of parser.push(text, number)) {
      done.push({ ...attempt, run: run.number, target: name });
    }
    if (parser.skipped > 0) {
      this.#skip(parser.firstSkipped!);
      parser.skipped = 0;
      parser.firstSkipped = undefined;
    }
  }

  /** Ends a fleet's text run: each target's attempt still in hand. */
  #endTargets(done: LoggedAttempt[]): void {
    const run = this.#run;
    for (const [name, parser] of this.#targets) {
      for (const attempt of parser.end()) done.push({ ...attempt, run: run!.number, target: name });
    }
    this.#targets.clear();
    this.#inFleetTable = false;
  }

  /** Starts run number `runs.length + 1`. */
  #begin(format: "text" | "json", line: number): LoggedRun {
    this.#run = newRun(this.runs.length + 1, format, line);
    this.runs.push(this.#run);
    this.#runHasAttempts = false;
    this.#certificate = undefined;
    this.#dataBytes = 0;
    return this.#run;
  }

  /** The run an attempt in `format` belongs to: a change of format starts a new one. */
  #attemptRun(format: "text" | "json", line: number): LoggedRun {
    const run = this.#run?.format === format ? this.#run : this.#begin(format, line);
    this.#runHasAttempts = true;
    return run;
  }

  /** Ends the log; returns the attempts still in hand. */
  end(): LoggedAttempt[] {
    const done: LoggedAttempt[] = [];
    this.#flush(done);
    this.#endTargets(done);
    return done;
  }

  #flush(done: LoggedAttempt[]): void {
    if (!this.#pending) return;
    const { causeFromText: _, ...attempt } = this.#pending;
    if (!attempt.ok) attempt.cause ??= "other";
    done.push(attempt);
    this.#pending = undefined;
  }

  #json(text: string, number: number, done: LoggedAttempt[]): void {
    let event: Record<string, unknown>;
    try {
      event = JSON.parse(text);
    } catch {
      return this.#skip(number);
    }
    if (typeof event !== "object" || event === null) return this.#skip(number);
    const time = typeof event.time === "string" ? new Date(event.time) : undefined;
    if (event.type === "start") return this.#jsonStart(event, number, done);
    if (event.type === "connection" || event.type === "connectionsCounted") {
      const run = this.#run?.format === "json" ? this.#run : this.#begin("json", number);
      run.command ??= "pong";
      run.connections += event.type === "connection" ? 1 : Number(event.count) || 0;
      return;
    }
    if (event.type === "attempt") {
      const valid = typeof event.ms === "number" && typeof event.ok === "boolean" &&
        (time === undefined || !isNaN(time.getTime()));
      if (!valid) return this.#skip(number);
      const run = this.#attemptRun("json", number);
      const cause = (CAUSES as readonly unknown[]).includes(event.cause)
        ? event.cause as Cause
        : "other";
      if (typeof event.address === "string") run.addresses.add(clip(event.address));
      const target = (event.target as { name?: unknown } | undefined)?.name;
      done.push({
        time,
        wholeSecond: false,
        ok: event.ok as boolean,
        ms: event.ms as number,
        cause: event.ok ? undefined : cause,
        dataBytes: event.ok ? this.#dataBytes : 0,
        ...transferOf(event),
        line: number,
        run: run.number,
        ...(typeof target === "string" ? { target: clip(target) } : {}),
      });
      return;
    }
    if (!["certificate", "address", "peer"].includes(event.type as string)) return;
    const run = this.#run?.format === "json" ? this.#run : this.#begin("json", number);
    const when = time && !isNaN(time.getTime()) ? time : undefined;
    if (event.type === "certificate") {
      const day = (value: unknown) => String(value).slice(0, 10);
      const size = event.keyCurve ?? event.keyBits;
      const key = typeof event.keyType === "string"
        ? `; ${str(event.keyType)}${size ? ` ${clip(String(size))}` : ""}, ${
          signatureShown(str(event.signatureAlgorithm))
        }`
        : ""; // logs from before the key and signature were recorded
      const name = `${str(event.subject)}` +
        (event.selfSigned === true ? " (self-signed)" : `, issued by ${str(event.issuer)}`) + key;
      const changed = event.previousSha1 !== null && event.previousSha1 !== undefined;
      run.certificates.add({
        time: when,
        changed,
        name: clip(name),
        sha1: str(event.sha1),
        sha256: str(event.sha256),
        detail: clip(
          `valid from ${day(event.validFrom)} to ${day(event.validTo)}; ` +
            `${str(event.protocol)}, ${str(event.cipher)}`,
        ),
      });
      if (changed) run.certificateChanges++;
    } else if (event.type === "address" && typeof event.address === "string") {
      run.addresses.add(clip(event.address));
    } else if (event.type === "peer" && typeof event.description === "string") {
      run.peers.add(clip(event.description));
    }
  }

  /** A JSON log's `start`: a new run, with what it ran against. */
  #jsonStart(event: Record<string, unknown>, number: number, done: LoggedAttempt[]): void {
    this.#endTargets(done);
    const run = this.#begin("json", number);
    run.version = str(event.version);
    run.commandLine = str(event.commandLine);
    run.started = str(event.time);
    const machine = [str(event.machine), str(event.os)].filter((part) => part !== undefined);
    if (typeof event.deno === "string") machine.push(`Deno ${str(event.deno)}`);
    if (machine.length > 0) run.machine = machine.join(", ");
    if (event.command === "pong") {
      run.command = "pong";
      run.target = `port ${Number(event.port)}`;
      return;
    }
    run.command = "ping";
    if (typeof event.targets === "number") {
      run.fleet = { targets: event.targets };
      run.target = clip(`${event.targets} targets from ${str(event.hosts)}`);
    }
    const target = event.target as { host?: unknown; port?: unknown } | undefined;
    if (target && typeof target === "object") {
      run.target = clip(`${String(target.host)} port ${Number(target.port)}`);
    }
    const options = event.options as { dataSize?: unknown; proxy?: unknown } | undefined;
    this.#dataBytes = typeof options?.dataSize === "number" ? options.dataSize : 0;
    run.proxy = str(options?.proxy);
  }

  #skip(number: number): void {
    this.skipped++;
    this.firstSkipped ??= number;
  }
}

/**
 * A signature as ping's text names it (`SHA-256`), from OpenSSL's name in a
 * JSON log (`sha256WithRSAEncryption`, `ecdsa-with-SHA256`), so that a report
 * names it alike from either log. Other names are kept as they are.
 */
function signatureShown(openssl: string | undefined): string | undefined {
  if (openssl === undefined) return undefined;
  const hash = /^sha(\d+)WithRSAEncryption$/i.exec(openssl) ??
    /^ecdsa-with-SHA(\d+)$/i.exec(openssl);
  return hash ? `SHA-${hash[1]}` : openssl;
}

/**
 * A JSON attempt's transfer time, for its rate: only from logs whose attempts carry
 * `bytesConfirmed`, where `transfer` leaves the handshake out and counts to the data's arrival.
 * Older logs' rates were over the whole attempt, and are read so.
 */
function transferOf(event: Record<string, unknown>): { transferMs?: number } {
  const transfer = (event.phases as { transfer?: unknown } | undefined)?.transfer;
  return "bytesConfirmed" in event && typeof transfer === "number" ? { transferMs: transfer } : {};
}

/** A JSON field's text, clipped; undefined when it is not text. */
function str(value: unknown): string | undefined {
  return typeof value === "string" ? clip(value) : undefined;
}
