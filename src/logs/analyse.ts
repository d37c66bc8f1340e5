/**
 * Turning a log into what a report shows: the end-of-run figures (the same
 * statistics as a live run), latency over time in buckets, a latency
 * histogram, throughput, and where failures cluster - for each run the log
 * holds. Two streaming passes over the file, so a week-long log needs no more
 * memory than a short one.
 *
 * @module
 */
import type { Cause } from "../connection/failure.ts";
import { RunStatistics, type RunSummary, sampleRate } from "../stats/run_statistics.ts";
import { readLines } from "./lines.ts";
import { type LoggedAttempt, LogParser } from "./parse.ts";
import type { LoggedRun } from "./run.ts";

/** A slice of the run: a time span, or a range of attempt numbers in logs without times. */
export interface Bucket {
  /** Start and end: epoch ms, or attempt numbers. */
  from: number;
  to: number;
  attempts: number;
  failures: number;
  byCause: Partial<Record<Cause, number>>;
  /** Latency of the bucket's successful attempts, ms. */
  latency?: { min: number; avg: number; max: number };
  /** Average MB/s of its successful data-mode attempts. */
  rate?: number;
  /** The attempt itself, when the bucket holds just one. */
  only?: LoggedAttempt;
  /** Where its first and last failure fall (epoch ms, or attempt numbers). */
  firstFailure?: number;
  lastFailure?: number;
}

/** Most failures in a short stretch of the run. */
export interface Cluster {
  failures: number;
  ofFailures: number;
  /** Its first and last failure: epoch ms, or attempt numbers. */
  from: number;
  to: number;
}

/** A run's statistics and span: what the text report shows of it. */
export interface RunReport {
  run: LoggedRun;
  summary: RunSummary;
  /** The first and last attempt's times, when every attempt has a time. */
  from?: Date;
  to?: Date;
  /** Every time was logged to the whole second: then a chart spreads each second's attempts. */
  wholeSeconds: boolean;
}

/** Everything a run's part of the page shows. */
export interface RunAnalysis extends RunReport {
  /**
   * Whether buckets are by time (epoch ms) or by attempt number: when the log has no times,
   * or all attempts share one (a short text log, in whole seconds).
   */
  byTime: boolean;
  buckets: Bucket[];
  histogram: { from: number; to: number; count: number }[];
  cluster?: Cluster;
}

/** The runs in a log, and its lines that could not be read. */
export interface LogReport<T extends RunReport = RunReport> {
  runs: T[];
  skipped: number;
  firstSkipped?: number;
}

/** Everything the page shows. */
export type LogAnalysis = LogReport<RunAnalysis>;

/** At most this many buckets: a week-long run still draws quickly; fewer attempts get one each. */
const BUCKETS = 600;
const HISTOGRAM_BINS = 30;

/** Reads the log at `path` once: each run's statistics and span (for the text report). */
export async function summarise(path: string): Promise<LogReport> {
  const parser = new LogParser();
  const tallies = new Map<
    number,
    {
      statistics: RunStatistics;
      byTime: boolean;
      wholeSeconds: boolean;
      from: number;
      to: number;
    }
  >();
  for await (const attempt of logAttempts(path, parser)) {
    let tally = tallies.get(attempt.run);
    if (!tally) {
      tally = {
        statistics: new RunStatistics(),
        byTime: true,
        wholeSeconds: true,
        from: Infinity,
        to: -Infinity,
      };
      tallies.set(attempt.run, tally);
    }
    tally.statistics.record(attempt);
    tally.wholeSeconds &&= attempt.wholeSecond;
    if (!attempt.time) tally.byTime = false;
    else {
      tally.from = Math.min(tally.from, attempt.time.getTime());
      tally.to = Math.max(tally.to, attempt.time.getTime());
    }
  }
  const none = new RunStatistics().summary();
  const runs = parser.runs.map((run): RunReport => {
    const tally = tallies.get(run.number);
    if (!tally) return { run, summary: none, wholeSeconds: false };
    const timed = tally.byTime && tally.from <= tally.to;
    return {
      run,
      summary: tally.statistics.summary(),
      from: timed ? new Date(tally.from) : undefined,
      to: timed ? new Date(tally.to) : undefined,
      wholeSeconds: timed && tally.wholeSeconds,
    };
  });
  return { runs, skipped: parser.skipped, firstSkipped: parser.firstSkipped };
}

type Tally = Bucket & { sum: number; successes: number; rates: number; rateSum: number };

/** Reads the log at `path` twice: statistics and spans, then each run's buckets and histogram. */
export async function analyse(path: string): Promise<LogAnalysis> {
  const first = await summarise(path);
  const charts = new Map(first.runs.map((report) => [report.run.number, chartFor(report)]));
  for await (const [attempt, at] of placed(logAttempts(path, new LogParser()))) {
    charts.get(attempt.run)?.add(attempt, at);
  }
  return {
    ...first,
    runs: first.runs.map((report) => ({ ...report, ...charts.get(report.run.number)!.done() })),
  };
}

