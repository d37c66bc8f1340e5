import assert from "node:assert/strict";
import { formatCount, formatMB, formatMs, formatRate, formatTimestamp } from "../src/format.ts";
import { displayAddress, joinHostPort } from "../src/net/address.ts";

Deno.test("numbers have comma thousands separators", () => {
  assert.equal(formatCount(10283), "10,283");
  assert.equal(formatCount(1_048_576_058), "1,048,576,058");
  assert.equal(formatCount(7), "7");
  assert.equal(formatMs(3001.4), "3,001ms");
});

Deno.test("timestamps are UTC, to the second, with a trailing Z", () => {
  assert.equal(
    formatTimestamp(new Date(Date.UTC(2026, 10, 23, 19, 30, 0, 999))),
    "2026-11-23T19:30:00Z",
  );
});

Deno.test("sizes and rates are in MB of 1,048,576 bytes", () => {
  assert.equal(formatMB(100 * 1_048_576), "100");
  assert.equal(formatMB(524_288), "0.5");
  assert.equal(formatRate(100 * 1_048_576, 2000), "50.0 MB/s");
  assert.equal(formatRate(1_048_576, 1000), "1.00 MB/s");
});

Deno.test("IPv4-mapped IPv6 peers are shown as plain IPv4; IPv6 gets brackets", () => {
  assert.equal(displayAddress("::ffff:10.0.0.5"), "10.0.0.5");
  assert.equal(displayAddress("fe80::1"), "fe80::1");
  assert.equal(joinHostPort("::ffff:10.0.0.5", 51234), "10.0.0.5:51234");
  assert.equal(joinHostPort("fe80::1", 10933), "[fe80::1]:10933");
  assert.equal(joinHostPort("MyServer", 10933), "MyServer:10933");
});
