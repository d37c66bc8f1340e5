/** src/stats/run_statistics.ts: the end-of-run figures, exact where they can be, bounded in memory. */
import assert from "node:assert/strict";
import { formatPercent } from "../src/reporters/ping_text.ts";
import { type AttemptSample, RunStatistics } from "../src/stats/run_statistics.ts";

const MB = 1_048_576;
const at = (second: number) => new Date(Date.UTC(2026, 10, 23, 19, 30, second));

function run(samples: AttemptSample[]) {
  const statistics = new RunStatistics();
  for (const sample of samples) statistics.record(sample);
  return statistics.summary();
}

const ok = (second: number, ms: number, dataBytes = 0): AttemptSample => ({
  time: at(second),
  ok: true,
  ms,
  dataBytes,
});
const failed = (second: number, cause: AttemptSample["cause"]): AttemptSample => ({
  time: at(second),
  ok: false,
  ms: 30_000,
  cause,
  dataBytes: 0,
});

Deno.test("counts, loss and failures by cause, most frequent first", () => {
  const summary = run([
    ok(0, 10),
    failed(1, "refused"),
    failed(2, "timeout"),
    failed(3, "timeout"),
    ok(4, 20),
  ]);
  assert.equal(summary.attempts, 5);
  assert.equal(summary.succeeded, 2);
  assert.equal(summary.failed, 3);
  assert.equal(summary.lossPercent, 60);
  assert.deepEqual(summary.byCause, [["timeout", 2], ["refused", 1]]);
});

Deno.test("latency of the successful attempts only: min, avg, median, p95, p99, max, jitter", () => {
  // 1..100 ms and one failure, which must not count.
  const samples = Array.from({ length: 100 }, (_, i) => ok(i, i + 1));
  samples.push(failed(100, "reset"));
  const latency = run(samples).latency!;
  assert.equal(latency.min, 1);
  assert.equal(latency.max, 100);
  assert.equal(latency.avg, 50.5);
  // The histogram keeps 3 significant digits.
  assert.ok(Math.abs(latency.median - 50) <= 0.05, `median ${latency.median}`);
  assert.ok(Math.abs(latency.p95 - 95) <= 0.1, `p95 ${latency.p95}`);
  assert.ok(Math.abs(latency.p99 - 99) <= 0.1, `p99 ${latency.p99}`);
  // Population standard deviation of 1..100.
  assert.ok(Math.abs(latency.jitter - 28.866) < 0.05, `jitter ${latency.jitter}`);
});

Deno.test("jitter is the spread of latencies, whatever their level", () => {
  assert.equal(run([ok(0, 100), ok(1, 100), ok(2, 100), ok(3, 100)]).latency!.jitter, 0);
  const jitter = run([ok(0, 200), ok(1, 201), ok(2, 202), ok(3, 203)]).latency!.jitter;
  assert.ok(Math.abs(jitter - 1.118) < 0.01, `jitter ${jitter}`);
});

Deno.test("percentiles never pass the exact minimum and maximum", () => {
  const latency = run([ok(0, 3.9), ok(1, 4.2), ok(2, 41.04)]).latency!;
  assert.ok(latency.p95 <= latency.max && latency.p99 <= latency.max, JSON.stringify(latency));
  assert.ok(latency.median >= latency.min);
});

Deno.test("the longest run of consecutive failures, with its start and end", () => {
  const summary = run([
    failed(0, "timeout"),
    ok(1, 5),
    failed(2, "reset"),
    failed(3, "reset"),
    failed(4, "timeout"),
    ok(5, 5),
    failed(6, "reset"),
    failed(7, "reset"),
  ]);
  assert.deepEqual(summary.longestFailureRun, { count: 3, start: at(2), end: at(4) });
});

Deno.test("no success: no latency; no failure: no failure run", () => {
  const none = run([failed(0, "dns")]);
  assert.equal(none.latency, undefined);
  assert.equal(none.lossPercent, 100);
  const all = run([ok(0, 1)]);
  assert.equal(all.longestFailureRun, undefined);
  assert.deepEqual(all.byCause, []);
  assert.equal(run([]).lossPercent, 0);
});

Deno.test("throughput in MB/s over the successful data-mode attempts", () => {
  const summary = run([ok(0, 1000, 100 * MB), ok(1, 2000, 100 * MB), ok(2, 500, 100 * MB)]);
  assert.deepEqual(summary.throughput, { min: 50, avg: (100 + 50 + 200) / 3, max: 200 });
  assert.equal(run([ok(0, 10)]).throughput, undefined);
});

Deno.test("memory stays bounded: a week of attempts keeps no samples", () => {
  const statistics = new RunStatistics();
  const before = Deno.memoryUsage().heapUsed;
  for (let i = 0; i < 1_209_600; i++) statistics.record(ok(i % 60, 1 + (i % 5000) / 10)); // 2/s for a week
  const grown = Deno.memoryUsage().heapUsed - before;
  assert.equal(statistics.summary().attempts, 1_209_600);
  assert.ok(grown < 20 * MB, `heap grew by ${grown} bytes`);
});

Deno.test("a small loss is never shown as 0 %, a large one never as 100 %", () => {
  assert.equal(formatPercent(0), "0%");
  assert.equal(formatPercent(541 / 1_209_600 * 100), "0.045%");
  assert.equal(formatPercent(12.34), "12.3%");
  assert.equal(formatPercent(99.99), "99.9%");
  assert.equal(formatPercent(100), "100%");
});
