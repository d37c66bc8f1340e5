/**
 * The text reporter for ping: lines in the original TentaclePing's shape, so
 * people who know it can read them, with the detail on indented lines below.
 *
 * ```
 * 2026-11-23T19:30:00.124Z Connect: Success! 12ms, 10,283 bytes read (dns 1, tcp 2, tls 5, first byte 3 ms)
 * 2026-11-23T19:30:00.643Z Connect: Failed! 3ms; connected: False; SSL: False
 *     connect ECONNREFUSED 10.0.0.5:10933
 *     cause: refused - connection refused: nothing listens on MyServer port 10933, or a firewall rejects it
 *     hint: is the Tentacle service running, ...
 * ```
 *
 * @module
 */
import type {
  AddressReached,
  AttemptCutShort,
  CertificateEvent,
  PingEvent,
} from "../ping/events.ts";
import { cutShortAt } from "../connection/exchange_error.ts";
import type { PingOptions } from "../options/options.ts";
import type { AttemptProgress, AttemptResult } from "../connection/result.ts";
import type { TlsSession } from "../net/peer_certificate.ts";
import { day } from "../net/certificate_policy.ts";
import type { RunSummary } from "../stats/run_statistics.ts";
import { PROGRAM, VERSION } from "../version.ts";
import type { Output, Style } from "../output/console.ts";
import { printable, PRINTABLE_MAX } from "../printable.ts";
import {
  formatCount,
  formatMB,
  formatMs,
  formatRate,
  formatTimestamp,
  formatValue,
  plural,
} from "../format.ts";

/** Running totals are printed after every this many attempts, as the original does. */
const TOTALS_EVERY = 10;
const INDENT = "    ";

/** Progress shows once an attempt has taken this long. */
const PROGRESS_AFTER_MS = 1000;

/** What the text reporter keeps between events. */
interface TextState {
  /** The run's options, from its start event. */
  options?: PingOptions;
  succeeded: number;
  failed: number;
  /**
   * A hint is printed the first time it comes up in the run, and listed again with the
   * statistics: with intermittent failures, hints after every success would bury the rest.
   */
  hintsShown: Set<string>;
  /** An error message is printed when it differs from the last one, or follows a success. */
  lastMessage?: string;
}

/** Makes a reporter that writes ping's events as text lines. */
export function pingTextReporter(output: Output, style: Style): (event: PingEvent) => void {
  const state: TextState = { succeeded: 0, failed: 0, hintsShown: new Set() };
  const write = output.line;
  const detail = (text: string) => write(INDENT + text);
  return (event) => {
    switch (event.type) {
      case "start":
        state.options = event.options;
        write(startLine(event.options));
        break;
      case "attempt":
        write(attemptLine(event.result, dataWay(state.options), style, state.options?.noSsl));
        attemptDetails(event, state).forEach(detail);
        if (totalsDue(state)) {
          write(`${totals(state.succeeded, state.failed)}. Hit Ctrl+C to quit any time.`);
        }
        break;
      case "progress":
        if (output.status && event.progress.elapsedMs >= PROGRESS_AFTER_MS) {
          output.status(progressLine(event.progress, state.options?.reverse ?? false));
        }
        break;
      case "note":
        detail(`note: ${event.code} - ${event.message}`);
        break;
      case "abandoned":
        write(`Stopped: ${event.reason}`);
        break;
      case "certificate":
        certificateLines(event).forEach(detail);
        break;
      case "peer":
        detail(`answered by: ${printable(event.peer.description, PEER_MAX)}`);
        if (event.peer.hint) detail(`hint: ${event.peer.hint}`);
        break;
      case "end": {
        const { summary } = event;
        write(
          `${event.interrupted ? "Stopped" : "Done"}: ` +
            `${totals(summary.succeeded, summary.failed)}.`,
        );
        if (event.cutShort) write(cutShortLine(event.cutShort));
        summaryLines(summary, targetName(state.options)).forEach((line) => write(line));
        break;
      }
    }
  };
}

/**
 * The attempt a stop cut short, which the statistics leave out: where it was and for how
 * long (a handshake that hung 8 s must not vanish from Output.txt).
 */
function cutShortLine(cut: AttemptCutShort): string {
  return `Cut short: attempt ${formatCount(cut.seq)}, ${cutShortAt(cut)}; ` +
    "not counted in the statistics below.";
}

/** The run's first line: what is pinged, how, and through which proxy. */
function startLine(options: PingOptions): string {
  const { dataSize, chunkSize, reverse, noSsl, proxy } = options;
  const { host, port } = options.target;
  const data = dataSize > 0
    ? `, ${reverse ? "receiving" : "sending"} ${formatMB(dataSize)} MB in ` +
      `${formatMB(chunkSize)} MB chunks`
    : "";
  return `${PROGRAM} ${VERSION} - pinging ${host} on port ${port} ` +
    `${noSsl ? "without" : "with"} TLS${data}` +
    (proxy ? ` through the proxy ${printable(proxy.url)}` : "");
}

