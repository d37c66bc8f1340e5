/**
 * The text reporters for `ping /hosts=<file>` and `check /hosts=<file>`. Each target's lines are ping's
 * own, prefixed `[name] ` (each hint shown the first time it comes up for
 * that target). To a file or pipe every line goes out, then the final table;
 * on a console a live table is redrawn in place instead, a screenful, worst
 * first, and the lines go to the log file alone. Either way the run ends with
 * the table and one line naming the failing targets.
 *
 * @module
 */
import type { CheckEvent } from "../check/result.ts";
import type { FleetOptions, FleetTarget } from "../options/options.ts";
import type { FleetCheckEvent } from "../fleet/check_fleet.ts";
import type { FleetPingEvent, TargetRun } from "../fleet/ping_fleet.ts";
import type { PingEvent } from "../ping/events.ts";
import { blockingLine, checkTableLines, worstCheckFirst } from "./check_table.ts";
import { checkTextReporter } from "./check_text.ts";
import { PROGRAM, VERSION } from "../version.ts";
import type { LineWriter, Output, Style } from "../output/console.ts";
import { failingLine, type FleetRow, fleetTableLines, worstFirst } from "./fleet_table.ts";
import { formatCount, formatMs, formatTimestamp, plural } from "../format.ts";
import { pingTextReporter } from "./ping_text.ts";

/** The console's size, when output is one. */
export interface Screen {
  rows: number;
  columns: number;
}

/** Where the fleet's text goes: the record, and its log file alone. */
export interface FleetOutput extends Output {
  fileLine: LineWriter;
}

/** The live table is redrawn at most this often. */
const REDRAW_MS = 1000;
/** Lines of the live board that are not rows: title, heading, the rest's summary, a spare. */
const BOARD_CHROME = 4;

/**
 * Makes a reporter for a fleet's ping. With `screen` (stdout is a console
 * that can redraw), the live table; otherwise every target's lines.
 */
export function pingFleetTextReporter(
  output: FleetOutput,
  style: Style,
  screen?: Screen,
): (event: FleetPingEvent) => void {
  const live = screen !== undefined && output.board !== undefined;
  const targetLine = live ? output.fileLine : output.line;
  const reporters = new Map<TargetRun, (event: PingEvent) => void>();
  let runs: readonly TargetRun[] = [];
  let waited = false;
  let intervalMs = 0;
  let drawnAt = 0;
  const reporter = (run: TargetRun) => {
    let report = reporters.get(run);
    if (!report) {
      const prefix = `[${run.target.name}] `;
      report = pingTextReporter({ line: (text) => targetLine(prefix + text) }, style);
      reporters.set(run, report);
    }
    return report;
  };
  return (event) => {
    switch (event.type) {
      case "start":
        runs = event.runs;
        intervalMs = event.options.intervalMs;
        output.line(banner("pinging", runs.length, event.fleet));
        break;
      case "waiting":
        waited = true;
        output.line(
          `note: waiting - /parallel=${event.parallel} keeps targets waiting for a connection: ` +
            "their attempts start later than /interval says; each target's summary gives its " +
            "effective interval",
        );
        break;
      case "ping": {
        reporter(event.run)(event.event);
        if (event.event.type === "end") {
          const effective = event.run.effectiveIntervalMs;
          if (waited && effective !== undefined) {
            targetLine(
              `[${event.run.target.name}] effective interval: ${formatMs(effective)} ` +
                `(/interval=${intervalMs}, and waits for a free connection)`,
            );
          }
          reporters.delete(event.run);
        }
        const now = performance.now();
        if (live && now - drawnAt >= REDRAW_MS) {
          drawnAt = now;
          output.board!(boardLines(runs, screen!));
        }
        break;
      }
      case "end": {
        output.board?.([]);
        const rows = runs.map(rowOf).sort(worstFirst);
        const bad = rows.some((row) => row.failed > 0);
        table(
          output,
          style,
          runs.length,
          event.interrupted,
          fleetTableLines(rows),
          failingLine(rows),
          bad,
        );
        break;
      }
    }
  };
}

/**
 * Makes a reporter for a fleet's check. Each target's lines are check's own,
 * prefixed `[name] `; on a console (`live`) they go to the log file alone,
 * with a status line counting the targets checked.
 */
