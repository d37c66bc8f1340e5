/**
 * Pong as a server left running where anyone can reach it: limits, floods,
 * proof of the bytes both ways, a given certificate.
 */
import assert from "node:assert/strict";
import {
  afterHeader,
  bounded,
  freePort,
  inTerminal,
  linuxTest,
  pingLoopback,
  Pong,
  runOctoPing,
  SCRIPT,
  spawnOctoPing,
  tempDir,
} from "./support/helpers.ts";
import { openssl, selfSigned, sServer } from "./support/openssl.ts";
import { lossyRelay, readRequest, serveWith, writeText } from "./support/servers.ts";

const MB = 1_048_576;

function openFds(pid: number): number {
  return [...Deno.readDirSync(`/proc/${pid}/fd`)].length;
}

/** Resolves when the peer closes `conn` (read gives EOF or fails). */
async function closedByPeer(conn: Deno.Conn): Promise<void> {
  const buffer = new Uint8Array(1024);
  try {
    while (await conn.read(buffer) !== null);
  } catch {
    // reset: closed all the same
  }
}

linuxTest(
  "a soak of 1,000 attempts: all succeed, and pong's file descriptors come back",
  async () => {
    await using pong = await Pong.start();
    // One attempt first: the TLS and DNS machinery opens what it keeps for the whole run.
    const warm = await pong.ping("/count=1");
    assert.equal(warm.code, 0);
    await pong.answered(1);
    const before = openFds(pong.child.pid);
    const run = await pong.ping("/count=1000", "/interval=0");
    assert.equal(run.code, 0, run.stdout.slice(-2000));
    assert.match(run.stdout, /^1,000 attempts: 1,000 succeeded, 0 failed \(0% failed\)$/m);
    await pong.answered(1001);
    assert.equal(openFds(pong.child.pid), before);
  },
);

linuxTest("300 idle sockets and 50 garbage senders held open: a ping still succeeds", async () => {
  const pong = await Pong.start();
  const held: Deno.Conn[] = [];
  try {
    for (let i = 0; i < 300; i++) {
      held.push(await Deno.connect({ hostname: "127.0.0.1", port: pong.port }));
    }
    const garbage = new TextEncoder().encode("GET / HTTP/1.1\r\nthis is not TLS\r\n\r\n");
    for (let i = 0; i < 50; i++) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: pong.port });
      await conn.write(garbage);
      held.push(conn);
    }
    const run = await pong.ping("/count=3", "/interval=0");
    assert.equal(run.code, 0, run.stdout);
    // 50 bad handshakes at once: some listed, the rest counted in one line.
    const more = await pong.stdout.waitFor(
      /\.\.\. and \d+ more connections ended badly in the last second: handshake \d+/,
    );
    const listed = pong.stdout.seen.filter((line) => line.includes("TLS handshake failed")).length;
    assert.ok(listed < 50, `${listed} handshake failures listed one by one`);
    assert.equal(listed + Number(/and (\d+) more/.exec(more)![1]), 50);
    // 350 connections at once: accepted lines are counted past the first 20 a second too.
    await pong.stdout.waitFor(/\.\.\. and \d+ more TCP clients accepted in the last second/);
    assert.ok(pong.stdout.seen.filter((line) => line.includes("Accepted TCP client")).length < 350);
  } finally {
    for (const conn of held) conn.close();
    assert.equal(await pong.stop(), 0);
  }
});

