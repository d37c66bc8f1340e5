/**
 * Pong tells a client that asks (`X-OctoPing-Progress: 1`) how much of its
 * request has arrived, each second while it still arrives, with interim
 * `102 Processing` responses; a client that does not ask (an older ping, a
 * browser) gets only the answer, as before.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import tls from "node:tls";
import { Pong } from "./support/helpers.ts";

/** A TLS connection to pong that takes its self-signed certificate, with all it answers. */
async function connect(port: number) {
  const socket = tls.connect({ host: "127.0.0.1", port, rejectUnauthorized: false });
  await new Promise((resolve, reject) =>
    socket.once("secureConnect", resolve).once("error", reject)
  );
  const chunks: Uint8Array[] = [];
  socket.on("data", (chunk: Uint8Array) => chunks.push(chunk));
  const answer = new Promise<string>((resolve) =>
    socket.once("close", () => resolve(Buffer.concat(chunks).toString("latin1")))
  );
  const write = (data: string | Uint8Array) =>
    new Promise<void>((resolve, reject) => socket.write(data, (e) => e ? reject(e) : resolve()));
  return { write, answer };
}

/** Sends a payload line of `pieces` × 64 KiB, one piece each `pauseMs`; returns the answer. */
async function slowRequest(port: number, askProgress: boolean, pieces: number, pauseMs: number) {
  const { write, answer } = await connect(port);
  const ask = askProgress ? "X-OctoPing-Progress: 1\r\n" : "";
  await write(`GET / HTTP/1.1\r\nHost: pong\r\nConnection: close\r\n${ask}`);
  const piece = new Uint8Array(64 * 1024).fill(0x61);
  for (let i = 0; i < pieces; i++) {
    await write(piece);
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
  await write("\r\n\r\n");
  return await answer;
}

/** The byte counts of the `102 Processing` responses at the start of `answer`. */
function progressCounts(answer: string): number[] {
  return [
    ...answer.matchAll(/^HTTP\/1\.1 102 Processing\r\nX-OctoPing-Bytes-Read: (\d+)\r\n\r\n/gm),
  ]
    .map((match) => Number(match[1]));
}

Deno.test("a request that asks hears, each second, how much of it pong has read", async () => {
  await using pong = await Pong.start();
  // 12 pieces, one each 250 ms: about 3 s of arrival.
  const answer = await slowRequest(pong.port, true, 12, 250);
  const counts = progressCounts(answer);
  assert.ok(counts.length >= 2, answer.slice(0, 400));
  for (let i = 1; i < counts.length; i++) assert.ok(counts[i] > counts[i - 1], `${counts}`);
  const final = answer.slice(answer.lastIndexOf("\r\n\r\nHTTP/") + 4);
  assert.match(final, /^HTTP\/1\.0 200 OK\r\n/);
  const total = Number(/X-OctoPing-Bytes-Read: (\d+)/.exec(final)![1]);
  assert.ok(counts.at(-1)! < total, `${counts} < ${total}`);
});

Deno.test("a request that does not ask gets only the answer, however long it takes", async () => {
  await using pong = await Pong.start();
  const answer = await slowRequest(pong.port, false, 6, 400);
  assert.match(answer, /^HTTP\/1\.0 200 OK\r\n/);
  assert.deepEqual(progressCounts(answer), []);
});

Deno.test("a client that asked for progress and went silent is still dropped at /idle", async () => {
  await using pong = await Pong.start(["/idle=2"]);
  const { write, answer: answered } = await connect(pong.port);
  await write("GET / HTTP/1.1\r\nHost: pong\r\nX-OctoPing-Progress: 1\r\n" + "a".repeat(8192));
  const answer = await answered;
  // Once for the 8 KiB that came, then never again: pong says what arrived only when more has.
  assert.equal(progressCounts(answer).length, 1, answer);
  await pong.stdout.waitFor(/silent for 2 s \(\/idle\), dropped/);
});
