/**
 * The fleet table's order and closing line: worst first, and a target that
 * has not finished one attempt (a silent Tentacle when Ctrl+C came) is never
 * ranked or named as healthy.
 */
import assert from "node:assert/strict";
import {
  failingLine,
  type FleetRow,
  fleetTableLines,
  worstFirst,
} from "../src/reporters/fleet_table.ts";

const healthy: FleetRow = { name: "web01", attempts: 5, failed: 0, median: 1, p95: 2 };
const flaky: FleetRow = {
  name: "web02",
  attempts: 5,
  failed: 1,
  median: 1,
  p95: 2,
  lastCause: "reset",
};
const silent: FleetRow = { name: "web03", attempts: 0, failed: 0 };

Deno.test("a target with no finished attempt ranks above the healthy ones, below the failing", () => {
  assert.deepEqual([healthy, silent, flaky].sort(worstFirst).map((r) => r.name), [
    "web02",
    "web03",
    "web01",
  ]);
});

Deno.test("its row shows no loss figure, and the closing line names it as unanswered", () => {
  const lines = fleetTableLines([silent]);
  assert.match(lines[1], /^web03 +0 +0 +0 +- +- +- +no attempt finished$/);
  assert.equal(
    failingLine([healthy, silent]),
    "no attempt finished: web03 - 1 of 2 targets never answered",
  );
  assert.equal(
    failingLine([healthy, flaky, silent]),
    "failing: web02 (reset) - 1 of 3 targets had failures; no attempt finished: web03",
  );
  assert.equal(failingLine([healthy]), "no failures: the target answered every attempt");
});
