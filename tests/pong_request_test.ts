/** src/pong/request.ts: where a request ends, however its bytes arrive. */
import assert from "node:assert/strict";
import fc from "fast-check";
import { indexOfLf, RequestScanner } from "../src/pong/request.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

/** Feeds `data` in pieces cut at `cuts`; returns the scanner. */
function scan(data: Uint8Array, cuts: number[] = []): RequestScanner {
  const scanner = new RequestScanner();
  let at = 0;
  for (
    const cut of [
      ...cuts.filter((c) => c > 0 && c < data.length).sort((a, b) => a - b),
      data.length,
    ]
  ) {
    scanner.push(data.subarray(at, cut));
    at = cut;
  }
  return scanner;
}

Deno.test("a request ends at its first blank line, CRLF or bare LF", () => {
  for (const text of ["GET / HTTP/1.1\r\nHost: x\r\n\r\n", "GET /\n\n", "GET /\r\nX: y\n\r\n"]) {
    const scanner = scan(bytes(text + "trailing bytes"));
    assert.ok(scanner.done, JSON.stringify(text));
    assert.equal(scanner.bytes, bytes(text).length, JSON.stringify(text));
  }
});

Deno.test("a request without a blank line is not done and every byte is counted", () => {
  const data = bytes("GET / HTTP/1.1\r\nHost: x\r\n" + "A".repeat(100_000));
  const scanner = scan(data, [10, 5000]);
  assert.ok(!scanner.done);
  assert.equal(scanner.bytes, data.length);
});

Deno.test("push says how many of the chunk's bytes belong to the request", () => {
  const scanner = new RequestScanner();
  assert.equal(scanner.push(bytes("GET /\r\n")), 7);
  assert.equal(scanner.push(bytes("\r\nextra")), 2);
  assert.equal(scanner.push(bytes("more")), 0);
  assert.equal(scanner.bytes, 9);
});

Deno.test("where the chunks are cut never changes the count", () => {
  const line = fc.stringMatching(/^[ -~]{0,40}$/).filter((s) => s.length > 0);
  fc.assert(
    fc.property(
      fc.array(line, { minLength: 1, maxLength: 6 }),
      fc.constantFrom("\r\n", "\n"),
      fc.array(fc.nat(400)),
      (lines, eol, cuts) => {
        const request = lines.join(eol) + eol + eol;
        const data = bytes(request + "after the request");
        const scanner = scan(data, cuts);
        assert.ok(scanner.done);
        assert.equal(scanner.bytes, bytes(request).length);
      },
    ),
  );
});

Deno.test("a 64 MB line is counted without keeping it", () => {
  const scanner = new RequestScanner();
  const chunk = new Uint8Array(1024 * 1024).fill(65);
  scanner.push(bytes("GET /\r\n"));
  for (let i = 0; i < 64; i++) scanner.push(chunk);
  scanner.push(bytes("\r\n\r\n"));
  assert.ok(scanner.done);
  assert.equal(scanner.bytes, 7 + 64 * 1024 * 1024 + 4);
});

Deno.test("indexOfLf finds the first LF at or after the start, wherever the bytes sit in memory", () => {
  const memory = new Uint8Array(300);
  fc.assert(
    fc.property(
      fc.nat(7),
      fc.nat(260),
      fc.array(fc.nat(259), { maxLength: 3 }),
      // Bytes next to LF in value, CR, the top bit set, and any other.
      fc.oneof(fc.constantFrom(9, 11, 13, 0x8a, 0xff), fc.nat(255)),
      fc.oneof(fc.nat(260), fc.integer({ min: -300, max: -1 }), fc.double({ min: 0, max: 260 })),
      (offset, length, lfs, other, from) => {
        memory.fill(other);
        const bytes = memory.subarray(offset, offset + length);
        for (const at of lfs) if (at < length) bytes[at] = 10;
        assert.equal(indexOfLf(bytes, from), bytes.indexOf(10, from));
      },
    ),
    { numRuns: 2000 },
  );
});
