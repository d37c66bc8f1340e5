/**
 * `OctoPing report`: reads OctoPing's JSON lines and text and the original
 * TentaclePing's text, gives the live run's figures, survives a truncated
 * file, and makes a page that renders in a real browser.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { analyse, findCluster, summarise } from "../src/logs/analyse.ts";
import { reportPage } from "../src/report/html.ts";
import {
  freePort,
  linuxTest,
  octoPingCommand,
  pingLoopback,
  Pong,
  PRIVATE_HOSTS,
  runOctoPing,
  runTool,
  spawnOctoPing,
  tempDir,
} from "./support/helpers.ts";
import { browse, CHROMIUM } from "./support/chromium.ts";

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

Deno.test("the original TentaclePing's text: locale numbers, .NET exceptions, a run killed mid-line", async () => {
  const { runs, skipped, firstSkipped } = await summarise(fixture("tentacleping.txt"));
  const [{ summary, run }] = runs;
  assert.equal(
    run.target,
    "MyServer port 10933",
    "from the old tool's 'Pinging … on port …' line",
  );
  assert.equal(summary.attempts, 61);
  assert.equal(summary.failed, 6);
  assert.deepEqual(summary.byCause, [["timeout", 4], ["reset", 2]]);
  // `3.001ms` and `3 001ms` are 3,001 ms in the machine's locale.
  assert.equal(summary.latency!.max, 3001);
  assert.deepEqual(summary.longestFailureRun, {
    count: 4,
    start: new Date("2019-07-11T10:01:02Z"),
    end: new Date("2019-07-11T10:01:08Z"),
  });
  // The run was killed mid-line, right after a failure's exception: that line is counted.
  assert.equal(skipped, 1);
  assert.equal(firstSkipped, 83);
});

Deno.test("TentaclePing's output redirected by PowerShell 5.1: UTF-16LE, no timestamps", async () => {
  const bytes = await Deno.readFile(fixture("tentacleping-powershell.txt"));
  assert.deepEqual([...bytes.subarray(0, 2)], [0xff, 0xfe], "the fixture is UTF-16LE with a BOM");
  const log = await analyse(fixture("tentacleping-powershell.txt"));
  const [analysis] = log.runs;
  assert.equal(analysis.summary.attempts, 20);
  assert.deepEqual(analysis.summary.byCause, [["tls", 2]]);
  assert.equal(analysis.byTime, false, "charted by attempt number");
  assert.equal(analysis.summary.longestFailureRun?.count, 2);
  assert.equal(analysis.summary.longestFailureRun?.start, undefined);
  assert.equal(log.skipped, 0);
});

Deno.test("the report reads a live run's text log: refusals counted and named", async () => {
  await using dir = await tempDir();
  const refused = await runOctoPing([
    "ping",
    "/host=127.0.0.1",
    `/port=${freePort()}`,
    "/count=3",
    "/interval=0",
    `/logfile=${dir.path}/refused.log`,
  ]);
  assert.equal(refused.code, 1);
  const refusedReport = await runOctoPing(["report", `/in=${dir.path}/refused.log`]);
  assert.match(refusedReport.stdout, /^3 attempts: 0 succeeded, 3 failed \(100% failed\)$/m);
  assert.match(refusedReport.stdout, /^failures by cause: refused 3$/m);
  assert.match(refusedReport.stdout, /^--- statistics for 127\.0\.0\.1 port \d+ ---$/m);
});

Deno.test("runs appended to one /logfile, text and JSON, are reported each on its own with what support asks first", async () => {
  await using pong = await Pong.start();
  await using dir = await tempDir();
  const log = `${dir.path}/run.log`;
  const refusedPort = freePort();
  await pong.ping("/count=3", "/interval=0", `/logfile=${log}`);
  await pingLoopback(refusedPort, "/count=2", "/interval=0", `/logfile=${log}`);
  await pong.ping("/count=2", "/interval=0", "/format=json", `/logfile=${log}`);
  const report = await runOctoPing(["report", log]);
  assert.equal(report.code, 0, report.stderr);
  const blocks = report.stdout.split(/^(?=run \d+ of \d+: )/m).filter((b) => b.trim());
  assert.equal(blocks.length, 3, report.stdout);
  const targets = [pong.port, refusedPort, pong.port];
  blocks.forEach((block, i) => {
    assert.match(
      block,
      new RegExp(`^run ${i + 1} of 3: ping 127\\.0\\.0\\.1 port ${targets[i]}`),
    );
    assert.match(
      block,
      new RegExp(`^--- statistics for 127\\.0\\.0\\.1 port ${targets[i]} ---$`, "m"),
    );
    assert.match(block, /^command line: OctoPing ping \/host=127\.0\.0\.1 /m);
    assert.match(block, /^machine: \S+/m);
    assert.match(block, /^time span: \d{4}-\d\d-\d\dT[\d:.]+Z to \d{4}-\d\d-\d\dT[\d:.]+Z \(/m);
  });
  assert.match(blocks[0], /^3 attempts: 3 succeeded/m);
  assert.match(blocks[1], /^2 attempts: 0 succeeded, 2 failed/m);
  assert.match(blocks[2], /^2 attempts: 2 succeeded/m);
  for (const block of [blocks[0], blocks[2]]) {
    assert.match(block, new RegExp(`^ {4}thumbprint: ${pong.thumbprint} `, "m"));
    // The key and signature named alike, whether the log is text or JSON (OpenSSL's name).
    assert.match(block, /^certificate: CN=\S.* \(self-signed\); RSA 2048, SHA-256$/m);
    assert.match(block, /^answered by: OctoPing pong /m);
  }
  // Text names the address only for a host name; JSON has it on every attempt.
  assert.match(blocks[2], /^addresses: 127\.0\.0\.1$/m);
  const page = `${dir.path}/report.html`;
  const made = await runOctoPing(["report", log, `/out=${page}`]);
  assert.equal(made.code, 0, made.stderr);
  const html = await Deno.readTextFile(page);
  const sections = html.split(/<section class="run"/).slice(1);
  assert.equal(sections.length, 3);
  sections.forEach((section, i) => {
    assert.match(
      section,
      new RegExp(`<h2>Run ${i + 1} of 3: 127\\.0\\.0\\.1 port ${targets[i]}</h2>`),
    );
    assert.match(section, /OctoPing ping \/host=127\.0\.0\.1/);
    assert.match(section, /<svg /);
  });
  assert.ok(sections[0].includes(pong.thumbprint!) && sections[2].includes(pong.thumbprint!));
  assert.match(sections[0], /OctoPing pong/);
});

Deno.test("a file without ping attempts - a pong log, an empty file, a binary file - says what it is, exit 2, no page", async () => {
  await using dir = await tempDir();
  const pong = await Pong.start([`/logfile=${dir.path}/pong.log`]);
  try {
    await pong.ping("/count=2", "/interval=0");
    await pong.answered(2);
  } finally {
    await pong.stop();
  }
  await Deno.writeTextFile(`${dir.path}/empty.log`, "");
  await Deno.writeFile(
    `${dir.path}/binary.log`,
    Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256),
  );
  const cases = [
    [
      "pong.log",
      /^OctoPing: this is a pong log \(2 connections, .*\); report charts ping runs$/m,
    ],
    ["empty.log", /^OctoPing: no ping attempts found in .*empty\.log$/m],
    ["binary.log", /^OctoPing: no ping attempts found in .*binary\.log/m],
  ] as const;
  for (const [name, message] of cases) {
    for (const out of [[], [`/out=${dir.path}/page.html`]]) {
      const run = await runOctoPing(["report", `${dir.path}/${name}`, ...out]);
      assert.equal(run.code, 2, `${name}: ${run.stdout}`);
      assert.match(run.stderr, message);
      assert.doesNotMatch(run.stdout, /0 attempts/);
    }
  }
  assert.deepEqual([...Deno.readDirSync(dir.path)].map((e) => e.name).sort(), [
    "binary.log",
    "empty.log",
    "pong.log",
  ], "no page written");
});

Deno.test("a hostile JSON log reaches report's text as plain readable ASCII, and its page as escaped text", async () => {
  await using dir = await tempDir();
  const evil = "evil\x1b[31mRED\x1b[0m\u202egnp.exe\u00e9\x07\r\x9b2J<script>alert(1)</script>" +
    "<img src=x onerror=alert(1)>";
  const huge = "A".repeat(100_000);
  const events = [
    {
      type: "start",
      time: "2026-11-27T15:00:00.000Z",
      version: `0.1.0${evil}`,
      commandLine: `OctoPing ping ${evil}${huge}`,
      command: "ping",
      target: { host: `${evil}${huge}`, port: 10933 },
      options: { dataSize: 0 },
      machine: evil,
      os: huge,
      deno: "2.9.6",
    },
    { type: "attempt", time: "2026-11-27T15:00:00.100Z", ok: true, ms: 5, address: evil },
    { type: "address", time: "2026-11-27T15:00:00.100Z", host: evil, address: huge },
    {
      type: "certificate",
      time: "2026-11-27T15:00:00.100Z",
      subject: `CN=${evil}${huge}`,
      issuer: evil,
      selfSigned: false,
      sha1: evil,
      sha256: huge,
      validFrom: "2026-11-27T00:00:00.000Z",
      validTo: "2027-11-27T00:00:00.000Z",
      protocol: evil,
      cipher: huge,
      previousSha1: null,
    },
    { type: "peer", time: "2026-11-27T15:00:00.100Z", kind: "other", description: evil },
    { type: "attempt", time: "2026-11-27T15:00:01.100Z", ok: false, ms: 5, cause: evil },
  ];
  const log = `${dir.path}/evil.jsonl`;
  await Deno.writeTextFile(log, events.map((e) => JSON.stringify(e)).join("\n") + "\n");
  const child = spawnOctoPing(["report", log]);
  const output = await child.output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  const bytes = output.stdout;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    const lineEnd = b === 0x0a || (b === 0x0d && bytes[i + 1] === 0x0a);
    assert.ok((b >= 0x20 && b <= 0x7e) || lineEnd, `byte 0x${b.toString(16)} at ${i}`);
  }
  const text = new TextDecoder().decode(bytes);
  for (const line of text.split("\n")) assert.ok(line.length <= 600, `a line of ${line.length}`);
  assert.match(text, /evil\\x1b\[31mRED\\x1b\[0m\\u202egnp\.exe\\u00e9\\x07/, "visible escapes");
  assert.match(text, /^answered by: evil\\x1b/m);
  assert.match(text, /^certificate: CN=evil\\x1b/m);
  const page = `${dir.path}/evil.html`;
  const made = await runOctoPing(["report", log, `/out=${page}`]);
  assert.equal(made.code, 0, made.stderr);
  const html = await Deno.readTextFile(page);
  assert.doesNotMatch(html, /<script|<img/i);
  assert.match(
    html,
    /&lt;script&gt;alert\(1\)&lt;\/script&gt;&lt;img src=x onerror=alert\(1\)&gt;/,
  );
});

Deno.test("a truncated log is read up to the cut, and the cut line is counted", async () => {
  await using dir = await tempDir();
  const run = await runOctoPing([
    "ping",
    "/host=127.0.0.1",
    `/port=${freePort()}`,
    "/count=4",
    "/interval=0",
    "/format=json",
  ]);
  const lines = run.stdout.trimEnd().split("\n");
  const attempts = lines.filter((line) => line.includes('"type":"attempt"')).length;
  const cut = lines.slice(0, 4).join("\n") + "\n" + lines[4].slice(0, 40); // killed mid-line
  await Deno.writeTextFile(`${dir.path}/cut.jsonl`, cut);
  const { runs, skipped, firstSkipped } = await summarise(`${dir.path}/cut.jsonl`);
  assert.equal(runs[0].summary.attempts, Math.min(attempts, 3));
  assert.equal(skipped, 1);
  assert.equal(firstSkipped, 5);
  const report = await runOctoPing(["report", `${dir.path}/cut.jsonl`]);
  assert.match(
    report.stdout,
    /1 line\(s\) could not be read and were skipped; the first is line 5/,
  );
});

Deno.test("failures bunched in a short stretch are called out", () => {
  const bucket = (failures: number, i: number) => ({
    from: i,
    to: i + 1,
    attempts: 10,
    failures,
    byCause: {},
  });
  const quiet = Array.from({ length: 100 }, (_, i) => bucket(0, i));
  quiet[40] = bucket(20, 40);
  quiet[41] = bucket(17, 41);
  quiet[90] = bucket(4, 90);
  assert.deepEqual(findCluster(quiet), { failures: 37, ofFailures: 41, from: 40, to: 42 });
  const burst = Array.from({ length: 100 }, (_, i) => bucket(0, i));
  [burst[39], burst[40], burst[41], burst[42]] = [
    bucket(3, 39),
    bucket(20, 40),
    bucket(17, 41),
    bucket(2, 42),
  ];
  assert.deepEqual(
    findCluster(burst),
    { failures: 42, ofFailures: 42, from: 39, to: 43 },
    "the failing buckets on either side belong to the burst",
  );
  const spread = Array.from({ length: 100 }, (_, i) => bucket(i % 10 === 0 ? 1 : 0, i));
  assert.equal(findCluster(spread), undefined, "spread over the run: no cluster");
});

Deno.test("a burst of failures is called out whole: the banner counts every failure in its span", async () => {
  // 303 successes every 500 ms, 154 failures in 2 s (seq 304-457), 150 successes: 607 attempts.
  const start = Date.UTC(2026, 10, 27, 12, 11, 20);
  const lines = [];
  let time = start;
  for (let seq = 1; seq <= 607; seq++) {
    const failed = seq >= 304 && seq <= 457;
    time += failed ? 13 : 500;
    lines.push(JSON.stringify({
      type: "attempt",
      time: new Date(time).toISOString(),
      seq,
      ok: !failed,
      ms: failed ? 1 : 10 + (seq % 7),
      cause: failed ? "refused" : null,
    }));
  }
  await using dir = await tempDir();
  const log = `${dir.path}/burst.jsonl`;
  await Deno.writeTextFile(log, lines.join("\n") + "\n");
  const [run] = (await analyse(log)).runs;
  assert.equal(run.summary.longestFailureRun?.count, 154);
  assert.equal(run.cluster?.failures, 154, JSON.stringify(run.cluster));
  assert.equal(run.cluster?.ofFailures, 154);
  const page = `${dir.path}/burst.html`;
  const made = await runOctoPing(["report", log, `/out=${page}`]);
  assert.equal(made.code, 0, made.stderr);
  const note = /<p class="note cluster"><b>([^<]*)<\/b>/.exec(await Deno.readTextFile(page))?.[1];
  assert.match(note ?? "", /^154 of 154 failures between /);
});

/** A JSON log of attempts at `times` (ms from a fixed start), with `ms` latency each. */
async function jsonLog(dir: string, attempts: { at: number; ms: number; ok?: boolean }[]) {
  const start = Date.UTC(2026, 10, 27, 12, 0, 0);
  const path = `${dir}/run.jsonl`;
  await Deno.writeTextFile(
    path,
    attempts.map(({ at, ms, ok = true }, i) =>
      JSON.stringify({
        type: "attempt",
        time: new Date(start + at).toISOString(),
        seq: i + 1,
        ok,
        ms,
        cause: ok ? null : "refused",
      })
    ).join("\n") + "\n",
  );
  return path;
}

