/**
 * The hosts file (`/hosts=<file>`): each line's forms, names and thumbprints,
 * and every mistake named by file and line, as bad input (exit 2) with nothing run.
 */
import assert from "node:assert/strict";
import { type HostsFileRules, parseHostsFile, readHostsFile } from "../src/options/hosts_file.ts";
import { parseArgs, UsageError } from "../src/options/parse.ts";
import { freePort, MAIN, runOctoPing, runTool, tempDir } from "./support/helpers.ts";

const RULES: HostsFileRules = { defaultPort: 10933, tls: true };
const SHA1 = "3C2A0F1B2C3D4E5F60718293A4B5C6D7E8F90A1B";

Deno.test("each line: any /host form, then a name, then a thumbprint; comments and blanks skipped", () => {
  const table: [string, object][] = [
    ["web01", { host: "web01", port: 10933, name: "web01:10933" }],
    ["web01:10934", { host: "web01", port: 10934, name: "web01:10934" }],
    ["https://web01:10933/", { host: "web01", port: 10933, name: "web01:10933" }],
    ["[2001:db8::5]:10934", { host: "2001:db8::5", port: 10934, name: "[2001:db8::5]:10934" }],
    ["2001:db8::5", { host: "2001:db8::5", port: 10933, name: "[2001:db8::5]:10933" }],
    ["web01.corp.local:10933 Web01", { host: "web01.corp.local", port: 10933, name: "Web01" }],
    ["  10.0.0.5\tDB # the database", { host: "10.0.0.5", port: 10933, name: "DB" }],
    [
      `db01 DB01 thumbprint=${SHA1.toLowerCase()}`,
      { host: "db01", port: 10933, name: "DB01", thumbprint: SHA1 },
    ],
    [`db01 thumbprint=${SHA1}`, {
      host: "db01",
      port: 10933,
      name: "db01:10933",
      thumbprint: SHA1,
    }],
  ];
  for (const [line, expected] of table) {
    const text = `# a comment\n\n${line}\r\n   \n`;
    assert.deepEqual(parseHostsFile(text, "hosts.txt", RULES), [expected], line);
  }
});

Deno.test("thumbprint= comes last and takes the rest of the line, spaced and marked as Windows copies it", () => {
  const spaced = SHA1.toLowerCase().match(/../g)!.join(" ");
  const table: [string, object][] = [
    [`db01 DB01 thumbprint=\u200e${spaced}`, { name: "DB01", thumbprint: SHA1 }],
    [`db01 DB01 Thumbprint=\ufeff${SHA1}  # the database`, { name: "DB01", thumbprint: SHA1 }],
    [`db01 thumbprint=${spaced}`, { name: "db01:10933", thumbprint: SHA1 }],
  ];
  for (const [line, expected] of table) {
    assert.deepEqual(
      parseHostsFile(line, "hosts.txt", RULES),
      [{ host: "db01", port: 10933, ...expected }],
      line,
    );
  }
});

