/**
 * What only Windows does, as Windows users meet it: `cmd /c "... > Output.txt"`,
 * CRLF line ends, drive-letter paths with backslashes, and a PFX named by one.
 * Each test is ignored elsewhere ({@linkcode windowsTest}); the Windows lane
 * fails if any of them is ignored there.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
// @ts-types="@types/node-forge"
import forge from "node-forge";
import { createSelfSignedCertificate } from "../src/net/certificate.ts";
import { type Finished, redirected, runLine } from "../scripts/shell.ts";
import {
  octoPingCommand,
  Pong,
  runOctoPing,
  tempDir,
  WAIT_MS,
  windowsTest,
} from "./support/helpers.ts";

/** A TentaclePing log, as support receives them. */
const FIXTURE = new URL("./fixtures/tentacleping.txt", import.meta.url);

/** Runs OctoPing with `args` as a user types it in cmd, its output redirected to `file`. */
function inCmd(args: string[], file: string): Promise<Finished> {
  return runLine(redirected(octoPingCommand(args), file), WAIT_MS);
}

/**
 * The lines of the text file at `path`, after checking it as support reads it:
 * plain ASCII, and every line ended with CRLF, the last one included.
 */
async function crlfAsciiLines(path: string): Promise<string[]> {
  const bytes = await Deno.readFile(path);
  const notAscii = bytes.findIndex((b) => b !== 13 && b !== 10 && (b < 32 || b > 126));
  assert.equal(notAscii, -1, `${path}: a byte that is not plain ASCII at offset ${notAscii}`);
  const text = new TextDecoder().decode(bytes);
  assert.ok(text.endsWith("\r\n"), `${path}: its last line is not ended with CRLF`);
  const bare = /(?<!\r)\n|\r(?!\n)/.exec(text);
  assert.equal(bare, null, `${path}: a line ends in LF or CR alone at offset ${bare?.index}`);
  return text.slice(0, -2).split("\r\n");
}

windowsTest("ping > Output.txt in cmd: plain ASCII, CRLF on every line, header first", async () => {
  await using pong = await Pong.start();
  await using dir = await tempDir();
  const output = join(dir.path, "Output.txt");
  const run = await inCmd(
    ["ping", "/host=127.0.0.1", `/port=${pong.port}`, "/count=2"],
    output,
  );
  assert.equal(run.code, 0, run.stderr);
  const lines = await crlfAsciiLines(output);
  assert.match(lines[0], /^# OctoPing \S+ ping$/);
  assert.equal(lines.filter((line) => / Connect: Success! /.test(line)).length, 2);
  assert.ok(lines.includes("2 attempts: 2 succeeded, 0 failed (0% failed)"), lines.join("\n"));
});

windowsTest(
  "check > Output.txt in cmd: plain ASCII, CRLF on every line, the verdict last",
  async () => {
    await using pong = await Pong.start();
    await using dir = await tempDir();
    const output = join(dir.path, "Output.txt");
    const run = await inCmd(["check", `/host=127.0.0.1:${pong.port}`], output);
    assert.equal(run.code, 0, run.stderr);
    const lines = await crlfAsciiLines(output);
    assert.match(lines[0], /^# OctoPing \S+ check$/);
    assert.match(lines.at(-1)!, /^Octopus should be able to connect to 127\.0\.0\.1:\d+$/);
  },
);

windowsTest(
  "pong > Output.txt in cmd: plain ASCII, CRLF on every line, its statistics at the end",
  async () => {
    await using dir = await tempDir();
    const output = join(dir.path, "Output.txt");
    const run = await inCmd(["pong", "/port=0", "/listen=127.0.0.1", "/duration=1"], output);
    assert.equal(run.code, 0, run.stderr);
    const lines = await crlfAsciiLines(output);
    assert.match(lines[0], /^# OctoPing \S+ pong$/);
    assert.ok(lines.some((line) => /listening on port \d+/.test(line)), lines.join("\n"));
    assert.ok(lines.includes("--- pong statistics ---"), lines.join("\n"));
  },
);

windowsTest(
  "/logfile=C:\\...\\run.log and report /out=C:\\...\\r.html: backslash paths, CRLF log",
  async () => {
    await using pong = await Pong.start();
    await using dir = await tempDir();
    assert.match(dir.path, /^[A-Za-z]:\\/, "a temporary folder on Windows is a drive-letter path");
    const log = join(dir.path, "logs", "run.log");
    await Deno.mkdir(join(dir.path, "logs"));
    const run = await pong.ping("/count=2", `/logfile=${log}`);
    assert.equal(run.code, 0, run.stderr);
    const lines = await crlfAsciiLines(log);
    assert.equal(
      lines[1],
      `# command line: OctoPing ping /host=127.0.0.1 /port=${pong.port} ` +
        `/count=2 /logfile=${log}`,
    );
    assert.equal(lines.filter((line) => / Connect: Success! /.test(line)).length, 2);

    const page = join(dir.path, "r.html");
    const report = await runOctoPing(["report", log, `/out=${page}`]);
    assert.equal(report.code, 0, report.stderr);
    const html = await Deno.readTextFile(page);
    assert.match(html, /^<!DOCTYPE html>/i);
    assert.match(html, /<meta charset="utf-8">/i);
    assert.match(
      report.stdout,
      new RegExp(`^OctoPing: wrote the report to ${escape(page)}$`, "m"),
    );
  },
);

windowsTest(
  "/clientcert=C:\\...\\octopus.pfx: a PFX named by a backslash path is presented",
  async () => {
    const made = await createSelfSignedCertificate("Octopus Deploy");
    const pfx = forge.pkcs12.toPkcs12Asn1(
      forge.pki.privateKeyFromPem(made.keyPem),
      [forge.pki.certificateFromPem(made.certPem)],
      "pfx-secret",
      { algorithm: "3des" },
    );
    await using pong = await Pong.start();
    await using dir = await tempDir();
    const file = join(dir.path, "octopus.pfx");
    await Deno.writeFile(
      file,
      Uint8Array.from(forge.asn1.toDer(pfx).getBytes(), (c) => c.charCodeAt(0)),
    );
    const run = await pong.ping(
      "/count=1",
      `/clientcert=${file}`,
      "/clientpassword=pfx-secret",
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      new RegExp(`^# client certificate: ${made.thumbprint} \\(${escape(file)}\\)$`, "m"),
    );
    await pong.stdout.waitFor(new RegExp(`client certificate ${made.thumbprint}`));
  },
);

/** `text` as a regular expression that matches it literally. */
function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

windowsTest(
  "report C:\\...\\RUN*.TXT: OctoPing expands the wildcard itself, in any case, as Windows names files",
  async () => {
    await using dir = await tempDir();
    await Deno.copyFile(fileURLToPath(FIXTURE), join(dir.path, "run-1.txt"));
    const page = join(dir.path, "r.html");
    const report = await runOctoPing(["report", join(dir.path, "RUN*.TXT"), `/out=${page}`]);
    assert.equal(report.code, 0, report.stderr);
    assert.match(await Deno.readTextFile(page), /MyServer/);
  },
);
