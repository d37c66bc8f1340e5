/**
 * The console sink: lines are written in order and none is lost, whenever
 * they arrive relative to the writes already under way.
 */
import assert from "node:assert/strict";
import { ConsoleSink } from "../src/output/console.ts";

/** A console whose writes finish only when the test says so, recording what arrived. */
function slowConsole() {
  const written: string[] = [];
  const pending: (() => void)[] = [];
  return {
    written,
    /** Finishes every write under way. */
    release() {
      pending.splice(0).forEach((finish) => finish());
    },
    stream: {
      write(bytes: Uint8Array): Promise<number> {
        written.push(new TextDecoder().decode(bytes));
        return new Promise((resolve) => pending.push(() => resolve(bytes.length)));
      },
    },
  };
}

Deno.test("a line written just as the previous write finishes is not lost", async () => {
  // Ctrl+C ended a ping right after a failure's lines and its "Stopped:" summary vanished
  // (1 run in 6): the summary arrived after the sink's last write but before it said it
  // was idle. Each delay here puts the second line at another point of that hand-over.
  for (let ticks = 0; ticks < 20; ticks++) {
    const console = slowConsole();
    const sink = new ConsoleSink(console.stream);
    sink.write("first\n");
    console.release();
    for (let i = 0; i < ticks; i++) await Promise.resolve();
    sink.write("second\n");
    const flushed = sink.flush();
    for (let i = 0; i < 10; i++) {
      await Promise.resolve();
      console.release();
    }
    await flushed;
    assert.equal(console.written.join(""), "first\nsecond\n", `second line after ${ticks} ticks`);
  }
});

Deno.test("a stream that fills up mid-line: told once, the fallback takes the rest from that line's start", async () => {
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  let room = 8; // the bytes the stream takes before its disk is full
  const kept: string[] = [];
  const full = {
    write(bytes: Uint8Array): Promise<number> {
      if (room === 0) return Promise.reject(new Error("No space left on device"));
      const taken = Math.min(room, bytes.length);
      room -= taken;
      kept.push(decode(bytes.subarray(0, taken)));
      return Promise.resolve(taken);
    },
  };
  const told: unknown[] = [];
  const fallback: string[] = [];
  const sink = new ConsoleSink(full, {
    tell: (error) => told.push(error),
    fallback: { write: (bytes) => Promise.resolve(fallback.push(decode(bytes)) && bytes.length) },
  });
  sink.write("first\nsecond\n");
  sink.write("third\n");
  await sink.flush();
  assert.equal(kept.join(""), "first\nse", "the stream kept what it could");
  assert.equal(fallback.join(""), "second\nthird\n", "the cut line again, whole, then the rest");
  assert.equal(told.length, 1);
});
