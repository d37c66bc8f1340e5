/** src/ping/engine.ts: the events a run's attempts give (address, certificate, who answered), and when. */
import assert from "node:assert/strict";
import { attemptResult, TENTACLE_SESSION } from "./support/sessions.ts";
import type { PingOptions } from "../src/options/options.ts";
import { HttpProxy } from "../src/net/proxy_url.ts";
import { changeTracker } from "../src/ping/engine.ts";
import type { AddressReached, PingEvent } from "../src/ping/events.ts";
import type { AttemptResult } from "../src/connection/result.ts";
import { type Output, PLAIN } from "../src/output/console.ts";
import { pingTextReporter } from "../src/reporters/ping_text.ts";

const OPTIONS = { target: { host: "MyServer", port: 10933 } } as PingOptions;
const SESSION = TENTACLE_SESSION;

function attempt(
  seq: number,
  ok: boolean,
  address: string,
  tls = SESSION,
  pong = "pong 1",
): AttemptResult {
  return attemptResult(ok, {
    seq,
    connected: true,
    secured: true,
    address,
    bytesRead: 1,
    headers: ok ? new Map([["x-octoping", pong]]) : undefined,
    tls,
  });
}

/** The addresses the attempts among `events` reached, in order. */
function reached(events: PingEvent[]): AddressReached[] {
  return events.flatMap((event) =>
    event.type === "attempt" && event.address ? [event.address] : []
  );
}

function run(attempts: AttemptResult[], options = OPTIONS): PingEvent[] {
  const events: PingEvent[] = [];
  const track = changeTracker(options, (event) => events.push(event));
  attempts.forEach(track);
  return events;
}

Deno.test("address, certificate and who answered: on the first attempt and whenever they change", () => {
  const other = { ...SESSION, sha1: "C".repeat(40) };
  const events = run([
    attempt(1, true, "10.0.0.5"),
    attempt(2, true, "10.0.0.5"),
    attempt(3, true, "10.0.0.6", other, "pong 2"),
    attempt(4, true, "10.0.0.6", other, "pong 2"),
  ]);
  const kinds = events.map((event) =>
    event.type === "attempt"
      ? `attempt ${event.result.seq}${event.address ? " reached an address" : ""}`
      : event.type
  );
  assert.deepEqual(kinds, [
    "attempt 1 reached an address",
    "certificate",
    "peer",
    "attempt 2",
    "attempt 3 reached an address",
    "certificate",
    "peer",
    "attempt 4",
  ]);
  const moved = reached(events);
  assert.deepEqual(moved.map((e) => [e.address, e.previous]), [
    ["10.0.0.5", undefined],
    ["10.0.0.6", "10.0.0.5"],
  ]);
  const certificates = events.filter((event) => event.type === "certificate");
  assert.equal(certificates[1].type === "certificate" && certificates[1].previous, "A".repeat(40));
});

Deno.test("DNS moved: a failure at another address than the one that last worked", () => {
  const events = run([attempt(1, true, "10.0.0.5"), attempt(2, false, "10.0.0.9")]);
  const failure = events.find((event) => event.type === "attempt" && !event.result.ok);
  assert.deepEqual(failure?.type === "attempt" && failure.dnsMoved, {
    from: "10.0.0.5",
    to: "10.0.0.9",
  });
  const same = run([attempt(1, true, "10.0.0.5"), attempt(2, false, "10.0.0.5")]);
  assert.ok(same.every((event) => event.type !== "attempt" || event.dnsMoved === undefined));
});

Deno.test("an IP address as host: no address lines, and no DNS moved", () => {
  const events = run(
    [attempt(1, true, "10.0.0.5"), attempt(2, false, "10.0.0.5")],
    { target: { host: "10.0.0.5", port: 10933 } } as PingOptions,
  );
  assert.deepEqual(reached(events), []);
});

Deno.test("through a proxy: the address is the proxy's, said so, and DNS moved does not apply", () => {
  const options = {
    target: { host: "MyServer", port: 10933 },
    proxy: new HttpProxy("proxy.corp", 3128),
  } as PingOptions;
  const events = run([attempt(1, true, "10.0.0.8"), attempt(2, false, "10.0.0.9")], options);
  assert.deepEqual(reached(events).map((e) => [e.host, e.proxy, e.address]), [
    ["proxy.corp", true, "10.0.0.8"],
    ["proxy.corp", true, "10.0.0.9"],
  ]);
  assert.ok(events.every((event) => event.type !== "attempt" || event.dnsMoved === undefined));
  const write: string[] = [];
  const report = pingTextReporter({ line: (text) => write.push(text) } as Output, PLAIN);
  events.forEach(report);
  assert.deepEqual(write.filter((line) => line.includes("address:")), [
    "    address: the proxy proxy.corp is 10.0.0.8",
    "    address: the proxy proxy.corp now resolves to 10.0.0.9 (was 10.0.0.8)",
  ]);
});
