import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { VERSION } from "../src/version.ts";
import {
  afterHeader,
  bounded,
  EXIT_WHEN_STOPPED,
  freePort,
  inTerminal,
  Lines,
  linuxTest,
  MAIN,
  pingLoopback,
  Pong,
  Running,
  runOctoPing,
  SCRIPT,
  tempDir,
  WAIT_MS,
} from "./support/helpers.ts";
import { selfSigned, sServer } from "./support/openssl.ts";
import {
  holdOpen,
  pythonServer,
  readRequest,
  serveWith,
  silentListener,
  untilHeld,
  writeText,
} from "./support/servers.ts";

const KEEP_ALIVE = fileURLToPath(new URL("./support/keep_alive.py", import.meta.url));

const SUCCESS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z Connect: Success! [\d,]+ms, /;
const FAILED =
  /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z Connect: Failed! [\d,]+ms; connected: (True|False); SSL: (True|False)$/;
const MB = 1_048_576;

/** Bytes of ping's request without payload, as pong should count them. */
function plainRequestBytes(port: number): number {
  return `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`.length;
}

/** Bytes of a data-mode request's head, before its payload: it asks pong for progress. */
function dataHeadBytes(port: number): number {
  return (`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n` +
    "X-OctoPing-Progress: 1\r\n").length;
}

function successLines(stdout: string): string[] {
  return stdout.split("\n").filter((line) => line.includes("Success!"));
}

const number = (text: string) => Number(text.replaceAll(",", ""));

Deno.test("ping ↔ pong over TLS: every attempt succeeds and pong counts each request", async () => {
  const pong = await Pong.start();
  try {
    assert.match(pong.thumbprint ?? "", /^[0-9A-F]{40}$/);
    const run = await pong.ping("/count=3", "/interval=0");
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const lines = afterHeader(run.stdout);
    assert.equal(lines[0], `OctoPing ${VERSION} - pinging 127.0.0.1 on port ${pong.port} with TLS`);
    assert.equal(successLines(run.stdout).length, 3);
    for (const line of successLines(run.stdout)) {
      assert.match(line, SUCCESS);
      // Every byte of pong's answer, headers included.
      // An IP address needs no lookup: no dns figure.
      assert.match(line, /, 10,\d{3} bytes read \(tcp [\d,]+, tls [\d,]+, first byte [\d,]+ ms\)$/);
    }
    assert.ok(lines.includes("Done: 3 successful connections, 0 failed connections."), run.stdout);
    assert.deepEqual(await pong.answered(3), Array(3).fill(plainRequestBytes(pong.port)));
  } finally {
    assert.equal(await pong.stop(), EXIT_WHEN_STOPPED);
  }
});

Deno.test("ping ↔ pong without TLS (/nossl)", async () => {
  await using pong = await Pong.start(["/nossl"]);
  assert.equal(pong.thumbprint, undefined);
  assert.match(afterHeader(pong.stdout.text())[0], /listening on port \d+ without TLS$/);
  const run = await pong.ping("/nossl", "/count=2", "/interval=0");
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(afterHeader(run.stdout)[0], /without TLS$/);
  assert.equal(successLines(run.stdout).length, 2);
  assert.deepEqual(await pong.answered(2), Array(2).fill(plainRequestBytes(pong.port)));
});

Deno.test("TLS ping against a server that is not TLS fails: connected, no SSL, exit 1", async () => {
  await using server = await serveWith(async (conn) => {
    await writeText(conn, "SSH-2.0-OpenSSH_9.2\r\n");
    await holdOpen(conn);
  });
  const run = await pingLoopback(server.port, "/count=1");
  assert.equal(run.code, 1);
  const lines = run.stdout.split("\n");
  const failed = lines.findIndex((line) => FAILED.test(line));
  assert.ok(failed > 0, run.stdout);
  assert.match(lines[failed], /connected: True; SSL: False$/);
  assert.match(lines[failed + 1], /^ {4}\S/, "the error's message, indented, on the next line");
  assert.match(run.stdout, /Done: 0 successful connections, 1 failed connection\./);
});