/** The text labels of the `index`th chart on the page: [x, y, text]. */
function chartLabels(html: string, index: number): [number, number, string][] {
  const svg = html.split("<svg ")[index + 1].split("</svg>")[0];
  return [...svg.matchAll(/<text x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]*)<\/text>/g)].map((m) => [
    Number(m[1]),
    Number(m[2]),
    m[3],
  ]);
}

Deno.test("a short run: each attempt drawn on its own, and the time axis ends read apart", async () => {
  await using dir = await tempDir();
  // 16 attempts in 600 ms, unevenly spaced: equal time buckets would lump them.
  const at = [0, 5, 10, 15, 20, 25, 30, 35, 300, 305, 310, 315, 590, 595, 598, 600];
  const log = await jsonLog(dir.path, at.map((t, i) => ({ at: t, ms: 10 + i, ok: i !== 9 })));
  const analysis = await analyse(log);
  const [run] = analysis.runs;
  assert.equal(run.buckets.length, 16);
  assert.ok(run.buckets.every((bucket) => bucket.attempts === 1 && bucket.only), "one each");
  const html = reportPage(analysis, log);
  const latency = html.split('id="run-1-latency"')[1].split("</svg>")[0];
  assert.equal((latency.match(/class="hit[ "]/g) ?? []).length, 16, "16 marks to hover");
  const axis = chartLabels(html, 0).filter(([, y]) => y > 240).map(([, , text]) => text);
  assert.equal(axis.length, 2, axis.join(" | "));
  assert.notEqual(axis[0], axis[1], "both ends of a 600 ms run");
});

