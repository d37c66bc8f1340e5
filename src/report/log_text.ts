/**
 * `OctoPing report <log>` as text: for each run in the log, what support asks
 * first - target, time span, machine, command line, the addresses reached,
 * who answered, the certificate and its thumbprint - then the statistics a
 * live run ends with. Every string from the log passes through
 * {@linkcode printable}: a log is a file someone sent, not trusted text.
 *
 * @module
 */
import type { LogReport, RunReport } from "../logs/analyse.ts";
import type { FleetReport, TargetReport } from "../logs/fleet.ts";
import type { LoggedRun } from "../logs/run.ts";
import {
  failingLine,
  type FleetRow,
  fleetTableLines,
  worstFirst,
} from "../reporters/fleet_table.ts";
import { formatCount, formatTimestamp, plural } from "../format.ts";
import { summaryLines } from "../reporters/ping_text.ts";
import { printable } from "../printable.ts";

const INDENT = "    ";

/** Why the log at `source` has nothing to report (bad input), or undefined when it has. */
export function nothingToReport(log: LogReport, source: string): string | undefined {
  if (log.runs.some((report) => report.summary.attempts > 0)) return undefined;
  return noAttempts(log.runs.map(({ run }) => run), log.skipped, source);
}

/** Why a log whose `runs` hold no ping attempts (and `skipped` lines unread) has none. */
export function noAttempts(runs: LoggedRun[], skipped: number, source: string): string {
  const pong = runs.filter((run) => run.command === "pong");
  if (pong.length > 0 && pong.length === runs.length) {
    const connections = pong.reduce((sum, run) => sum + run.connections, 0);
    const where = pong.map((run) => printable(run.target ?? "port unknown")).join(", ");
    return `this is a pong log (${plural(connections, "connection")}, ${
      plural(pong.length, "run")
    } on ${where}); report charts ping runs`;
  }
  const unread = skipped > 0 ? ` (${plural(skipped, "line")} could not be read)` : "";
  return `no ping attempts found in ${printable(source)}${unread}`;
}

/** The text report: a block per run, then what could not be read. */
export function logReportLines(log: LogReport): string[] {
  const lines = log.runs.flatMap((report) => runLines(report, log.runs.length));
  if (log.skipped > 0) {
    lines.push(
      `${log.skipped} line(s) could not be read and were skipped; the first is line ${log.firstSkipped}`,
    );
  }
  return lines;
}

/** `run 2 of 3: ping MyServer port 10933 (text, from line 57)`. */
export function runTitle(run: LoggedRun, runs: number): string {
  const what = run.command === "pong" ? "pong" : "ping";
  const target = printable(run.target ?? "an unnamed target");
  return `run ${run.number} of ${runs}: ${what} ${target} ` +
    `(${run.format === "json" ? "JSON lines" : "text"}, from line ${run.firstLine})`;
}

function runLines(report: RunReport, runs: number): string[] {
  const { run, summary } = report;
  const lines = [runTitle(run, runs)];
  if (run.command === "pong") {
    lines.push(`${plural(run.connections, "connection")}; report charts ping runs only`, "");
    return lines;
  }
  lines.push(...aboutLines(report), ...summaryLines(summary, printable(run.target ?? "the log")));
  lines.push("");
  return lines;
}

/** `addresses`, or through a proxy `addresses of the proxy http://...`: they are the proxy's. */
export function addressesLabel(run: LoggedRun): string {
  return run.proxy ? `addresses of the proxy ${run.proxy}` : "addresses";
}

/** Header, span, addresses, who answered, certificates: one line each (certificates three). */
export function aboutLines({ run, summary, from, to }: RunReport): string[] {
  const lines: string[] = [];
  if (run.version || run.machine) {
    lines.push(
      `machine: ${printable(run.machine ?? "not in the log")}` +
        (run.version ? `; written by OctoPing ${printable(run.version)}` : ""),
    );
  }
  if (run.commandLine) lines.push(`command line: ${printable(run.commandLine, 400)}`);
  if (run.started) lines.push(`started: ${printable(run.started)}`);
  lines.push(`time span: ${spanText(summary.attempts, from, to)}`);
  const list = (items: string[], more: number) =>
    items.map((item) => printable(item)).join(", ") +
    (more > 0 ? ` and ${formatCount(more)} more` : "");
  if (run.addresses.items.length > 0) {
    lines.push(
      `${printable(addressesLabel(run))}: ${list(run.addresses.items, run.addresses.more)}`,
    );
  }
  if (run.peers.items.length > 0) {
    lines.push(`answered by: ${list(run.peers.items, run.peers.more)}`);
  }
  for (const certificate of run.certificates.items) {
    const when = certificate.changed && certificate.time
      ? ` at ${formatTimestamp(certificate.time)}`
      : "";
    lines.push(
      `certificate${certificate.changed ? " changed" : ""}${when}: ${printable(certificate.name)}`,
    );
    if (certificate.sha1) {
      lines.push(
        `${INDENT}thumbprint: ${printable(certificate.sha1)} (SHA-1); SHA-256: ${
          printable(certificate.sha256 ?? "not in the log")
        }`,
      );
    }
    if (certificate.detail) lines.push(`${INDENT}${printable(certificate.detail)}`);
  }
  if (run.certificates.more > 0) {
    lines.push(`... and ${plural(run.certificates.more, "more certificate")} not listed`);
  }
  if (run.certificateChanges > 0) {
    lines.push(`the certificate changed ${plural(run.certificateChanges, "time")} in this run`);
  }
  return lines;
}

