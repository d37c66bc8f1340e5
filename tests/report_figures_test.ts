/**
 * `OctoPing report` on a log whose figures are known because it was written by
 * hand: the numbers must be those, not merely the ones the live run printed
 * (both come from the same code, so comparing them proves nothing).
 */
import assert from "node:assert/strict";
import { runOctoPing, tempDir } from "./support/helpers.ts";

const START = Date.parse("2026-11-27T13:40:00Z");
const TARGET = { host: "tentacle.example", port: 10933 };

/** One attempt a second: 20 successes of 10, 20, ... 200 ms, and failures set among them. */
interface Written {
  ok: boolean;
  ms: number;
  cause?: string;
}

/**
 * Successes at 10, 20, ..., 200 ms in a shuffled order; a timeout run of 3 after the 5th
 * attempt, a refusal after the 12th and another after the 19th, so the longest run is the
 * timeouts' (attempts 6 to 8, 13:40:05 to 13:40:07).
 */
function attempts(): Written[] {
  const latencies = [
    70,
    10,
    200,
    40,
    130,
    20,
    190,
    60,
    150,
    100,
    30,
    180,
    90,
    110,
    50,
    170,
    80,
    120,
    160,
    140,
  ];
  const written: Written[] = latencies.map((ms) => ({ ok: true, ms }));
  const failure = (cause: string, ms: number): Written => ({ ok: false, ms, cause });
  written.splice(19, 0, failure("refused", 1));
  written.splice(12, 0, failure("refused", 2));
  written.splice(
    5,
    0,
    failure("timeout", 1000),
    failure("timeout", 1000),
    failure("timeout", 1000),
  );
  return written;
}

const at = (i: number) => new Date(START + i * 1000).toISOString();

function jsonLog(): string {
  const start = {
    type: "start",
    time: at(0),
    version: "0.1.0",
    commandLine: "OctoPing ping /host=tentacle.example /format=json",
    command: "ping",
    target: TARGET,
    options: { count: 25 },
    machine: "here",
    os: "linux",
    deno: "2.9.6",
  };
  const lines = attempts().map((a, i) =>
    JSON.stringify({
      type: "attempt",
      time: at(i),
      seq: i + 1,
      ok: a.ok,
      ms: a.ms,
      cause: a.cause ?? null,
    })
  );
  return [JSON.stringify(start), ...lines].join("\n") + "\n";
}

function textLog(): string {
  const lines = [
    "# OctoPing 0.1.0 ping",
    "# command line: OctoPing ping /host=tentacle.example",
    `# started: ${at(0)}`,
    "# machine: here, linux 6.1.0 (x86_64), Deno 2.9.6",
    "OctoPing 0.1.0 - pinging tentacle.example on port 10933 with TLS",
  ];
  attempts().forEach((a, i) => {
    const stamp = at(i).slice(0, 19) + "Z";
    if (a.ok) {
      lines.push(
        `${stamp} Connect: Success! ${a.ms}ms, 10,283 bytes read (tcp 1, tls 2, first byte 3 ms)`,
      );
    } else {
      lines.push(
        `${stamp} Connect: Failed! ${a.ms}ms; connected: False; SSL: False`,
        "    what the system said",
        `    cause: ${a.cause} - as the live run words it`,
      );
    }
  });
  lines.push("Done: 20 successful connections, 5 failed connections.");
  return lines.join("\r\n") + "\r\n";
}

/** The figures, worked out by hand from {@linkcode attempts}, but for the latency line. */
const EXPECTED = [
  "--- statistics for tentacle.example port 10933 ---",
  "25 attempts: 20 succeeded, 5 failed (20% failed)",
  "failures by cause: timeout 3, refused 2",
  "longest run of failures: 3, from 2026-11-27T13:40:05Z to 2026-11-27T13:40:07Z",
];

/**
 * The latency line's figures by hand: avg (10 + ... + 200) / 20 = 105; median the 10th of
 * 20 = 100, p95 the 19th = 190, p99 the 20th = 200; jitter 10 x sqrt((20^2 - 1) / 12) =
 * 57.66, the population deviation.
 */
const LATENCY = { min: 10, avg: 105, median: 100, p95: 190, p99: 200, max: 200, jitter: 57.7 };
const LATENCY_LINE =
  /^latency of successful attempts: min ([\d.]+), avg ([\d.]+), median ([\d.]+), p95 ([\d.]+), p99 ([\d.]+), max ([\d.]+) ms; jitter ([\d.]+) ms$/;

/**
 * The printed latency figures. Percentiles come from a histogram of 3 significant digits
 * that reports a bucket's upper edge (190 ms prints as 190.1): they are checked to 0.1 %,
 * the rest exactly.
 */
function assertLatency(line: string | undefined): void {
  const match = LATENCY_LINE.exec(line ?? "");
  assert.ok(match, `no latency line: ${line}`);
  const [min, avg, median, p95, p99, max, jitter] = match.slice(1).map(Number);
  assert.deepEqual({ min, avg, max, jitter }, {
    min: LATENCY.min,
    avg: LATENCY.avg,
    max: LATENCY.max,
    jitter: LATENCY.jitter,
  });
  for (const [name, printed] of Object.entries({ median, p95, p99 })) {
    const exact = LATENCY[name as "median" | "p95" | "p99"];
    assert.ok(Math.abs(printed - exact) <= exact / 1000, `${name} ${printed}, by hand ${exact}`);
  }
}

for (const [form, log] of [["JSON lines", jsonLog], ["OctoPing's text", textLog]] as const) {
  Deno.test(`report on a hand-written log (${form}) gives the figures worked out by hand`, async () => {
    await using dir = await tempDir();
    const path = `${dir.path}/run.log`;
    await Deno.writeTextFile(path, log());
    const report = await runOctoPing(["report", path]);
    assert.equal(report.code, 0, report.stderr);
    const lines = report.stdout.split(/\r?\n/);
    const first = lines.indexOf(EXPECTED[0]);
    assert.ok(first >= 0, report.stdout);
    assert.deepEqual(lines.slice(first, first + 3), EXPECTED.slice(0, 3), report.stdout);
    assertLatency(lines[first + 3]);
    assert.equal(lines[first + 4], EXPECTED[3], report.stdout);
    assert.doesNotMatch(report.stdout, /could not be read/, "every line understood");
  });
}