Deno.test("/idle drops a silent client", async () => {
  await using pong = await Pong.start(["/nossl", "/idle=0.3"]);
  const silent = await Deno.connect({ hostname: "127.0.0.1", port: pong.port });
  await bounded(closedByPeer(silent), "pong to drop the silent client");
  silent.close();
  await pong.stdout.waitFor(/: silent for 0\.3 s \(\/idle\), dropped \(0 bytes read/);
});

Deno.test("a client that leaves mid-request: pong counts what it read, with separators", async () => {
  await using pong = await Pong.start(["/nossl"]);
  const client = await Deno.connect({ hostname: "127.0.0.1", port: pong.port });
  const partial = "GET / HTTP/1.1\r\nX-Padding: " + "a".repeat(12_345 - 27);
  await client.write(new TextEncoder().encode(partial)); // no blank line: the request goes on
  client.close();
  await pong.stdout.waitFor(
    /: closed the connection after 12,345 bytes, before the end of its request/,
  );
});

Deno.test(
  "/handshake gives up on a client that never starts TLS: pong closes the connection",
  async () => {
    await using pong = await Pong.start(["/handshake=0.3"]);
    const silent = await Deno.connect({ hostname: "127.0.0.1", port: pong.port });
    await pong.stdout.waitFor(/: no TLS handshake within 0\.3 s \(\/handshake\)/);
    // Pong accepts TCP itself and wraps TLS around it, so the socket closes at the deadline,
    // file descriptor and all (Deno's TLS listener kept it open until the client left).
    await bounded(closedByPeer(silent), "pong to close the silent client's connection");
    silent.close();
  },
);

linuxTest("/maxconn: the connection past the cap is closed at once", async () => {
  const pong = await Pong.start(["/nossl", "/maxconn=2"]);
  const held: Deno.Conn[] = [];
  try {
    for (let i = 0; i < 2; i++) {
      held.push(await Deno.connect({ hostname: "127.0.0.1", port: pong.port }));
    }
    await pong.stdout.waitForCount(/Accepted TCP client/, 2);
    const third = await Deno.connect({ hostname: "127.0.0.1", port: pong.port });
    await bounded(closedByPeer(third), "pong to close the third connection");
    third.close();
    await pong.stdout.waitFor(/: closed at once: 2 connections are open \(\/maxconn\)/);
  } finally {
    for (const conn of held) conn.close();
    await pong.stop();
  }
  assert.match(pong.stdout.text(), /^ended badly: .*over \/maxconn 1/m);
});

Deno.test("incomplete: a relay loses one byte of the payload on its way to pong", async () => {
  await using pong = await Pong.start(["/nossl"]);
  // Byte 1,000 is well inside the payload line: past the request's head, before its end.
  await using relay = await lossyRelay(pong.port, 1_000);
  const run = await pingLoopback(relay.port, "/nossl", "/count=1", "/datasize=0.1");
  assert.equal(run.code, 1, run.stdout);
  const lost = /\n {4}pong read ([\d,]+) of the ([\d,]+) bytes sent: data was lost on the way\n/
    .exec(run.stdout);
  assert.ok(lost, run.stdout);
  const [read, sent] = [lost[1], lost[2]].map((n) => Number(n.replaceAll(",", "")));
  assert.ok(sent > 0.1 * MB, `${sent} bytes sent`);
  assert.equal(read, sent - 1, "the one lost byte");
  assert.deepEqual(await pong.answered(1), [read], "pong's own count");
  assert.match(
    run.stdout,
    /\n {4}cause: incomplete - pong did not get every byte that was sent\n/,
  );
  assert.match(run.stdout, /^failures by cause: incomplete 1$/m);
});

Deno.test("/reverse: pong sends datasize back in chunks, and both sides count it", async () => {
  await using pong = await Pong.start(["/maxsend=2"]);
  const run = await pong.ping("/datasize=3", "/chunksize=2", "/reverse", "/count=1");
  assert.equal(run.code, 0, run.stdout);
  assert.match(afterHeader(run.stdout)[0], /with TLS, receiving 3 MB in 2 MB chunks$/);
  const answered = await pong.stdout.waitForCount(/bytes read, [\d,]+ bytes sent/, 2);
  const sent = answered.map((line) =>
    Number(/([\d,]+) bytes sent/.exec(line)![1].replaceAll(",", ""))
  );
  const head = (bytes: number) => sent[bytes === 2 * MB ? 0 : 1] - bytes;
  assert.ok(head(2 * MB) > 0 && head(2 * MB) < 400, `pong sent ${sent}`);
  assert.ok(head(1 * MB) > 0 && head(1 * MB) < 400, `pong sent ${sent}`);
  const read = Number(/, ([\d,]+) bytes read, /.exec(run.stdout)![1].replaceAll(",", ""));
  assert.equal(read, sent[0] + sent[1], "ping read every byte pong sent");
});

linuxTest(
  "/reverse against a server that is not pong (openssl s_server -www): one clear line, stop, exit 1",
  async () => {
    await using dir = await tempDir();
    const { cert, key } = await selfSigned(dir.path, "not pong");
    await using server = await sServer(cert, key, ["-www"]);
    const run = await pingLoopback(server.port, "/datasize=1", "/reverse");
    assert.equal(run.code, 1, run.stdout);
    assert.equal(run.stdout.split("\n").filter((line) => line.includes("Failed!")).length, 1);
    assert.match(run.stdout, /\nStopped: \/reverse needs OctoPing pong on the other side/);
  },
);

Deno.test("/maxsend: pong refuses to send more, and says so", async () => {
  await using pong = await Pong.start(["/maxsend=1"]);
  const run = await pong.ping("/datasize=2", "/chunksize=2", "/reverse");
  assert.equal(run.code, 1);
  assert.match(
    run.stdout,
    /pong refused: pong sends at most 1 MB per request \(\/maxsend\); asked for 2 MB/,
  );
});

linuxTest("/cert and /key: pong serves a certificate made by openssl req", async () => {
  await using dir = await tempDir();
  const { cert, key } = await selfSigned(dir.path, "Given Pong"); // a path with a space
  const other = `${dir.path}/other.key`;
  await openssl(["genpkey", "-algorithm", "RSA", "-out", other]);
  const fingerprint = await openssl(["x509", "-in", cert, "-noout", "-fingerprint", "-sha1"]);
  const sha1 = /=([0-9A-F:]+)/.exec(fingerprint)![1].replaceAll(":", "");

  const pong = await Pong.start([`/cert=${cert}`, `/key=${key}`]);
  try {
    assert.equal(pong.thumbprint, sha1);
    const run = await pong.ping("/count=1", `/thumbprint=${sha1}`);
    assert.equal(run.code, 0, run.stdout);
    assert.match(run.stdout, /certificate: CN=Given Pong \(self-signed\)/);
  } finally {
    await pong.stop();
  }

  for (
    const [args, message] of [
      [[`/cert=${cert}`, `/key=${other}`], /is not the key of the certificate in/],
      [
        [`/cert=${dir.path}/missing.pem`, `/key=${key}`],
        /cannot read the certificate .*missing\.pem/,
      ],
      [[`/cert=${key}`, `/key=${key}`], /holds no PEM certificate/],
    ] as const
  ) {
    const run = await runOctoPing(["pong", "/port=0", ...args]);
    assert.equal(run.code, 2, run.stdout + run.stderr);
    assert.equal(run.stdout, "", "nothing ran");
    const lines = run.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 2, run.stderr);
    assert.match(lines[0], message);
  }
});