Deno.test("nothing listening: Failed!, not connected, exit 1", async () => {
  const run = await runOctoPing([
    "ping",
    "/host=127.0.0.1",
    `/port=${freePort()}`,
    "/count=2",
    "/interval=0",
  ]);
  assert.equal(run.code, 1);
  const failures = run.stdout.split("\n").filter((line) => FAILED.test(line));
  assert.equal(failures.length, 2);
  assert.match(failures[0], /connected: False; SSL: False/);
  assert.match(run.stdout, /\n {4}.*ECONNREFUSED/);
  assert.doesNotMatch(run.stdout, /Success!/);
});

Deno.test("data mode with chunks below socket buffer size: pong counts every byte of every chunk", async () => {
  await using pong = await Pong.start();
  // 0.05 MB in 0.01 MB chunks: 52,429 bytes as 10,486 × 4 + 10,485.
  const run = await pong.ping("/datasize=0.05", "/chunksize=0.01", "/count=2", "/interval=0");
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(afterHeader(run.stdout)[0], /with TLS, sending 0\.05 MB in 0\.01 MB chunks$/);
  const head = dataHeadBytes(pong.port);
  const perChunk = [10_486, 10_486, 10_486, 10_486, 10_485].map((payload) => head + payload + 4);
  assert.deepEqual(await pong.answered(10), [...perChunk, ...perChunk]);
  for (const line of successLines(run.stdout)) {
    const sent = number(/, ([\d,]+) bytes sent/.exec(line)![1]);
    assert.equal(sent, perChunk.reduce((a, b) => a + b));
    assert.match(
      line,
      /, [\d.]+ MB\/s \(tcp \d+, tls \d+, first byte \d+, transfer \d+ ms\)$/,
    );
  }
});

Deno.test("data mode with chunks well above socket buffer size: 20 MB as 8 + 8 + 4", async () => {
  await using pong = await Pong.start();
  const run = await pong.ping("/datasize=20", "/chunksize=8", "/count=1");
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const head = dataHeadBytes(pong.port);
  assert.deepEqual(
    await pong.answered(3),
    [8 * MB, 8 * MB, 4 * MB].map((payload) => head + payload + 4),
  );
  const sent = number(/, ([\d,]+) bytes sent/.exec(successLines(run.stdout)[0])![1]);
  assert.equal(sent, 20 * MB + 3 * (head + 4));
});

Deno.test("output through a pipe carries no escape codes, NO_COLOR or not", async () => {
  await using pong = await Pong.start();
  const args = ["ping", "/host=127.0.0.1", `/port=${pong.port}`, "/count=1"];
  const piped = await runOctoPing(args, { unset: ["NO_COLOR"] });
  assert.equal(piped.code, 0);
  assert.ok(!piped.stdout.includes("\x1b"), JSON.stringify(piped.stdout));
});

linuxTest(
  "a terminal gets colors unless NO_COLOR",
  async () => {
    await using pong = await Pong.start();
    const args = ["ping", "/host=127.0.0.1", `/port=${pong.port}`, "/count=1"];
    const onTerminal = await inTerminal(args, {});
    assert.ok(onTerminal.includes("\x1b[32mSuccess!\x1b[39m"), JSON.stringify(onTerminal));
    const noColor = await inTerminal(args, { NO_COLOR: "1" });
    assert.match(noColor, /Success!/);
    assert.ok(!noColor.includes("\x1b["), JSON.stringify(noColor));
  },
  SCRIPT,
);

