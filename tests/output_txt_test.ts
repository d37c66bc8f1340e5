/**
 * What support reads in an `Output.txt`: the run explains itself (a header),
 * an outage does not bury it in repeated hints, and figures read alike in ping
 * and pong.
 */
import assert from "node:assert/strict";
import { PLAIN } from "../src/output/console.ts";
import { pingTextReporter } from "../src/reporters/ping_text.ts";
import { VERSION } from "../src/version.ts";
import { attemptResult } from "./support/sessions.ts";
import {
  afterHeader,
  freePort,
  linuxTest,
  pingLoopback,
  Pong,
  runOctoPing,
} from "./support/helpers.ts";
import { readRequest, serveWith, writeText } from "./support/servers.ts";

Deno.test("ping > Output.txt starts with the header: command line, start, machine", async () => {
  const port = freePort();
  const run = await pingLoopback(port, "/count=1", "/timeout=2");
  const lines = run.stdout.split("\n");
  assert.equal(lines[0], `# OctoPing ${VERSION} ping`);
  assert.equal(
    lines[1],
    `# command line: OctoPing ping /host=127.0.0.1 /port=${port} /count=1 /timeout=2`,
  );
  assert.match(lines[2], /^# started: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.match(lines[3], new RegExp(`^# machine: ${Deno.hostname()}, ${Deno.build.os} \\S+ \\(`));
  assert.match(lines[4], /^# client certificate: [0-9A-F]{40} \(made for this run, as Octopus/);
  assert.match(lines[5], /^OctoPing .* - pinging 127\.0\.0\.1/);
});

Deno.test("an outage prints each failure's cause, but its hint and message only once", async () => {
  const run = await pingLoopback(freePort(), "/count=4", "/interval=0");
  assert.equal(run.code, 1);
  const lines = afterHeader(run.stdout);
  assert.equal(lines.filter((line) => line.includes("Connect: Failed!")).length, 4);
  assert.equal(lines.filter((line) => line.startsWith("    cause: refused - ")).length, 4);
  assert.equal(lines.filter((line) => line.startsWith("    hint: ")).length, 1, run.stdout);
  assert.equal(lines.filter((line) => /ECONNREFUSED/.test(line)).length, 1, run.stdout);
});

Deno.test("a failure at a host name: the address reached stands with the attempt's facts, before the hint", async () => {
  const run = await runOctoPing(["ping", "/host=localhost", `/port=${freePort()}`, "/count=1"]);
  assert.equal(run.code, 1);
  const lines = afterHeader(run.stdout);
  const failed = lines.findIndex((line) => line.includes("Connect: Failed!"));
  assert.match(lines[failed + 1], /^ {4}address: localhost is \S+$/, run.stdout);
  assert.match(lines[failed + 2], /^ {4}connect ECONNREFUSED /);
  assert.match(lines[failed + 3], /^ {4}cause: refused - /);
  assert.match(lines[failed + 4], /^ {4}hint: /);
});

Deno.test("after a success, the next failure's message is printed again, its hint is not", () => {
  const lines: string[] = [];
  const report = pingTextReporter({ line: (line) => lines.push(line) }, PLAIN);
  const attempt = (seq: number, ok: boolean) =>
    attemptResult(ok, {
      seq,
      phases: { dns: null, connect: 1, proxy: null, tls: 0, firstByte: 0, transfer: 0 },
      failure: ok ? undefined : { phase: "connect", message: "connect ECONNREFUSED", code: "x" },
      diagnosis: ok ? undefined : { cause: "refused", summary: "refused", hint: "is it running?" },
    });
  for (const ok of [false, false, true, false]) {
    report({ type: "attempt", result: attempt(lines.length, ok) });
  }
  assert.equal(lines.filter((line) => line.trim() === "hint: is it running?").length, 1);
  assert.equal(lines.filter((line) => line.trim() === "connect ECONNREFUSED").length, 2);
  assert.equal(lines.filter((line) => line.trim() === "cause: refused - refused").length, 3);
});

Deno.test(
  "intermittent failures: each hint once in the run, and again in the statistics",
  async () => {
    let accepted = 0;
    // Every second connection is closed unanswered; the others get a small HTTP answer.
    await using server = await serveWith(async (conn) => {
      if (++accepted % 2 === 0) return conn.close();
      await readRequest(conn);
      await writeText(conn, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
      conn.close();
    });
    const run = await pingLoopback(server.port, "/nossl", "/count=6", "/interval=0");
    assert.equal(run.code, 1, run.stdout);
    const lines = afterHeader(run.stdout);
    assert.equal(lines.filter((line) => line.includes("Connect: Failed!")).length, 3, run.stdout);
    // The failures' hints: those right under a cause (the close can land while sending or after,
    // each with its own hint, so the run may give two; none is printed twice).
    const printed = lines.flatMap((line, i) =>
      line.startsWith("    hint: ") && lines[i - 1].startsWith("    cause: ")
        ? [`    ${/cause: (\w+)/.exec(lines[i - 1])![1]}: ${line.slice("    hint: ".length)}`]
        : []
    );
    assert.ok(printed.length > 0, run.stdout);
    assert.equal(new Set(printed).size, printed.length, run.stdout);
    const listed = lines.slice(lines.indexOf("hints, as printed above:"));
    assert.deepEqual(listed, ["hints, as printed above:", ...printed], run.stdout);
  },
);

linuxTest(
  "pong's totals use ping's number format, in words that agree with the count",
  async () => {
    const pong = await Pong.start();
    try {
      const run = await pong.ping("/datasize=1.5", "/count=1");
      assert.equal(run.code, 0, run.stdout);
    } finally {
      await pong.stop();
    }
    assert.match(pong.stdout.text(), /^1 connection, at most 1 at once; 1\.5 MB read, 0 MB sent$/m);
  },
);
