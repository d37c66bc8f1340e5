/**
 * `ping /hosts=<file>` over 200 loopback ports served by one process: exactly
 * the bad targets are named, with their causes, whatever `/parallel`; file
 * descriptors stay bounded by `/parallel`; Ctrl+C ends with the final table.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  bounded,
  fromLineEnds,
  inTerminal,
  Lines,
  linuxTest,
  Running,
  SCRIPT,
  spawnOctoPing,
  tempDir,
} from "./support/helpers.ts";
import type { FleetServerPlan } from "./support/fleet_server.ts";

const SERVER = fileURLToPath(new URL("./support/fleet_server.ts", import.meta.url));
const PLAN: FleetServerPlan = { tentacle: 160, silent: 10, closed: 15, flaky: 15 };
/** Each failing kind, and the cause its targets must be named with. */
const CAUSES = { silent: "timeout", closed: "refused", flaky: "reset" } as const;
/** Long enough for 400 attempts, 20 of them 3 s timeouts, five at a time on a loaded machine. */
const RUN_MS = 180_000;

interface Fleet extends AsyncDisposable {
  hosts: string;
  /** Name -> the cause it must fail with; Tentacle-like targets are absent. */
  bad: Map<string, string>;
  close(): Promise<void>;
}

/** Starts the fleet server and writes a hosts file naming each port by its kind. */
async function startFleet(plan: FleetServerPlan): Promise<Fleet> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", SERVER, ...Object.entries(plan).map(([k, n]) => `${k}=${n}`)],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = new Lines(child.stdout);
  const ports = JSON.parse(await lines.waitFor(/^\{/, 60_000)) as Record<string, number[]>;
  const dir = await Deno.makeTempDir();
  const bad = new Map<string, string>();
  const text = Object.entries(ports).flatMap(([kind, list]) =>
    list.map((port, i) => {
      const name = `${kind}-${i + 1}`;
      if (kind in CAUSES) bad.set(name, CAUSES[kind as keyof typeof CAUSES]);
      return `127.0.0.1:${port} ${name}`;
    })
  );
  await Deno.writeTextFile(`${dir}/hosts.txt`, ["# the test fleet", ...text].join("\n"));
  const close = async () => {
    await child.stdin.close();
    await bounded(child.status, "the fleet server to stop");
    await lines.rest();
    await Deno.remove(dir, { recursive: true });
  };
  return { hosts: `${dir}/hosts.txt`, bad, close, [Symbol.asyncDispose]: close };
}

/** How many of `pid`'s file descriptors are sockets: its connections (Linux). */
function socketCount(pid: number): number {
  let sockets = 0;
  for (const fd of Deno.readDirSync(`/proc/${pid}/fd`)) {
    try {
      if (Deno.readLinkSync(`/proc/${pid}/fd/${fd.name}`).startsWith("socket:")) sockets++;
    } catch { /* closed meanwhile */ }
  }
  return sockets;
}

/**
 * Runs OctoPing to the end, counting its open file descriptors, and those of
 * them that are sockets, as it goes (Linux).
 */
