/**
 * The fleet's scheduler: at most `/parallel` pieces of work at once, the rest
 * in turn, first come first served; a stop while waiting runs nothing.
 */
import assert from "node:assert/strict";
import { runFleet, Slots } from "../src/fleet/slots.ts";

/** A piece of work that ends when told to. */
function held() {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => finish = resolve);
  return { work: () => done, finish };
}

Deno.test("at most `size` at once; the rest start in the order they asked, as slots free up", async () => {
  const waits: number[] = [];
  const slots = new Slots(2, () => waits.push(slots.busy));
  const started: number[] = [];
  const pieces = [0, 1, 2, 3].map(() => held());
  const runs = pieces.map((piece, i) =>
    slots.run(() => {
      started.push(i);
      return piece.work();
    }, new AbortController().signal)
  );
  await Promise.resolve();
  assert.deepEqual(started, [0, 1]);
  assert.equal(slots.busy, 2);
  assert.deepEqual(waits, [2], "the first wait is told once");
  pieces[1].finish();
  await runs[1];
  assert.deepEqual(started, [0, 1, 2]);
  pieces[0].finish();
  await runs[0];
  assert.deepEqual(started, [0, 1, 2, 3]);
  pieces[2].finish();
  pieces[3].finish();
  await Promise.all(runs);
  assert.equal(slots.busy, 0);
  assert.deepEqual(waits, [2], "still once");
});

Deno.test("a stop while waiting rejects without running the work, and takes no slot", async () => {
  const slots = new Slots(1);
  const first = held();
  const running = slots.run(first.work, new AbortController().signal);
  const stop = new AbortController();
  let ran = false;
  const waiting = slots.run(() => {
    ran = true;
    return Promise.resolve();
  }, stop.signal);
  stop.abort(new Error("stopped"));
  await assert.rejects(waiting, /stopped/);
  first.finish();
  await running;
  assert.equal(ran, false);
  assert.equal(slots.busy, 0);
  await slots.run(() => Promise.resolve(), new AbortController().signal); // the slot is free
});

Deno.test("runFleet runs a job per target under one cap and keeps the targets' order", async () => {
  let inFlight = 0;
  let most = 0;
  const results = await runFleet(
    [1, 2, 3, 4, 5, 6],
    new Slots(3),
    (n, slots) =>
      slots.run(async () => {
        most = Math.max(most, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5 * (7 - n)));
        inFlight--;
        return n * 10;
      }, new AbortController().signal),
  );
  assert.deepEqual(results, [10, 20, 30, 40, 50, 60]);
  assert.equal(most, 3);
});
