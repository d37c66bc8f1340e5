import assert from "node:assert/strict";
import fc from "fast-check";
import { ResponseReader } from "../src/net/http.ts";

const bytes = (text: string) => new TextEncoder().encode(text);
/** A reader fed `data` cut at `cuts` (any order, repeats allowed). */
function readInPieces(data: Uint8Array, cuts: number[]): ResponseReader {
  const reader = new ResponseReader();
  let at = 0;
  for (const cut of [...new Set(cuts)].sort((a, b) => a - b).concat(data.length)) {
    reader.push(data.subarray(at, cut));
    at = cut;
  }
  return reader;
}

const RESPONSE = "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 5\r\nX-OctoPing: pong 1\r\n\r\nhello";

Deno.test("a response is complete when its Content-Length has arrived", () => {
  const reader = new ResponseReader();
  reader.push(bytes(RESPONSE.slice(0, -1)));
  assert.ok(!reader.complete);
  assert.ok(reader.truncated);
  reader.push(bytes("o"));
  assert.ok(reader.complete);
  assert.equal(reader.bytes, RESPONSE.length);
  assert.equal(reader.head?.status, 502);
  assert.equal(reader.head?.reason, "Bad Gateway");
  assert.equal(reader.head?.headers.get("x-octoping"), "pong 1");
});

Deno.test("without Content-Length a response is never complete before the close", () => {
  const reader = new ResponseReader();
  reader.push(bytes("HTTP/1.0 200 OK\r\nServer: x\r\n\r\n<html>"));
  assert.ok(!reader.complete);
  assert.ok(!reader.truncated);
  assert.equal(reader.head?.status, 200);
});

Deno.test("an answer that is not HTTP is counted and has no head", () => {
  const reader = new ResponseReader();
  reader.push(bytes("SSH-2.0-OpenSSH_9.2\r\n\r\n"));
  assert.equal(reader.head, undefined);
  assert.equal(reader.bytes, 23);
});

Deno.test("204 and 304 have no body", () => {
  const reader = new ResponseReader();
  reader.push(bytes("HTTP/1.1 204 No Content\r\n\r\n"));
  assert.ok(reader.complete);
});

Deno.test("however the response is cut into chunks, the reading is the same", () => {
  const data = bytes(RESPONSE);
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: data.length - 1 })), (cuts) => {
      const reader = readInPieces(data, cuts);
      assert.ok(reader.complete);
      assert.equal(reader.bytes, data.length);
      assert.equal(reader.head?.status, 502);
    }),
  );
});

const PROGRESS = (n: number) => `HTTP/1.1 102 Processing\r\nX-OctoPing-Bytes-Read: ${n}\r\n\r\n`;

Deno.test("interim 1xx responses are read past: the head is the final one's", () => {
  const reader = new ResponseReader();
  reader.push(bytes(PROGRESS(65536)));
  assert.equal(reader.head?.status, undefined);
  assert.ok(!reader.answering, "an interim response is not the answer");
  assert.equal(reader.confirmed, 65536);
  reader.push(bytes(PROGRESS(131072) + RESPONSE));
  assert.ok(reader.answering);
  assert.ok(reader.complete);
  assert.equal(reader.head?.status, 502);
  assert.equal(reader.confirmed, 131072);
  assert.equal(reader.interim, 2);
  assert.equal(reader.interimBytes, PROGRESS(65536).length + PROGRESS(131072).length);
  assert.equal(reader.bytes, reader.interimBytes + RESPONSE.length);
  assert.equal(new TextDecoder().decode(reader.first).slice(0, 12), "HTTP/1.1 502");
});

Deno.test("a half-arrived status line that may be interim is not yet the answer; other bytes are", () => {
  const half = new ResponseReader();
  half.push(bytes("HTTP/1.1 1"));
  assert.ok(!half.answering);
  const final = new ResponseReader();
  final.push(bytes("HTTP/1.1 2"));
  assert.ok(final.answering);
  const other = new ResponseReader();
  other.push(bytes("SSH-"));
  assert.ok(other.answering);
});

Deno.test("101 Switching Protocols is a final answer, not an interim one", () => {
  const reader = new ResponseReader();
  reader.push(bytes("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n"));
  assert.equal(reader.head?.status, 101);
  assert.equal(reader.interim, 0);
});

Deno.test("however interim and final responses are cut into chunks, the reading is the same", () => {
  const data = bytes(PROGRESS(10) + PROGRESS(20) + RESPONSE);
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: data.length - 1 })), (cuts) => {
      const reader = readInPieces(data, cuts);
      assert.ok(reader.complete);
      assert.equal(reader.interim, 2);
      assert.equal(reader.confirmed, 20);
      assert.equal(reader.bytes, data.length);
      assert.equal(reader.head?.status, 502);
    }),
  );
});