/** Which way data mode moves the payload; undefined without data. */
function dataWay(options?: PingOptions): "sent" | "received" | undefined {
  if (!options || options.dataSize === 0) return undefined;
  return options.reverse ? "received" : "sent";
}

/**
 * The indented lines below an attempt: the address it reached when that is
 * new, its failure (a repeat left out until a success), cause and hint (once
 * in the run), and a DNS move. Counts the attempt.
 */
function attemptDetails(event: PingEvent & { type: "attempt" }, state: TextState): string[] {
  const { result } = event;
  const lines = event.address ? [addressLine(event.address)] : [];
  if (result.ok) {
    state.succeeded++;
    state.lastMessage = undefined;
  } else state.failed++;
  if (result.failure) {
    const where = result.chunks > 1 ? `chunk ${result.chunksDone + 1} of ${result.chunks}: ` : "";
    const message = `${where}${printable(result.failure.message)}`;
    if (message !== state.lastMessage) lines.push(message);
    state.lastMessage = message;
    if (result.diagnosis) {
      const { cause, summary, hint } = result.diagnosis;
      lines.push(`cause: ${cause} - ${printable(summary)}`);
      if (!state.hintsShown.has(hint)) lines.push(`hint: ${hint}`);
      state.hintsShown.add(hint);
    }
  }
  if (event.dnsMoved) {
    lines.push(
      `DNS moved: the name now resolves to ${event.dnsMoved.to}; it was ` +
        `${event.dnsMoved.from} when it last worked (a stale DNS record?)`,
    );
  }
  return lines;
}

/** Running totals every ten attempts, but not right before `/count`'s last: "Done:" follows it. */
function totalsDue({ succeeded, failed, options }: TextState): boolean {
  const attempts = succeeded + failed;
  return attempts % TOTALS_EVERY === 0 && attempts < (options?.count ?? Infinity);
}

/** The address a name reached, or that it now resolves elsewhere. */
function addressLine(reached: AddressReached): string {
  const host = reached.proxy ? `the proxy ${reached.host}` : reached.host;
  return reached.previous === undefined
    ? `address: ${host} is ${reached.address}`
    : `address: ${host} now resolves to ${reached.address} (was ${reached.previous})`;
}

/** How far a data-mode attempt is: chunk, MB moved, rate and the seconds left. */
function progressLine(progress: AttemptProgress, reverse: boolean): string {
  const { chunk, chunks, bytesDone, bytesTotal, elapsedMs } = progress;
  const rate = bytesDone / (elapsedMs / 1000);
  const left = rate > 0 ? Math.ceil((bytesTotal - bytesDone) / rate) : undefined;
  return `  chunk ${formatCount(chunk)} of ${formatCount(chunks)}, ${formatMB(bytesDone)} of ` +
    `${formatMB(bytesTotal)} MB ${reverse ? "received" : "sent"}, ` +
    `${formatRate(bytesDone, elapsedMs)}, ${left === undefined ? "?" : left} s left`;
}

/** `MyServer port 10933`, as the statistics' heading names the target. */
function targetName(options?: PingOptions): string {
  return options ? `${options.target.host} port ${options.target.port}` : "";
}

/** Who answered is a sentence around peer strings (a `Server:` header, names): room for both. */
const PEER_MAX = 2 * PRINTABLE_MAX;

function totals(succeeded: number, failed: number): string {
  return `${plural(succeeded, "successful connection")}, ${plural(failed, "failed connection")}`;
}

/**
 * The attempt's own line: `<time> Connect: Success! …` or `<time> Connect: Failed! …`.
 * `data` says which way data mode moves the payload; undefined without data.
 */
