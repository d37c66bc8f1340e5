/**
 * `OctoPing report`: reads OctoPing's JSON lines and text and the original
 * TentaclePing's text, gives the live run's figures, survives a truncated
 * file, and makes a page that renders in a real browser.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { analyse, findCluster, summarise } from "../src/logs/analyse.ts";
import { freePort, runOctoPing, runs, WAIT_MS } from "./helpers.ts";

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

Deno.test("the original TentaclePing's text: locale numbers, .NET exceptions, a run killed mid-line", async () => {
  const { summary, skipped, firstSkipped, meta } = await summarise(fixture("tentacleping.txt"));
  assert.equal(
    meta.target,
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
  const analysis = await analyse(fixture("tentacleping-powershell.txt"));
  assert.equal(analysis.summary.attempts, 20);
  assert.deepEqual(analysis.summary.byCause, [["tls", 2]]);
  assert.equal(analysis.byTime, false, "charted by attempt number");
  assert.equal(analysis.summary.longestFailureRun?.count, 2);
  assert.equal(analysis.summary.longestFailureRun?.start, undefined);
  assert.equal(analysis.skipped, 0);
});

Deno.test("the report reads a live run's text log: refusals counted and named", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const refused = await runOctoPing([
      "ping",
      "/host=127.0.0.1",
      `/port=${freePort()}`,
      "/count=3",
      "/interval=0",
      `/logfile=${dir}/refused.log`,
    ]);
    assert.equal(refused.code, 1);
    const refusedReport = await runOctoPing(["report", `/in=${dir}/refused.log`]);
    assert.match(refusedReport.stdout, /^3 attempts: 0 succeeded, 3 failed \(100% failed\)$/m);
    assert.match(refusedReport.stdout, /^failures by cause: refused 3$/m);
    assert.match(refusedReport.stdout, /^--- statistics for 127\.0\.0\.1 port \d+ ---$/m);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a truncated log is read up to the cut, and the cut line is counted", async () => {
  const dir = await Deno.makeTempDir();
  try {
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
    await Deno.writeTextFile(`${dir}/cut.jsonl`, cut);
    const { summary, skipped, firstSkipped } = await summarise(`${dir}/cut.jsonl`);
    assert.equal(summary.attempts, Math.min(attempts, 3));
    assert.equal(skipped, 1);
    assert.equal(firstSkipped, 5);
    const report = await runOctoPing(["report", `${dir}/cut.jsonl`]);
    assert.match(
      report.stdout,
      /1 line\(s\) could not be read and were skipped; the first is line 5/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
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
  const spread = Array.from({ length: 100 }, (_, i) => bucket(i % 10 === 0 ? 1 : 0, i));
  assert.equal(findCluster(spread), undefined, "spread over the run: no cluster");
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
      [["report", "a.log", "b.log"], /report reads one log file/],
    ] as const
  ) {
    const run = await runOctoPing([...args]);
    assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
    assert.match(run.stderr.split("\n")[0], message);
  }
});

Deno.test("/out never harms the log, nor an existing page when the log cannot be read", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const log = `${dir}/run.txt`;
    await Deno.copyFile(fixture("tentacleping.txt"), log);
    const before = await Deno.readFile(log);
    const same = await runOctoPing(["report", log, `/out=${log}`]);
    assert.equal(same.code, 0, same.stderr);
    assert.match(
      await Deno.readTextFile(log),
      /^<!doctype html>/,
      "the page replaced the log only once made",
    );
    await Deno.writeFile(log, before);
    const page = `${dir}/page.html`;
    await Deno.writeTextFile(page, "an earlier report");
    const missing = await runOctoPing(["report", `${dir}/missing.jsonl`, `/out=${page}`]);
    assert.equal(missing.code, 2);
    assert.equal(await Deno.readTextFile(page), "an earlier report");
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), [
      "page.html",
      "run.txt",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Chromium under either of its names, if installed (apt-get install -y chromium). */
const CHROMIUM = ["chromium", "chromium-browser"].find((name) => runs(name));
const RENDERS =
  "the HTML report renders in headless Chromium: charts present, no console errors [needs Chromium]";

Deno.test(RENDERS, { ignore: CHROMIUM === undefined }, async () => {
  const chromium = CHROMIUM!;
  const dir = await Deno.makeTempDir();
  try {
    const page = `${dir}/report.html`;
    const made = await runOctoPing(["report", fixture("tentacleping.txt"), `/out=${page}`]);
    assert.equal(made.code, 0, made.stderr);
    const html = await Deno.readTextFile(page);
    assert.doesNotMatch(html, /<script|https?:\/\//, "self-contained: no scripts, nothing fetched");
    const flags = [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      `--user-data-dir=${dir}/profile`,
      "--enable-logging=stderr",
      "--v=0",
    ];
    const browse = async (extra: string[]) => {
      const child = new Deno.Command(chromium, {
        args: [...flags, ...extra, `file://${page}`],
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const timer = setTimeout(() => child.kill("SIGKILL"), WAIT_MS);
      const output = await child.output();
      clearTimeout(timer);
      return {
        dom: new TextDecoder().decode(output.stdout),
        log: new TextDecoder().decode(output.stderr),
      };
    };
    const { dom, log } = await browse(["--dump-dom"]);
    assert.equal((dom.match(/<svg /g) ?? []).length, 3, "latency, histogram, causes");
    assert.match(dom, /<section id="latency">/);
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
    const shot = `${dir}/report.png`;
    await browse([`--screenshot=${shot}`, "--window-size=1000,1400"]);
    assert.ok((await Deno.stat(shot)).size > 10_000, "a screenshot with something on it");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
