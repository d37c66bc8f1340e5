/**
 * Understanding a log, line by line: OctoPing's JSON lines, OctoPing's text
 * output, and the text output of the original TentaclePing (timestamps without
 * a zone or none at all, numbers in the machine's locale, a failure followed
 * by a multi-line .NET exception). Keeps nothing but the attempt in hand.
 *
 * @module
 */
import { MB } from "../cli/options.ts";
import { type Cause, CAUSES } from "../ping/failure.ts";

/** One attempt as a log tells it. */
export interface LoggedAttempt {
  /** Absent in logs without timestamps: then attempts are placed by number. */
  time?: Date;
  ok: boolean;
  ms: number;
  cause?: Cause;
  /** Payload bytes moved, in data mode (for throughput). */
  dataBytes: number;
  /** Where the attempt starts in the file, for hover text. */
  line: number;
}

/** What the log says about the run. */
export interface LogMeta {
  target?: string;
  version?: string;
}

const OCTOPING_ATTEMPT =
  /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z?)?\s*Connect: (Success|Failed)! ([\d.,\s\u00a0\u202f']+)ms(.*)$/;
// The dash may arrive as mojibake ("ΓÇö") from PowerShell 5.1's `>`, hence any short separator.
const BANNER = /^OctoPing (\S+) \S{1,3} pinging (\S+) on port (\d+)/;
/** The original TentaclePing's banner. */
const OLD_BANNER = /^Pinging (\S+) on port (\d+)/;
const CAUSE_LINE = /^\s+cause: (\w+) \S{1,3} /;
/** The start of an attempt line that did not parse: a line cut short, or noise. */
const BROKEN_ATTEMPT = /^(\d{4}-\d\d-\d\dT\S*\s+)?Connect:/;
const RATE = /, ([\d.,]+) MB\/s/;
/** OctoPing's own lines that are not attempts: totals, statistics, header, details. */
const KNOWN = [
  /^\d[\d.,\s\u00a0\u202f']* successful connections?, \d[\d.,\s\u00a0\u202f']* failed connections?/,
  /^(Done|Stopped): /,
  /^--- statistics for /,
  /^\d[\d.,\s\u00a0\u202f']* attempts?: /,
  /^(failures by cause|latency of successful attempts|longest run of failures|throughput): /,
  /^stopped: /,
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

/** Reads a log's lines one by one, turning them into attempts. */
export class LogParser {
  readonly meta: LogMeta = {};
  /** Lines that could not be read, and the first of them. */
  skipped = 0;
  firstSkipped?: number;
  #pending?: LoggedAttempt & { causeFromText: boolean };
  /** A JSON log's payload per attempt (its start's datasize); text lines carry their MB/s. */
  #dataBytes = 0;

  /** Takes line number `number`; returns the attempts it completes. */
  push(line: string, number: number): LoggedAttempt[] {
    const done: LoggedAttempt[] = [];
    const text = line.replace(/^\uFEFF/, "");
    if (text.startsWith("{")) {
      this.#flush(done);
      this.#json(text, number, done);
      return done;
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
        ok: outcome === "Success",
        ms,
        dataBytes: rate ? Number(rate[1].replaceAll(",", "")) * MB * (ms / 1000) : 0,
        line: number,
        causeFromText: false,
      };
      return done;
    }
    if (BROKEN_ATTEMPT.test(text)) {
      this.#flush(done);
      this.#skip(number); // an attempt line cut short (a run killed mid-line)
      return done;
    }
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
    const banner = BANNER.exec(text);
    if (banner) {
      this.meta.version = banner[1];
      this.meta.target = `${banner[2]} port ${banner[3]}`;
      return done;
    }
    const oldBanner = OLD_BANNER.exec(text);
    if (oldBanner) {
      this.meta.target = `${oldBanner[1]} port ${oldBanner[2]}`;
      return done;
    }
    if (/^\s{2,}\S/.test(text) || KNOWN.some((pattern) => pattern.test(text))) return done;
    this.#skip(number);
    return done;
  }

  /** Ends the log; returns the attempt still in hand. */
  end(): LoggedAttempt[] {
    const done: LoggedAttempt[] = [];
    this.#flush(done);
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
    if (event.type === "start" && event.command === "ping") {
      const target = event.target as { host: string; port: number } | undefined;
      const options = event.options as { dataSize?: number } | undefined;
      this.meta.version = String(event.version);
      if (target) this.meta.target = `${target.host} port ${target.port}`;
      this.#dataBytes = options?.dataSize ?? 0;
    } else if (event.type === "attempt") {
      const time = typeof event.time === "string" ? new Date(event.time) : undefined;
      const valid = typeof event.ms === "number" && typeof event.ok === "boolean" &&
        (time === undefined || !isNaN(time.getTime()));
      if (!valid) return this.#skip(number);
      const cause = (CAUSES as readonly unknown[]).includes(event.cause)
        ? event.cause as Cause
        : "other";
      done.push({
        time,
        ok: event.ok as boolean,
        ms: event.ms as number,
        cause: event.ok ? undefined : cause,
        dataBytes: event.ok ? this.#dataBytes : 0,
        line: number,
      });
    }
  }

  #skip(number: number): void {
    this.skipped++;
    this.firstSkipped ??= number;
  }
}
