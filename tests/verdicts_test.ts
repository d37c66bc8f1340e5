/**
 * Every conclusion ping draws points the right way: a drop mid-transfer is the
 * network's once pong has answered, a plain/TLS mismatch is named as one, a
 * refusal by pong says how to lift it, and a web server's error page is no
 * success in data mode.
 */
import assert from "node:assert/strict";
import { afterHeader, linuxOnly, pingLoopback, Pong } from "./support/helpers.ts";
import { NGINX, startNginx } from "./support/nginx.ts";

/** The detail lines under the first failed attempt of a run's output. */
function firstFailure(stdout: string) {
  const lines = afterHeader(stdout);
  const at = lines.findIndex((line) => line.includes("Failed!"));
  assert.ok(at > 0, stdout);
  const details = [];
  for (let i = at + 1; i < lines.length && lines[i].startsWith("    "); i++) {
    details.push(lines[i].trim());
  }
  return {
    line: lines[at],
    cause: details.find((line) => line.startsWith("cause: ")) ?? "",
    hint: details.find((line) => line.startsWith("hint: ")) ?? "",
    details,
  };
}

/**
 * A loopback relay to `port` that passes connection number `cut` (from 1)
 * only until `afterBytes` have gone from client to server, then drops it;
 * with `hold`, it holds that connection open and passes nothing at all.
 */
function cuttingRelay(port: number, cut: number, afterBytes: number, hold = false) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const open = new Set<Deno.Conn>();
  const close = (conn: Deno.Conn) => {
    try {
      conn.close();
    } catch { /* closed already */ }
  };
  const pipe = async (from: Deno.Conn, to: Deno.Conn, limit: number) => {
    const buffer = new Uint8Array(64 * 1024);
    let moved = 0;
    try {
      for (;;) {
        const n = await from.read(buffer.subarray(0, Math.min(buffer.length, limit - moved)));
        if (n === null || n === 0) break;
        for (let done = 0; done < n;) done += await to.write(buffer.subarray(done, n));
        moved += n;
        if (moved >= limit) break;
      }
    } catch { /* the other side went */ }
    close(from);
    close(to);
  };
  const served: Promise<void>[] = [];
  const loop = (async () => {
    let count = 0;
    for await (const client of listener) {
      if (hold && ++count === cut) {
        open.add(client);
        continue;
      }
      const server = await Deno.connect({ hostname: "127.0.0.1", port });
      open.add(client).add(server);
      const limit = !hold && ++count === cut ? afterBytes : Infinity;
      served.push(pipe(client, server, limit), pipe(server, client, Infinity));
    }
  })().catch(() => {});
  return {
    port: (listener.addr as Deno.NetAddr).port,
    async close() {
      listener.close();
      open.forEach(close);
      await Promise.all([loop, ...served]);
    },
  };
}

Deno.test(
  "a drop mid-transfer after pong has answered is the network's, not a Tentacle's",
  async () => {
    const pong = await Pong.start();
    // Connection 2 is the second chunk of attempt 1; connection 4, the second of attempt 2.
    for (const cut of [2, 4]) {
      const relay = cuttingRelay(pong.port, cut, 1024 * 1024);
      try {
        const run = await pingLoopback(
          relay.port,
          "/datasize=4",
          "/count=2",
          "/interval=0",
          "/timeout=5",
        );
        assert.equal(run.code, 1, run.stdout);
        const failure = firstFailure(run.stdout);
        assert.match(
          failure.cause,
          // Mid-transfer, or, when the system had taken the whole chunk, before pong's answer; with
          // what pong said it had received, when it said.
          /^cause: closed - the connection dropped (mid-transfer )?after ([\d.,]+ MB were sent|pong had received [\d,]+ bytes \([\d.,]+ MB were handed to the network\))(, before pong answered)?$/,
          run.stdout,
        );
        assert.match(
          failure.hint,
          /^hint: pong answered .* the network between here and pong cut/,
          run.stdout,
        );
        assert.doesNotMatch(run.stdout, /Tentacle reads only/);
      } finally {
        await relay.close();
      }
    }
    await pong.stop();
  },
);

Deno.test(
  "an upload cut on the way to pong, before any answer, is the network's: pong's certificate says so",
  async () => {
    await using pong = await Pong.start();
    const relay = cuttingRelay(pong.port, 1, 200_000);
    try {
      const run = await pingLoopback(relay.port, "/datasize=1", "/count=1", "/timeout=5");
      assert.equal(run.code, 1, run.stdout);
      const failure = firstFailure(run.stdout);
      assert.match(failure.cause, /^cause: closed - the connection dropped/, run.stdout);
      assert.match(
        failure.hint,
        /^hint: the certificate is pong's own \(CN=OctoPing Pong\), and pong reads the whole request, .* the network between here and pong cut this connection: a firewall, proxy, VPN or WAN optimiser with a session, size or idle limit/,
        run.stdout,
      );
      assert.doesNotMatch(run.stdout, /Tentacle reads only/);
    } finally {
      await relay.close();
    }
  },
);

Deno.test(
  "a handshake that stalls after pong answered earlier in the run is not called 'not a Tentacle'",
  async () => {
    await using pong = await Pong.start();
    const relay = cuttingRelay(pong.port, 3, 0, true);
    try {
      const run = await pingLoopback(relay.port, "/count=3", "/interval=0", "/timeout=1");
      assert.equal(run.code, 1, run.stdout);
      const failure = firstFailure(run.stdout);
      assert.equal(failure.cause, "cause: timeout - timeout during the TLS handshake", run.stdout);
      assert.match(
        failure.hint,
        /^hint: pong answered earlier in this run, so the address and port are right and this connection was accepted but the TLS handshake stalled: .*a device between here and pong/,
        run.stdout,
      );
      assert.doesNotMatch(run.stdout, /not a Tentacle|never spoke TLS/);
    } finally {
      await relay.close();
    }
  },
);