Deno.test("an older OctoPing text log in whole seconds, 8 attempts a second: each attempt drawn apart, in its order", async () => {
  // A real run at /interval=100 through a relay that reset every 4th connection, written by
  // OctoPing 0.1.0, whose text stamped attempts to the second: 40 attempts in 5 stamps.
  const log = await analyse(fixture("octoping-whole-seconds.txt"));
  const [run] = log.runs;
  assert.equal(run.summary.attempts, 40);
  assert.equal(run.summary.failed, 10);
  assert.equal(run.byTime, true, "still drawn over time");
  const xs = run.buckets.map((bucket) => bucket.from);
  assert.equal(xs.length, 40);
  assert.ok(xs.every((x, i) => i === 0 || x > xs[i - 1]), `in file order, apart: ${xs}`);
  for (const bucket of run.buckets) {
    const second = bucket.only!.time!.getTime();
    assert.ok(bucket.from >= second && bucket.from < second + 1000, "within its own second");
  }
  const html = reportPage(log, "Output.txt");
  const latency = html.split('id="run-1-latency"')[1].split("</svg>")[0];
  const xOf = (pattern: RegExp) => new Set([...latency.matchAll(pattern)].map((m) => m[1]));
  assert.equal(xOf(/class="hit failure" x="([\d.]+)"/g).size, 10, "10 failures, 10 marks");
  assert.equal(xOf(/<circle class="hit" cx="([\d.]+)"/g).size, 30, "30 successes, 30 points");
  // The log has whole seconds: the axis does not make up milliseconds.
  const axis = chartLabels(html, 0).filter(([, y]) => y > 240).map(([, , text]) => text);
  assert.deepEqual(axis, ["02:12:21", "02:12:25"]);
});

