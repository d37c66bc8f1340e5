/**
 * Pong's TLS layer against clients that are awkward on purpose: a hello split
 * after its first byte, and a client that asks for data and never reads it.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { clientHello } from "../src/net/tls_probe/client_hello.ts";
import { probeTls } from "../src/net/tls_probe/probe.ts";
import { LEGACY_SUITES } from "../src/net/tls_probe/suites.ts";
import { linuxTest, Pong } from "./support/helpers.ts";

Deno.test("a ClientHello split after its first byte is still a ClientHello to pong", async () => {
  await using pong = await Pong.start();
  using conn = await Deno.connect({ hostname: "127.0.0.1", port: pong.port });
  const hello = clientHello({
    version: "TLSv1.2",
    suites: LEGACY_SUITES.map((suite) => suite.id),
    groups: ["x25519", "secp256r1"],
  });
  await conn.write(hello.subarray(0, 1));
  await new Promise((resolve) => setTimeout(resolve, 300));
  await conn.write(hello.subarray(1));
  const answer = new Uint8Array(5);
  assert.ok(await conn.read(answer));
  assert.equal(answer[0], 0x16, "a handshake record (ServerHello), not an alert (0x15)");
});

const NEVER_READS = fileURLToPath(new URL("./support/never_reads.py", import.meta.url));

linuxTest(
  "a /reverse client that never reads is dropped at /idle, never logged as answered",
  async () => {
    const pong = await Pong.start(["/idle=1", "/maxsend=100"]);
    const client = new Deno.Command("python3", {
      args: [NEVER_READS, String(pong.port), String(100 * 1024 * 1024), "6"],
      stdout: "null",
      stderr: "null",
    }).spawn();
    try {
      const line = await pong.stdout.waitFor(/: silent for 1 s \(\/idle\), dropped|bytes sent, /);
      assert.match(line, /silent for 1 s \(\/idle\), dropped/);
    } finally {
      client.kill("SIGKILL");
      await client.status;
      assert.equal(await pong.stop(), 0);
    }
  },
);

Deno.test(
  "a client that reads pong's first flight and leaves is logged as gone, not as a timeout",
  async () => {
    // What check's TLS probe does, up to 11 times a check: a hello, the server's flight, a close.
    await using pong = await Pong.start(["/handshake=60"]);
    const probe = await probeTls("127.0.0.1", pong.port, { timeoutMs: 10_000 });
    assert.equal(probe.stopped, null);
    const lines = await pong.stdout.waitForCount(
      /TLS handshake|handshake within/,
      probe.connections,
    );
    for (const line of lines) assert.doesNotMatch(line, /no TLS handshake within/, line);
    assert.ok(
      lines.some((line) => /the client closed the connection during the TLS handshake/.test(line)),
      lines.join("\n"),
    );
  },
);
