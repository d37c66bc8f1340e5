/**
 * What OctoPing says before it runs anything, or instead of running: bad
 * input, `/?`, `--version`, and a pong that cannot take its port or address.
 */
import assert from "node:assert/strict";
import denoJson from "../deno.json" with { type: "json" };
import { redirected, runLine } from "../scripts/shell.ts";
import {
  fromLineEnds,
  octoPingCommand,
  Pong,
  runOctoPing,
  tempDir,
  WAIT_MS,
} from "./support/helpers.ts";

Deno.test("bad input: one line naming the problem, the usage hint, exit 2, nothing run", async () => {
  const cases: [string[], RegExp][] = [
    [[], /no command given/],
    [["pnig"], /unknown command 'pnig'/],
    [["ping"], /ping needs \/host/],
    [["ping", "/host=x", "/prot=1"], /did you mean \/port\?/],
    [["ping", "/host=x", "/nossl=yes"], /takes no value/],
    [["ping", "/host=x", "/port"], /\/port needs a value/],
    [["ping", "/host=x", "/host=y"], /given twice/],
    [["ping", "/host=x", "/port=70000"], /expected a port number, 1-65535/],
    [["ping", "/host=x", "/datasize=-2"], /expected a size of 0 or more/],
    [["ping", "/host=x", "/chunksize=0"], /expected a size above 0/],
    [["ping", "/host=x", "/count=0"], /1 or more/],
    [["ping", "/host=x", "/interval=-1"], /milliseconds from 0 to/],
    [["pong", "/count=1"], /\/count is an option of ping, not of pong/],
    [["pong", "/duration=soon"], /\/duration=soon: expected a number of seconds above 0/],
    [["ping", "/host=x", "/tmp/run.jsonl"], /unexpected argument/],
    [["ping", "C:/Program Files/Git/host=x"], /Git Bash/],
    [
      ["ping", "/host=::1:10933", "/count=1"],
      /an IPv6 address with a port is written in brackets, \[::1\]:10933/,
    ],
    [
      ["ping", "/host=[fe80::1]:10933", "/count=1"],
      /a link-local address \(fe80::\/10\) can't be reached by this OctoPing/,
    ],
  ];
  await Promise.all(cases.map(async ([args, message]) => {
    const run = await runOctoPing(args);
    const lines = run.stderr.trimEnd().split("\n");
    assert.equal(run.code, 2, `${args.join(" ")}: exit code`);
    assert.equal(run.stdout, "", `${args.join(" ")}: ran nothing`);
    assert.equal(lines.length, 2, `${args.join(" ")}: ${run.stderr}`);
    assert.match(lines[0], /^OctoPing: /);
    assert.match(lines[0], message);
    assert.equal(lines[1], "Run 'OctoPing /?' for usage.");
    assert.doesNotMatch(run.stderr, /\bat .*:\d+:\d+/, "no stack trace");
  }));
});

Deno.test("/? and --help print usage with examples and exit 0", async () => {
  for (const args of [["/?"], ["--help"], ["help"], ["ping", "-h"], ["pong", "/help"]]) {
    const run = await runOctoPing(args);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /OctoPing ping \/host=<ip\/hostname>/);
    assert.match(run.stdout, /OctoPing pong \[\/port=<port>\]/);
    assert.match(run.stdout, /Examples:/);
    assert.match(run.stdout, /> Output.txt/);
    assert.match(run.stdout, /\/duration=<s> +Stop after this many seconds/);
  }
});

Deno.test("--version prints the version from deno.json", async () => {
  for (const flag of ["--version", "/version", "-v"]) {
    const run = await runOctoPing([flag]);
    assert.equal(run.code, 0);
    assert.equal(run.stdout.trim(), `OctoPing ${denoJson.version}`);
  }
});

Deno.test("pong given /host says it is a ping, then pings", async () => {
  await using pong = await Pong.start();
  const run = await runOctoPing(["pong", `/host=127.0.0.1`, `/port=${pong.port}`, "/count=1"]);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.equal(run.stderr.trim().split("\n").length, 1);
  assert.match(run.stderr, /a command with \/host is a ping, so it runs as 'ping'/);
  assert.match(run.stdout, /pinging 127\.0\.0\.1 on port \d+ with TLS/);
  assert.match(run.stdout, /Connect: Success!/);
});

Deno.test("pong on a port in use: one clear line, exit 1", async () => {
  using taken = Deno.listen({ hostname: "0.0.0.0", port: 0 });
  const port = (taken.addr as Deno.NetAddr).port;
  const run = await runOctoPing(["pong", `/port=${port}`]);
  assert.equal(run.code, 1);
  assert.equal(
    run.stderr.trim(),
    `OctoPing: port ${port} is already in use: another program (a Tentacle?) listens there. Stop it, or choose another port with /port=<port>.`,
  );
});

Deno.test("pong on a port in use with its stdout in a file: the file holds the error too", async () => {
  using taken = Deno.listen({ hostname: "0.0.0.0", port: 0 });
  await using dir = await tempDir();
  const port = (taken.addr as Deno.NetAddr).port;
  const pong = octoPingCommand(["pong", `/port=${port}`]);
  const run = await runLine(redirected(pong, `${dir.path}/Output.txt`), WAIT_MS);
  assert.equal(run.code, 1);
  const output = fromLineEnds(await Deno.readTextFile(`${dir.path}/Output.txt`), "Output.txt");
  assert.match(output, /^# command line: OctoPing pong /m, "the header, as ever");
  assert.match(output, /^OctoPing: port \d+ is already in use: /m, "and why pong stopped");
  assert.match(fromLineEnds(run.stderr, "stderr"), /^OctoPing: port \d+ is already in use: /);
});

Deno.test("pong /listen= an address not on this machine: one line naming it, exit 1", async () => {
  // 192.0.2.1 is TEST-NET-1: never a machine's own address. It is only bound, never contacted.
  // /duration: were it bound after all (ip_nonlocal_bind), pong still ends at once.
  const run = await runOctoPing(["pong", "/listen=192.0.2.1", "/port=0", "/duration=1"]);
  assert.equal(run.code, 1);
  assert.match(
    run.stderr,
    /^OctoPing: cannot listen on 192\.0\.2\.1: it is not one of this machine's addresses[^\n]*\n$/,
  );
});