export function checkFleetTextReporter(
  output: FleetOutput,
  style: Style,
  live: boolean,
): (event: FleetCheckEvent) => void {
  const showStatus = live && output.status !== undefined;
  const targetLine = showStatus ? output.fileLine : output.line;
  const reporters = new Map<FleetTarget, (event: CheckEvent) => void>();
  let targets = 0;
  let checked = 0;
  let blocking = 0;
  return (event) => {
    switch (event.type) {
      case "start":
        targets = event.targets.length;
        output.line(banner("checking", targets, event.fleet));
        break;
      case "check": {
        let report = reporters.get(event.target);
        if (!report) {
          const prefix = `[${event.target.name}] `;
          report = checkTextReporter((text) => targetLine(prefix + text), style);
          reporters.set(event.target, report);
        }
        report(event.event);
        if (event.event.type !== "check") break;
        reporters.delete(event.target);
        checked++;
        if (event.event.result.verdict === "blocking") blocking++;
        if (showStatus) {
          output.status!(
            `checked ${formatCount(checked)} of ${plural(targets, "target")}, ` +
              `${formatCount(blocking)} blocking. Ctrl+C ends with the table.`,
          );
        }
        break;
      }
      case "end": {
        output.status?.("");
        const checks = [...event.checks].sort(worstCheckFirst);
        const bad = checks.some(({ result }) => result?.verdict === "blocking");
        table(
          output,
          style,
          checks.length,
          event.interrupted,
          checkTableLines(checks),
          blockingLine(checks),
          bad,
        );
        break;
      }
    }
  };
}

/** `OctoPing 0.1.0 - pinging 200 targets from hosts.txt, at most 50 connections at once`. */
function banner(verb: string, targets: number, fleet: FleetOptions): string {
  return `${PROGRAM} ${VERSION} - ${verb} ${plural(targets, "target")} from ` +
    `${fleet.hosts === "-" ? "stdin" : fleet.hosts}, at most ` +
    `${plural(fleet.parallel, "connection")} at once (/parallel)`;
}

/** The run's end: its title, the table, and the line that names what failed. */
function table(
  output: Output,
  style: Style,
  targets: number,
  interrupted: boolean,
  lines: string[],
  last: string,
  bad: boolean,
): void {
  output.line(
    `--- ${plural(targets, "target")}, worst first${
      interrupted ? " (stopped before the end)" : ""
    } ---`,
  );
  lines.forEach((line) => output.line(line));
  output.line(bad ? style.bad(last) : style.good(last));
}

/** The live table: a title, then as many rows as the console has room for. */
function boardLines(runs: readonly TargetRun[], screen: Screen): string[] {
  const attempts = runs.reduce((sum, run) => sum + run.statistics.attempts, 0);
  const failed = runs.reduce((sum, run) => sum + run.statistics.failed, 0);
  const done = runs.filter((run) => run.summary !== undefined).length;
  const time = formatTimestamp(new Date()).slice(11); // the time of day: the date is in the header
  const title = `${time} ${plural(attempts, "attempt")}, ${formatCount(failed)} failed, ` +
    `${formatCount(done)}/${plural(runs.length, "target")} done; Ctrl+C: final table`;
  // Sorted on counts alone (cheap); percentiles are read only for the rows shown.
  const order = runs.map((run) => ({ run, row: countsOf(run) })).sort((a, b) =>
    worstFirst(a.row, b.row)
  );
  const room = Math.max(1, screen.rows - BOARD_CHROME);
  const shown = order.slice(0, room).map(({ run }) => rowOf(run));
  const rest = order.slice(room).map(({ row }) => row);
  const width = Math.max(20, screen.columns - 1);
  return [title, ...fleetTableLines([...shown, ...rest], room)].map((line) => line.slice(0, width));
}

function countsOf(run: TargetRun): FleetRow {
  return {
    name: run.target.name,
    attempts: run.statistics.attempts,
    failed: run.statistics.failed,
    lastCause: run.lastCause,
    cutShort: run.cutShort,
  };
}

function rowOf(run: TargetRun): FleetRow {
  const latency = (run.summary ?? run.statistics.summary()).latency;
  return { ...countsOf(run), median: latency?.median, p95: latency?.p95 };
}
