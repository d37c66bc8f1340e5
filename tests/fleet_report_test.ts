/**
 * `report` over several logs: a fleet's text log from a live run, JSON logs
 * from other machines, a pong log skipped with a note; grouped by machine and
 * target, worst first; and the page for 200 targets over a week, which stays
 * small and renders in a real browser.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { Lines, linuxTest, runOctoPing, tempDir } from "./support/helpers.ts";
import { browse, CHROMIUM } from "./support/chromium.ts";

const SERVER = fileURLToPath(new URL("./support/fleet_server.ts", import.meta.url));
const DAY_MS = 86_400_000;

/**
 * A fleet's JSON log as `ping /hosts /format=json` writes it, made up: `attempts` per target,
 * the first `failing` targets failing for `cause`.
 */
function fleetJson(
  machine: string,
  targets: number,
  attempts: number,
  failing: number,
  cause = "timeout",
): string {
  const start = Date.parse("2026-11-01T00:00:00Z");
  const lines = [JSON.stringify({
    type: "start",
    time: new Date(start).toISOString(),
    version: "0.1.0",
    commandLine: "OctoPing ping /hosts=tentacles.txt",
    command: "ping",
    hosts: "tentacles.txt",
    targets,
    parallel: 50,
    machine,
    os: "windows 10.0.20348 (x86_64)",
    deno: "2.9.6",
  })];
  for (let seq = 1; seq <= attempts; seq++) {
    const time = new Date(start + (seq - 1) * (7 * DAY_MS) / attempts).toISOString();
    for (let t = 1; t <= targets; t++) {
      // The failing targets fail their last tenth: an outage at the end of the week.
      const ok = t > failing || seq <= attempts * 0.9;
      lines.push(JSON.stringify({
        type: "attempt",
        target: { host: `web${t}.corp.local`, port: 10933, name: `Web${t}` },
        time,
        seq,
        ok,
        ms: 10 + (t % 7) + (seq % 5),
        cause: ok ? null : cause,
      }));
    }
  }
  return lines.join("\n") + "\n";
}

const PONG_LOG = JSON.stringify({
  type: "start",
  time: "2026-11-01T00:00:00.000Z",
  command: "pong",
  port: 10933,
  machine: "TENTACLE9",
}) + "\n";

/** The page `report /out=` makes in `dir` of two logs, `a` and `b`: its path and its text. */
async function pageOfTwo(dir: string, a: string, b: string) {
  await Deno.writeTextFile(`${dir}/a.jsonl`, a);
  await Deno.writeTextFile(`${dir}/b.jsonl`, b);
  const page = `${dir}/report.html`;
  const made = await runOctoPing(["report", `${dir}/a.jsonl`, `${dir}/b.jsonl`, `/out=${page}`]);
  assert.equal(made.code, 0, made.stderr);
  return { page, html: await Deno.readTextFile(page) };
}

