/**
 * Each cause produced on loopback by a fault server, and named: cause line,
 * phase, exit code, and `/timeout` bounding the wait.
 */
import assert from "node:assert/strict";
import {
  freePort,
  linuxTest,
  Pong,
  PRIVATE_HOSTS,
  runOctoPing,
  runWithHosts,
  tempDir,
  WAIT_MS,
} from "./support/helpers.ts";
import { selfSigned, sServer } from "./support/openssl.ts";
import { holdOpen, readRequest, serveWith, writeText } from "./support/servers.ts";
import { fault } from "./support/daemons.ts";

/** Pings once with `extra` options and returns the failure's detail lines. */
async function failOnce(port: number, extra: string[] = []) {
  const run = await runOctoPing(["ping", "/host=127.0.0.1", `/port=${port}`, "/count=1", ...extra]);
  assert.equal(run.code, 1, run.stdout + run.stderr);
  const lines = run.stdout.split("\n");
  const at = lines.findIndex((line) => line.includes("Failed!"));
  assert.ok(at > 0, run.stdout);
  const ms = Number(/Failed! ([\d,]+)ms/.exec(lines[at])![1].replaceAll(",", ""));
  return {
    line: lines[at],
    message: lines[at + 1].trim(),
    cause: lines[at + 2].trim(),
    hint: lines[at + 3].trim(),
    ms,
    stdout: run.stdout,
  };
}

Deno.test("refused: nothing listens on the port", async () => {
  const failure = await failOnce(freePort());
  assert.match(failure.line, /connected: False; SSL: False$/);
  assert.match(
    failure.cause,
    /^cause: refused - connection refused: nothing listens on 127\.0\.0\.1 port \d+/,
  );
  assert.match(failure.hint, /^hint: is the Tentacle service running/);
  assert.match(failure.stdout, /^failures by cause: refused 1$/m);
});

Deno.test("dns: a name under .invalid does not resolve", async () => {
  const run = await runOctoPing(["ping", "/host=no-such-tentacle.invalid", "/count=1"]);
  assert.equal(run.code, 1);
  assert.match(
    run.stdout,
    /\n {4}cause: dns - the name no-such-tentacle\.invalid does not resolve\n/,
  );
  assert.match(run.stdout, /\n {4}hint: .*IP address/);
});

linuxTest("timeout while connecting: a full accept queue leaves the SYN unanswered", async () => {
  await using server = await fault("backlog-full");
  const failure = await failOnce(server.port, ["/timeout=1"]);
  assert.match(failure.line, /connected: False; SSL: False$/);
  assert.equal(failure.message, "no answer from the server for 1 s while connecting");
  assert.equal(failure.cause, "cause: timeout - timeout while connecting");
  assert.match(failure.hint, /firewall that drops/);
  assert.ok(failure.ms >= 1000 && failure.ms < 1000 + WAIT_MS / 6, `${failure.ms} ms`);
});

Deno.test("timeout during the TLS handshake: a listener that never answers", async () => {
  await using server = await serveWith(holdOpen);
  const failure = await failOnce(server.port, ["/timeout=0.5"]);
  assert.match(failure.line, /connected: True; SSL: False$/);
  assert.equal(failure.cause, "cause: timeout - timeout during the TLS handshake");
  assert.match(failure.hint, /proxy or TLS-inspecting firewall/);
  assert.ok(failure.ms >= 500 && failure.ms < 500 + WAIT_MS / 6, `${failure.ms} ms`);
});

Deno.test("timeout waiting for the response: a server that reads and never answers", async () => {
  await using server = await serveWith(async (conn) => {
    await readRequest(conn);
    await holdOpen(conn);
  });
  const failure = await failOnce(server.port, ["/nossl", "/timeout=0.5"]);
  assert.match(failure.line, /; connected: True$/);
  assert.equal(failure.cause, "cause: timeout - timeout while waiting for the response");
});

linuxTest("reset: on accept, and after the ClientHello", async () => {
  for (const mode of ["reset-accept", "reset-hello"]) {
    await using server = await fault(mode);
    const failure = await failOnce(server.port);
    assert.match(failure.cause, /^cause: reset - connection reset/, mode);
    assert.match(failure.stdout, /^failures by cause: reset 1$/m, mode);
    if (mode === "reset-hello") {
      assert.match(failure.cause, /during the TLS handshake$/);
      assert.match(failure.hint, /TLS-inspecting firewall/);
    }
  }
});

linuxTest(
  "reset without TLS: a reset on accept is a reset, never 'closed', in whichever phase it lands",
  async () => {
    await using server = await fault("reset-accept");
    for (let i = 0; i < 3; i++) {
      const failure = await failOnce(server.port, ["/nossl"]);
      // The request may be written before the RST arrives (a race, not a bug): any phase
      // after the connect began is right, as long as it is named a reset.
      assert.match(
        failure.cause,
        /^cause: reset - connection reset while (connecting|sending the request|waiting for the response)$/,
      );
    }
  },
);

linuxTest("dns: /ipv6 with a name that has only IPv4 addresses says so", async () => {
  // A name only a private hosts file knows, with only an IPv4 address: the machine's own
  // hosts file (localhost may or may not have ::1) plays no part.
  const name = "ipv4-only.octoping.test";
  const run = await runWithHosts(`127.0.0.1 ${name}\n`, [
    "ping",
    `/host=${name}`,
    `/port=${freePort()}`,
    "/ipv6",
    "/count=1",
  ]);
  assert.equal(run.code, 1, run.stdout + run.stderr);
  assert.match(
    run.stdout,
    /\n {4}cause: dns - the name ipv4-only\.octoping\.test has no IPv6 address\n/,
  );
  assert.match(run.stdout, /\n {4}hint: drop \/ipv6 to use the addresses it has/);
}, PRIVATE_HOSTS);

