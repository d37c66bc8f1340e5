/**
 * The text reporter for pong: a banner with the certificate's thumbprint, a
 * line for each connection accepted and one for how it ended, and statistics
 * when pong stops.
 *
 * @module
 */
import type { PongEvent, PongSummary } from "../pong/events.ts";
import { PROGRAM, VERSION } from "../version.ts";
import type { LineWriter } from "../output/console.ts";
import { MB } from "../units.ts";
import {
  formatCount,
  formatMs,
  formatRate,
  formatTimestamp,
  formatValue,
  plural,
} from "../format.ts";
import { printable } from "../printable.ts";

/** How the person running pong stops it, shown under the banner. */
export type StopHint = "enter" | "signal";

/**
 * Makes a reporter that writes pong's events as text lines; `durationMs` is
 * how long pong runs before it stops by itself (`/duration`), if it does.
 */
export function pongTextReporter(
  write: LineWriter,
  stopHint: StopHint,
  durationMs?: number,
): (event: PongEvent) => void {
  return (event) => {
    const stamp = formatTimestamp(event.time);
    switch (event.type) {
      case "listening":
        write(
          `${PROGRAM} ${VERSION} - listening on port ${event.port} ` +
            (event.tls ? `with TLS, certificate thumbprint ${event.thumbprint}` : "without TLS"),
        );
        write(stopLine(stopHint, durationMs));
        break;
      case "accepted":
        write(`${stamp} Accepted TCP client ${event.client}`);
        break;
      case "answered":
        write(
          `${stamp} ${event.client}: ${formatCount(event.bytesRead)} bytes read, ` +
            `${formatCount(event.bytesSent)} bytes sent, ${formatMs(event.ms)}, ` +
            formatRate(event.bytesRead + event.bytesSent, event.ms) +
            clientCertificate(event.clientCertificate),
        );
        break;
      case "failed":
        write(
          `${stamp} ${event.client}: ${printable(event.reason)} ` +
            `(${formatCount(event.bytesRead)} bytes read, ${formatMs(event.ms)})`,
        );
        break;
      case "acceptedMore":
        write(
          `${stamp} ... and ${
            formatCount(event.count)
          } more TCP clients accepted in the last second`,
        );
        break;
      case "failedMore":
        write(
          `${stamp} ... and ${formatCount(event.count)} more connections ended badly in the last ` +
            `second: ${byKind(event.byKind)}`,
        );
        break;
      case "acceptFailed":
        write(`${stamp} Accepting a connection failed: ${event.reason}; trying again`);
        break;
      case "stopped":
        write("Stopped.");
        summaryLines(event.summary).forEach((line) => write(line));
        break;
    }
  };
}

/** How pong will stop: by itself after `/duration`, or when the person running it says. */
function stopLine(stopHint: StopHint, durationMs: number | undefined): string {
  if (durationMs === undefined) {
    return stopHint === "enter" ? "Hit <Enter> to exit." : "Stop it with Ctrl+C.";
  }
  return `Stops after ${formatValue(durationMs / 1000)} s (/duration), or ` +
    (stopHint === "enter" ? "hit <Enter> to exit sooner." : "with Ctrl+C.");
}

/** What the client presented, like a Tentacle's log: nothing to say without TLS. */
function clientCertificate(sha1: string | null): string {
  if (sha1 === null) return "";
  return sha1 === "none" ? ", no client certificate" : `, client certificate ${sha1}`;
}

function byKind(counts: Partial<Record<string, number>>): string {
  return Object.entries(counts).map(([kind, n]) => `${kind} ${formatCount(n ?? 0)}`).join(", ");
}

/** Pong's statistics: connections, peak concurrency, bytes both ways, failures by kind. */
export function summaryLines(summary: PongSummary): string[] {
  const lines = [
    "--- pong statistics ---",
    `${plural(summary.connections, "connection")}, at most ` +
    `${formatCount(summary.peakConcurrent)} at once; ${formatValue(summary.bytesRead / MB)} MB ` +
    `read, ${formatValue(summary.bytesSent / MB)} MB sent`,
  ];
  if (Object.keys(summary.failures).length > 0) {
    lines.push(`ended badly: ${byKind(summary.failures)}`);
  }
  return lines;
}