Deno.test("/nossl against a TLS pong fails: the server speaks TLS on this port", async () => {
  await using pong = await Pong.start();
  const run = await pong.ping("/nossl", "/count=1");
  assert.equal(run.code, 1, run.stdout);
  assert.equal(
    firstFailure(run.stdout).cause,
    "cause: tls - the server speaks TLS on this port: drop /nossl",
  );
});

Deno.test("TLS against a /nossl pong fails at once: add /nossl; pong says what came", async () => {
  await using pong = await Pong.start(["/nossl"]);
  const run = await pong.ping("/count=1", "/timeout=20");
  assert.equal(run.code, 1, run.stdout);
  const failure = firstFailure(run.stdout);
  assert.equal(
    failure.cause,
    "cause: tls - the server does not speak TLS on this port (a pong started with /nossl?): " +
      "add /nossl",
  );
  const ms = Number(/Failed! ([\d,]+)ms/.exec(failure.line)![1].replaceAll(",", ""));
  assert.ok(ms < 10_000, `waited ${ms} ms: pong should answer a ClientHello at once`);
  await pong.stdout.waitFor(/: a TLS client on a \/nossl port/);
});

Deno.test({
  ...linuxOnly(
    "nginx's TLS port and a plain request: the HTTP 400 page is a TLS mismatch, not success",
    { what: "nginx and openssl", here: NGINX !== undefined },
  ),
  async fn() {
    await using nginx = await startNginx();
    const run = await pingLoopback(nginx.tlsPort, "/nossl", "/count=1");
    assert.equal(run.code, 1, run.stdout);
    assert.equal(
      firstFailure(run.stdout).cause,
      "cause: tls - the server speaks TLS on this port: drop /nossl",
    );
  },
});

Deno.test({
  ...linuxOnly(
    "data mode: a web server's error answer is 'rejected'; an answer without pong's count " +
      "is noted once as unconfirmed",
    { what: "nginx and openssl", here: NGINX !== undefined },
  ),
  async fn() {
    await using nginx = await startNginx();
    // A 1 MB request line is past nginx's header buffers: it answers 400.
    const rejected = await pingLoopback(nginx.port, "/nossl", "/datasize=1", "/count=1");
    assert.equal(rejected.code, 1, rejected.stdout);
    assert.equal(
      firstFailure(rejected.stdout).cause,
      "cause: rejected - the server answered HTTP 400 instead of taking the data",
    );
    // 1 KB fits: nginx answers 200, but nothing says the data arrived.
    const unconfirmed = await pingLoopback(
      nginx.port,
      "/nossl",
      "/datasize=1KB",
      "/count=3",
      "/interval=0",
    );
    assert.equal(unconfirmed.code, 0, unconfirmed.stdout);
    const notes = afterHeader(unconfirmed.stdout).filter((line) => /unconfirmed/.test(line));
    assert.equal(notes.length, 1, unconfirmed.stdout);
    assert.match(notes[0], /not pong: nothing confirms the data arrived/);
  },
});

Deno.test(
  "pong sends nothing back unless started with /maxsend, and ping names the fix",
  async () => {
    {
      await using closed = await Pong.start();
      const run = await closed.ping("/datasize=1", "/reverse", "/count=3", "/interval=0");
      assert.equal(run.code, 1, run.stdout);
      const failure = firstFailure(run.stdout);
      assert.match(failure.cause, /^cause: rejected - pong refused to send the data back/);
      assert.match(failure.hint, /start pong with \/maxsend=1 or more/);
      assert.match(run.stdout, /^Stopped: pong will not send the data back/m);
      assert.doesNotMatch(run.stdout, /needs OctoPing pong on the other side/);
      assert.doesNotMatch(run.stdout, /run 'OctoPing pong'/);
    }
    {
      await using small = await Pong.start(["/maxsend=1"]);
      const run = await small.ping("/datasize=5", "/reverse", "/count=1");
      assert.equal(run.code, 1, run.stdout);
      const failure = firstFailure(run.stdout);
      assert.match(failure.cause, /^cause: rejected - pong refused to send the data back/);
      assert.ok(
        failure.details.some((line) => /pong sends at most 1 MB .*asked for 2 MB/.test(line)),
        run.stdout,
      );
      assert.match(failure.hint, /\/maxsend=2 or more, or a \/chunksize of 1 or less/);
      const ok = await small.ping("/datasize=1", "/reverse", "/count=1");
      assert.equal(ok.code, 0, ok.stdout);
    }
  },
);

Deno.test("refused /reverse requests that flood pong are counted, not listed", async () => {
  await using pong = await Pong.start(["/nossl"]);
  const request = new TextEncoder().encode(
    "GET / HTTP/1.1\r\nHost: x\r\nX-OctoPing-Reverse: 1048576\r\n\r\n",
  );
  await Promise.all(Array.from({ length: 60 }, async () => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: pong.port });
    await conn.write(request);
    const buffer = new Uint8Array(4096);
    while (await conn.read(buffer) !== null);
    conn.close();
  }));
  await pong.stdout.waitFor(/\.\.\. and \d+ more connections ended badly in the last second: /);
  const listed = pong.stdout.seen.filter((line) => /refused \/reverse/.test(line)).length;
  assert.ok(listed > 0 && listed < 60, `${listed} refusals listed one by one`);
});
