/**
 * `report` over several logs, or a fleet's log: attempts grouped by the
 * machine that made them and the target they went to, each group with the
 * runs it came from, worst first. Two streaming passes over every log (the
 * second only for the page's charts), and a fixed budget per target:
 * compact statistics and {@linkcode CHART_BUCKETS} time slices, whatever the
 * logs' length.
 *
 * @module
 */
import type { Cause } from "../connection/failure.ts";
import { COMPACT_DIGITS, RunStatistics, type RunSummary } from "../stats/run_statistics.ts";
import { logAttempts } from "./analyse.ts";
import { type LoggedAttempt, LogParser } from "./parse.ts";
import { type LoggedRun, machineName } from "./run.ts";

/** One run's part of a target's attempts. */
export interface TargetLogRun {
  /** The log it is in. */
  source: string;
  run: LoggedRun;
  summary: RunSummary;
  /** Its first and last attempt, epoch ms; absent when the log has no times. */
  from?: number;
  to?: number;
}

/** A target's attempts from one machine, over every log given. */
export interface TargetReport {
  machine: string;
  target: string;
  summary: RunSummary;
  /** The cause of its latest failure. */
  lastCause?: Cause;
  runs: TargetLogRun[];
  /** Per time slice of the whole report (the page's charts), when the logs have times. */
  chart?: TargetChart;
}

/** A target's attempts in each of the report's time slices. */
export interface TargetChart {
  attempts: Uint32Array;
  failures: Uint32Array;
  /** Average latency of the slice's successful attempts, ms; NaN where none succeeded. */
  latency: Float64Array;
}

/** A log given that holds no ping attempts, and why. */
export interface SkippedLog {
  source: string;
  why: string;
}

/** What `report` shows for several logs or targets. */
export interface FleetReport {
  sources: string[];
  /** Worst first. */
  targets: TargetReport[];
  /** How many machines the attempts came from. */
  machines: number;
  /** Logs that held no ping attempts. */
  skipped: SkippedLog[];
  /** Lines that could not be read, per log. */
  unread: { source: string; lines: number; first: number }[];
  /** The report's span, epoch ms, when any attempt had a time. */
  from?: number;
  to?: number;
}

/** The page's charts split the report's span into this many slices: a few KB per target. */
export const CHART_BUCKETS = 96;

interface Tally {
  statistics: RunStatistics;
  from: number;
  to: number;
}

function tally(): Tally {
  return { statistics: new RunStatistics(COMPACT_DIGITS), from: Infinity, to: -Infinity };
}

function count(into: Tally, attempt: LoggedAttempt): void {
  into.statistics.record(attempt);
  const time = attempt.time?.getTime();
  if (time === undefined) return;
  into.from = Math.min(into.from, time);
  into.to = Math.max(into.to, time);
}

/** What a tally comes to: figures, and a span when the attempts had times. */
function summed(whole: Tally): { summary: RunSummary; from?: number; to?: number } {
  const summary = whole.statistics.summary();
  return whole.from <= whole.to ? { summary, from: whole.from, to: whole.to } : { summary };
}

interface Group {
  machine: string;
  target: string;
  lastCause?: Cause;
  whole: Tally;
  /** By log and run number. */
  runs: Map<string, { source: string; run: LoggedRun; whole: Tally }>;
}

/** Whose attempt it is: the machine that made it and the target it went to. */
function groupKey(attempt: LoggedAttempt, run: LoggedRun | undefined): [string, string] {
  return [machineName(run), attempt.target ?? run?.target ?? "an unnamed target"];
}

/**
 * Reads every log in `sources`: each target's figures, per machine, in
 * `order`; with `charts`, a second pass fills each target's time slices.
 * `whyEmpty` says why a log with no ping attempts has none.
 */
export async function reportFleet(
  sources: readonly string[],
  charts: boolean,
  whyEmpty: (runs: LoggedRun[], skippedLines: number, source: string) => string,
  order: (a: TargetReport, b: TargetReport) => number,
): Promise<FleetReport> {
  const groups = new Map<string, Group>();
  const report: FleetReport = {
    sources: [...sources],
    targets: [],
    machines: 0,
    skipped: [],
    unread: [],
  };
  const all = tally();
  for (const [index, source] of sources.entries()) {
    const parser = new LogParser();
    let attempts = 0;
    for await (const attempt of logAttempts(source, parser)) {
      attempts++;
      const run = parser.runs[attempt.run - 1];
      const [machine, target] = groupKey(attempt, run);
      const key = `${machine}\0${target}`;
      let group = groups.get(key);
      if (!group) groups.set(key, group = { machine, target, whole: tally(), runs: new Map() });
      count(group.whole, attempt);
      count(all, attempt);
      if (!attempt.ok) group.lastCause = attempt.cause;
      const runKey = `${index}\0${attempt.run}`;
      let part = group.runs.get(runKey);
      if (!part) group.runs.set(runKey, part = { source, run, whole: tally() });
      count(part.whole, attempt);
    }
    if (attempts === 0) {
      report.skipped.push({ source, why: whyEmpty(parser.runs, parser.skipped, source) });
    } else if (parser.skipped > 0) {
      report.unread.push({ source, lines: parser.skipped, first: parser.firstSkipped! });
    }
  }
  if (all.from <= all.to) [report.from, report.to] = [all.from, all.to];
  report.targets = [...groups.values()].map(({ machine, target, lastCause, whole, runs }) => ({
    machine,
    target,
    lastCause,
    summary: whole.statistics.summary(),
    runs: [...runs.values()].map(({ source, run, whole }) => ({ source, run, ...summed(whole) })),
  })).sort(order);
  report.machines = new Set(report.targets.map((target) => target.machine)).size;
  if (charts && report.from !== undefined) await fillCharts(report);
  return report;
}

/** The second pass: each target's attempts into the report's time slices. */
async function fillCharts(report: FleetReport): Promise<void> {
  const byKey = new Map<string, TargetReport>();
  for (const target of report.targets) byKey.set(`${target.machine}\0${target.target}`, target);
  const sums = new Map<TargetReport, Float64Array>();
  const width = Math.max(1, (report.to! - report.from!) / CHART_BUCKETS);
  for (const source of report.sources) {
    const parser = new LogParser();
    for await (const attempt of logAttempts(source, parser)) {
      if (!attempt.time) continue;
      const target = byKey.get(groupKey(attempt, parser.runs[attempt.run - 1]).join("\0"));
      if (!target) continue;
      const chart = target.chart ??= {
        attempts: new Uint32Array(CHART_BUCKETS),
        failures: new Uint32Array(CHART_BUCKETS),
        latency: new Float64Array(CHART_BUCKETS),
      };
      let sum = sums.get(target);
      if (!sum) sums.set(target, sum = new Float64Array(CHART_BUCKETS));
      const slice = Math.floor((attempt.time.getTime() - report.from!) / width);
      const i = Math.min(CHART_BUCKETS - 1, slice);
      chart.attempts[i]++;
      if (!attempt.ok) chart.failures[i]++;
      else sum[i] += attempt.ms;
    }
  }
  for (const [target, sum] of sums) {
    const { attempts, failures, latency } = target.chart!;
    for (let i = 0; i < CHART_BUCKETS; i++) {
      const ok = attempts[i] - failures[i];
      latency[i] = ok > 0 ? sum[i] / ok : NaN;
    }
  }
}
