/** Reading logs back: what a line is, what is noise, and what is counted as unreadable. */
import assert from "node:assert/strict";
import { summarise } from "../src/logs/analyse.ts";
import { readLines } from "../src/logs/lines.ts";
import { type LoggedAttempt, LogParser } from "../src/logs/parse.ts";
import { addressesLabel } from "../src/report/log_text.ts";
import { tempDir } from "./support/helpers.ts";

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

Deno.test("a run stopped before any attempt finished: its statistics are the tool's own lines, not noise", () => {
  const { attempts, parser } = parse([
    "OctoPing 0.1.0 - pinging MyServer on port 10933 with TLS",
    "Stopped: 0 successful connections, 0 failed connections.",
    "--- statistics for MyServer port 10933 ---",
    "no attempt finished",
  ].join("\n"));
  assert.equal(attempts.length, 0);
  assert.equal(parser.skipped, 0);
});

Deno.test("attempts stamped to the millisecond, as ping writes them now, and to the second, as it did", () => {
  const { attempts, parser } = parse([
    "2026-12-05T01:54:46.123Z Connect: Success! 12ms, 10,283 bytes read (tcp 2, first byte 3 ms)",
    "2026-12-05T01:54:46Z Connect: Success! 12ms, 10,283 bytes read (tcp 2, first byte 3 ms)",
  ].join("\n"));
  assert.deepEqual(attempts.map((a) => a.time?.toISOString()), [
    "2026-12-05T01:54:46.123Z",
    "2026-12-05T01:54:46.000Z",
  ]);
  assert.deepEqual(attempts.map((a) => a.wholeSecond), [false, true]);
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
  assert.equal(parser.runs[0].target, "MyServer port 10933");
  assert.equal(attempts[0].cause, "timeout", "from the cause line, not the message's words");
  assert.equal(parser.skipped, 0);
});

Deno.test("the line naming an attempt Ctrl+C cut short is the tool's own, alone and in a fleet", () => {
  const { attempts, parser } = parse([
    "OctoPing 0.1.0 - pinging MyServer on port 10933 with TLS",
    "Stopped: 0 successful connections, 0 failed connections.",
    "Cut short: attempt 1, after 8,012ms during the TLS handshake; not counted in the statistics below.",
    "OctoPing 0.1.0 - pinging 2 targets from hosts.txt, at most 50 connections at once (/parallel)",
    "[web01] Stopped: 11 successful connections, 0 failed connections.",
    "[web01] Cut short: attempt 12, after 1,003ms while connecting; not counted in the statistics below.",
  ].join("\n"));
  assert.equal(attempts.length, 0, "a cut attempt is no attempt");
  assert.equal(parser.skipped, 0);
});

Deno.test("the original TentaclePing's banner names the target", () => {
  const { parser } = parse(
    "Pinging tentacle01 on port 10933\nConnect: Success! 12ms, 10,240 bytes read",
  );
  assert.equal(parser.runs[0].target, "tentacle01 port 10933");
  assert.equal(parser.skipped, 0);
});

const SHA1 = "A1".repeat(20);
const SHA256 = "B2".repeat(32);

