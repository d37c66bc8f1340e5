/**
 * OctoPing against peers this project did not write: OpenSSL's test server as
 * a ping target, curl and OpenSSL's client against pong.
 */
import assert from "node:assert/strict";
import { VERSION } from "../src/version.ts";
import { freePort, Lines, Pong, runOctoPing, WAIT_MS } from "./helpers.ts";

async function tool(
  name: string,
  args: string[],
  stdin = "",
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = new Deno.Command(name, { args, stdin: "piped", stdout: "piped", stderr: "piped" })
    .spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(stdin));
  await writer.close();
  const timer = setTimeout(() => child.kill("SIGKILL"), WAIT_MS);
  const output = await child.output();
  clearTimeout(timer);
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

Deno.test("ping succeeds against `openssl s_server -www`", async () => {
  const dir = await Deno.makeTempDir();
  const key = `${dir}/key.pem`;
  const cert = `${dir}/cert.pem`;
  const made = await tool("openssl", [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    key,
    "-out",
    cert,
    "-days",
    "2",
    "-subj",
    "/CN=s_server",
  ]);
  assert.equal(made.code, 0, made.stderr);
  const port = freePort();
  const server = new Deno.Command("openssl", {
    args: ["s_server", "-accept", `127.0.0.1:${port}`, "-cert", cert, "-key", key, "-www"],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  try {
    await new Lines(server.stdout).waitFor(/^ACCEPT/);
    const run = await runOctoPing(["ping", `/host=127.0.0.1:${port}`, "/count=2", "/interval=0"]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const successes = run.stdout.split("\n").filter((line) => line.includes("Success!"));
    assert.equal(successes.length, 2);
    for (const line of successes) assert.match(line, /Success! [\d,]+ms, [\d,]+ bytes read \(/);
  } finally {
    server.kill("SIGTERM");
    await server.status;
    await server.stderr.cancel();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("curl -k gets pong's answer: 200, the X-OctoPing header and a 10 KiB body", async () => {
  const pong = await Pong.start();
  try {
    const curl = await tool("curl", [
      "-sk",
      "-D",
      "-",
      "-o",
      "/dev/null",
      "-w",
      "%{size_download}",
      `https://127.0.0.1:${pong.port}/`,
    ]);
    assert.equal(curl.code, 0, curl.stderr);
    assert.match(curl.stdout, /^HTTP\/1\.0 200 OK\r\n/);
    assert.ok(curl.stdout.includes(`\r\nX-OctoPing: pong ${VERSION}\r\n`), curl.stdout);
    assert.match(curl.stdout, /10240$/);
    const [read] = await pong.answered(1);
    assert.ok(read > 20, `pong counted curl's request: ${read}`);
  } finally {
    await pong.stop();
  }
});

Deno.test("openssl s_client sees the certificate pong printed the thumbprint of", async () => {
  const pong = await Pong.start();
  try {
    const client = await tool("openssl", [
      "s_client",
      "-connect",
      `127.0.0.1:${pong.port}`,
      "-brief",
      "-ign_eof",
    ], "GET / HTTP/1.0\r\n\r\n");
    assert.match(client.stdout, /HTTP\/1\.0 200 OK\r\n/);
    assert.match(client.stdout, /X-OctoPing: pong/);
    assert.match(client.stdout + client.stderr, /Protocol version: TLSv1\.[23]/);
    const shown = await tool("openssl", [
      "s_client",
      "-connect",
      `127.0.0.1:${pong.port}`,
      "-showcerts",
    ], "");
    const pem = /-----BEGIN CERTIFICATE-----[^]*?-----END CERTIFICATE-----/.exec(shown.stdout)?.[0];
    assert.ok(pem, shown.stdout);
    const fingerprint = await tool("openssl", ["x509", "-noout", "-fingerprint", "-sha1"], pem);
    const sha1 = /=([0-9A-F:]+)/.exec(fingerprint.stdout)![1].replaceAll(":", "");
    assert.equal(sha1, pong.thumbprint);
  } finally {
    await pong.stop();
  }
});
