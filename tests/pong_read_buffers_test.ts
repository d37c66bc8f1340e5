/** src/pong/read_buffers.ts: one reused buffer per connection, and a capped few large ones. */
import assert from "node:assert/strict";
import { LargeBuffers, ReadBuffer } from "../src/pong/read_buffers.ts";

Deno.test("a connection reads into the same small buffer until a read fills it", () => {
  const reads = new ReadBuffer(8, new LargeBuffers(1, 64));
  const first = reads.current;
  reads.filled(7);
  assert.equal(reads.current, first);
  assert.equal(first.length, 8);
  reads.filled(8);
  assert.equal(reads.current.length, 64);
});

Deno.test("large buffers are capped, and lent again once given back", () => {
  const large = new LargeBuffers(1, 64);
  const bulk = new ReadBuffer(8, large);
  const other = new ReadBuffer(8, large);
  bulk.filled(8);
  other.filled(8);
  assert.equal(other.current.length, 8, "the one large buffer is lent out");
  const lent = bulk.current;
  bulk.release();
  other.filled(8);
  assert.equal(other.current, lent);
});

Deno.test("a read that ends after the connection gave its buffer back borrows nothing", () => {
  const large = new LargeBuffers(1, 64);
  const closed = new ReadBuffer(8, large);
  closed.filled(8);
  const lent = closed.current;
  closed.release(); // the connection closes while a read of the large buffer is out
  closed.filled(64); // that read, full, comes back after the close
  const other = new ReadBuffer(8, large);
  other.filled(8);
  assert.equal(other.current, lent, "the one large buffer is free for the next connection");
  assert.notEqual(closed.current, lent, "and the closed connection holds none of it");
});
