/**
 * Slow and broken links in data mode: a transfer that keeps moving is never
 * cut, however slow; one that stops is named by what reached the other end,
 * not by what ping's socket took. The links are a relay of the tests' own
 * (tests/support/relay.py) that limits the rate, stalls, or cuts.
 */
import assert from "node:assert/strict";
import { mitmdump, relay, tlsOffloader, which } from "./support/daemons.ts";
import { afterHeader, linuxTest, pingLoopback, Pong } from "./support/helpers.ts";
import { holdOpen, readRequest, serveWith, writeText } from "./support/servers.ts";

const PYTHON = { what: "python3", here: which("python3") !== undefined };

/** 50 KB/s: half a megabyte takes about 10 s, far past the 3 s `/timeout` of these tests. */
const SLOW = "rate=51200";

/** The attempt's line and the lines under it, up to the statistics. */
function attemptLines(stdout: string): string[] {
  const lines = afterHeader(stdout);
  const at = lines.findIndex((line) => / Connect: /.test(line));
  assert.ok(at >= 0, stdout);
  return lines.slice(at, lines.findIndex((line) => line.startsWith("Done:")));
}

/** The figures in parentheses on a success line, by name: `{ tls: 40, "first byte": 1, ... }`. */
function phases(line: string): Record<string, number> {
  const inside = /\(([^)]*) ms\)$/.exec(line)![1];
  return Object.fromEntries(
    inside.split(", ").map((part) => {
      const at = part.lastIndexOf(" ");
      return [part.slice(0, at), Number(part.slice(at + 1).replaceAll(",", ""))];
    }),
  );
}

linuxTest(
  "a slow link that keeps moving succeeds: pong says what it has received, at the link's rate",
  async () => {
    await using pong = await Pong.start();
    await using link = await relay(pong.port, SLOW);
    const run = await pingLoopback(link.port, "/datasize=0.5", "/timeout=3", "/count=1");
    assert.equal(run.code, 0, run.stdout);
    const [line] = attemptLines(run.stdout);
    assert.match(line, /Success! /);
    // As delivered: the time went into the transfer, not into waiting for the first byte.
    const { "first byte": firstByte, transfer } = phases(line);
    assert.ok(transfer > 5000, line);
    assert.ok(firstByte < transfer / 4, line);
    // The rate is the link's (the relay passes at most 50 KB/s), not the socket's buffers',
    // and the data's own: the bytes over the transfer, the handshake left out.
    const rate = Number(/, ([\d.]+) MB\/s /.exec(line)![1]);
    assert.ok(rate > 0 && rate < 0.1, line);
    const sent = Number(/([\d,]+) bytes sent/.exec(line)![1].replaceAll(",", ""));
    assert.equal(rate, Number((sent / 1_048_576 / (transfer / 1000)).toFixed(2)), line);
  },
  PYTHON,
);

linuxTest(
  "a server that says nothing until it answers: ping waits for bytes that may still be on the way",
  async () => {
    await using quiet = await serveWith(async (conn) => {
      await readRequest(conn);
      await writeText(conn, "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok");
      conn.close();
    }, true);
    await using link = await relay(quiet.port, SLOW);
    const run = await pingLoopback(link.port, "/datasize=0.5", "/timeout=3", "/count=1");
    assert.equal(run.code, 0, run.stdout);
  },
  PYTHON,
);

Deno.test(
  "a server that takes everything and never answers: the extra wait is bounded by what the " +
    "system's buffers can hold, not by the chunk",
  async () => {
    // Reads every byte, never answers: over loopback the 20 MB cross at once, so little can
    // still be on the way when ping's last write is done.
    await using silent = await serveWith(async (conn) => {
      await readRequest(conn);
      await holdOpen(conn);
    });
    const started = performance.now();
    const run = await pingLoopback(
      silent.port,
      "/nossl",
      "/datasize=20",
      "/chunksize=20",
      "/timeout=2",
      "/count=1",
    );
    const seconds = (performance.now() - started) / 1000;
    assert.equal(run.code, 1, run.stdout);
    assert.match(attemptLines(run.stdout).join("\n"), /cause: timeout/);
    // 20 MB at the slowest link ping allows for would be over 10 minutes.
    assert.ok(seconds < 25, `${seconds} s`);
  },
);

linuxTest(
  "an upload that stalls on the way: a timeout while sending, with what pong had received",
  async () => {
    await using pong = await Pong.start();
    await using link = await relay(pong.port, "rate=102400", "stall=250000");
    const run = await pingLoopback(link.port, "/datasize=0.5", "/timeout=3", "/count=1");
    assert.equal(run.code, 1, run.stdout);
    const text = attemptLines(run.stdout).join("\n");
    assert.match(text, /cause: timeout/);
    const had = /pong had received ([\d,]+) of ([\d,]+) bytes/.exec(text);
    assert.ok(had, text);
    assert.ok(Number(had[1].replaceAll(",", "")) < 250_000, text);
    assert.doesNotMatch(text, /overloaded/, "the server was waiting for data, not stuck");
  },
  PYTHON,
);

linuxTest(
  "a link cut mid-upload: said with the bytes pong had, not the bytes ping's socket took",
  async () => {
    await using pong = await Pong.start();
    await using link = await relay(pong.port, "rate=102400", "cut=250000");
    const run = await pingLoopback(link.port, "/datasize=0.5", "/timeout=3", "/count=1");
    assert.equal(run.code, 1, run.stdout);
    const text = attemptLines(run.stdout).join("\n");
    const had = /pong had received ([\d,]+) bytes/.exec(text);
    assert.ok(had, text);
    assert.ok(Number(had[1].replaceAll(",", "")) < 250_000, text);
  },
  PYTHON,
);

linuxTest(
  "TLS offloading (haproxy) in front of a pong on a slow link: pong's progress passes, and the " +
    "verdict is the offloading, not a timeout",
  async () => {
    await using pong = await Pong.start(["/nossl"]);
    await using link = await relay(pong.port, SLOW);
    await using haproxy = await tlsOffloader(link.port);
    const run = await pingLoopback(haproxy.port, "/datasize=0.5", "/timeout=3", "/count=1");
    assert.equal(run.code, 1, run.stdout);
    assert.match(attemptLines(run.stdout).join("\n"), /cause: intercepted - TLS was ended/);
  },
  { what: "python3, haproxy and openssl", here: PYTHON.here && which("haproxy") !== undefined },
);

linuxTest(
  "through TLS inspection (mitmproxy), data mode is refused by the proxy itself: rejected, with " +
    "its 400, not a timeout",
  async () => {
    await using pong = await Pong.start();
    await using mitm = await mitmdump(`reverse:https://127.0.0.1:${pong.port}`);
    const run = await pingLoopback(mitm.port, "/datasize=0.5", "/timeout=3", "/count=1");
    assert.equal(run.code, 1, run.stdout);
    const text = attemptLines(run.stdout).join("\n");
    assert.match(text, /the server answered HTTP 400 to the data/);
    assert.match(text, /cause: rejected/);
  },
  { what: "mitmproxy", here: which("mitmdump") !== undefined },
);