Deno.test("the histogram's log axis has round labels where they belong, and its y-axis counts", async () => {
  await using dir = await tempDir();
  const latencies = [7, 8, 9, 12, 15, 15, 15, 15, 15, 40, 60, 90, 150, 300];
  const log = await jsonLog(dir.path, latencies.map((ms, i) => ({ at: i * 1000, ms })));
  const analysis = await analyse(log);
  const html = reportPage(analysis, log);
  const labels = chartLabels(html, 1);
  const x = (text: string) => labels.find(([, , label]) => label === text)?.[0];
  for (const tick of ["10 ms", "20 ms", "50 ms", "100 ms", "200 ms"]) {
    assert.ok(x(tick) !== undefined, `${tick} in ${labels.map((l) => l[2]).join(" | ")}`);
  }
  // On a log scale 10 to 100 ms is as wide as 20 to 200 ms.
  assert.ok(Math.abs((x("100 ms")! - x("10 ms")!) - (x("200 ms")! - x("20 ms")!)) < 1);
  const most = Math.max(...analysis.runs[0].histogram.map((bin) => bin.count));
  const yLabels = labels.filter(([lx]) => lx < 60).map(([, , text]) => text);
  assert.ok(yLabels.includes("0") && yLabels.includes(String(most)), yLabels.join(" | "));
});