/** `2026-11-27T13:40:00.123Z to 2026-11-27T13:41:00.456Z (1 min 0 s)`. */
export function spanText(attempts: number, from?: Date, to?: Date): string {
  if (attempts === 0) return "no attempts";
  if (!from || !to) return `${plural(attempts, "attempt")}, the log has no times`;
  // Text logs have whole seconds: milliseconds there would claim a precision they lack.
  const precise = from.getUTCMilliseconds() !== 0 || to.getUTCMilliseconds() !== 0;
  const show = (time: Date) => precise ? time.toISOString() : formatTimestamp(time);
  return `${show(from)} to ${show(to)} (${duration(to.getTime() - from.getTime(), precise)})`;
}

function duration(ms: number, precise: boolean): string {
  if (ms < 1000) return precise ? `${Math.round(ms)} ms` : "under a second";
  const s = Math.round(ms / 1000);
  const parts: [number, string][] = [
    [Math.floor(s / 86_400), "d"],
    [Math.floor(s / 3600) % 24, "h"],
    [Math.floor(s / 60) % 60, "min"],
    [s % 60, "s"],
  ];
  const first = parts.findIndex(([value]) => value > 0);
  return parts.slice(first, first + 2).map(([value, unit]) => `${value} ${unit}`).join(" ");
}

/** A fleet report's table row for `target`: named with its machine when there are several. */
export function fleetRow(target: TargetReport, machines: number): FleetRow {
  const latency = target.summary.latency;
  return {
    name: machines > 1 ? `${target.target} from ${target.machine}` : target.target,
    attempts: target.summary.attempts,
    failed: target.summary.failed,
    median: latency?.median,
    p95: latency?.p95,
    lastCause: target.lastCause,
  };
}

/** Worst first, as the fleet table orders its rows. */
export function worstTargetFirst(a: TargetReport, b: TargetReport): number {
  return worstFirst(fleetRow(a, 1), fleetRow(b, 1)) || a.machine.localeCompare(b.machine);
}

/** What a report says before its table: logs skipped, lines unread. */
export function fleetNotes(report: FleetReport): string[] {
  return [
    ...report.skipped.map(({ source, why }) => `${printable(source)} skipped: ${why}`),
    ...report.unread.map(({ source, lines, first }) =>
      `${printable(source)}: ${plural(lines, "line")} could not be read and ` +
      `${lines === 1 ? "was" : "were"} skipped; the first is line ${first}`
    ),
  ];
}

/**
 * The text report over several logs or targets: the fleet table worst first,
 * the failing targets, then each target's figures with the runs they came from.
 */
export function fleetReportLines(report: FleetReport): string[] {
  const { targets, machines, sources } = report;
  const span = spanText(
    targets.reduce((sum, target) => sum + target.summary.attempts, 0),
    report.from === undefined ? undefined : new Date(report.from),
    report.to === undefined ? undefined : new Date(report.to),
  );
  const lines = [
    `report of ${plural(sources.length, "log")}: ${plural(targets.length, "target")} from ` +
    `${plural(machines, "machine")}; ${span}`,
    ...fleetNotes(report).map((note) => `note: ${note}`),
    `--- ${plural(targets.length, "target")}, worst first ---`,
  ];
  const rows = targets.map((target) => fleetRow(target, machines));
  lines.push(...fleetTableLines(rows), failingLine(rows), "");
  for (const target of targets) {
    const name = printable(target.target);
    lines.push(
      `=== ${name} from ${printable(target.machine)} ===`,
      ...summaryLines(target.summary, name).slice(1),
    );
    for (const part of target.runs) {
      const { run, summary } = part;
      lines.push(
        `${INDENT}${printable(part.source)} run ${run.number} (${
          run.format === "json" ? "JSON lines" : "text"
        }, from line ${run.firstLine}): ${
          spanText(
            summary.attempts,
            part.from === undefined ? undefined : new Date(part.from),
            part.to === undefined ? undefined : new Date(part.to),
          )
        }; ${formatCount(summary.failed)} of ${plural(summary.attempts, "attempt")} failed`,
      );
    }
    lines.push("");
  }
  return lines;
}