Deno.test("a log appended to by several runs is split at every header, banner and start event", () => {
  const { attempts, parser } = parse([
    "# OctoPing 0.1.0 ping",
    "# command line: OctoPing ping /host=alpha /logfile=run.log",
    "# started: 2026-11-27T13:40:00.123Z",
    "# machine: myhost, linux 6.1.0 (x86_64), Deno 2.9.6",
    "OctoPing 0.1.0 - pinging alpha on port 1000 with TLS",
    "2026-11-27T13:40:00Z Connect: Success! 12ms, 10,283 bytes read (tcp 2, first byte 3 ms)",
    "# OctoPing 0.1.0 ping",
    "OctoPing 0.1.0 - pinging beta on port 2000 with TLS",
    "2026-11-27T14:00:00Z Connect: Failed! 3ms; connected: False; SSL: False",
    "    cause: refused - connection refused",
    '{"type":"start","time":"2026-11-27T15:00:00.000Z","version":"0.1.0","commandLine":"OctoPing ping /host=gamma /format=json","command":"ping","target":{"host":"gamma","port":3000},"options":{"dataSize":0},"machine":"jsonhost","os":"linux 6.1.0 (x86_64)","deno":"2.9.6"}',
    '{"type":"attempt","time":"2026-11-27T15:00:00.100Z","ok":true,"ms":5,"address":"10.0.0.3"}',
    "OctoPing 0.1.0 - pinging delta on port 4000 with TLS",
    "2026-11-27T16:00:00Z Connect: Success! 12ms, 10,283 bytes read (tcp 2, first byte 3 ms)",
    "Pinging epsilon on port 5000",
    "Connect: Success! 12ms, 10,240 bytes read",
    '{"type":"attempt","time":"2026-11-27T17:00:00.100Z","ok":true,"ms":5,"address":"10.0.0.6"}',
  ].join("\n"));
  assert.deepEqual(
    parser.runs.map((run) => [run.number, run.format, run.target, run.firstLine]),
    [
      [1, "text", "alpha port 1000", 1],
      [2, "text", "beta port 2000", 7],
      [3, "json", "gamma port 3000", 11],
      [4, "text", "delta port 4000", 13],
      [5, "text", "epsilon port 5000", 15],
      [6, "json", undefined, 17],
    ],
  );
  assert.deepEqual(attempts.map((a) => a.run), [1, 2, 3, 4, 5, 6]);
  assert.equal(parser.runs[1].commandLine, undefined, "run 2 keeps nothing of run 1's header");
  assert.equal(parser.skipped, 0);
});

Deno.test("what support asks first, from a text log: header, certificate, thumbprint, who answered, addresses", () => {
  const { parser } = parse([
    "# OctoPing 0.1.0 ping",
    "# command line: OctoPing ping /host=tentacle /port=10933",
    "# started: 2026-11-27T13:40:00.123Z",
    "# machine: myhost, linux 6.1.0 (x86_64), Deno 2.9.6",
    "OctoPing 0.1.0 - pinging tentacle on port 10933 with TLS",
    "2026-11-27T13:40:00Z Connect: Failed! 12ms; connected: True; SSL: True",
    "    the server closed the connection",
    "    cause: closed - the server closed the connection",
    "    address: tentacle is 10.0.0.5",
    "    certificate: CN=Octopus Tentacle (self-signed)",
    `    thumbprint: ${SHA1} (SHA-1, as Octopus shows it); SHA-256: ${SHA256}`,
    "    valid from 2026-11-27 to 2027-11-27; TLSv1.3, TLS_AES_256_GCM_SHA384",
    "    answered by: a Tentacle",
    "2026-11-27T13:40:01Z Connect: Success! 12ms, 10,283 bytes read (tcp 2, first byte 3 ms)",
    "    address: tentacle now resolves to 10.0.0.6 (was 10.0.0.5)",
    "    certificate changed: CN=other, issued by CN=Some CA",
    `    thumbprint: ${"C3".repeat(20)} (SHA-1, as Octopus shows it); SHA-256: ${SHA256}`,
    "    valid from 2026-11-27 to 2027-11-27; TLSv1.3, TLS_AES_256_GCM_SHA384",
    "    answered by: OctoPing pong 0.1.0",
  ].join("\n"));
  const [run] = parser.runs;
  assert.equal(run.command, "ping");
  assert.equal(run.version, "0.1.0");
  assert.equal(run.commandLine, "OctoPing ping /host=tentacle /port=10933");
  assert.equal(run.started, "2026-11-27T13:40:00.123Z");
  assert.equal(run.machine, "myhost, linux 6.1.0 (x86_64), Deno 2.9.6");
  assert.deepEqual(run.addresses.items, ["10.0.0.5", "10.0.0.6"]);
  assert.deepEqual(run.peers.items, ["a Tentacle", "OctoPing pong 0.1.0"]);
  assert.deepEqual(run.certificates.items, [
    {
      time: new Date("2026-11-27T13:40:00Z"),
      changed: false,
      name: "CN=Octopus Tentacle (self-signed)",
      sha1: SHA1,
      sha256: SHA256,
      detail: "valid from 2026-11-27 to 2027-11-27; TLSv1.3, TLS_AES_256_GCM_SHA384",
    },
    {
      time: new Date("2026-11-27T13:40:01Z"),
      changed: true,
      name: "CN=other, issued by CN=Some CA",
      sha1: "C3".repeat(20),
      sha256: SHA256,
      detail: "valid from 2026-11-27 to 2027-11-27; TLSv1.3, TLS_AES_256_GCM_SHA384",
    },
  ]);
  assert.equal(parser.skipped, 0);
});