async function runCountingFds(args: string[]) {
  const child = spawnOctoPing(args);
  const stdout = new Lines(child.stdout, true);
  const stderr = new Lines(child.stderr, true);
  let peakFds = 0;
  let peakSockets = 0;
  let ended = false;
  const sampler = (async () => {
    while (!ended) {
      try {
        peakFds = Math.max(peakFds, [...Deno.readDirSync(`/proc/${child.pid}/fd`)].length);
        peakSockets = Math.max(peakSockets, socketCount(child.pid));
      } catch { /* gone */ }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  const timer = setTimeout(() => child.kill("SIGKILL"), RUN_MS);
  const { code } = await child.status;
  clearTimeout(timer);
  ended = true;
  await sampler;
  return {
    code,
    stdout: await stdout.rest(),
    stderr: await stderr.rest(),
    peakFds,
    peakSockets,
  };
}

/** The closing line's failing targets and their causes. */
function failingNamed(stdout: string): Map<string, string> {
  const last = stdout.trimEnd().split("\n").at(-1)!;
  const match = /^failing: (.*) - \d+ of [\d,]+ targets had failures$/.exec(last);
  assert.ok(match, `the last line names the failing targets: ${last}`);
  return new Map(
    match[1].split(", ").map((item) => {
      const [, name, cause] = /^(\S+) \((\w+)\)$/.exec(item)!;
      return [name, cause];
    }),
  );
}

linuxTest(
  "200 targets, /parallel=5, to a pipe: every attempt prefixed, the table, exactly the bad ones named; fds bounded by /parallel",
  async () => {
    await using fleet = await startFleet(PLAN);
    const run = await runCountingFds([
      "ping",
      `/hosts=${fleet.hosts}`,
      "/count=2",
      "/interval=0",
      "/timeout=3",
      "/parallel=5",
    ]);
    assert.equal(run.code, 1, run.stderr);
    assert.equal(run.stderr, "");
    assert.deepEqual(failingNamed(run.stdout), fleet.bad);
    const lines = run.stdout.split("\n");
    assert.equal(lines.filter((line) => /^\[\S+\] \S+ Connect: /.test(line)).length, 400);
    assert.equal(
      lines.filter((line) => line.startsWith("note: waiting - /parallel=5")).length,
      1,
    );
    assert.match(run.stdout, /^\[silent-1\] effective interval: [\d,]+ms \(\/interval=0/m);
    for (const name of fleet.bad.keys()) {
      const hints = lines.filter((line) => line.startsWith(`[${name}]     hint: `));
      assert.equal(
        hints.length,
        1,
        `${name}: a cause's hint once per target, however often it fails`,
      );
    }
    const table = lines.indexOf("--- 200 targets, worst first ---");
    assert.ok(table > 0, "the final table");
    const rows = lines.slice(table + 2, table + 202);
    assert.deepEqual(
      rows.slice(0, 25).map((row) => row.split(/\s+/)[0]).sort(),
      [...fleet.bad.keys()].filter((name) => !name.startsWith("flaky")).sort(),
      "worst first: all-failing targets on top",
    );
    assert.match(rows[0], /^(silent|closed)-\d+ +2 +0 +2 +100% +- +- +(timeout|refused)$/);
    // Five connections at once, and the runtime's own five sockets (two socket pairs, one of
    // them duplicated: seen in an idle run), whatever else it opens at start-up. Without the
    // cap: 200 connections at once.
    assert.ok(run.peakSockets <= 5 + 5, `peak ${run.peakSockets} sockets`);
    assert.ok(run.peakFds < 100, `peak ${run.peakFds} file descriptors in all`);
  },
);

Deno.test("200 targets, /parallel at its default (50), JSON: every event names its target; the fleet event lists the failing", async () => {
  await using fleet = await startFleet(PLAN);
  const child = spawnOctoPing([
    "ping",
    `/hosts=${fleet.hosts}`,
    "/count=2",
    "/interval=0",
    "/timeout=10", // 50 handshakes at once on a loaded machine: room for all but the silent
    "/format=json",
  ]);
  const timer = setTimeout(() => child.kill("SIGKILL"), RUN_MS);
  const output = await child.output();
  clearTimeout(timer);
  assert.equal(output.code, 1);
  const events = fromLineEnds(new TextDecoder().decode(output.stdout), "ping /hosts")
    .trimEnd().split("\n").map((line) => JSON.parse(line));
  assert.equal(events[0].type, "start");
  assert.equal(events[0].targets, 200);
  assert.equal(events[0].parallel, 50);
  const waiting = events.filter((event) => event.code === "waiting");
  assert.ok(waiting.length <= 1, "the wait for a free connection is said once, if at all");
  const perTarget = events.slice(1, -1).filter((event) => event.code !== "waiting");
  assert.ok(perTarget.every((event) => typeof event.target?.name === "string"));
  assert.equal(perTarget.filter((event) => event.type === "attempt").length, 400);
  const summaries = perTarget.filter((event) => event.type === "summary");
  assert.equal(summaries.length, 200);
  assert.ok(summaries.every((s) => "effectiveIntervalMs" in s && s.target.port > 0));
  const last = events.at(-1);
  assert.equal(last.type, "fleet");
  assert.equal(last.targets, 200);
  assert.deepEqual(new Set(last.failing), new Set(fleet.bad.keys()));
  for (const [name, cause] of fleet.bad) {
    const failures = perTarget.filter((e) =>
      e.type === "attempt" && e.target.name === name && !e.ok
    );
    assert.ok(failures.length > 0 && failures.every((e) => e.cause === cause), name);
  }
});

linuxTest("Ctrl+C ends a fleet run with the final table and the failing targets", async () => {
  await using fleet = await startFleet({ tentacle: 3, silent: 0, closed: 2, flaky: 0 });
  const run = new Running(["ping", `/hosts=${fleet.hosts}`, "/interval=200"]);
  await run.stdout.waitForCount(/^\[closed-\d\] \S+ Connect: Failed!/, 4);
  const code = await run.stop("SIGINT");
  assert.equal(code, 1);
  const text = run.stdout.text();
  assert.match(text, /^--- 5 targets, worst first \(stopped before the end\) ---$/m);
  assert.deepEqual(
    failingNamed(text),
    new Map([["closed-1", "refused"], ["closed-2", "refused"]]),
  );
});

/** The closing line's targets whose verdict blocks. */
function blockingNamed(stdout: string): Set<string> {
  const last = stdout.trimEnd().split("\n").at(-1)!;
  const match = /^blocking: (.*) - Octopus cannot connect to \d+ of [\d,]+ targets$/.exec(last);
  assert.ok(match, `the last line names the blocking targets: ${last}`);
  return new Set(match[1].split(", "));
}

Deno.test("check over 200 targets, /parallel=8 and the default: exactly the bad ones block, named in the table and the JSON", async () => {
  for (const json of [false, true]) {
    await using fleet = await startFleet(PLAN); // a fresh one: flaky ports reset the first connection
    const child = spawnOctoPing([
      "check",
      `/hosts=${fleet.hosts}`,
      // 50 checks at once on a loaded machine: room for every step but the silent ports'.
      ...(json ? ["/format=json", "/timeout=10"] : ["/parallel=8", "/timeout=3"]),
    ]);
    const timer = setTimeout(() => child.kill("SIGKILL"), RUN_MS);
    const output = await child.output();
    clearTimeout(timer);
    const stdout = fromLineEnds(new TextDecoder().decode(output.stdout), "check /hosts");
    assert.equal(output.code, 1, "a verdict blocks");
    if (!json) {
      assert.deepEqual(blockingNamed(stdout), new Set(fleet.bad.keys()));
      const lines = stdout.split("\n");
      const table = lines.indexOf("--- 200 targets, worst first ---");
      assert.match(
        lines[table + 1],
        /^target +answering\/resolved +TLS +verdict +first blocking finding$/,
      );
      assert.match(
        stdout,
        /^closed-1 +0\/1 +- +blocking +unreachable: 127\.0\.0\.1: connection refused/m,
      );
      assert.match(stdout, /^tentacle-1 +1\/1 +1\.2, 1\.3 +ok +-$/m);
      assert.equal(
        lines.filter((line) => /^\[tentacle-\d+\] Octopus should be able to connect/.test(line))
          .length,
        160,
      );
      continue;
    }
    const events = stdout.trimEnd().split("\n").map((line) => JSON.parse(line));
    assert.equal(events[0].type, "start");
    assert.equal(events[0].command, "check");
    const checks = events.filter((event) => event.type === "check");
    assert.equal(checks.length, 200);
    assert.ok(
      checks.every((check) => typeof check.target.name === "string" && check.target.port > 0),
    );
    const blocking = checks.filter((check) => check.verdict === "blocking").map((c) =>
      c.target.name
    );
    assert.deepEqual(new Set(blocking), new Set(fleet.bad.keys()));
    const last = events.at(-1);
    assert.deepEqual([last.type, last.targets, last.failed], ["fleet", 200, fleet.bad.size]);
    assert.deepEqual(new Set(last.failing), new Set(fleet.bad.keys()));
  }
});

linuxTest(
  "on a console, a live table redrawn in place; the attempts go to the log file alone",
  async () => {
    await using fleet = await startFleet({ tentacle: 3, silent: 0, closed: 2, flaky: 0 });
    await using dir = await tempDir();
    const screen = await inTerminal([
      "ping",
      `/hosts=${fleet.hosts}`,
      "/count=8",
      "/interval=300",
      `/logfile=${dir.path}/run.log`,
    ]);
    // deno-lint-ignore no-control-regex
    assert.match(screen, /\x1b\[\d+A\x1b\[J/, "the table is redrawn in place");
    assert.match(
      screen,
      /\d\d:\d\d:\d\dZ [\d,]+ attempts?, \d+ failed, \d+\/5 targets done; Ctrl\+C: final table/,
    );
    assert.doesNotMatch(screen, /\[tentacle-1\] /, "no attempt lines on the console");
    assert.match(screen, /--- 5 targets, worst first ---/);
    assert.match(
      screen,
      /failing: closed-\d \(refused\), closed-\d \(refused\) - 2 of 5 targets/,
    );
    const log = await Deno.readTextFile(`${dir.path}/run.log`);
    assert.equal(log.match(/^\[tentacle-1\] \S+ Connect: Success!/gm)?.length, 8);
    // deno-lint-ignore no-control-regex
    assert.doesNotMatch(log, /\x1b/, "no escape sequences in the file");
    assert.match(log, /^failing: closed-\d \(refused\), closed-\d \(refused\)/m);
  },
  SCRIPT,
);