Deno.test("bad input for report: no file, a file that can't be read, an /out that can't be written", async () => {
  for (
    const [args, message] of [
      [["report"], /report needs the log file/],
      [["report", "/no/such/run.jsonl"], /cannot read \/no\/such\/run\.jsonl/],
      [
        ["report", fixture("tentacleping.txt"), "/out=/no/such/dir/r.html"],
        /cannot write the report to/,
      ],
      [["report", "a.log", "b.log"], /cannot read a\.log/], // several logs are read in turn
    ] as const
  ) {
    const run = await runOctoPing([...args]);
    assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
    assert.match(run.stderr.split("\n")[0], message);
  }
});

/** Runs `report log /out=out` for each of `outs`: each is bad input, and the log is untouched. */
async function refusedAsTheLog(log: string, outs: string[]): Promise<void> {
  const before = await Deno.readFile(log);
  for (const out of outs) {
    const same = await runOctoPing(["report", log, `/out=${out}`]);
    assert.equal(same.code, 2, `${out}: ${same.stderr}`);
    assert.match(same.stderr, /is the log being read/, out);
    assert.deepEqual(await Deno.readFile(log), before, `${out}: the log is untouched`);
  }
}

Deno.test("/out that is the log itself - by name, ./name or a hard link - is bad input and writes nothing", async () => {
  await using dir = await tempDir();
  const log = `${dir.path}/run.txt`;
  await Deno.copyFile(fixture("tentacleping.txt"), log);
  const before = await Deno.readFile(log);
  await Deno.link(log, `${dir.path}/hard.txt`);
  await refusedAsTheLog(log, [log, `${dir.path}/./run.txt`, `${dir.path}/hard.txt`]);
  const [deno, ...report] = octoPingCommand(["report", "run.txt", "/out=./run.txt"]);
  const relative = await runTool(deno, report, { cwd: dir.path });
  assert.equal(relative.code, 2, relative.stderr);
  assert.deepEqual(await Deno.readFile(log), before);
  assert.deepEqual([...Deno.readDirSync(dir.path)].map((e) => e.name).sort(), [
    "hard.txt",
    "run.txt",
  ], "nothing written beside it");
});

