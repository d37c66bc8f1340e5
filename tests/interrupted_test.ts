/**
 * A run stopped with Ctrl+C while an attempt hangs says what it cut short: which
 * attempt, in which phase, after how long, in the text and the JSON, for one
 * target and per target of a fleet; check keeps what it had found. The exit
 * code is 1 when nothing finished, and stays as the finished attempts make it
 * otherwise.
 */
import assert from "node:assert/strict";
import { bounded, linuxTest, Pong, Running, tempDir } from "./support/helpers.ts";
import {
  holdOpen,
  readRequest,
  serveWith,
  silentListener,
  untilHeld,
  writeText,
} from "./support/servers.ts";

/** How long an attempt hangs before the test stops the run: long enough to show in its time. */
const HANG_MS = 1500;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const number = (text: string) => Number(text.replaceAll(",", ""));

linuxTest(
  "Ctrl+C after a success, while the next attempt waits for its answer: named, exit 0",
  async () => {
    let connections = 0;
    // The first connection is answered; every later one is read and left waiting.
    await using server = await serveWith(async (conn) => {
      connections++;
      await readRequest(conn);
      if (connections > 1) return await holdOpen(conn);
      await writeText(conn, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
      conn.close();
    });
    const ping = new Running([
      "ping",
      "/host=127.0.0.1",
      `/port=${server.port}`,
      "/nossl",
      "/interval=0",
    ]);
    await ping.stdout.waitFor(/Connect: Success!/);
    await bounded(
      (async () => {
        while (connections < 2) await pause(50);
      })(),
      "ping's second connection",
    );
    await pause(HANG_MS);
    assert.equal(await ping.stop("SIGINT"), 0, "the only finished attempt succeeded");
    const text = ping.stdout.text();
    assert.match(text, /^Stopped: 1 successful connection, 0 failed connections\.$/m);
    const cut =
      /^Cut short: attempt 2, after ([\d,]+)ms while waiting for the response; not counted in the statistics below\.$/m
        .exec(text);
    assert.ok(cut, text);
    assert.ok(number(cut[1]) >= HANG_MS, cut[1]);
  },
);

linuxTest("ping /format=json: the summary names the attempt Ctrl+C cut short", async () => {
  await using silent = silentListener();
  const ping = new Running([
    "ping",
    "/host=127.0.0.1",
    `/port=${silent.port}`,
    "/format=json",
  ]);
  await bounded(untilHeld(silent), "ping's connection");
  await pause(HANG_MS);
  assert.equal(await ping.stop("SIGINT"), 1, "no attempt finished");
  const summary = ping.stdout.seen.map((line) => JSON.parse(line)).find((event) =>
    event.type === "summary"
  );
  assert.ok(summary, ping.stdout.text());
  assert.equal(summary.interrupted, true);
  assert.equal(summary.attempts, 0);
  assert.deepEqual(Object.keys(summary.cutShort).sort(), ["ms", "phase", "seq"]);
  assert.equal(summary.cutShort.seq, 1);
  assert.equal(summary.cutShort.phase, "tls");
  assert.ok(summary.cutShort.ms >= HANG_MS, String(summary.cutShort.ms));
});

linuxTest(
  "ping /hosts: Ctrl+C names the cut attempt per target, and in the table's row",
  async () => {
    await using silent = silentListener();
    await using pong = await Pong.start();
    await using dir = await tempDir();
    const hosts = `${dir.path}/hosts.txt`;
    await Deno.writeTextFile(
      hosts,
      `127.0.0.1:${silent.port} silent\n127.0.0.1:${pong.port} answering\n`,
    );
    const run = new Running(["ping", `/hosts=${hosts}`, "/interval=200"]);
    await run.stdout.waitFor(/^\[answering\] \S+ Connect: Success!/);
    await bounded(untilHeld(silent), "the silent target's connection");
    await pause(HANG_MS);
    assert.equal(await run.stop("SIGINT"), 1, "a target finished no attempt");
    const text = run.stdout.text();
    assert.match(
      text,
      /^\[silent\] Cut short: attempt 1, after [\d,]+ms during the TLS handshake; not counted in the statistics below\.$/m,
    );
    assert.match(
      text,
      /^silent +0 +0 +0 +- +- +- +no attempt finished \(cut short after [\d,]+ms during the TLS handshake\)$/m,
    );
  },
);

for (const json of [false, true]) {
  linuxTest(
    `check${
      json ? " /format=json" : ""
    }: Ctrl+C in the TLS handshake keeps the TCP finding and says what was cut short`,
    async () => {
      await using silent = silentListener();
      const check = new Running([
        "check",
        `/host=127.0.0.1:${silent.port}`,
        "/timeout=60",
        ...(json ? ["/format=json"] : []),
      ]);
      await bounded(untilHeld(silent), "check's connection");
      await pause(HANG_MS);
      assert.equal(await check.stop("SIGINT"), 1);
      const cutShort = new RegExp(
        `^the exchange with 127\\.0\\.0\\.1 was cut short after [\\d,]+ms during the TLS ` +
          "handshake: what it had not reached is not judged$",
      );
      if (!json) {
        const lines = check.stdout.seen;
        const tcp = lines.findIndex((line) =>
          line.startsWith(`[ OK ] 127.0.0.1 accepts connections on port ${silent.port} (`)
        );
        const note = lines.findIndex((line) => cutShort.test(line.replace(/^Note: /, "")));
        const verdict = lines.indexOf("Check stopped before the end (Ctrl+C): no verdict");
        assert.ok(tcp >= 0 && note > tcp && verdict > note, check.stdout.text());
        return;
      }
      const result = check.stdout.seen.map((line) => JSON.parse(line)).find((event) =>
        event.type === "check"
      );
      assert.equal(result.interrupted, true);
      assert.equal(result.verdict, null);
      assert.deepEqual(result.findings.map((f: { code: string }) => f.code), ["tcp"]);
      assert.equal(result.addresses.length, 1);
      assert.equal(result.addresses[0].address, "127.0.0.1");
      assert.equal(result.addresses[0].tcp.ok, true);
      assert.ok(result.notes.some((note: string) => cutShort.test(note)), result.notes);
    },
  );
}