/** Empty buckets and histogram bins for `report`'s run, and how an attempt fills them. */
function chartFor(report: RunReport) {
  const count = report.summary.attempts;
  const byTime = report.from !== undefined && (report.from < report.to! || count === 1);
  // A whole-second log's last second holds attempts up to its end.
  const [start, end] = byTime
    ? [report.from!.getTime(), report.to!.getTime() + (report.wholeSeconds ? 1000 : 0)]
    : [1, Math.max(1, count)];
  const n = Math.max(1, Math.min(BUCKETS, count));
  // Few attempts are drawn one by one, each at its own time: equal time slices would lump them.
  const perAttempt = count <= BUCKETS;
  const width = Math.max(1, (end - start) / n);
  const buckets: Tally[] = Array.from({ length: n }, (_, i) => ({
    from: start + i * width,
    to: start + (i + 1) * width,
    attempts: 0,
    failures: 0,
    byCause: {},
    sum: 0,
    successes: 0,
    rates: 0,
    rateSum: 0,
  }));
  const latency = report.summary.latency;
  const low = Math.max(0.1, latency?.min ?? 1);
  const high = Math.max(low * 1.01, latency?.max ?? 1);
  const ratio = Math.log(high / low) / HISTOGRAM_BINS;
  const histogram = Array.from({ length: HISTOGRAM_BINS }, (_, i) => ({
    from: low * Math.exp(i * ratio),
    to: low * Math.exp((i + 1) * ratio),
    count: 0,
  }));
  let index = 0;
  return {
    /** Counts `attempt`, at `at` on the time axis (epoch ms) when the run is drawn by time. */
    add(attempt: LoggedAttempt, at: number | undefined): void {
      index++;
      const x = byTime ? at! : index;
      const bucket = perAttempt
        ? Object.assign(buckets[index - 1], { from: x, to: x })
        : buckets[Math.min(n - 1, Math.max(0, Math.floor((x - start) / width)))];
      bucket.attempts++;
      bucket.only = bucket.attempts === 1 ? attempt : undefined;
      if (!attempt.ok) {
        bucket.failures++;
        bucket.firstFailure ??= x;
        bucket.lastFailure = x;
        const cause = attempt.cause ?? "other";
        bucket.byCause[cause] = (bucket.byCause[cause] ?? 0) + 1;
        return;
      }
      bucket.successes++;
      bucket.sum += attempt.ms;
      bucket.latency = {
        min: Math.min(bucket.latency?.min ?? Infinity, attempt.ms),
        avg: 0,
        max: Math.max(bucket.latency?.max ?? 0, attempt.ms),
      };
      const rate = sampleRate(attempt);
      if (rate !== undefined) {
        bucket.rates++;
        bucket.rateSum += rate;
      }
      const bin = Math.floor(Math.log(Math.max(low, attempt.ms) / low) / ratio);
      histogram[Math.min(HISTOGRAM_BINS - 1, Math.max(0, bin))].count++;
    },
    done(): Pick<RunAnalysis, "byTime" | "buckets" | "histogram" | "cluster"> {
      const done: Bucket[] = buckets.map(({ sum, successes, rates, rateSum, ...bucket }) => ({
        ...bucket,
        latency: bucket.latency && { ...bucket.latency, avg: sum / successes },
        rate: rates > 0 ? rateSum / rates : undefined,
      }));
      return { byTime, buckets: done, histogram, cluster: findCluster(done) };
    },
  };
}

/**
 * Where failures bunch: the shortest stretch holding at least 80 % of them,
 * widened over the buckets beside it that failed too, so that it counts every
 * failure between its first and its last (a burst is called out whole). Only
 * when there are enough failures to speak of and the stretch is under a
 * quarter of the run.
 */
export function findCluster(buckets: Bucket[]): Cluster | undefined {
  const total = buckets.reduce((sum, bucket) => sum + bucket.failures, 0);
  if (total < 5) return undefined;
  const needed = Math.ceil(total * 0.8);
  let best: [number, number] | undefined;
  let sum = 0;
  for (let left = 0, right = 0; right < buckets.length; right++) {
    sum += buckets[right].failures;
    while (sum - buckets[left].failures >= needed) sum -= buckets[left++].failures;
    if (sum >= needed && (!best || right - left < best[1] - best[0])) best = [left, right];
  }
  if (!best) return undefined;
  let [left, right] = best;
  while (left > 0 && buckets[left - 1].failures > 0) left--;
  while (right < buckets.length - 1 && buckets[right + 1].failures > 0) right++;
  if (right - left + 1 > buckets.length / 4) return undefined;
  const inside = buckets.slice(left, right + 1);
  return {
    failures: inside.reduce((count, bucket) => count + bucket.failures, 0),
    ofFailures: total,
    from: buckets[left].firstFailure ?? buckets[left].from,
    to: buckets[right].lastFailure ?? buckets[right].to,
  };
}

/**
 * Each attempt with where it stands on a time axis (epoch ms; undefined without a time).
 * Attempts logged to the whole second are spread through their second in file order, 8 in
 * one second 125 ms apart, rather than drawn on one spot: the order is all the log tells.
 * Holds one second's attempts at a time.
 */
async function* placed(
  attempts: AsyncIterable<LoggedAttempt>,
): AsyncGenerator<[LoggedAttempt, number | undefined]> {
  let second: LoggedAttempt[] = [];
  function* release(): Generator<[LoggedAttempt, number]> {
    for (const [i, attempt] of second.entries()) {
      yield [attempt, attempt.time!.getTime() + ((i + 0.5) * 1000) / second.length];
    }
    second = [];
  }
  for await (const attempt of attempts) {
    const sameSecond = second.length > 0 && attempt.wholeSecond &&
      attempt.run === second[0].run && attempt.time?.getTime() === second[0].time!.getTime();
    if (!sameSecond) yield* release();
    if (attempt.wholeSecond) second.push(attempt);
    else yield [attempt, attempt.time?.getTime()];
  }
  yield* release();
}

/** The attempts in the log at `path`, as `parser` reads them (its runs fill in as they go). */
export async function* logAttempts(
  path: string,
  parser: LogParser,
): AsyncGenerator<LoggedAttempt> {
  for await (const [line, number] of readLines(path)) yield* parser.push(line, number);
  yield* parser.end();
}