export function attemptLine(
  result: AttemptResult,
  data: "sent" | "received" | undefined,
  style: Style,
  noSsl = false,
): string {
  const dataMode = data !== undefined;
  // To the millisecond: several attempts can fall in one second, and report places them by it.
  const stamp = `${result.time.toISOString()} Connect:`;
  if (!result.ok) {
    const flag = (value: boolean) => (value ? "True" : "False");
    return `${stamp} ${style.bad("Failed!")} ${formatMs(result.ms)}; ` +
      `connected: ${flag(result.connected)}` + (noSsl ? "" : `; SSL: ${flag(result.secured)}`);
  }
  const parts = [formatMs(result.ms)];
  if (dataMode) parts.push(`${formatCount(result.bytesSent)} bytes sent`);
  parts.push(`${formatCount(result.bytesRead)} bytes read`);
  if (dataMode) {
    // The data's own rate: the handshake and the wait for the first byte left out.
    const moved = data === "sent" ? result.bytesSent : result.bytesRead;
    parts.push(formatRate(moved, result.phases.transfer));
  }
  if (result.status === undefined) parts.push("not an HTTP answer");
  else if (result.status !== 200) parts.push(`HTTP ${result.status}`);
  const { dns, connect, proxy, tls, firstByte, transfer } = result.phases;
  const phases = dns === null ? [] : [`dns ${ms(dns)}`];
  if (connect !== null) phases.push(`tcp ${ms(connect)}`);
  if (proxy !== null) phases.push(`proxy ${ms(proxy)}`);
  if (result.secured) phases.push(`tls ${ms(tls)}`);
  phases.push(`first byte ${ms(firstByte)}`);
  if (dataMode) phases.push(`transfer ${ms(transfer)}`);
  return `${stamp} ${style.good("Success!")} ${parts.join(", ")} (${phases.join(", ")} ms)`;
}

function ms(value: number): string {
  return formatCount(Math.round(value));
}

/**
 * The certificate as Octopus users need it: who, which (thumbprint), until
 * when, how; then the event's warnings.
 */
export function certificateLines(event: CertificateEvent): string[] {
  const { session } = event;
  return [
    `certificate${event.previous !== undefined ? " changed" : ""}: ${printable(session.subject)}` +
    (session.selfSigned ? " (self-signed)" : `, issued by ${printable(session.issuer)}`) +
    `; ${keyAndSignature(session)}`,
    `thumbprint: ${session.sha1} (SHA-1, as Octopus shows it); SHA-256: ${session.sha256}`,
    `valid from ${day(session.validFrom)} to ${day(session.validTo)}; ` +
    `${session.protocol}, ${session.cipher}`,
    ...event.warnings.map((warning) => `warning: ${warning.text}`),
  ];
}

/** `RSA 2048, SHA-256`, `EC P-256, SHA-256`, `Ed25519, ED25519`. */
function keyAndSignature(session: TlsSession): string {
  const size = session.keyCurve ?? session.keyBits;
  const key = printable(size === null ? session.keyType : `${session.keyType} ${size}`);
  return `${key}, ${printable(session.signatureHash ?? session.signatureAlgorithm)}`;
}

/** A share as a percentage, never rounded to 0 % or 100 % when it is not. */
export function formatPercent(percent: number): string {
  if (percent > 0 && percent < 0.1) return `${Number(percent.toPrecision(2))}%`;
  if (percent < 100 && percent > 99.9) return "99.9%";
  return `${formatValue(percent)}%`;
}

/** The statistics' count when no attempt finished (the run was stopped during its first). */
const NONE_FINISHED = "no attempt finished";

/** The end-of-run statistics, like ping's. */
export function summaryLines(summary: RunSummary, target: string): string[] {
  const lines = [
    `--- statistics for ${target} ---`,
    // With nothing finished there is no share of failures to give: "0% failed" would be untrue.
    summary.attempts === 0 ? NONE_FINISHED : `${plural(summary.attempts, "attempt")}: ` +
      `${formatCount(summary.succeeded)} succeeded, ` +
      `${formatCount(summary.failed)} failed (${formatPercent(summary.lossPercent)} failed)`,
  ];
  if (summary.byCause.length > 0) {
    lines.push(
      `failures by cause: ${
        summary.byCause.map(([cause, n]) => `${cause} ${formatCount(n)}`).join(", ")
      }`,
    );
  }
  const latency = summary.latency;
  if (latency) {
    lines.push(
      `latency of successful attempts: min ${formatValue(latency.min)}, ` +
        `avg ${formatValue(latency.avg)}, median ${formatValue(latency.median)}, ` +
        `p95 ${formatValue(latency.p95)}, p99 ${formatValue(latency.p99)}, ` +
        `max ${formatValue(latency.max)} ms; jitter ${formatValue(latency.jitter)} ms`,
    );
  }
  const run = summary.longestFailureRun;
  if (run) {
    const when = run.start && run.end
      ? `, from ${formatTimestamp(run.start)} to ${formatTimestamp(run.end)}`
      : "";
    lines.push(`longest run of failures: ${formatCount(run.count)}${when}`);
  }
  const rate = summary.throughput;
  if (rate) {
    lines.push(
      `throughput: min ${formatValue(rate.min)}, avg ${formatValue(rate.avg)}, ` +
        `max ${formatValue(rate.max)} MB/s`,
    );
  }
  if (summary.hints.length > 0) {
    lines.push(
      "hints, as printed above:",
      ...summary.hints.map(({ cause, hint }) => `${INDENT}${cause}: ${hint}`),
    );
  }
  return lines;
}
