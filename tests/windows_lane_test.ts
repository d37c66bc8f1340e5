/**
 * The Windows lane's reading of `deno test`: its counts come from the closing
 * line, and a test ignored under Wine is allowed only when it is marked Linux-only.
 */
import assert from "node:assert/strict";
import { countTests } from "../scripts/test_windows.ts";

const OUTPUT = [
  "running 3 tests from ./tests/a_test.ts",
  "a test that runs ... \x1b[32mok\x1b[0m (5ms)",
  "refused: a signal [needs Linux] ... \x1b[33mignored\x1b[0m (0ms)",
  "cmd's Output.txt [Windows only] ... ignored (0ms)",
  "",
  "\x1b[31mFAILED\x1b[0m | 12 passed | 1 failed | 2 ignored (3m2s)\r",
].join("\r\n");

Deno.test("the lane counts from deno test's closing line, colours and CRLF aside", () => {
  const counts = countTests(OUTPUT);
  assert.deepEqual([counts.passed, counts.failed, counts.skipped], [12, 1, 2]);
});

Deno.test("a test ignored under Wine that is not marked Linux-only is named, a Windows-only one first of all", () => {
  assert.deepEqual(countTests(OUTPUT).unexpectedSkips, ["cmd's Output.txt [Windows only]"]);
});

Deno.test("no closing line is a failure to read, not zero tests", () => {
  assert.throws(() => countTests("running 3 tests\n"), /no closing line/);
});

Deno.test("fewer tests named ignored than the closing line counts: a failure to read, not a pass", () => {
  const unnamed = OUTPUT.replace(/^cmd's Output\.txt .*$/m, "");
  assert.throws(() => countTests(unnamed), /ignored 2 tests but named 1/);
});