linuxTest("progress: one updating line on a terminal, nothing of it in a pipe", async () => {
  // A server that takes at most 64 KiB every 10 ms (6.4 MB/s): each 10 MB chunk lasts over a
  // second, when progress starts to show, however fast or busy the machine is.
  await using server = await serveWith(async (conn) => {
    await readRequest(conn, Infinity, 10);
    await writeText(conn, "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok");
    conn.close();
  });
  const args = [
    "ping",
    "/host=127.0.0.1",
    `/port=${server.port}`,
    "/nossl",
    "/count=1",
    "/datasize=20",
    "/chunksize=10",
  ];
  const piped = await runOctoPing(args);
  assert.equal(piped.code, 0, piped.stdout);
  assert.doesNotMatch(piped.stdout, /chunk \d+ of \d+/);
  assert.ok(!piped.stdout.includes("\r"));
  const screen = await inTerminal(args);
  const redraw = "\r\x1b[2K"; // carriage return, erase line
  assert.ok(screen.includes(`${redraw}  chunk `), JSON.stringify(screen.slice(0, 300)));
  assert.match(screen, /chunk \d of 2, [\d.]+ of 20 MB sent, [\d.]+ MB\/s, \d+ s left/);
  const success = screen.indexOf(" Connect: \x1b[32mSuccess!");
  const stamp = "2026-11-23T19:30:00.000Z".length;
  assert.equal(
    screen.slice(success - stamp - redraw.length, success - stamp),
    redraw,
    "the result line replaces the progress line",
  );
}, SCRIPT);

Deno.test("pong keeps serving while nobody reads its output (a blocked console)", async () => {
  const port = freePort();
  const pong = spawnOctoPing(["pong", `/port=${port}`, "/nossl"]); // stdout piped, never read
  try {
    await bounded(portOpen(port), `pong to listen on port ${port}`);
    // ~150 bytes of pong output per connection: 600 connections fill a 64 KiB pipe.
    const run = await runOctoPing([
      "ping",
      `/host=127.0.0.1:${port}`,
      "/nossl",
      "/count=600",
      "/interval=0",
      "/timeout=5",
    ]);
    assert.equal(run.code, 0, run.stdout.slice(-1000));
  } finally {
    pong.kill("SIGKILL");
    await pong.status;
    await pong.stdout.cancel();
    await pong.stderr.cancel();
  }
});

/** Resolves once something accepts connections on `port`; retries while refused. */
async function portOpen(port: number): Promise<void> {
  for (;;) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