// Wine 8.0 makes a symbolic link that does not resolve (stat: file not found).
linuxTest("/out that is a symbolic link to the log is bad input and writes nothing", async () => {
  await using dir = await tempDir();
  const log = `${dir.path}/run.txt`;
  await Deno.copyFile(fixture("tentacleping.txt"), log);
  await Deno.symlink(log, `${dir.path}/alias.txt`);
  await refusedAsTheLog(log, [`${dir.path}/alias.txt`]);
  assert.deepEqual([...Deno.readDirSync(dir.path)].map((e) => e.name).sort(), [
    "alias.txt",
    "run.txt",
  ], "nothing written beside it");
});

linuxTest(
  "/out on a disk that fills up: one line saying the page was not written, exit 1, no usage hint",
  async () => {
    await using dir = await tempDir();
    // A private 16 KiB tmpfs over the folder: the page (far larger) fills it while being written.
    const run = await runTool("unshare", [
      "-m",
      "sh",
      "-c",
      'mount -t tmpfs -o size=16k tmpfs "$1" && shift && exec "$@"',
      "sh",
      dir.path,
      ...octoPingCommand(["report", fixture("tentacleping.txt"), `/out=${dir.path}/report.html`]),
    ]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(
      run.stderr,
      /^OctoPing: cannot write the report to \S+report\.html: No space left on device[^\n]*: nothing was written\n$/,
    );
  },
  PRIVATE_HOSTS,
);

Deno.test("/out never harms an existing page when the log cannot be read", async () => {
  await using dir = await tempDir();
  const page = `${dir.path}/page.html`;
  await Deno.writeTextFile(page, "an earlier report");
  const missing = await runOctoPing(["report", `${dir.path}/missing.jsonl`, `/out=${page}`]);
  assert.equal(missing.code, 2);
  assert.equal(await Deno.readTextFile(page), "an earlier report");
  assert.deepEqual([...Deno.readDirSync(dir.path)].map((e) => e.name), ["page.html"]);
});

const RENDERS = "the HTML report renders in headless Chromium: charts present, no console errors";

linuxTest(RENDERS, async () => {
  await using dir = await tempDir();
  const page = `${dir.path}/report.html`;
  const made = await runOctoPing(["report", fixture("tentacleping.txt"), `/out=${page}`]);
  assert.equal(made.code, 0, made.stderr);
  const html = await Deno.readTextFile(page);
  assert.doesNotMatch(html, /<script|https?:\/\//, "self-contained: no scripts, nothing fetched");
  const { dom, log } = await browse(page, dir.path, ["--dump-dom"]);
  assert.equal((dom.match(/<svg /g) ?? []).length, 3, "latency, histogram, causes");
  assert.match(dom, /<section id="run-1-latency">/);
  assert.ok(
    (dom.match(/class="hit failure"/g) ?? []).length >= 2,
    "failures marked on the timeline",
  );
  assert.match(
    dom,
    /<title>2019-07-11T10:01:\d\dZ: Failed \(timeout\), 21,043 ms \(line \d+\)<\/title>/,
  );
  assert.match(dom, /<h1>OctoPing report: MyServer port 10933<\/h1>/);
  assert.match(dom, /1 line could not be read and was skipped \(the first is line 83\)/);
  assert.doesNotMatch(log, /CONSOLE|Uncaught/, "no console errors");
  const shot = `${dir.path}/report.png`;
  await browse(page, dir.path, [`--screenshot=${shot}`, "--window-size=1000,1400"]);
  assert.ok((await Deno.stat(shot)).size > 10_000, "a screenshot with something on it");
}, { what: "Chromium", here: CHROMIUM !== undefined });
