/**
 * Garbage collection when asked. Each TLS connection Deno makes, and each
 * chunk of data it decrypts, holds native memory freed only when its
 * JavaScript object is collected, and V8 collects when its own heap fills:
 * ping's live heap after 3,000 attempts at /interval=0 was 12 MB, its peak RSS
 * 210 MB; pong under 200 clients uploading over TLS peaked at 420-480 MB with
 * a 14 MB heap, and ping reading a 512 MB /reverse at 620-630 MB. Collecting
 * on a schedule keeps the RSS flat.
 *
 * The executable starts V8 with `--expose-gc` (`V8_FLAGS` in scripts/build.ts):
 * its `gc` collects the young generation alone in well under a millisecond.
 * Without the flag (a plain `deno run`), a full collection still works through
 * a new context, and young ones are skipped.
 *
 * @module
 */
import v8 from "node:v8";
import vm from "node:vm";

/** V8's `gc`, given options: a young-generation ("minor") or a full collection, how thorough. */
type Collect = (options?: { type: "minor" | "major"; flavor?: "regular" | "last-resort" }) => void;

/** `gc` as the runtime exposes it, with `--expose-gc`. */
const exposed = (globalThis as { gc?: Collect }).gc;
let throughNewContext: Collect | undefined;

/** Data that passes between two young-generation collections. */
const YOUNG_EVERY_BYTES = 16 * 1024 * 1024;
let sinceYoung = 0;

/**
 * Runs a full garbage collection, the thorough kind (about 6 ms with a 10 MB heap): a regular
 * one left pong at 158 MB after 4,500 attempts and ping at 122 MB after 3,000, where this one
 * left 94 and 93 MB, as the collection through a new context does.
 */
export function collectGarbage(): void {
  if (exposed) return exposed({ type: "major", flavor: "last-resort" });
  if (!throughNewContext) {
    // `gc` exists only in contexts made after the flag is set: a new one hands it over.
    v8.setFlagsFromString("--expose-gc");
    throughNewContext = vm.runInNewContext("gc") as Collect;
  }
  throughNewContext();
}

/**
 * Counts `bytes` of data read; after every 16 MiB, collects the young
 * generation, where the buffers that carried it wait: each TLS read is
 * decrypted into a new one (pong's uploads, ping's /reverse answers).
 */
export function collectAfterReading(bytes: number): void {
  if (!exposed) return;
  sinceYoung += bytes;
  if (sinceYoung < YOUNG_EVERY_BYTES) return;
  sinceYoung = 0;
  exposed({ type: "minor" });
}