Deno.test("what support asks first, from JSON lines: start, certificate, peer, address events", () => {
  const { parser } = parse([
    '{"type":"start","time":"2026-11-27T15:00:00.000Z","version":"0.1.0","commandLine":"OctoPing ping /host=tentacle /format=json","command":"ping","target":{"host":"tentacle","port":10933},"options":{"dataSize":0},"machine":"jsonhost","os":"linux 6.1.0 (x86_64)","deno":"2.9.6"}',
    '{"type":"attempt","time":"2026-11-27T15:00:00.100Z","seq":1,"ok":true,"ms":5,"address":"10.0.0.5"}',
    '{"type":"address","time":"2026-11-27T15:00:00.100Z","host":"tentacle","address":"10.0.0.5","previous":null}',
    `{"type":"certificate","time":"2026-11-27T15:00:00.100Z","subject":"CN=Octopus Tentacle","issuer":"CN=Octopus Tentacle","selfSigned":true,"sha1":"${SHA1}","sha256":"${SHA256}","validFrom":"2026-11-27T00:00:00.000Z","validTo":"2027-11-27T00:00:00.000Z","protocol":"TLSv1.3","cipher":"TLS_AES_256_GCM_SHA384","previousSha1":null}`,
    '{"type":"peer","time":"2026-11-27T15:00:00.100Z","kind":"pong","description":"OctoPing pong 0.1.0","hint":null}',
    '{"type":"summary","time":"2026-11-27T15:00:01.000Z","attempts":1}',
  ].join("\n"));
  const [run] = parser.runs;
  assert.equal(run.commandLine, "OctoPing ping /host=tentacle /format=json");
  assert.equal(run.started, "2026-11-27T15:00:00.000Z");
  assert.equal(run.machine, "jsonhost, linux 6.1.0 (x86_64), Deno 2.9.6");
  assert.deepEqual(run.addresses.items, ["10.0.0.5"]);
  assert.deepEqual(run.peers.items, ["OctoPing pong 0.1.0"]);
  assert.deepEqual(run.certificates.items, [{
    time: new Date("2026-11-27T15:00:00.100Z"),
    changed: false,
    name: "CN=Octopus Tentacle (self-signed)",
    sha1: SHA1,
    sha256: SHA256,
    detail: "valid from 2026-11-27 to 2027-11-27; TLSv1.3, TLS_AES_256_GCM_SHA384",
  }]);
  assert.equal(parser.skipped, 0);
});

