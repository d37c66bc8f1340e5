/**
 * Pong's file descriptors on the TLS path: out of them it keeps listening, and
 * a client that never starts its handshake gives its descriptor back at the
 * `/handshake` deadline rather than when it leaves.
 */
import assert from "node:assert/strict";
import { Lines, linuxTest, MAIN, pingLoopback } from "./support/helpers.ts";

/** Pong under `ulimit -n <limit>`, on a free port, once it is listening. */
async function pongWithFdLimit(limit: number, extra: string[]) {
  const command = [Deno.execPath(), "run", "-A", "--quiet", MAIN, "pong", "/port=0", ...extra]
    .map((part) => `'${part}'`).join(" ");
  const child = new Deno.Command("sh", {
    args: ["-c", `ulimit -n ${limit} && exec ${command}`],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stdout = new Lines(child.stdout);
  const stderr = new Lines(child.stderr);
  const banner = await stdout.waitFor(/listening on port \d+/);
  return {
    port: Number(/port (\d+)/.exec(banner)![1]),
    stdout,
    async stop() {
      child.kill("SIGTERM");
      await child.status;
      await Promise.all([stdout.rest(), stderr.rest()]);
    },
  };
}

linuxTest(
  "out of file descriptors on the TLS port, pong recovers once silent clients time out",
  async () => {
    const pong = await pongWithFdLimit(64, ["/handshake=1", "/listen=127.0.0.1"]);
    const held: Deno.Conn[] = [];
    try {
      // More silent clients than pong has descriptors for: accepting fails, and pong says so.
      for (let i = 0; i < 80; i++) {
        held.push(await Deno.connect({ hostname: "127.0.0.1", port: pong.port }));
      }
      await pong.stdout.waitFor(/Accepting a connection failed: .*; trying again/);
      // The silent ones are dropped at /handshake, their descriptors freed while the test still
      // holds its ends open: a ping gets through.
      await pong.stdout.waitFor(/no TLS handshake within 1 s \(\/handshake\)/);
      const run = await pingLoopback(pong.port, "/count=1", "/timeout=10");
      assert.equal(run.code, 0, run.stdout);
    } finally {
      for (const conn of held) conn.close();
      await pong.stop();
    }
  },
);