Deno.test("a space inside the address: a name that holds ':' or is an IP address is bad input", () => {
  const table: [string, RegExp][] = [
    [
      "web01\nweb 01:21020",
      /^hosts\.txt line 2: '01:21020' can't be a name \(it holds ':'\): write the address without spaces, then the name, e.g\. web01:10933 Web01$/,
    ],
    ["web 01:21020 Web01", /^hosts\.txt line 1: '01:21020' can't be a name \(it holds ':'\)/],
    ["[2001:db8::5] :10933", /^hosts\.txt line 1: ':10933' can't be a name/],
    [
      "10.0.0.5 10.0.0.6",
      /^hosts\.txt line 1: '10\.0\.0\.6' can't be a name \(it is an IP address\): one target per line/,
    ],
  ];
  for (const [text, message] of table) {
    assert.throws(
      () => parseHostsFile(text, "hosts.txt", RULES),
      (error: unknown) => error instanceof UsageError && message.test(error.message),
      `${JSON.stringify(text)} should fail with ${message}`,
    );
  }
  // Without a ':', a space splits the host from its name: host web, named 01.
  assert.deepEqual(parseHostsFile("web 01", "hosts.txt", RULES), [
    { host: "web", port: 10933, name: "01" },
  ]);
});

Deno.test("the default port is /port's", () => {
  const [target] = parseHostsFile("web01", "hosts.txt", { ...RULES, defaultPort: 443 });
  assert.equal(target.port, 443);
  assert.equal(target.name, "web01:443");
});

Deno.test("a duplicate target under different names is allowed", () => {
  const targets = parseHostsFile("web01 A\nweb01 B\n", "hosts.txt", RULES);
  assert.deepEqual(targets.map((t) => t.name), ["A", "B"]);
});

Deno.test("bad lines: the file and line number, and what is wrong", () => {
  const table: [string, RegExp, HostsFileRules?][] = [
    ["web01\nweb 02 03", /^hosts\.txt line 2: '03' after the name 02: a name has no spaces/],
    ["web01\n\nbad$host:1 B", /^hosts\.txt line 3: 'bad\$host:1': expected a host name/],
    ["web01:99999", /^hosts\.txt line 1: 'web01:99999': expected a port number, 1-65535/],
    ["[zz::1]", /^hosts\.txt line 1: '\[zz::1\]': expected an IPv6 address in brackets/],
    ["[fe80::1%12]:10933", /^hosts\.txt line 1: '\[fe80::1%12\]:10933': a link-local address /],
    ["web01 A\n# x\nweb02 a", /^hosts\.txt line 3: the name a is used on line 1 too/],
    ["web01\nweb01", /^hosts\.txt line 2: the name web01:10933 is used on line 1 too/],
    ["web01 thumbprint=12", /^hosts\.txt line 1: .*expected a SHA-1 thumbprint \(40 hex digits/],
    [
      `web01 thumbprint=3C2A\u00e9${SHA1.slice(5)}`,
      /^hosts\.txt line 1: thumbprint=3C2A\u00e9\w+: U\+00E9 is not a hex digit \(0-9, A-F\)$/,
    ],
    [
      `web01 thumbprint=${SHA1} Web01`,
      /^hosts\.txt line 1: 'Web01' after the thumbprint: thumbprint=<hex> comes last on a line$/,
    ],
    [
      `web01 thumbprint=${SHA1} thumbprint=${SHA1}`,
      /^hosts\.txt line 1: thumbprint= is given twice/,
    ],
    [`web01 thumbprint=${SHA1}`, /^hosts\.txt line 1: thumbprint= needs TLS/, {
      ...RULES,
      tls: false,
    }],
    ["web01 Caf\u00e9", /^hosts\.txt line 1: the name 'Caf\u00e9' is not plain ASCII/],
    ["::1", /^hosts\.txt line 1: ::1 is not an IPv4 address/, { ...RULES, family: 4 }],
    ["# only a comment\n\n", /^hosts\.txt holds no targets/],
    ["", /^hosts\.txt holds no targets/],
  ];
  for (const [text, message, rules] of table) {
    assert.throws(
      () => parseHostsFile(text, "hosts.txt", rules ?? RULES),
      (error: unknown) => error instanceof UsageError && message.test(error.message),
      `${JSON.stringify(text)} should fail with ${message}`,
    );
  }
});

Deno.test("/hosts on the command line: with /host, a global /thumbprint or /parallel alone is bad input", () => {
  const table: [string[], RegExp][] = [
    [["ping", "/hosts=h.txt", "/host=web01"], /\/host and \/hosts exclude each other/],
    [["ping", "/hosts=h.txt", `/thumbprint=${SHA1}`], /a thumbprint belongs to one Tentacle/],
    [["ping", "/host=web01", "/parallel=5"], /\/parallel goes with \/hosts/],
    [["ping", "/hosts=h.txt", "/parallel=0"], /\/parallel=0: expected a number of connections/],
  ];
  for (const [args, message] of table) {
    assert.throws(
      () => parseArgs(args),
      (e: unknown) => e instanceof UsageError && message.test(e.message),
    );
  }
  const command = parseArgs(["ping", "/hosts=h.txt", "/port=443", "/count=3"]);
  assert.equal(command.kind, "pingFleet");
  if (command.kind !== "pingFleet") return;
  assert.deepEqual(command.fleet, { hosts: "h.txt", defaultPort: 443, parallel: 50 });
  assert.equal(command.options.count, 3);
});

Deno.test("a bad hosts file: one line naming file and line, exit 2, nothing run", async () => {
  await using dir = await tempDir();
  const port = freePort();
  await Deno.writeTextFile(`${dir.path}/hosts.txt`, `127.0.0.1:${port} A\n127.0.0.1:${port} A\n`);
  const run = await runOctoPing(["ping", `/hosts=${dir.path}/hosts.txt`, "/count=1"]);
  assert.equal(run.code, 2);
  assert.equal(run.stdout, "", "nothing run");
  assert.match(run.stderr, /^OctoPing: .*hosts\.txt line 2: the name A is used on line 1 too/);
  assert.doesNotMatch(run.stderr, /\n\s+at /, "no stack trace");
  const missing = await runOctoPing(["ping", `/hosts=${dir.path}/none.txt`, "/count=1"]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^OctoPing: cannot read the hosts file .*none\.txt/);
});

Deno.test("/hosts=- reads the targets from stdin", async () => {
  const port = freePort();
  const run = await runTool(Deno.execPath(), [
    "run",
    "-A",
    "--quiet",
    MAIN,
    "ping",
    "/hosts=-",
    "/count=1",
    "/format=json",
  ], { stdin: `127.0.0.1:${port} Nobody\n` });
  assert.equal(run.code, 1, run.stderr);
  const fleet = JSON.parse(run.stdout.trimEnd().split("\n").at(-1)!);
  assert.deepEqual(fleet.failing, ["Nobody"]);
  assert.equal(fleet.type, "fleet");
});

Deno.test("a hosts file saved by Notepad - UTF-16 LE or UTF-8, with a BOM and CRLF - reads as typed", async () => {
  const typed = [
    `web01.corp.local:10933 Web01 thumbprint=${SHA1}`, // first: right after the BOM
    "",
    "# the database",
    "10.0.0.5 DB",
  ].join("\r\n") + "\r\n";
  const utf16le = new Uint8Array([0xff, 0xfe, ...new Uint8Array(utf16leBytes(typed))]);
  const utf8 = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(typed)]);
  await using dir = await tempDir();
  for (const [encoding, bytes] of [["UTF-16 LE", utf16le], ["UTF-8", utf8]] as const) {
    const file = `${dir.path}/tentacles.txt`;
    await Deno.writeFile(file, bytes);
    assert.deepEqual(await readHostsFile(file, RULES), [
      { host: "web01.corp.local", port: 10933, name: "Web01", thumbprint: SHA1 },
      { host: "10.0.0.5", port: 10933, name: "DB" },
    ], encoding);
  }
});

/** `text` as UTF-16 LE code units, as Notepad writes "Unicode". */
function utf16leBytes(text: string): ArrayBuffer {
  const units = new Uint16Array(text.length);
  for (let i = 0; i < text.length; i++) units[i] = text.charCodeAt(i);
  return units.buffer; // little-endian on every machine Deno runs on
}