linuxTest("pong keeps running with stdin closed, and stops on SIGTERM with exit 0", async () => {
  const pong = await Pong.start([], { stdin: "null" });
  const run = await pong.ping("/count=3", "/interval=200");
  assert.equal(run.code, 0, run.stdout);
  assert.equal(successLines(run.stdout).length, 3);
  assert.equal(await pong.stdout.waitFor(/^Stop it/), "Stop it with Ctrl+C.");
  assert.equal(await pong.stop("SIGTERM"), 0);
  assert.ok(pong.stdout.seen.includes("Stopped."), pong.stdout.text());
});

linuxTest("pong serves many clients at once while a bad client holds a connection", async () => {
  const pong = await Pong.start();
  const garbage = await Deno.connect({ hostname: "127.0.0.1", port: pong.port });
  const silent = await Deno.connect({ hostname: "127.0.0.1", port: pong.port });
  try {
    await garbage.write(new TextEncoder().encode("this is not TLS\r\n\r\n"));
    const runs = await Promise.all(
      [1, 2, 3].map(() => pong.ping("/count=3", "/interval=0")),
    );
    for (const run of runs) {
      assert.equal(run.code, 0, run.stdout);
      assert.equal(successLines(run.stdout).length, 3);
    }
    await pong.stdout.waitFor(/TLS handshake failed/);
  } finally {
    garbage.close();
    silent.close();
    assert.equal(await pong.stop(), 0);
  }
});

linuxTest(
  "Ctrl+C stops ping: the attempt it cut short is named with its phase and time, not counted; exit 1 as none finished",
  async () => {
    // A server that accepts and never speaks keeps the first attempt in its TLS handshake.
    await using silent = silentListener();
    const ping = new Running(["ping", "/host=127.0.0.1", `/port=${silent.port}`]);
    await ping.stdout.waitFor(/pinging/);
    await bounded(untilHeld(silent), "the server to accept ping's connection");
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(await ping.stop("SIGINT"), 1, "nothing finished: nothing was seen to work");
    const lines = ping.stdout.seen;
    const stopped = lines.indexOf("Stopped: 0 successful connections, 0 failed connections.");
    assert.ok(stopped >= 0, ping.stdout.text());
    const cut =
      /^Cut short: attempt 1, after ([\d,]+)ms during the TLS handshake; not counted in the statistics below\.$/
        .exec(lines[stopped + 1]);
    assert.ok(cut, ping.stdout.text());
    assert.ok(number(cut[1]) >= 1500, `the time it hung: ${cut[1]} ms`);
    // Nothing finished, so there is no share of failures to give: "0% failed" would be untrue.
    assert.ok(lines.includes("no attempt finished"), ping.stdout.text());
    assert.ok(!lines.some((line) => /^0 attempts|% failed/.test(line)));
  },
);

linuxTest("Ctrl+C after failures: exit 1", async () => {
  const ping = new Running(["ping", "/host=127.0.0.1", `/port=${freePort()}`, "/interval=50"]);
  await ping.stdout.waitForCount(/Failed!/, 2);
  assert.equal(await ping.stop("SIGINT"), 1);
  assert.match(
    ping.stdout.text(),
    /^Stopped: 0 successful connections, \d+ failed connections?\.$/m,
  );
  assert.match(ping.stdout.text(), /^failures by cause: refused \d+$/m);
});

linuxTest(
  "a keep-alive web server (Python's http.server) does not hold an attempt open; its status is shown",
  async () => {
    await using server = await pythonServer(KEEP_ALIVE);
    const run = await pingLoopback(server.port, "/nossl", "/count=2", "/interval=0");
    assert.equal(run.code, 0, run.stdout);
    const lines = successLines(run.stdout);
    assert.equal(lines.length, 2);
    // Its whole answer, and not a byte more: ping stops reading at the end of the body.
    const answer =
      "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 24\r\nConnection: keep-alive\r\n\r\n<html>Bad gateway</html>";
    for (const line of lines) {
      assert.match(line, new RegExp(`, ${answer.length} bytes read, HTTP 502 \\(tcp`));
    }
  },
);

