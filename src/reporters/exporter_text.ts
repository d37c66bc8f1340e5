/**
 * The text reporter for the exporter: where it listens and what it may
 * probe, a line for each failed probe (its hint the first time its cause is
 * seen), a summary each minute, and the run's totals when it stops. A
 * successful probe has no line: Prometheus keeps those.
 *
 * @module
 */
import type { ExporterEvent, ExporterTally } from "../exporter/events.ts";
import { formatCount, formatMB, formatTimestamp, formatValue, plural } from "../format.ts";
import type { LineWriter } from "../output/console.ts";
import { printable } from "../printable.ts";

/** Makes a reporter that writes the exporter's events as text lines. */
export function exporterTextReporter(write: LineWriter): (event: ExporterEvent) => void {
  let url = "";
  return (event) => {
    const stamp = formatTimestamp(event.type === "failure" ? event.outcome.time : event.time);
    switch (event.type) {
      case "start": {
        url = event.url;
        const { options } = event;
        const target = event.allowed === undefined ? "<host[:port]>" : "<name or host[:port]>";
        write(`Exporter listening on ${url} - Prometheus scrapes ${url}probe?target=${target}`);
        write(
          event.allowed === undefined
            ? "Targets: any (listening on loopback only; /hosts=<file> limits them)"
            : `Targets: only the ${plural(event.allowed, "target")} of ${
              printable(options.hosts!)
            }; any other is refused (403)`,
        );
        write(
          `Probes at once: at most ${options.parallel}; data a probe may send: ` +
            (options.maxDataSize === 0
              ? "none (/maxdatasize)"
              : `${formatMB(options.maxDataSize)} MB`) +
            (options.proxy ? `; through the proxy ${options.proxy.url}` : ""),
        );
        write(
          "Each failed probe has a line here, and each minute a summary. Ctrl+C stops it" +
            (options.durationMs === undefined
              ? "."
              : `, or it stops by itself after ${formatValue(options.durationMs / 1000)} s.`),
        );
        break;
      }
      case "failure": {
        const { outcome } = event;
        const failure = outcome.failure!;
        const { target, module } = outcome.request;
        write(
          `${stamp} Probe ${printable(target.name)}${module === "check" ? " (check)" : ""} ` +
            `failed: ${failure.cause}: ${printable(failure.summary)}`,
        );
        if (event.firstOfCause) write(`  Hint: ${printable(failure.hint)}`);
        break;
      }
      case "minute":
        write(
          event.tally.probes === 0 && refusals(event.tally) === 0
            ? `${stamp} Last minute: no probe asked for. Is Prometheus scraping ${url}probe?`
            : `${stamp} Last minute: ${tallyText(event.tally)}`,
        );
        break;
      case "end":
        write(`${stamp} Stopped. In all: ${tallyText(event.tally)}`);
        break;
    }
  };
}

/** Requests refused, over every status. */
function refusals(tally: ExporterTally): number {
  return Object.values(tally.refused).reduce((sum, n) => sum + n, 0);
}

/** `12 probes, 2 failed (refused 2); 1 request refused (403: 1)`. */
function tallyText(tally: ExporterTally): string {
  const failures = Object.entries(tally.failures);
  const failed = failures.reduce((sum, [, n]) => sum + n, 0);
  let text = `${plural(tally.probes, "probe")}, ${formatCount(failed)} failed`;
  if (failed > 0) text += ` (${failures.map(([cause, n]) => `${cause} ${n}`).join(", ")})`;
  const refused = refusals(tally);
  if (refused > 0) {
    const statuses = Object.entries(tally.refused).map(([status, n]) => `${status}: ${n}`);
    text += `; ${plural(refused, "request")} refused (${statuses.join(", ")})`;
  }
  return text;
}
