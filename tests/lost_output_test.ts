/**
 * Output that cannot be written is never silent: `ping > Output.txt` on a full
 * disk says so once on stderr, runs to its end, puts its statistics where they
 * can still go, and exits 1. `/dev/full` stands in for the full disk: it opens,
 * and every write to it fails with ENOSPC.
 */
import assert from "node:assert/strict";
import { redirected, runLine } from "../scripts/shell.ts";
import {
  type Finished,
  linuxTest,
  MAIN,
  octoPingCommand,
  ownLineEnds,
  Pong,
  tempDir,
  WAIT_MS,
} from "./support/helpers.ts";

/** Runs OctoPing with `args` as `sh` runs it, stdout to /dev/full and stderr to `stderr`. */
async function toFullDisk(args: string[], stderr = ""): Promise<Finished> {
  const line = redirected(octoPingCommand(args), "/dev/full");
  const argv = [...line.argv.slice(0, -1), `${line.argv.at(-1)} ${stderr}`];
  return ownLineEnds(await runLine({ argv, raw: line.raw }, WAIT_MS), args.join(" "));
}

/** Two pings of `pong`, stdout to /dev/full, a log file at `log`, and stderr to `stderr`. */
function pingToFullDisk(pong: Pong, log: string, stderr = ""): Promise<Finished> {
  const target = ["/host=127.0.0.1", `/port=${pong.port}`];
  return toFullDisk(["ping", ...target, "/count=2", "/interval=0", `/logfile=${log}`], stderr);
}

/** The lines of `stderr` that say a write failed: there must be exactly one. */
function lossLines(stderr: string): string[] {
  return stderr.split("\n").filter((line) => line.startsWith("OctoPing: writing to "));
}

const STDOUT_FULL = /^OctoPing: writing to stdout failed \(No space left on device[^)]*\)\): /;

linuxTest(
  "ping > /dev/full: said once on stderr, the run goes to its end, its statistics on stderr and in the log, exit 1",
  async () => {
    await using pong = await Pong.start();
    await using dir = await tempDir();
    const run = await pingToFullDisk(pong, `${dir.path}/run.log`);
    assert.equal(run.code, 1, run.stderr);
    assert.equal(lossLines(run.stderr).length, 1, run.stderr);
    assert.match(run.stderr.split("\n")[0], STDOUT_FULL);
    assert.match(
      run.stderr,
      /^--- statistics for 127\.0\.0\.1 port \d+ ---$/m,
      "the statistics on stderr",
    );
    const log = await Deno.readTextFile(`${dir.path}/run.log`);
    assert.equal(log.split("\n").filter((line) => line.includes("Success!")).length, 2);
    assert.match(
      log,
      /^--- statistics for 127\.0\.0\.1 port \d+ ---$/m,
      "the statistics in the log file",
    );
  },
);

linuxTest(
  "check > /dev/full: said once on stderr, the verdict on stderr, exit 1",
  async () => {
    await using pong = await Pong.start();
    const run = await toFullDisk(["check", "/host=127.0.0.1", `/port=${pong.port}`]);
    assert.equal(run.code, 1, run.stderr);
    assert.equal(lossLines(run.stderr).length, 1, run.stderr);
    assert.match(run.stderr.split("\n")[0], STDOUT_FULL);
    assert.match(run.stderr, /^Octopus should be able to connect to 127\.0\.0\.1:\d+$/m);
  },
);

linuxTest(
  "stdout and stderr both to /dev/full: no crash, the run ends, its log has the statistics, exit 1",
  async () => {
    await using pong = await Pong.start();
    await using dir = await tempDir();
    const run = await pingToFullDisk(pong, `${dir.path}/run.log`, "2>/dev/full");
    assert.equal(run.code, 1);
    assert.match(
      await Deno.readTextFile(`${dir.path}/run.log`),
      /^--- statistics for 127\.0\.0\.1 port \d+ ---$/m,
    );
  },
);

linuxTest("stderr alone to /dev/full: the run and its exit code are as ever", async () => {
  await using pong = await Pong.start();
  // pong given /host says so on stderr, which cannot take it, then pings.
  const args = [MAIN, "pong", "/host=127.0.0.1", `/port=${pong.port}`, "/count=1"];
  const line = ["sh", "-c", `"$0" run --allow-all --quiet "$@" 2>/dev/full`, Deno.execPath()];
  const run = ownLineEnds(
    await runLine({ argv: [...line, ...args], raw: false }, WAIT_MS),
    args.join(" "),
  );
  assert.equal(run.code, 0, run.stdout);
  assert.match(run.stdout, /^--- statistics for 127\.0\.0\.1 port \d+ ---$/m);
});

linuxTest(
  "ping | a reader that stops reading: said once as a closed pipe, not a full disk, exit 1",
  async () => {
    await using pong = await Pong.start();
    const args = ["/host=127.0.0.1", `/port=${pong.port}`, "/count=3", "/interval=300"];
    const quoted = octoPingCommand(["ping", ...args]).map((part) => `'${part}'`).join(" ");
    // pipefail: the exit code is ping's, since head's is 0.
    const line = { argv: ["bash", "-c", `set -o pipefail; ${quoted} | head -n 1 >/dev/null`] };
    const run = ownLineEnds(await runLine({ ...line, raw: false }, WAIT_MS), "ping | head");
    assert.equal(run.code, 1, run.stderr);
    assert.equal(lossLines(run.stderr).length, 1, run.stderr);
    assert.match(
      run.stderr,
      /^OctoPing: writing to stdout failed \(Broken pipe[^)]*\)\): .* The program reading it stopped reading: send the output to a file \(> Output\.txt\)/m,
    );
    assert.doesNotMatch(run.stderr, /Free some space/);
  },
);
