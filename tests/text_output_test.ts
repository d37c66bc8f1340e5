/**
 * Text that survives Windows and a hostile peer: ping's, pong's and report's
 * text output is plain ASCII whatever the other side sends, carries no
 * control character but the line ends, and ends lines with CRLF where asked.
 */
import assert from "node:assert/strict";
import tls from "node:tls";
import { lineWriter, outputTo } from "../src/output/console.ts";
import { LostOutput } from "../src/output/lost_output.ts";
import { openRecord } from "../src/output/record.ts";
import {
  afterHeader,
  linuxTest,
  pingLoopback,
  Pong,
  runOctoPing,
  tempDir,
} from "./support/helpers.ts";
import { selfSigned } from "./support/openssl.ts";

/** Bytes a text output must never hold: control characters but LF (and CR before it), non-ASCII. */
function assertPlainAscii(bytes: Uint8Array, what: string): void {
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    const lineEnd = byte === 0x0a || (byte === 0x0d && bytes[i + 1] === 0x0a);
    if (byte > 0x7e || (byte < 0x20 && !lineEnd)) {
      const context = new TextDecoder().decode(bytes.subarray(Math.max(0, i - 60), i + 20));
      assert.fail(
        `${what}: byte 0x${byte.toString(16)} at ${i}, after: ${JSON.stringify(context)}`,
      );
    }
  }
}

/**
 * A TLS server with a non-ASCII certificate name whose answer carries escape
 * sequences, a bidi override and non-ASCII text in its `Server:` header; it
 * drops every second connection, so the run has failures too.
 */
async function hostileServer(dir: string, padding = 20_000) {
  const { cert, key } = await selfSigned(dir, "evil", {
    subject: "/CN=Tentacle \u00e9\u202eevil\u202c \u4e2d",
  });
  const server = tls.createServer({
    cert: await Deno.readTextFile(cert),
    key: await Deno.readTextFile(key),
  });
  let connections = 0;
  const header = "\u00e9vil\x1b[31mRED\x1b[0m\u202eright-to-left\x07" + "x".repeat(padding);
  server.on("secureConnection", (socket) => {
    socket.on("error", () => {});
    if (++connections % 2 === 0) return socket.destroy();
    socket.once("data", () => {
      socket.end(
        `HTTP/1.1 200 \x1b[2JOK\r\nServer: ${header}\r\nContent-Length: 2\r\n\r\nok`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return { port: (server.address() as { port: number }).port, close, [Symbol.asyncDispose]: close };
}

linuxTest("ping's console and log file stay plain ASCII, whatever the peer sends", async () => {
  await using dir = await tempDir();
  await using server = await hostileServer(dir.path);
  const logfile = `${dir.path}/run.log`;
  const run = await pingLoopback(
    server.port,
    "/count=4",
    "/interval=0",
    `/logfile=${logfile}`,
  );
  assert.equal(run.code, 1, run.stdout);
  const lines = afterHeader(run.stdout);
  // Every kind of line: banner, success, certificate, who answered, failure, cause, hint, totals.
  for (
    const pattern of [
      /^OctoPing .* - pinging /,
      /Connect: Success!/,
      /^ {4}certificate: CN=Tentacle \\u00e9\\u202eevil\\u202c \\u4e2d/,
      /^ {4}answered by: a web server, not a Tentacle \(HTTP\/1\.1 200, Server: \\u00e9vil\\x1b\[31mRED\\x1b\[0m\\u202eright-to-left\\x07x+\.\.\./,
      /Connect: Failed!/,
      /^ {4}cause: /,
      /^ {4}hint: /,
      /^--- statistics for /,
    ]
  ) {
    assert.ok(lines.some((line) => pattern.test(line)), `${pattern}\n${run.stdout}`);
  }
  const answered = lines.find((line) => line.includes("answered by:"))!;
  assert.ok(answered.length < 600, `a 20 KB header is cut to fit a line: ${answered.length}`);
  assertPlainAscii(new TextEncoder().encode(run.stdout), "ping's stdout");
  assertPlainAscii(await Deno.readFile(logfile), "ping's log file");
  const report = await runOctoPing(["report", logfile]);
  assertPlainAscii(new TextEncoder().encode(report.stdout + report.stderr), "report's output");
});

linuxTest("a 100 KB header value: ping's lines stay plain ASCII and short", async () => {
  await using dir = await tempDir();
  await using server = await hostileServer(dir.path, 100_000);
  const run = await pingLoopback(server.port, "/count=1");
  assertPlainAscii(new TextEncoder().encode(run.stdout), "ping's stdout");
  for (const line of run.stdout.split("\n")) {
    assert.ok(line.length < 600, `a line of ${line.length} characters`);
  }
  assert.match(run.stdout, /answered by: /);
});

linuxTest("pong's text output is plain ASCII, header and summary included", async () => {
  const pong = await Pong.start(["/maxsend=1"]);
  let stdout;
  try {
    await pong.ping("/count=1");
    await pong.ping("/nossl", "/count=1");
  } finally {
    await pong.stop();
    stdout = pong.stdout.text();
  }
  assert.match(stdout, /^# OctoPing .* pong$/m);
  assert.match(stdout, /^--- pong statistics ---$/m);
  assertPlainAscii(new TextEncoder().encode(stdout), "pong's stdout");
});

/** A record with CRLF line ends: a console that keeps what it is given, and a log file in `dir`. */
async function crlfRecord(dir: string) {
  const written: Uint8Array[] = [];
  const stream = {
    write: (bytes: Uint8Array) => Promise.resolve(written.push(bytes.slice()) && bytes.length),
    writeSync: (bytes: Uint8Array) => written.push(bytes.slice()) && bytes.length,
    isTerminal: () => false,
  };
  const log = `${dir}/run.log`;
  const record = await openRecord(
    outputTo(stream, "\r\n"),
    log,
    new LostOutput(() => {}),
    () => {},
    "\r\n",
  );
  return { record, stream, log, console: () => new TextDecoder().decode(concat(written)) };
}

Deno.test("with CRLF line ends, the console and the log file end every line in CRLF", async () => {
  await using dir = await tempDir();
  const { record, log, console } = await crlfRecord(dir.path);
  for (const line of ["# OctoPing header", "first \u00e9", "second"]) record.line(line);
  await record.flush();
  const expected = "# OctoPing header\r\nfirst \\u00e9\r\nsecond\r\n";
  assert.equal(await Deno.readTextFile(log), expected);
  assert.equal(console(), expected);
});

Deno.test("with CRLF line ends, a text of several lines (usage, a table) ends each of them in CRLF", async () => {
  await using dir = await tempDir();
  const { record, stream, log, console } = await crlfRecord(dir.path);
  record.line("Usage:\n  OctoPing ping\n\nExamples:");
  await record.flush();
  lineWriter(stream, "\r\n")("OctoPing: bad input\nRun 'OctoPing /?' for usage.");
  const expected = "Usage:\r\n  OctoPing ping\r\n\r\nExamples:\r\n";
  assert.equal(await Deno.readTextFile(log), expected);
  assert.equal(console(), expected + "OctoPing: bad input\r\nRun 'OctoPing /?' for usage.\r\n");
});

function concat(parts: Uint8Array[]): Uint8Array {
  const all = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  return all;
}
