/**
 * The text reporter for ping: lines in the original TentaclePing's shape, so
 * people who know it can read them, with the detail on indented lines below.
 *
 * ```
 * 2026-11-23T19:30:00Z Connect: Success! 12ms, 10,283 bytes read (dns 1, tcp 2, tls 5, first byte 3 ms)
 * 2026-11-23T19:30:01Z Connect: Failed! 3ms; connected: False; SSL: False
 *     connect ECONNREFUSED 10.0.0.5:10933
 *     cause: refused - connection refused: nothing listens on MyServer port 10933, or a firewall rejects it
 *     hint: is the Tentacle service running, ...
 * ```
 *
 * @module
 */
import type { PingEvent } from "../ping/events.ts";
import type { AttemptResult } from "../connection/result.ts";
import type { TlsSession } from "../net/peer_certificate.ts";
import { type CertificateObjection, octopusObjections } from "../net/certificate_policy.ts";
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

/** Makes a reporter that writes ping's events as text lines. */
export function pingTextReporter(output: Output, style: Style): (event: PingEvent) => void {
  let succeeded = 0;
  let failed = 0;
  let dataMode = false;
  let reverse = false;
  let noSsl = false;
  let target = "";
  /** /count: after the last attempt "Done:" follows, so no running total tells how to quit. */
  let count = Infinity;
  // A hint, or an error message, is printed the first time it comes up and again after a
  // success: during an outage the same four lines every half second bury everything else.
  const hintsShown = new Set<string>();
  let lastMessage: string | undefined;
  const write = output.line;
  const detail = (text: string) => write(INDENT + text);
  return (event) => {
    switch (event.type) {
      case "start": {
        const { dataSize, chunkSize } = event.options;
        const { host, port } = event.options.target;
        const proxy = event.options.proxy;
        dataMode = dataSize > 0;
        reverse = event.options.reverse;
        noSsl = event.options.noSsl;
        count = event.options.count;
        target = `${host} port ${port}`;
        const data = dataMode
          ? `, ${reverse ? "receiving" : "sending"} ${formatMB(dataSize)} MB in ` +
            `${formatMB(chunkSize)} MB chunks`
          : "";
        write(
          `${PROGRAM} ${VERSION} - pinging ${host} on port ${port} ` +
            `${noSsl ? "without" : "with"} TLS${data}` +
            (proxy ? ` through the proxy ${printable(proxy.url)}` : ""),
        );
        break;
      }
      case "attempt": {
        const result = event.result;
        if (result.ok) succeeded++;
        else failed++;
        const data = dataMode ? (reverse ? "received" : "sent") : undefined;
        write(attemptLine(result, data, style, noSsl));
        if (result.ok) {
          hintsShown.clear();
          lastMessage = undefined;
        }
        if (result.failure) {
          const where = result.chunks > 1
            ? `chunk ${result.chunksDone + 1} of ${result.chunks}: `
            : "";
          const message = `${where}${printable(result.failure.message)}`;
          if (message !== lastMessage) detail(message);
          lastMessage = message;
          if (result.diagnosis) {
            const { cause, summary, hint } = result.diagnosis;
            detail(`cause: ${cause} - ${printable(summary)}`);
            if (!hintsShown.has(cause)) detail(`hint: ${hint}`);
            hintsShown.add(cause);
          }
        }
        if (event.dnsMoved) {
          detail(
            `DNS moved: the name now resolves to ${event.dnsMoved.to}; it was ` +
              `${event.dnsMoved.from} when it last worked (a stale DNS record?)`,
          );
        }
        if ((succeeded + failed) % TOTALS_EVERY === 0 && succeeded + failed < count) {
          write(`${totals(succeeded, failed)}. Hit Ctrl+C to quit any time.`);
        }
        break;
      }
      case "address": {
        const host = event.proxy ? `the proxy ${event.host}` : event.host;
        detail(
          event.previous === undefined
            ? `address: ${host} is ${event.address}`
            : `address: ${host} now resolves to ${event.address} (was ${event.previous})`,
        );
        break;
      }
      case "progress": {
        const { chunk, chunks, bytesDone, bytesTotal, elapsedMs } = event.progress;
        if (!output.status || elapsedMs < PROGRESS_AFTER_MS) break;
        const rate = bytesDone / (elapsedMs / 1000);
        const left = rate > 0 ? Math.ceil((bytesTotal - bytesDone) / rate) : undefined;
        output.status(
          `  chunk ${formatCount(chunk)} of ${formatCount(chunks)}, ${formatMB(bytesDone)} of ` +
            `${formatMB(bytesTotal)} MB ${reverse ? "received" : "sent"}, ` +
            `${formatRate(bytesDone, elapsedMs)}, ${left === undefined ? "?" : left} s left`,
        );
        break;
      }
      case "note":
        detail(`note: ${event.code} - ${event.message}`);
        break;
      case "abandoned":
        write(`Stopped: ${event.reason}`);
        break;
      case "certificate":
        certificateLines(event.session, event.previous !== undefined, event.time).forEach(detail);
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
        summaryLines(summary, target).forEach((line) => write(line));
        break;
      }
    }
  };
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
  const stamp = `${formatTimestamp(result.time)} Connect:`;
  if (!result.ok) {
    const flag = (value: boolean) => (value ? "True" : "False");
    return `${stamp} ${style.bad("Failed!")} ${formatMs(result.ms)}; ` +
      `connected: ${flag(result.connected)}` + (noSsl ? "" : `; SSL: ${flag(result.secured)}`);
  }
  const parts = [formatMs(result.ms)];
  if (dataMode) parts.push(`${formatCount(result.bytesSent)} bytes sent`);
  parts.push(`${formatCount(result.bytesRead)} bytes read`);
  if (dataMode) {
    parts.push(formatRate(data === "sent" ? result.bytesSent : result.bytesRead, result.ms));
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

/** The certificate as Octopus users need it: who, which (thumbprint), until when, how. */
export function certificateLines(session: TlsSession, changed: boolean, now: Date): string[] {
  const day = (date: Date) => date.toISOString().slice(0, 10);
  const lines = [
    `certificate${changed ? " changed" : ""}: ${printable(session.subject)}` +
    (session.selfSigned ? " (self-signed)" : `, issued by ${printable(session.issuer)}`) +
    `; ${keyAndSignature(session)}`,
    `thumbprint: ${session.sha1} (SHA-1, as Octopus shows it); SHA-256: ${session.sha256}`,
    `valid from ${day(session.validFrom)} to ${day(session.validTo)}; ` +
    `${session.protocol}, ${session.cipher}`,
  ];
  const trust = "(Octopus trusts a Tentacle by its thumbprint, so this alone does not stop it)";
  if (session.validTo < now) {
    lines.push(`warning: the certificate expired on ${day(session.validTo)} ${trust}`);
  } else if (session.validFrom > now) {
    lines.push(
      `warning: the certificate is not valid until ${day(session.validFrom)}: ` +
        `is this machine's clock or the server's wrong? ${trust}`,
    );
  }
  const objections = octopusObjections(session);
  if (objections.length > 0) lines.push(refusedWarning(session, objections));
  return lines;
}

/** `RSA 2048, SHA-256`, `EC P-256, SHA-256`, `Ed25519, ED25519`. */
function keyAndSignature(session: TlsSession): string {
  const size = session.keyCurve ?? session.keyBits;
  const key = printable(size === null ? session.keyType : `${session.keyType} ${size}`);
  return `${key}, ${printable(session.signatureHash ?? session.signatureAlgorithm)}`;
}

/** What Octopus does with a certificate it objects to, and how to replace it. */
function refusedWarning(session: TlsSession, objections: CertificateObjection[]): string {
  const what = objections.map((objection) =>
    objection === "weak-key"
      ? `a ${session.keyBits}-bit RSA key (under 2048 bits)`
      : `a SHA-1 signature (${session.signatureAlgorithm})`
  );
  const windows = objections.length === 1 && objections[0] === "sha1-signature"
    ? "; Windows Octopus Servers accept it"
    : "";
  return `warning: the certificate has ${what.join(" and ")}: Octopus Server on Linux ` +
    `(OpenSSL 3) and Octopus Cloud refuse ${what.length > 1 ? "both" : "it"}${windows}. ` +
    "Replace it: 'Tentacle.exe new-certificate', then update the thumbprint in Octopus";
}

/** A share as a percentage, never rounded to 0 % or 100 % when it is not. */
export function formatPercent(percent: number): string {
  if (percent > 0 && percent < 0.1) return `${Number(percent.toPrecision(2))}%`;
  if (percent < 100 && percent > 99.9) return "99.9%";
  return `${formatValue(percent)}%`;
}

/** The end-of-run statistics, like ping's. */
export function summaryLines(summary: RunSummary, target: string): string[] {
  const lines = [
    `--- statistics for ${target} ---`,
    `${plural(summary.attempts, "attempt")}: ` +
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
  return lines;
}