Deno.test("report over several logs: grouped by machine and target, worst first, the pong log skipped with a note", async () => {
  await using dir = await tempDir();
  const server = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", SERVER, "tentacle=3", "closed=2"],
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  try {
    const ports = JSON.parse(await new Lines(server.stdout).waitFor(/^\{/, 60_000));
    const hosts = [
      ...ports.tentacle.map((port: number, i: number) => `127.0.0.1:${port} Tentacle${i + 1}`),
      ...ports.closed.map((port: number, i: number) => `127.0.0.1:${port} Gone${i + 1}`),
    ];
    await Deno.writeTextFile(`${dir.path}/hosts.txt`, hosts.join("\n"));
    const live = await runOctoPing([
      "ping",
      `/hosts=${dir.path}/hosts.txt`,
      "/count=3",
      "/interval=0",
      `/logfile=${dir.path}/here.log`,
    ]);
    assert.equal(live.code, 1, live.stderr);
    await Deno.writeTextFile(`${dir.path}/node1.jsonl`, fleetJson("NODE1", 4, 10, 1));
    await Deno.writeTextFile(`${dir.path}/node2.jsonl`, fleetJson("NODE2", 4, 10, 2));
    await Deno.writeTextFile(`${dir.path}/pong.jsonl`, PONG_LOG);

    const report = await runOctoPing([
      "report",
      `${dir.path}/here.log`,
      `/in=${dir.path}/pong.jsonl`,
      `${dir.path}/node*.jsonl`, // expanded by OctoPing, as on cmd.exe
    ]);
    assert.equal(report.code, 0, report.stderr);
    const lines = report.stdout.split("\n");
    assert.match(lines[0], /^report of 4 logs: 13 targets from 3 machines; /);
    assert.match(report.stdout, /^note: .*pong\.jsonl skipped: this is a pong log/m);
    const table = lines.indexOf("--- 13 targets, worst first ---");
    const names = lines.slice(table + 2, table + 15).map((row) => row.split(/\s{2,}/)[0]);
    const here = Deno.hostname();
    assert.deepEqual(names.slice(0, 2).sort(), [`Gone1 from ${here}`, `Gone2 from ${here}`]);
    assert.deepEqual(
      names.slice(2, 5).sort(),
      ["Web1 from NODE1", "Web1 from NODE2", "Web2 from NODE2"],
      "then those that failed a tenth of their attempts",
    );
    assert.match(
      lines[table + 2],
      /^Gone\d from \S+ +3 +0 +3 +100% +- +- +refused$/,
    );
    assert.match(lines[table + 4], /^Web\d from NODE\d +10 +9 +1 +10% +[\d.]+ +[\d.]+ +timeout$/);
    assert.match(
      report.stdout,
      /^failing: Gone\d from \S+ \(refused\), Gone\d from \S+ \(refused\), (Web\d from NODE\d \(timeout\)(, )?){3} - 5 of 13 targets had failures$/m,
    );
    assert.match(report.stdout, /^=== Tentacle1 from \S+ ===\n3 attempts: 3 succeeded, 0 failed/m);
    assert.match(report.stdout, /^ {4}\S*node1\.jsonl run 1 \(JSON lines, from line 1\): /m);

    const none = await runOctoPing(["report", `${dir.path}/pong.jsonl`, `${dir.path}/hosts.txt`]);
    assert.equal(none.code, 2, "no log has attempts: bad input");
    assert.match(none.stderr, /this is a pong log/);
    const unmatched = await runOctoPing(["report", `${dir.path}/nothing*.jsonl`]);
    assert.equal(unmatched.code, 2);
    assert.match(unmatched.stderr, /^OctoPing: no file matches .*nothing\*\.jsonl$/m);
  } finally {
    await server.stdin.close();
    await server.status;
  }
});

Deno.test("the text report over 200 targets prints every target's section: none dropped on the way out", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(`${dir.path}/week.jsonl`, fleetJson("NODE1", 200, 3, 5));
  const report = await runOctoPing(["report", `${dir.path}/week.jsonl`]);
  assert.equal(report.code, 0, report.stderr);
  assert.doesNotMatch(report.stdout, /dropped/);
  assert.equal(report.stdout.match(/^=== Web\d+ from NODE1 ===$/gm)?.length, 200);
  assert.match(
    report.stdout,
    /^failing: (Web\d \(timeout\)(, )?){5} - 5 of 200 targets had failures$/m,
  );
});

Deno.test("the page's size does not grow with the attempts: each target is bucketed", async () => {
  await using dir = await tempDir();
  const sizes = [];
  for (const attempts of [100, 1000]) {
    await Deno.writeTextFile(`${dir.path}/week.jsonl`, fleetJson("NODE1", 100, attempts, 10));
    const made = await runOctoPing(["report", `${dir.path}/week.jsonl`, `/out=${dir.path}/r.html`]);
    assert.equal(made.code, 0, made.stderr);
    sizes.push((await Deno.stat(`${dir.path}/r.html`)).size);
  }
  assert.ok(sizes[1] < sizes[0] * 1.2, `tenfold attempts, page ${sizes[0]} -> ${sizes[1]} bytes`);
  // 1,000 targets at this rate stay a few MB.
  assert.ok(sizes[1] / 100 < 4000, `${sizes[1] / 100} bytes per target`);
});

