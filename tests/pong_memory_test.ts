/**
 * Pong left running for days stays small: each connection it served holds
 * memory outside V8's heap (Deno's TLS state) until V8 collects the
 * connection's objects, which V8 alone did about every thousand connections.
 * The figures themselves are the bench's (`pong's RSS after 4500 attempts`).
 */
import assert from "node:assert/strict";
import { parseArgs } from "../src/options/parse.ts";
import { startPong } from "../src/pong/server.ts";

/** One plain request to pong, read to pong's close. */
async function oneRequest(port: number): Promise<void> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(new TextEncoder().encode("GET / HTTP/1.1\r\nHost: test\r\n\r\n"));
  const buffer = new Uint8Array(16 * 1024);
  while (await conn.read(buffer) !== null);
  conn.close();
}

Deno.test("pong collects garbage once per 500 connections served, not more often", async () => {
  const command = parseArgs(["pong", "/port=0", "/listen=127.0.0.1", "/nossl"]);
  assert.ok(command.kind === "pong");
  let collections = 0;
  const server = await startPong(command.options, undefined, () => {}, () => collections++);
  try {
    for (let i = 0; i < 1099; i++) await oneRequest(server.port);
  } finally {
    await server.close(); // waits for every connection's end
  }
  assert.equal(collections, 2);
});