Deno.test("a server that answers before the payload is all sent fails the attempt", async () => {
  // What a Tentacle does with a request that is not from Octopus: reads 20,000 bytes, answers, closes.
  await using server = await serveWith(
    async (conn) => {
      await readRequest(conn, 20_000);
      await writeText(conn, "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok");
      conn.close();
    },
    true,
    "Octopus Tentacle",
  ); // pong's own certificate would say the peer is pong
  // 20 MB chunks, as in causes_test: a 2 MB chunk was sometimes all taken by the system before
  // the answer came (3 of 20 runs once ping waited for each write), and then chunk 2 failed.
  const run = await pingLoopback(server.port, "/datasize=50", "/chunksize=20", "/count=1");
  assert.equal(run.code, 1, run.stdout);
  assert.match(run.stdout, /Failed! .*connected: True; SSL: True/);
  assert.match(
    run.stdout,
    /\n {4}chunk 1 of 3: the server (answered|closed the connection) after [\d,]+ of 20,971,[56]\d\d bytes of the request.*: it did not take the data\n {4}cause: closed - the server stopped taking the request/,
  );
});

linuxTest("pong in a console stops on Enter with exit 0", async () => {
  const console_ = new Deno.Command("script", {
    args: [
      "-qec",
      `'${Deno.execPath()}' run --allow-all --quiet '${MAIN}' pong /port=0`,
      "/dev/null",
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const lines = new Lines(console_.stdout);
  const writer = console_.stdin.getWriter();
  try {
    await lines.waitFor(/Hit <Enter> to exit\./);
    await writer.write(new TextEncoder().encode("\r"));
    await lines.waitFor(/^Stopped\.$/);
    assert.equal((await console_.status).code, 0);
  } finally {
    await writer.close().catch(() => {});
    try {
      console_.kill("SIGKILL");
    } catch { /* ended */ }
    await lines.rest().catch(() => {});
  }
}, SCRIPT);

linuxTest("memory stays flat: a 512 MB chunk does not need a 512 MB buffer", async () => {
  await using pong = await Pong.start();
  // The pause after the first attempt leaves time to read ping's peak memory before it exits.
  const ping = new Running([
    "ping",
    "/host=127.0.0.1",
    `/port=${pong.port}`,
    "/datasize=512",
    "/chunksize=512",
    "/count=2",
    "/interval=5000",
  ]);
  await ping.stdout.waitFor(/Success!/, WAIT_MS * 2);
  const status = await Deno.readTextFile(`/proc/${ping.child.pid}/status`);
  const peakKiB = Number(/^VmHWM:\s+(\d+) kB$/m.exec(status)![1]);
  await ping.stop("SIGINT");
  assert.ok(peakKiB < 200 * 1024, `ping's peak RSS was ${Math.round(peakKiB / 1024)} MB`);
  assert.deepEqual(await pong.answered(1), [512 * MB + dataHeadBytes(pong.port) + 4]);
});

linuxTest("TLS 1.2 servers are pinged too (openssl s_server -tls1_2)", async () => {
  await using dir = await tempDir();
  const { cert, key } = await selfSigned(dir.path, "tls12");
  await using server = await sServer(cert, key, ["-tls1_2", "-www"]);
  const run = await pingLoopback(server.port, "/count=1");
  assert.equal(run.code, 0, run.stdout);
  assert.match(run.stdout, /; TLSv1\.2, ECDHE-/);
});

Deno.test("running totals after every 10 attempts, as the original prints them", async () => {
  const run = await runOctoPing([
    "ping",
    "/host=127.0.0.1",
    `/port=${freePort()}`,
    "/count=21",
    "/interval=0",
  ]);
  const lines = run.stdout.split("\n");
  const totals = lines.filter((line) => line.endsWith("Hit Ctrl+C to quit any time."));
  assert.deepEqual(totals, [
    "0 successful connections, 10 failed connections. Hit Ctrl+C to quit any time.",
    "0 successful connections, 20 failed connections. Hit Ctrl+C to quit any time.",
  ]);
  const attempts = lines.filter((line) => FAILED.test(line) || line.endsWith("quit any time."));
  assert.ok(attempts[10].endsWith("quit any time."), "after the 10th attempt line");
});

Deno.test("no running total, nor its Ctrl+C advice, after the last attempt: Done follows", async () => {
  const run = await runOctoPing([
    "ping",
    "/host=127.0.0.1",
    `/port=${freePort()}`,
    "/count=20",
    "/interval=0",
  ]);
  const totals = run.stdout.split("\n").filter((line) => line.endsWith("quit any time."));
  assert.deepEqual(totals, [
    "0 successful connections, 10 failed connections. Hit Ctrl+C to quit any time.",
  ]);
  assert.match(run.stdout, /^Done: 0 successful connections, 20 failed connections\.$/m);
});

Deno.test("/interval is the pause between one attempt's end and the next one's start", async () => {
  // Each attempt lasts its /timeout (500 ms) against a server that never answers: longer than
  // the interval, so a pause counted from each start would leave no gap at all.
  await using server = await serveWith(holdOpen);
  const run = await pingLoopback(
    server.port,
    "/nossl",
    "/count=3",
    "/interval=400",
    "/timeout=0.5",
    "/format=json",
  );
  assert.equal(run.code, 1, run.stdout);
  const attempts = run.stdout.trimEnd().split("\n").map((line) => JSON.parse(line))
    .filter((event) => event.type === "attempt");
  assert.equal(attempts.length, 3);
  for (let i = 1; i < attempts.length; i++) {
    const previousEnd = Date.parse(attempts[i - 1].time) + attempts[i - 1].ms;
    const pause = Date.parse(attempts[i].time) - previousEnd;
    // Times are whole milliseconds: 1 ms either way. A second over guards the unit only.
    assert.ok(pause >= 399 && pause < 1_400, `pause before attempt ${i + 1}: ${pause} ms`);
  }
});

linuxTest("pong shows each client, IPv4 peers as plain IPv4, and answers over IPv6", async () => {
  const pong = await Pong.start();
  try {
    for (const host of ["127.0.0.1", "[::1]"]) {
      const run = await runOctoPing(["ping", `/host=${host}:${pong.port}`, "/count=1"]);
      assert.equal(run.code, 0, run.stdout);
    }
    const accepted = await pong.stdout.waitForCount(/ Accepted TCP client /, 2);
    assert.match(
      accepted[0],
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ Accepted TCP client 127\.0\.0\.1:\d+$/,
    );
    assert.match(accepted[1], /Accepted TCP client \[::1\]:\d+$/);
    const answered = await pong.stdout.waitForCount(/bytes read, /, 2);
    assert.match(
      answered[0],
      /^\S+Z 127\.0\.0\.1:\d+: [\d,]+ bytes read, [\d,]+ bytes sent, [\d,]+ms, [\d.]+ MB\/s, client certificate [0-9A-F]{40}$/,
    );
  } finally {
    assert.equal(await pong.stop("SIGINT"), 0, "Ctrl+C stops pong with exit 0");
    assert.ok(pong.stdout.seen.includes("Stopped."));
    assert.match(pong.stdout.text(), /^2 connections, at most 1 at once; /m);
  }
});

Deno.test("pong /listen=127.0.0.1 answers there and nowhere else", async () => {
  await using pong = await Pong.start(["/listen=127.0.0.1"]);
  const v4 = await runOctoPing(["ping", `/host=127.0.0.1:${pong.port}`, "/count=1"]);
  assert.equal(v4.code, 0, v4.stdout);
  const v6 = await runOctoPing(["ping", `/host=[::1]:${pong.port}`, "/count=1"]);
  assert.equal(v6.code, 1);
  assert.match(v6.stdout, /cause: refused - connection refused/);
});
