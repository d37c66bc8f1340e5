/**
 * scripts/smoke.ts, the check GitHub's runners make of each built executable,
 * run here against `deno run -A main.ts`: its steps hold on every commit, and
 * a failing step is named.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { MAIN, runTool, tempDir } from "./support/helpers.ts";

const SMOKE = fileURLToPath(new URL("../scripts/smoke.ts", import.meta.url));
/** pong's /duration in the script (30 s), the runs around it, and a loaded machine. */
const SMOKE_MS = 180_000;
const OCTOPING = [Deno.execPath(), "run", "-A", "--quiet", MAIN];

function smoke(args: string[]) {
  return runTool(Deno.execPath(), ["run", "-A", "--quiet", SMOKE, ...args], { waitMs: SMOKE_MS });
}

Deno.test("the smoke script passes every step against deno run -A main.ts", async () => {
  await using out = await tempDir({ prefix: "octoping-smoke-test-" });
  const run = await smoke([`--out=${out.path}`, ...OCTOPING]);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const steps = run.stdout.split("\n").filter((line) => line.startsWith("step "));
  assert.equal(steps.length, 6, run.stdout);
  for (const step of steps) assert.match(step, /^step \d\/6: .+ \.\.\. ok/);
  assert.match(run.stdout, /ping \/count=5 \/datasize=10 > Output\.txt \.\.\. ok/);
  assert.match(run.stdout, /check against pong: .* \.\.\. ok \(\d+ findings, all OK\)/);
  assert.match(run.stdout, /pong stops by itself .* ok \([\d,]+ connections?, .*50 MB read/);
  assert.match(run.stdout, /^smoke: all 6 steps passed$/m);
  const output = await Deno.readTextFile(join(out.path, "Output.txt"));
  assert.equal(output.match(/Connect: Success!/g)?.length, 5);
  const kept = [...Deno.readDirSync(out.path)].map((entry) => entry.name).sort();
  assert.deepEqual(kept, ["Output.txt", "bad-option.txt", "check.txt", "pong.txt", "usage.txt"]);
});

Deno.test("the smoke script stops at the first failing step, names it, and exits 1", async () => {
  await using out = await tempDir({ prefix: "octoping-smoke-test-" });
  // An OctoPing that answers every command line with its version never starts a pong.
  const run = await smoke([`--out=${out.path}`, ...OCTOPING, "--version"]);
  assert.equal(run.code, 1, run.stdout + run.stderr);
  assert.match(
    run.stdout,
    /^step 1\/6: pong \/duration=\d+ starts on a free port \.\.\. FAILED$/m,
  );
  assert.match(
    run.stdout,
    /^smoke: FAILED at step 1, pong .*: the output ended without pong's listening line/m,
  );
  assert.doesNotMatch(run.stdout, /^step 2/m);
  assert.match(await Deno.readTextFile(join(out.path, "pong.txt")), /^OctoPing \S+\r?$/m);
});

Deno.test("the smoke script without a command says what it needs, exit 2", async () => {
  const run = await smoke([]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /^smoke: give the command that runs OctoPing/);
});
