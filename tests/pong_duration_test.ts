/**
 * `pong /duration`: pong stops by itself, as it stops on Ctrl+C, with its
 * statistics and exit code 0. On Windows it is how a script stops pong: there
 * a child's `kill` is TerminateProcess, which prints nothing.
 */
import assert from "node:assert/strict";
import { afterHeader, runOctoPing } from "./support/helpers.ts";

Deno.test("pong /duration=1 stops by itself with its statistics, exit 0", async () => {
  const run = await runOctoPing(["pong", "/port=0", "/listen=127.0.0.1", "/duration=1"]);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.equal(run.stderr, "");
  const lines = afterHeader(run.stdout);
  assert.match(lines[0], /listening on port \d+ with TLS/);
  assert.equal(lines[1], "Stops after 1 s (/duration), or with Ctrl+C.");
  assert.deepEqual(lines.slice(2), [
    "Stopped.",
    "--- pong statistics ---",
    "0 connections, at most 0 at once; 0 MB read, 0 MB sent",
  ]);
});

Deno.test("pong /duration with /format=json ends with its summary object, exit 0", async () => {
  const run = await runOctoPing([
    "pong",
    "/port=0",
    "/listen=127.0.0.1",
    "/nossl",
    "/format=json",
    "/duration=0.5",
  ]);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const events = run.stdout.trimEnd().split(/\r?\n/).map((line) => JSON.parse(line));
  assert.deepEqual(events.map((event) => event.type), ["start", "summary"]);
  assert.equal(events[1].connections, 0);
});
