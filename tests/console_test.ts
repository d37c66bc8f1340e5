/** The console sink: every line queued reaches the console, however the writes interleave. */
import assert from "node:assert/strict";
import { ConsoleSink } from "../src/report/console.ts";

/** Runs `fn` after `ticks` turns of the microtask queue. */
function afterMicrotasks(ticks: number, fn: () => void): void {
  if (ticks === 0) fn();
  else queueMicrotask(() => afterMicrotasks(ticks - 1, fn));
}

Deno.test("a line queued at any moment around the end of a write is still written", async () => {
  // Somewhere in these microtasks lies the moment between the last write's end and the pump's.
  for (let ticks = 0; ticks < 12; ticks++) {
    const written: string[] = [];
    const sink: ConsoleSink = new ConsoleSink({
      write(bytes: Uint8Array): Promise<number> {
        written.push(new TextDecoder().decode(bytes));
        if (written.length === 1) afterMicrotasks(ticks, () => sink.write("second\n"));
        return Promise.resolve(bytes.length);
      },
    });
    sink.write("first\n");
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(
      written.join(""),
      "first\nsecond\n",
      `second line queued after ${ticks} ticks`,
    );
  }
});