Deno.test("what a run keeps is bounded: certificates, addresses and peers are capped and the rest counted", () => {
  const lines = [
    '{"type":"start","command":"ping","version":"0.1.0","target":{"host":"h","port":1}}',
  ];
  for (let i = 0; i < 1000; i++) {
    const sha1 = i.toString(16).padStart(40, "0");
    lines.push(
      `{"type":"certificate","subject":"CN=${
        "x".repeat(100_000)
      }","sha1":"${sha1}","previousSha1":"0"}`,
      `{"type":"attempt","time":"2026-11-27T15:00:00.100Z","ok":true,"ms":5,"address":"10.0.${
        i >> 8
      }.${i & 255}"}`,
      `{"type":"peer","kind":"other","description":"server ${i}"}`,
    );
  }
  const [run] = parse(lines.join("\n")).parser.runs;
  assert.ok(run.certificates.items.length <= 10, `${run.certificates.items.length} kept`);
  assert.equal(run.certificates.items.length + run.certificates.more, 1000);
  assert.equal(run.certificateChanges, 1000);
  assert.ok(run.certificates.items[0].name.length <= 1000, "a 100 KB subject is cut when kept");
  assert.equal(run.addresses.items.length + run.addresses.more, 1000);
  assert.ok(run.addresses.items.length <= 20);
  assert.equal(run.peers.items.length + run.peers.more, 1000);
  assert.ok(run.peers.items.length <= 10);
});

Deno.test("a pong log is a pong run: its lines are pong's, its connections counted", () => {
  const { attempts, parser } = parse([
    "# OctoPing 0.1.0 pong",
    "# command line: OctoPing pong /port=1234",
    "OctoPing 0.1.0 - listening on port 1234 with TLS, certificate thumbprint " + SHA1,
    "Stop it with Ctrl+C.",
    "2026-11-27T13:40:00Z Accepted TCP client 127.0.0.1:5555",
    "2026-11-27T13:40:00Z 127.0.0.1:5555: 60 bytes read, 10,386 bytes sent, 3ms, 3.31 MB/s",
    "2026-11-27T13:40:01Z 127.0.0.1:5556: TLS handshake failed (0 bytes read, 1ms)",
    "2026-11-27T13:40:02Z ... and 7 more connections ended badly in the last second: handshake 7",
    "Stopped.",
    "--- pong statistics ---",
    "9 connections, at most 2 at once; 0 MB read, 0 MB sent",
    "ended badly: handshake 8",
    '{"type":"start","command":"pong","version":"0.1.0","port":1235,"tls":true}',
    '{"type":"connection","time":"2026-11-27T15:00:00.100Z","client":"127.0.0.1:1","outcome":"answered"}',
    '{"type":"connectionsCounted","time":"2026-11-27T15:00:01.100Z","count":4,"byOutcome":{}}',
  ].join("\n"));
  assert.equal(attempts.length, 0);
  assert.deepEqual(
    parser.runs.map((run) => [run.command, run.target, run.connections]),
    [["pong", "port 1234", 9], ["pong", "port 1235", 5]],
  );
  assert.equal(parser.skipped, 0);
});

/** `text` as UTF-16LE with its byte-order mark: what PowerShell 5.1's `>` writes. */
function utf16le(text: string): Uint8Array {
  const bytes = new Uint8Array(2 + text.length * 2);
  bytes.set([0xff, 0xfe]);
  for (let i = 0; i < text.length; i++) {
    bytes[2 + i * 2] = text.charCodeAt(i) & 0xff;
    bytes[3 + i * 2] = text.charCodeAt(i) >> 8;
  }
  return bytes;
}

