/** src/pong/lf_scan.wat: the vector search pong scans requests with, and the module built from it. */
import assert from "node:assert/strict";
import fc from "fast-check";
import { indexOfLf } from "../src/pong/request.ts";
import { LF_SCAN_WASM } from "../src/pong/lf_scan_module.ts";
import { buildLfScan, moduleText } from "../scripts/wasm.ts";

const MIB = 1024 * 1024;

Deno.test("the module pong carries is the one its source builds", async () => {
  const built = await buildLfScan();
  assert.equal(LF_SCAN_WASM, built.toBase64(), "run `deno task wasm` after changing lf_scan.wat");
  assert.match(moduleText(built), new RegExp(LF_SCAN_WASM.replaceAll("+", "\\+")));
});

Deno.test("this machine runs the module's 128-bit vectors", () => {
  assert.ok(WebAssembly.validate(Uint8Array.fromBase64(LF_SCAN_WASM)));
});

Deno.test("indexOfLf finds the first LF in long spans, across the pieces of the module's memory", () => {
  const memory = new Uint8Array(2 * MIB + 300);
  // Where a 1 MiB piece starts or ends, and where a 64-byte step does.
  const near = (at: number) => fc.integer({ min: at - 70, max: at + 70 });
  fc.assert(
    fc.property(
      fc.nat(7),
      fc.integer({ min: 4096, max: memory.length - 8 }),
      // From the start, the first 4 KiB are read a word at a time, then 1 MiB pieces follow.
      fc.array(
        fc.oneof(
          fc.nat(memory.length),
          near(4096),
          near(MIB),
          near(4096 + MIB),
          near(2 * MIB),
          near(4096 + 2 * MIB),
        ),
        { maxLength: 3 },
      ),
      fc.oneof(fc.constantFrom(9, 11, 13, 0x8a, 0xff), fc.nat(255)),
      fc.oneof(fc.constant(0), fc.nat(4096), near(MIB)),
      (offset, length, lfs, other, from) => {
        memory.fill(other === 10 ? 65 : other);
        const bytes = memory.subarray(offset, offset + length);
        for (const at of lfs) if (at >= 0 && at < length) bytes[at] = 10;
        assert.equal(indexOfLf(bytes, from), bytes.indexOf(10, from));
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("indexOfLf finds an LF where the word scan of a long span hands over to the vectors", () => {
  const bytes = new Uint8Array(64 * 1024).fill(65);
  for (const from of [0, 1, 3, 100]) {
    for (let at = from + 4090; at <= from + 4100; at++) {
      bytes.fill(65);
      bytes[at] = 10;
      assert.equal(indexOfLf(bytes, from), at, `from ${from}, LF at ${at}`);
    }
  }
});
