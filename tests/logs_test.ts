/** Reading logs back: what a line is, what is noise, and what is counted as unreadable. */
import assert from "node:assert/strict";
import { type LoggedAttempt, LogParser } from "../src/logs/parse.ts";

function parse(text: string) {
  const parser = new LogParser();
  const attempts: LoggedAttempt[] = [];
  text.split("\n").forEach((line, i) => attempts.push(...parser.push(line, i + 1)));
  attempts.push(...parser.end());
  return { attempts, parser };
}

Deno.test("a timestamp that is no time is noise, counted, not a crash", () => {
  const { attempts, parser } = parse(
    "2019-07-11T25:00:00 Connect: Failed! 12ms; connected: False; SSL: False\n" +
      "2019-07-11T10:00:00 Connect: Success! 12ms, 10,240 bytes read",
  );
  assert.equal(attempts.length, 1);
  assert.equal(parser.skipped, 1);
  assert.equal(parser.firstSkipped, 1);
});

Deno.test("JSON attempts with a bad time or a field missing are counted; an unknown cause is 'other'", () => {
  const { attempts, parser } = parse([
    '{"type":"attempt","time":"garbage","ok":true,"ms":1}',
    '{"type":"attempt","time":"2026-11-23T19:30:00.000Z","ok":true}',
    '{"type":"attempt","time":"2026-11-23T19:30:00.000Z","ok":false,"ms":5,"cause":"bogus"}',
    '{"type":"attempt","time":"2026-11-23T19:30:01.000Z","ok":false,"ms":5,"cause":"reset"}',
    '{"type":"attem',
  ].join("\n"));
  assert.deepEqual(attempts.map((a) => a.cause), ["other", "reset"]);
  assert.equal(parser.skipped, 3);
});

Deno.test("running totals in any locale are the tool's own lines, not noise", () => {
  const { parser } = parse([
    "1.000 successful connections, 0 failed connections. Hit Ctrl+C to quit any time.",
    "1 000 successful connections, 0 failed connections. Hit Ctrl+C to quit any time.",
    "1,000 successful connections, 0 failed connections. Hit Ctrl+C to quit any time.",
  ].join("\n"));
  assert.equal(parser.skipped, 0);
});

Deno.test("OctoPing's text log through PowerShell 5.1's '>': the dash comes back mangled", () => {
  const { attempts, parser } = parse([
    "OctoPing 0.1.0 ΓÇö pinging MyServer on port 10933 with TLS",
    "2026-11-23T19:30:01Z Connect: Failed! 30,002ms; connected: True; SSL: False",
    "    no answer from the server for 30 s during the TLS handshake",
    "    cause: timeout ΓÇö timeout during the TLS handshake",
    "    hint: something accepted the connection but never spoke TLS",
  ].join("\n"));
  assert.equal(parser.meta.target, "MyServer port 10933");
  assert.equal(attempts[0].cause, "timeout", "from the cause line, not the message's words");
  assert.equal(parser.skipped, 0);
});

Deno.test("the original TentaclePing's banner names the target", () => {
  const { parser } = parse(
    "Pinging tentacle01 on port 10933\nConnect: Success! 12ms, 10,240 bytes read",
  );
  assert.equal(parser.meta.target, "tentacle01 port 10933");
  assert.equal(parser.skipped, 0);
});