Deno.test("LF, CRLF and mixed line ends read alike, in UTF-8 and UTF-16LE", async () => {
  const lines = [
    "# OctoPing 0.1.0 ping",
    "# command line: OctoPing ping /host=tentacle",
    "OctoPing 0.1.0 - pinging tentacle on port 10933 with TLS",
    "2026-11-27T13:40:00Z Connect: Success! 12ms, 10,283 bytes read (tcp 2, first byte 3 ms)",
    "    answered by: a Tentacle",
    "2026-11-27T13:40:01Z Connect: Failed! 3ms; connected: False; SSL: False",
    "    connect ECONNREFUSED 127.0.0.1:10933",
    "    cause: refused - connection refused",
    "2026-11-27T13:40:02Z Connect: Success! 14ms, 10,283 bytes read (tcp 2, first byte 3 ms)",
  ];
  const mixed = lines.map((line, i) => line + (i % 2 ? "\r\n" : "\n")).join("");
  await using dir = await tempDir();
  const files: [string, Uint8Array][] = [
    ["lf", new TextEncoder().encode(lines.join("\n") + "\n")],
    ["crlf", new TextEncoder().encode(lines.join("\r\n") + "\r\n")],
    ["mixed", new TextEncoder().encode(mixed)],
    ["utf16-crlf", utf16le(lines.join("\r\n") + "\r\n")],
    ["utf16-mixed", utf16le(mixed)],
  ];
  const reports = [];
  for (const [name, bytes] of files) {
    await Deno.writeFile(`${dir.path}/${name}`, bytes);
    const read = [];
    for await (const [line] of readLines(`${dir.path}/${name}`)) read.push(line);
    assert.deepEqual(read, lines, name);
    reports.push(await summarise(`${dir.path}/${name}`));
  }
  for (const report of reports) {
    assert.equal(report.skipped, 0);
    assert.deepEqual(report.runs[0].summary, reports[0].runs[0].summary);
    assert.deepEqual(report.runs[0].run.peers.items, ["a Tentacle"], "no CR left on a value");
    assert.equal(report.runs[0].run.commandLine, "OctoPing ping /host=tentacle");
  }
});

Deno.test("a CRLF split across read chunks is one line end, in UTF-8 and UTF-16LE", async () => {
  // Every even byte offset holds a CR (UTF-8) or every 4th starts one (UTF-16LE, after "ab"):
  // whatever size the reads are, chunk boundaries fall between CR and LF many times.
  const count = 400_000;
  await using dir = await tempDir();
  const utf8 = new TextEncoder().encode("a" + "\r\n".repeat(count));
  await Deno.writeFile(`${dir.path}/utf8`, utf8);
  await Deno.writeFile(`${dir.path}/utf16`, utf16le("ab" + "\r\n".repeat(count)));
  for (const [name, first] of [["utf8", "a"], ["utf16", "ab"]]) {
    let lines = 0;
    for await (const [line, number] of readLines(`${dir.path}/${name}`)) {
      assert.equal(line, number === 1 ? first : "", `${name} line ${number}`);
      lines++;
    }
    assert.equal(lines, count, name);
  }
});

Deno.test("through a proxy, the addresses a log holds are named as the proxy's, text and JSON", () => {
  const text = parse([
    "OctoPing 0.1.0 - pinging MyServer on port 10933 with TLS through the proxy http://u:***@proxy.corp:3128",
    "2026-11-27T15:58:33Z Connect: Failed! 51ms; connected: False; SSL: False",
    "    the proxy answered CONNECT with HTTP/1.0 407 Proxy Authentication Required (it offers Basic)",
    "    cause: proxy - the proxy proxy.corp:3128 wants credentials (it offers Basic)",
    "    address: the proxy proxy.corp is 10.0.0.8",
  ].join("\n"));
  assert.equal(text.parser.skipped, 0);
  assert.deepEqual(text.attempts.map((a) => a.cause), ["proxy"]);
  assert.equal(text.parser.runs[0].proxy, "http://u:***@proxy.corp:3128");
  assert.deepEqual(text.parser.runs[0].addresses.items, ["10.0.0.8"]);
  const json = parse([
    JSON.stringify({
      type: "start",
      time: "2026-11-27T15:58:33.000Z",
      command: "ping",
      target: { host: "MyServer", port: 10933 },
      options: { proxy: "http://proxy.corp:3128" },
    }),
    JSON.stringify({
      type: "attempt",
      time: "2026-11-27T15:58:33.100Z",
      ok: false,
      ms: 5,
      cause: "proxy",
      phase: "proxy",
      address: "10.0.0.8",
    }),
  ].join("\n"));
  assert.equal(json.parser.runs[0].proxy, "http://proxy.corp:3128");
  assert.deepEqual(json.parser.runs[0].addresses.items, ["10.0.0.8"]);
  assert.equal(
    addressesLabel(json.parser.runs[0]),
    "addresses of the proxy http://proxy.corp:3128",
  );
});
