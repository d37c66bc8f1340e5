/**
 * The end-of-run figures, like ping's statistics: loss, failures by cause,
 * latency percentiles and jitter, the longest run of failures, throughput.
 *
 * Memory stays bounded over a week of attempts: latencies go into an HDR
 * histogram (fixed size: 3 significant digits for one target, about 115 KB; 2
 * for each of a fleet's targets, about 17 KB), everything else is running
 * sums, minima and maxima. No sample is kept.
 *
 * @module
 */
import * as hdr from "hdr-histogram-js";
import { MB } from "../units.ts";
import type { Cause } from "../connection/failure.ts";

/** What the statistics need of one attempt. */
export interface AttemptSample {
  /** Absent for attempts from a log without times. */
  time?: Date;
  ok: boolean;
  /** Duration of the attempt in ms. */
  ms: number;
  cause?: Cause;
  /** Payload bytes moved (data mode), for throughput; 0 otherwise. */
  dataBytes: number;
  /**
   * The ms the payload took to move, handshake left out, for throughput; absent where a log
   * does not say (older logs' rates were over the whole attempt), and `ms` stands for it.
   */
  transferMs?: number;
  /** For a failure: its cause's hint, listed once in the summary. */
  hint?: string;
}

/** A successful data-mode attempt's rate in MB/s; undefined for one that moved no data. */
export function sampleRate(sample: AttemptSample): number | undefined {
  const ms = sample.transferMs ?? sample.ms;
  return sample.dataBytes > 0 && ms > 0 ? sample.dataBytes / MB / (ms / 1000) : undefined;
}

/** A hint given in the run, with the cause it was given for. */
export interface CauseHint {
  cause: Cause;
  hint: string;
}

/** Latency of the successful attempts, in ms. */
export interface LatencySummary {
  min: number;
  avg: number;
  median: number;
  p95: number;
  p99: number;
  max: number;
  /** Standard deviation. */
  jitter: number;
}

/** The end-of-run figures. */
export interface RunSummary {
  attempts: number;
  succeeded: number;
  failed: number;
  /** Failed attempts as a percentage of all. */
  lossPercent: number;
  /** Failures by cause, most frequent first. */
  byCause: [Cause, number][];
  /** Absent when no attempt succeeded. */
  latency?: LatencySummary;
  /** The longest run of consecutive failures; absent when none failed. No times for untimed logs. */
  longestFailureRun?: { count: number; start?: Date; end?: Date };
  /** MB/s of the successful data-mode attempts; absent when no data was sent. */
  throughput?: { min: number; avg: number; max: number };
  /** The failures' hints, each once, in the order they first came (at most {@linkcode HINTS_MAX}). */
  hints: CauseHint[];
}

/** The most distinct hints a summary lists: a run's hints come from a handful of texts. */
export const HINTS_MAX = 16;

/** Microseconds: latencies are recorded as whole µs, from 1 µs to one day. */
const MICROS_PER_MS = 1000;
const DAY_MICROS = 86_400_000_000;

/** Significant digits of a fleet target's latencies: 1 % apart, a fraction of the memory. */
export const COMPACT_DIGITS = 2;

/** Collects attempts one by one and sums them up. */
export class RunStatistics {
  #histogram: hdr.Histogram;
  #attempts = 0;
  #succeeded = 0;
  #byCause = new Map<Cause, number>();
  /** Hint text to its cause, in the order first seen. */
  #hints = new Map<string, Cause>();
  // Welford's running mean and sum of squared deviations: exact jitter in three numbers.
  #latency = { min: Infinity, max: 0, mean: 0, m2: 0 };
  #rate = { min: Infinity, max: 0, sum: 0, count: 0 };
  #run?: { count: number; start?: Date; end?: Date };
  #longestRun?: { count: number; start?: Date; end?: Date };

  /** Percentiles to `digits` significant digits: 3 for one target, {@linkcode COMPACT_DIGITS} for many. */
  constructor(digits: 2 | 3 = 3) {
    this.#histogram = hdr.build({
      lowestDiscernibleValue: 1,
      highestTrackableValue: DAY_MICROS,
      numberOfSignificantValueDigits: digits,
    });
  }

  /** Attempts so far. */
  get attempts(): number {
    return this.#attempts;
  }

  /** Failed attempts so far. */
  get failed(): number {
    return this.#attempts - this.#succeeded;
  }

  /** Adds one attempt. */
  record(sample: AttemptSample): void {
    this.#attempts++;
    if (sample.ok) {
      this.#succeeded++;
      this.#run = undefined;
      this.#histogram.recordValue(
        Math.min(DAY_MICROS, Math.max(1, Math.round(sample.ms * MICROS_PER_MS))),
      );
      this.#latency.min = Math.min(this.#latency.min, sample.ms);
      this.#latency.max = Math.max(this.#latency.max, sample.ms);
      const delta = sample.ms - this.#latency.mean;
      this.#latency.mean += delta / this.#succeeded;
      this.#latency.m2 += delta * (sample.ms - this.#latency.mean);
      const rate = sampleRate(sample);
      if (rate !== undefined) {
        this.#rate.min = Math.min(this.#rate.min, rate);
        this.#rate.max = Math.max(this.#rate.max, rate);
        this.#rate.sum += rate;
        this.#rate.count++;
      }
      return;
    }
    const cause = sample.cause ?? "other";
    this.#byCause.set(cause, (this.#byCause.get(cause) ?? 0) + 1);
    if (
      sample.hint !== undefined && this.#hints.size < HINTS_MAX && !this.#hints.has(sample.hint)
    ) {
      this.#hints.set(sample.hint, cause);
    }
    this.#run = this.#run
      ? { ...this.#run, count: this.#run.count + 1, end: sample.time }
      : { count: 1, start: sample.time, end: sample.time };
    if (!this.#longestRun || this.#run.count > this.#longestRun.count) this.#longestRun = this.#run;
  }

  /** The figures so far. */
  summary(): RunSummary {
    const failed = this.#attempts - this.#succeeded;
    // The histogram reports a bucket's upper edge, which can pass the exact extremes: clamp.
    const fromMicros = (value: number) =>
      Math.min(this.#latency.max, Math.max(this.#latency.min, value / MICROS_PER_MS));
    const summary: RunSummary = {
      attempts: this.#attempts,
      succeeded: this.#succeeded,
      failed,
      lossPercent: this.#attempts ? (failed / this.#attempts) * 100 : 0,
      byCause: [...this.#byCause].sort((a, b) => b[1] - a[1]),
      longestFailureRun: this.#longestRun,
      hints: [...this.#hints].map(([hint, cause]) => ({ cause, hint })),
    };
    if (this.#succeeded > 0) {
      summary.latency = {
        min: this.#latency.min,
        avg: this.#latency.mean,
        median: fromMicros(this.#histogram.getValueAtPercentile(50)),
        p95: fromMicros(this.#histogram.getValueAtPercentile(95)),
        p99: fromMicros(this.#histogram.getValueAtPercentile(99)),
        max: this.#latency.max,
        jitter: Math.sqrt(this.#latency.m2 / this.#succeeded),
      };
    }
    if (this.#rate.count > 0) {
      summary.throughput = {
        min: this.#rate.min,
        avg: this.#rate.sum / this.#rate.count,
        max: this.#rate.max,
      };
    }
    return summary;
  }
}
