import assert from "node:assert/strict";
import { payloadPool } from "../src/net/payload.ts";
import { requestFrame } from "../src/connection/request.ts";

Deno.test("the payload is printable, one line (no CR or LF), and does not compress", async () => {
  const pool = payloadPool();
  assert.ok(pool.length >= 1024 * 1024);
  for (const byte of pool) assert.ok(byte > 32 && byte < 127, `byte ${byte}`);
  const gzipped = await new Response(
    new Blob([pool]).stream().pipeThrough(new CompressionStream("gzip")),
  ).arrayBuffer();
  // Six random bits a byte: gzip cannot get below 75 %; a run of `A`s would shrink to < 1 %.
  assert.ok(gzipped.byteLength > pool.length * 0.74, `gzip made ${gzipped.byteLength} bytes`);
  assert.equal(payloadPool(), pool, "made once and reused");
});

Deno.test("a request: GET, Host, Connection: close, the payload as one line, a blank line", () => {
  const frame = requestFrame({ host: "fe80::1", port: 10933 }, 5);
  const head = new TextDecoder().decode(frame.head);
  // With a payload, it asks pong to say what has arrived while it arrives.
  assert.equal(
    head,
    "GET / HTTP/1.1\r\nHost: [fe80::1]:10933\r\nConnection: close\r\nX-OctoPing-Progress: 1\r\n",
  );
  assert.equal(new TextDecoder().decode(frame.tail), "\r\n\r\n");
  assert.equal(frame.totalBytes, head.length + 5 + 4);
  const empty = requestFrame({ host: "MyServer", port: 1 }, 0);
  assert.equal(new TextDecoder().decode(empty.tail), "\r\n");
});
