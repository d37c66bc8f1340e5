/**
 * Turning a log into what a report shows: the end-of-run figures (the same
 * statistics as a live run), latency over time in buckets, a latency
 * histogram, throughput, and where failures cluster. Two streaming passes
 * over the file, so a week-long log needs no more memory than a short one.
 *
 * @module
 */
import type { Cause } from "../ping/failure.ts";
import { RunStatistics, type RunSummary } from "../stats/run_statistics.ts";
import { readLines } from "./lines.ts";
import { type LoggedAttempt, type LogMeta, LogParser } from "./parse.ts";

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
}

/** Most failures in a short stretch of the run. */
export interface Cluster {
  failures: number;
  ofFailures: number;
  from: number;
  to: number;
}

/** Everything a report shows. */
export interface LogAnalysis {
  meta: LogMeta;
  summary: RunSummary;
  skipped: number;
  firstSkipped?: number;
  /** Whether buckets are by time (epoch ms) or by attempt number. */
  byTime: boolean;
  buckets: Bucket[];
  histogram: { from: number; to: number; count: number }[];
  cluster?: Cluster;
}

/** At most this many buckets: a week-long run still draws quickly. */
const BUCKETS = 600;
const HISTOGRAM_BINS = 30;

/** Reads the log at `path` once: the statistics only (for the text report). */
export async function summarise(
  path: string,
): Promise<Pick<LogAnalysis, "meta" | "summary" | "skipped" | "firstSkipped">> {
  const parser = new LogParser();
  const statistics = new RunStatistics();
  for await (const attempt of attempts(path, parser)) {
    statistics.record(attempt);
  }
  return {
    meta: parser.meta,
    summary: statistics.summary(),
    skipped: parser.skipped,
    firstSkipped: parser.firstSkipped,
  };
}

/** Reads the log at `path` twice: statistics and span, then buckets and histogram. */
export async function analyse(path: string): Promise<LogAnalysis> {
  const first = await summarise(path);
  let count = 0;
  let byTime = true;
  let start = Infinity;
  let end = -Infinity;
  for await (const attempt of attempts(path, new LogParser())) {
    count++;
    if (!attempt.time) byTime = false;
    else {
      start = Math.min(start, attempt.time.getTime());
      end = Math.max(end, attempt.time.getTime());
    }
  }
  if (!byTime || count === 0) [start, end] = [1, Math.max(1, count)];
  const n = Math.max(1, Math.min(BUCKETS, count));
  const width = Math.max(1, (end - start) / n);
  const buckets: (Bucket & { sum: number; successes: number; rates: number; rateSum: number })[] =
    Array.from({ length: n }, (_, i) => ({
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
  const latency = first.summary.latency;
  const low = Math.max(0.1, latency?.min ?? 1);
  const high = Math.max(low * 1.01, latency?.max ?? 1);
  const ratio = Math.log(high / low) / HISTOGRAM_BINS;
  const histogram = Array.from({ length: HISTOGRAM_BINS }, (_, i) => ({
    from: low * Math.exp(i * ratio),
    to: low * Math.exp((i + 1) * ratio),
    count: 0,
  }));
  let index = 0;
  for await (const attempt of attempts(path, new LogParser())) {
    index++;
    const x = byTime ? attempt.time!.getTime() : index;
    const bucket = buckets[Math.min(n - 1, Math.max(0, Math.floor((x - start) / width)))];
    bucket.attempts++;
    bucket.only = bucket.attempts === 1 ? attempt : undefined;
    if (!attempt.ok) {
      bucket.failures++;
      const cause = attempt.cause ?? "other";
      bucket.byCause[cause] = (bucket.byCause[cause] ?? 0) + 1;
      continue;
    }
    bucket.successes++;
    bucket.sum += attempt.ms;
    bucket.latency = {
      min: Math.min(bucket.latency?.min ?? Infinity, attempt.ms),
      avg: 0,
      max: Math.max(bucket.latency?.max ?? 0, attempt.ms),
    };
    if (attempt.dataBytes > 0 && attempt.ms > 0) {
      bucket.rates++;
      bucket.rateSum += attempt.dataBytes / 1_048_576 / (attempt.ms / 1000);
    }
    const bin = Math.floor(Math.log(Math.max(low, attempt.ms) / low) / ratio);
    histogram[Math.min(HISTOGRAM_BINS - 1, Math.max(0, bin))].count++;
  }
  const done: Bucket[] = buckets.map(({ sum, successes, rates, rateSum, ...bucket }) => ({
    ...bucket,
    latency: bucket.latency && { ...bucket.latency, avg: sum / successes },
    rate: rates > 0 ? rateSum / rates : undefined,
  }));
  return { ...first, byTime, buckets: done, histogram, cluster: findCluster(done) };
}

/**
 * The shortest stretch holding at least 80 % of the failures, when there are
 * enough failures to speak of and the stretch is under a quarter of the run.
 */
export function findCluster(buckets: Bucket[]): Cluster | undefined {
  const total = buckets.reduce((sum, bucket) => sum + bucket.failures, 0);
  if (total < 5) return undefined;
  const needed = Math.ceil(total * 0.8);
  let best: [number, number, number] | undefined;
  let sum = 0;
  for (let left = 0, right = 0; right < buckets.length; right++) {
    sum += buckets[right].failures;
    while (sum - buckets[left].failures >= needed) sum -= buckets[left++].failures;
    if (sum >= needed && (!best || right - left < best[1] - best[0])) best = [left, right, sum];
  }
  if (!best || (best[1] - best[0] + 1) > buckets.length / 4) return undefined;
  return {
    failures: best[2],
    ofFailures: total,
    from: buckets[best[0]].from,
    to: buckets[best[1]].to,
  };
}

async function* attempts(path: string, parser: LogParser): AsyncGenerator<LoggedAttempt> {
  for await (const [line, number] of readLines(path)) yield* parser.push(line, number);
  yield* parser.end();
}
