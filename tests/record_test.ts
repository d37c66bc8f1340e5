/**
 * What a run leaves behind: JSON lines with documented fields, a plain-text
 * log file with a header, and what happens when the file cannot be written.
 */
import assert from "node:assert/strict";
import { VERSION } from "../src/version.ts";
import {
  freePort,
  fromLineEnds,
  inTerminal,
  Lines,
  linuxTest,
  MAIN,
  Pong,
  runOctoPing,
  SCRIPT,
  tempDir,
} from "./support/helpers.ts";

const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

function parseLines(text: string): Record<string, unknown>[] {
  return text.trimEnd().split("\n").map((line) => JSON.parse(line));
}

/** Asserts `object` has exactly `fields` (name → JS type, or "null|<type>"). */
function hasFields(object: Record<string, unknown>, fields: Record<string, string>) {
  assert.deepEqual(Object.keys(object).sort(), Object.keys(fields).sort(), JSON.stringify(object));
  for (const [name, type] of Object.entries(fields)) {
    const value = object[name];
    const actual = value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
    assert.ok(
      type.split("|").includes(actual),
      `${object.type}.${name}: ${actual}, expected ${type}`,
    );
  }
  if (typeof object.time === "string") assert.match(object.time, ISO_MS);
}

Deno.test("ping /format=json: one object per event, with the documented fields", async () => {
  await using pong = await Pong.start();
  const ok = await runOctoPing([
    "ping",
    "/host=localhost",
    `/port=${pong.port}`,
    "/count=2",
    "/interval=0",
    "/format=json",
  ]);
  const failed = await runOctoPing([
    "ping",
    "/host=127.0.0.1",
    `/port=${freePort()}`,
    "/count=1",
    "/format=json",
  ]);
  assert.equal(ok.code, 0, ok.stdout);
  assert.equal(failed.code, 1);
  const events = [...parseLines(ok.stdout), ...parseLines(failed.stdout)];
  const byType = (type: string) => events.filter((event) => event.type === type);
  assert.deepEqual(
    [...new Set(events.map((event) => event.type))].sort(),
    ["address", "attempt", "certificate", "peer", "start", "summary"],
  );
  for (const start of byType("start")) {
    hasFields(start, {
      type: "string",
      time: "string",
      version: "string",
      commandLine: "string",
      command: "string",
      target: "object",
      options: "object",
      clientThumbprint: "string|null",
      machine: "string",
      os: "string",
      deno: "string",
    });
    assert.equal(start.version, VERSION);
  }
  for (const attempt of byType("attempt")) {
    hasFields(attempt, {
      type: "string",
      time: "string",
      seq: "number",
      ok: "boolean",
      ms: "number",
      phases: "object",
      bytesSent: "number",
      bytesConfirmed: "number|null",
      bytesRead: "number",
      status: "number|null",
      address: "string|null",
      cause: "string|null",
      summary: "string|null",
      phase: "string|null",
      message: "string|null",
      hint: "string|null",
      dnsMoved: "object|null",
    });
    assert.deepEqual(Object.keys(attempt.phases as object), [
      "dns",
      "connect",
      "proxy",
      "tls",
      "firstByte",
      "transfer",
    ]);
  }
  const failure = byType("attempt").find((attempt) => !attempt.ok)!;
  assert.equal(failure.cause, "refused");
  assert.equal(failure.phase, "connect");
  hasFields(byType("certificate")[0], {
    type: "string",
    time: "string",
    subject: "string",
    issuer: "string",
    selfSigned: "boolean",
    sha1: "string",
    sha256: "string",
    validFrom: "string",
    validTo: "string",
    keyType: "string",
    keyBits: "number|null",
    keyCurve: "string|null",
    signatureAlgorithm: "string",
    protocol: "string",
    cipher: "string",
    previousSha1: "null|string",
    warnings: "array",
  });
  assert.equal(byType("certificate")[0].sha1, pong.thumbprint);
  assert.deepEqual(byType("certificate")[0].warnings, [], "pong's certificate is a good one");
  const failedSummary = byType("summary")[1];
  for (const field of ["latency", "throughput", "cutShort"]) {
    assert.equal(failedSummary[field], null, field);
  }
  assert.equal(byType("peer")[0].hint, null, "absent values are null, never missing");
  const summary = byType("summary")[0];
  assert.equal(summary.attempts, 2);
  assert.equal(summary.succeeded, 2);
  assert.ok(!ok.stdout.includes("\x1b"), "no escape codes in JSON");
});

