/**
 * The formats people read and scripts parse, whole, against files in
 * tests/snapshots/: `report`'s text over TentaclePing's logs, ping's and
 * pong's text over TLS, and ping's JSON lines. What changes from run to run
 * (times, ports, thumbprints, the machine) stands as a placeholder.
 * `UPDATE_SNAPSHOTS=1` rewrites the files (docs/development.md).
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { VERSION } from "../src/version.ts";
import { Pong, runOctoPing } from "./support/helpers.ts";
import { assertSnapshot, type Mask, masked } from "./support/snapshot.ts";

/** TentaclePing's log, from `fixtures/`. */
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** OctoPing's version, which changes with each release. */
const VERSION_MASK: Mask = [
  new RegExp(`\\b${VERSION.replaceAll(".", "\\.")}\\b`, "g"),
  "<version>",
];

/** What differs between two runs of the same ping and pong on loopback. */
const RUN_TO_RUN: Mask[] = [
  [/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, "<time>"],
  [/\b\d{4}-\d\d-\d\d\b/g, "<date>"],
  [/\b[0-9A-F]{64}\b/g, "<sha256>"],
  [/\b[0-9A-F]{40}\b/g, "<sha1>"],
  [/^# machine: .*$/gm, "# machine: <machine>"],
  VERSION_MASK,
  [/127\.0\.0\.1:\d+/g, "127.0.0.1:<client port>"],
  [/\bport(=| )\d+/g, "port$1<port>"],
  [/\b(tcp|tls|first byte|min|avg|median|p95|p99|max|jitter) \d+(,\d{3})*(\.\d+)?/g, "$1 <n>"],
  [/\b\d+(,\d{3})*(\.\d+)?( ?ms\b| MB\/s)/g, "<n>$3"],
];

Deno.test("report of TentaclePing's log, as text", async () => {
  for (
    const [log, snapshot] of [
      ["tentacleping.txt", "report_tentacleping.txt"],
      ["tentacleping-powershell.txt", "report_tentacleping_powershell.txt"],
    ]
  ) {
    const run = await runOctoPing(["report", fixture(log)]);
    assert.equal(run.code, 0, run.stderr);
    await assertSnapshot(run.stdout, snapshot);
  }
});

Deno.test("ping and pong over TLS, as text: the header, each attempt, the certificate, the statistics", async () => {
  await using pong = await Pong.start(["/listen=127.0.0.1"]);
  const ping = await pong.ping("/count=2", "/interval=0");
  assert.equal(ping.code, 0, ping.stdout + ping.stderr);
  await assertSnapshot(masked(ping.stdout, RUN_TO_RUN), "ping_tls.txt");
  await pong.answered(2);
  // Pong's lines up to its answers: how it stops differs between Linux and Windows.
  await assertSnapshot(masked(pong.stdout.seen.join("\n") + "\n", RUN_TO_RUN), "pong_tls.txt");
});

/** Fields of ping's JSON lines whose values differ between two runs, with the whole value masked. */
const VOLATILE = new Set(["time", "commandLine", "port", "machine", "os", "deno", "version"]);
/** Objects of ping's JSON lines whose numbers are all timings. */
const TIMINGS = new Set(["phases", "latency"]);

/** `value` with every volatile field's value, and every timing, replaced by a placeholder. */
function maskJson(value: unknown, key = "", timing = false): unknown {
  if (VOLATILE.has(key) && value !== null) return `<${key}>`;
  if (Array.isArray(value)) return value.map((item) => maskJson(item, "", timing));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, maskJson(v, k, timing || TIMINGS.has(k))]),
    );
  }
  if (typeof value === "number" && (timing || key === "ms")) return "<ms>";
  return value;
}

Deno.test("ping's JSON lines, plain: every event and field, in order", async () => {
  await using pong = await Pong.start(["/listen=127.0.0.1", "/nossl"]);
  const ping = await pong.ping("/nossl", "/count=2", "/interval=0", "/format=json");
  assert.equal(ping.code, 0, ping.stdout + ping.stderr);
  const lines = ping.stdout.trimEnd().split("\n").map((line) => JSON.parse(line));
  const text = lines.map((line) => JSON.stringify(maskJson(line))).join("\n") + "\n";
  // The version also stands inside texts, such as who answered.
  await assertSnapshot(masked(text, [VERSION_MASK]), "ping_plain.jsonl");
});