Deno.test("the fleet page names what its colours stand for: a legend of the causes its bars show", async () => {
  await using dir = await tempDir();
  const { html } = await pageOfTwo(
    dir.path,
    fleetJson("NODE1", 3, 20, 1, "refused"),
    fleetJson("NODE2", 3, 20, 2, "reset"),
  );
  const barColours = new Set(
    [...html.matchAll(/<g fill="(#[0-9a-f]{6})"><rect/g)].map((m) => m[1]),
  );
  assert.equal(barColours.size, 2, "two causes, two colours");
  const legend = /<p class="legend">(.*?)<\/p>/.exec(html)?.[1] ?? "";
  const named = new Map(
    [...legend.matchAll(/<i style="background:(#[0-9a-f]{6})"><\/i>([^<]+)</g)].map((m) => [
      m[1],
      m[2],
    ]),
  );
  assert.deepEqual(
    [...barColours].map((colour) => named.get(colour)).sort(),
    ["refused", "reset"],
    `each bar colour is named: ${legend}`,
  );
  assert.match(legend, /latency/, "the line is named too");
});

linuxTest(
  "the page for 200 targets from two machines renders in headless Chromium, failing targets first",
  async () => {
    await using dir = await tempDir();
    const { page, html } = await pageOfTwo(
      dir.path,
      fleetJson("NODE1", 100, 50, 3),
      fleetJson("NODE2", 100, 50, 0),
    );
    assert.doesNotMatch(
      html,
      /<script|https?:\/\//,
      "self-contained: no scripts, nothing fetched",
    );
    const { dom, log } = await browse(page, dir.path, ["--dump-dom"]);
    assert.match(dom, /<h1>OctoPing report: 200 targets from 2 machines<\/h1>/);
    assert.match(dom, /<h2>3 of 200 targets had failures, worst first<\/h2>/);
    assert.equal((dom.match(/<svg /g) ?? []).length, 200, "a chart per target");
    const rows = [
      ...dom.matchAll(/<div class="row" id="t\d+"><div class="name">([^<]+)<br><small>([^<]+)</g),
    ]
      .map((match) => `${match[1]} ${match[2].split(" ")[0]}`);
    assert.deepEqual(rows.slice(0, 3).sort(), ["Web1 NODE1", "Web2 NODE1", "Web3 NODE1"]);
    assert.match(
      dom,
      /<title>2026-11-\d\d [\d:]+ UTC-2026-11-\d\d [\d:]+ UTC: 1 of 1 failed<\/title>/,
      "failures marked, with hover text",
    );
    assert.doesNotMatch(log, /CONSOLE|Uncaught/, "no console errors");
    const shot = `${dir.path}/report.png`;
    await browse(page, dir.path, [`--screenshot=${shot}`, "--window-size=1100,1400"]);
    assert.ok((await Deno.stat(shot)).size > 10_000, "a screenshot with something on it");
  },
  { what: "Chromium", here: CHROMIUM !== undefined },
);

Deno.test("a slice of latency with no neighbour is still drawn: a dot, not an empty chart", async () => {
  await using dir = await tempDir();
  // Three attempts over a week: three lone slices of 96.
  await Deno.writeTextFile(`${dir.path}/sparse.jsonl`, fleetJson("NODE1", 1, 3, 0));
  const made = await runOctoPing(["report", `${dir.path}/sparse.jsonl`, `/out=${dir.path}/r.html`]);
  assert.equal(made.code, 0, made.stderr);
  const page = await Deno.readTextFile(`${dir.path}/r.html`);
  const path = /<path d="([^"]+)"[^>]*stroke-linecap="round"/.exec(page);
  assert.ok(path, "the latency line has round caps, which draw a zero-length segment as a dot");
  // Each lone point is a zero-length segment: M x y h0.
  assert.equal(path[1].match(/M[\d.]+ [\d.]+h0/g)?.length, 3, path[1]);
});