Deno.test("tls: a server that speaks something other than TLS", async () => {
  await using server = await serveWith(async (conn) => {
    await writeText(conn, "SSH-2.0-OpenSSH_9.2\r\n");
    await holdOpen(conn);
  });
  const failure = await failOnce(server.port);
  assert.match(failure.cause, /^cause: tls - the server does not speak TLS on this port/);
  // Not a pong started with /nossl either: the hint names the other things it can be.
  assert.match(failure.hint, /not a Tentacle \(a web server, another service\)/);
});

/** Pings `openssl s_server -www` with `options` once and returns the failure's lines. */
async function failOnOpenssl(options: string[]) {
  await using dir = await tempDir();
  const { cert, key } = await selfSigned(dir.path, "old");
  await using server = await sServer(cert, key, [...options, "-www"]);
  return await failOnce(server.port);
}

linuxTest("tls: a TLS 1.0-only server is named by what it speaks, found by the probe", async () => {
  const failure = await failOnOpenssl(["-tls1", "-cipher", "DEFAULT@SECLEVEL=0"]);
  assert.match(failure.line, /connected: True; SSL: False$/);
  assert.match(
    failure.cause,
    /^cause: tls - the server speaks only TLS 1\.0 \(picking TLS_\w+_CBC_SHA \([\w-]+\) of the suites offered\)$/,
  );
  // Octopus-specific, and no longer "Octopus may still connect": it cannot.
  assert.match(
    failure.hint,
    /^hint: Octopus needs TLS 1\.2 or later .* and cannot connect: enable/,
  );
  assert.match(failure.hint, /Troubleshooting Schannel and TLS/);
  assert.doesNotMatch(failure.hint, /may still connect/);
});

linuxTest("tls: a TLS 1.2 server with CBC suites only: none of Octopus's suites", async () => {
  const failure = await failOnOpenssl(["-tls1_2", "-cipher", "ECDHE-RSA-AES256-SHA384"]);
  assert.equal(
    failure.cause,
    "cause: tls - the server speaks TLS 1.2 (picking TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384 " +
      "(ECDHE-RSA-AES256-SHA384) of the suites offered), but none of the TLS 1.2 suites Octopus " +
      "requires",
  );
  assert.doesNotMatch(failure.hint, /may still connect/);
});

Deno.test(
  "closed: a Tentacle-like server that reads 20,000 bytes, answers and closes",
  async () => {
    await using server = await serveWith(
      async (conn) => {
        await readRequest(conn, 20_000);
        await writeText(
          conn,
          "HTTP/1.0 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 2\r\n\r\nok",
        );
        conn.close();
      },
      true,
      "Octopus Tentacle",
    ); // pong's own certificate would say the peer is pong
    // 20 MB chunks: more than loopback's socket buffers hold, so the first chunk can never be
    // all handed to the kernel before the answer comes (with 2 MB it sometimes was, and passed).
    const failure = await failOnce(server.port, ["/datasize=50", "/chunksize=20"]);
    assert.match(
      failure.message,
      /^chunk 1 of 3: the server (answered|closed the connection) after [\d,]+ of 20,971,[56]\d\d bytes/,
    );
    assert.equal(
      failure.cause,
      "cause: closed - the server stopped taking the request before it was all sent",
    );
    assert.match(failure.hint, /first 20,000 bytes .* 'OctoPing pong'/);
  },
);

Deno.test("closed: a server that closes without answering", async () => {
  await using server = await serveWith(async (conn) => {
    await readRequest(conn);
    conn.close();
  });
  const failure = await failOnce(server.port, ["/nossl"]);
  assert.equal(failure.message, "the server closed the connection without answering");
  assert.equal(
    failure.cause,
    "cause: closed - the server closed the connection while waiting for the response",
  );
});

Deno.test("other: an endless answer is cut at 16 MiB", async () => {
  await using server = await serveWith(async (conn) => {
    await readRequest(conn);
    await writeText(conn, "HTTP/1.1 200 OK\r\n\r\n");
    const chunk = new Uint8Array(64 * 1024).fill(120);
    for (let sent = 0; sent < 64 * 1024 * 1024; sent += chunk.length) await conn.write(chunk);
  });
  const failure = await failOnce(server.port, ["/nossl"]);
  assert.match(failure.message, /^response too large: more than 16,777,216 bytes/);
  assert.equal(failure.cause, "cause: other - the answer was too large");
  assert.match(failure.stdout, /^failures by cause: other 1$/m);
});

Deno.test("thumbprint: pong's own passes, any other fails naming both", async () => {
  await using pong = await Pong.start();
  for (
    const written of [pong.thumbprint!, pong.thumbprint!.toLowerCase().match(/../g)!.join(":")]
  ) {
    const good = await pong.ping("/count=1", `/thumbprint=${written}`);
    assert.equal(good.code, 0, good.stdout);
  }
  const wrong = "AB".repeat(20);
  const failure = await failOnce(pong.port, [`/thumbprint=${wrong}`]);
  assert.equal(
    failure.message,
    `the server presented the certificate ${pong.thumbprint}, but the expected one is ${wrong}`,
  );
  assert.equal(
    failure.cause,
    "cause: thumbprint - the certificate is not the expected one: its thumbprint differs",
  );
  assert.match(failure.stdout, /^failures by cause: thumbprint 1$/m);
});