linuxTest("pong /format=json: start, one connection object per connection, summary", async () => {
  // JSON mode has no text banner to read the port from: give pong a free one.
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", MAIN, "pong", `/port=${port}`, "/format=json"],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines = new Lines(child.stdout);
  try {
    await lines.waitFor(/"type":"start"/);
    const run = await runOctoPing(["ping", `/host=127.0.0.1:${port}`, "/count=1"]);
    assert.equal(run.code, 0, run.stdout);
    await lines.waitFor(/"type":"connection"/);
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await lines.rest();
    await child.stderr.cancel();
  }
  const events = lines.seen.map((line) => JSON.parse(line));
  assert.deepEqual(events.map((event) => event.type), ["start", "connection", "summary"]);
  hasFields(events[1], {
    type: "string",
    time: "string",
    client: "string",
    bytesRead: "number",
    bytesSent: "number",
    ms: "number",
    outcome: "string",
    message: "null|string",
    clientCertificate: "null|string",
  });
  assert.equal(events[1].outcome, "answered");
  assert.match(String(events[1].clientCertificate), /^[0-9A-F]{40}$/, "ping presents one");
  assert.equal(events[2].connections, 1);
});

linuxTest(
  "/logfile: a plain-text copy with a header, while the console keeps its colors",
  async () => {
    await using pong = await Pong.start();
    await using dir = await tempDir();
    const logfile = `${dir.path}/run with spaces.log`;
    const args = [
      "ping",
      "/host=127.0.0.1",
      `/port=${pong.port}`,
      "/count=2",
      "/interval=0",
      `/logfile=${logfile}`,
    ];
    const screen = await inTerminal(args);
    assert.ok(screen.includes("\x1b[32mSuccess!"), "colors on the console");
    const log = await Deno.readTextFile(logfile);
    assert.ok(!log.includes("\x1b"), "no escape codes in the file");
    const lines = log.trimEnd().split("\n");
    assert.equal(lines[0], `# OctoPing ${VERSION} ping`);
    assert.match(
      lines[1],
      /^# command line: OctoPing ping \/host=127\.0\.0\.1 .*"\/logfile=.*run with spaces\.log"$/,
    );
    assert.match(lines[2], /^# started: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.match(
      lines[3],
      new RegExp(
        `^# machine: ${Deno.hostname()}, ${Deno.build.os} .*, Deno ${Deno.version.deno}$`,
      ),
    );
    assert.match(lines[4], /^# client certificate: [0-9A-F]{40} \(made for this run/);
    assert.match(lines[5], /pinging 127\.0\.0\.1/);
    assert.equal(lines.filter((line) => line.includes("Connect: Success!")).length, 2);
    // deno-lint-ignore no-control-regex
    const plainScreen = screen.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "").replaceAll("\r", "")
      .trimEnd()
      .split("\n");
    assert.deepEqual(lines, plainScreen, "the file holds every line the console showed");
  },
  SCRIPT,
);

Deno.test("notices for the console go into the log file too", async () => {
  await using dir = await tempDir();
  using taken = Deno.listen({ hostname: "0.0.0.0", port: 0 });
  const port = (taken.addr as Deno.NetAddr).port;
  const pong = await runOctoPing(["pong", `/port=${port}`, `/logfile=${dir.path}/pong.log`]);
  assert.equal(pong.code, 1);
  assert.match(pong.stderr, /port \d+ is already in use/);
  assert.match(
    await Deno.readTextFile(`${dir.path}/pong.log`),
    /^OctoPing: port \d+ is already in use/m,
  );
  const slip = await runOctoPing([
    "pong",
    "/host=127.0.0.1",
    `/port=${freePort()}`,
    "/count=1",
    `/logfile=${dir.path}/ping.log`,
  ]);
  assert.match(slip.stderr, /runs as 'ping'/);
  assert.match(
    await Deno.readTextFile(`${dir.path}/ping.log`),
    /^OctoPing: pong does not take \/host/m,
  );
});

Deno.test("/logfile with /format=json: the same JSON lines in the file", async () => {
  await using pong = await Pong.start();
  await using dir = await tempDir();
  const run = await pong.ping("/count=2", "/format=json", `/logfile=${dir.path}/run.jsonl`);
  assert.equal(run.code, 0);
  assert.equal(
    fromLineEnds(await Deno.readTextFile(`${dir.path}/run.jsonl`), "the log"),
    run.stdout,
  );
});

linuxTest(
  "a log file that cannot be opened is bad input; one that fills up is said once, exit 1",
  async () => {
    const bad = await runOctoPing(["ping", "/host=127.0.0.1", "/logfile=/no/such/dir/run.log"]);
    assert.equal(bad.code, 2);
    assert.equal(bad.stdout, "", "nothing ran");
    assert.match(bad.stderr, /^OctoPing: cannot open the log file \/no\/such\/dir\/run\.log: /);
    await using pong = await Pong.start();
    // /dev/full opens, then every write fails with ENOSPC: a disk that is full.
    const full = await pong.ping("/count=3", "/interval=0", "/logfile=/dev/full");
    assert.equal(full.code, 1, "the record is incomplete");
    assert.equal(
      full.stdout.split("\n").filter((line) => line.includes("Success!")).length,
      3,
      "the console carried on",
    );
    const complaints = full.stderr.trimEnd().split("\n");
    assert.equal(complaints.length, 1, full.stderr);
    assert.match(
      complaints[0],
      /^OctoPing: writing to \/dev\/full failed \(.*\): the log file is incomplete/,
    );
  },
);
