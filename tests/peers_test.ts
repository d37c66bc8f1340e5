/**
 * OctoPing against peers this project did not write: OpenSSL's test server as
 * a ping target, curl and OpenSSL's client against pong.
 */
import assert from "node:assert/strict";
import { VERSION } from "../src/version.ts";
import { linuxTest, Pong, runOctoPing, tempDir } from "./support/helpers.ts";
import { openssl, selfSigned, sServer, tool } from "./support/openssl.ts";

/** Runs `openssl s_server -www` with `cert` and `key` and pings it twice. */
async function pingSServer(cert: string, key: string) {
  await using server = await sServer(cert, key, ["-www"]);
  return await runOctoPing(["ping", `/host=127.0.0.1:${server.port}`, "/count=2", "/interval=0"]);
}

linuxTest(
  "ping succeeds against `openssl s_server -www` and says it is not a Tentacle",
  async () => {
    await using dir = await tempDir();
    const { cert, key } = await selfSigned(dir.path, "s_server");
    const run = await pingSServer(cert, key);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const successes = run.stdout.split("\n").filter((line) => line.includes("Success!"));
    assert.equal(successes.length, 2);
    for (const line of successes) assert.match(line, /Success! [\d,]+ms, [\d,]+ bytes read \(/);
    assert.match(
      run.stdout,
      /\n {4}certificate: CN=s_server \(self-signed\); RSA 2048, SHA-256\n/,
    );
    assert.match(
      run.stdout,
      /\n {4}answered by: a web server, not a Tentacle \(HTTP\/1\.0 200\)\n {4}hint: a proxy, load balancer or SSL-offloading device/,
    );
  },
);

linuxTest("a certificate issued by a CA is called out: Tentacles' are self-signed", async () => {
  await using dir = await tempDir();
  const ca = await selfSigned(dir.path, "OctoPing Test CA");
  await openssl([
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    `${dir.path}/leaf.key`,
    "-out",
    `${dir.path}/leaf.csr`,
    "-subj",
    "/CN=tentacle.example",
  ]);
  await openssl([
    "x509",
    "-req",
    "-in",
    `${dir.path}/leaf.csr`,
    "-CA",
    ca.cert,
    "-CAkey",
    ca.key,
    "-CAcreateserial",
    "-out",
    `${dir.path}/leaf.pem`,
    "-days",
    "2",
  ]);
  const run = await pingSServer(`${dir.path}/leaf.pem`, `${dir.path}/leaf.key`);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(
    run.stdout,
    /\n {4}certificate: CN=tentacle\.example, issued by CN=OctoPing Test CA; RSA 2048, SHA-256\n/,
  );
  assert.match(
    run.stdout,
    /\n {4}answered by: a server with a certificate issued by CN=OctoPing Test CA, not a Tentacle's self-signed one\n {4}hint: a proxy/,
  );
});

linuxTest(
  "curl -k gets pong's answer: 200, X-OctoPing, a 10 KiB body, and the count of curl's bytes",
  async () => {
    await using pong = await Pong.start();
    const curl = await tool("curl", [
      "-sk",
      "-H",
      `X-Padding: ${"p".repeat(5000)}`, // a request of some size, so a count can be wrong
      "-D",
      "-",
      "-o",
      "/dev/null",
      "-w",
      "%{size_download} %{size_request}",
      `https://127.0.0.1:${pong.port}/`,
    ]);
    assert.equal(curl.code, 0, curl.stderr);
    assert.match(curl.stdout, /^HTTP\/1\.0 200 OK\r\n/);
    assert.ok(curl.stdout.includes(`\r\nX-OctoPing: pong ${VERSION}\r\n`), curl.stdout);
    const [, body, sent] = /(\d+) (\d+)$/.exec(curl.stdout)!;
    assert.equal(body, "10240");
    assert.ok(Number(sent) > 5000, `curl sent ${sent} bytes`);
    // A GET without a body: curl's request ends at the blank line, where pong stops counting.
    assert.ok(
      curl.stdout.includes(`\r\nX-OctoPing-Bytes-Read: ${sent}\r\n`),
      `curl sent ${sent} bytes; pong's answer:\n${curl.stdout}`,
    );
    assert.deepEqual(await pong.answered(1), [Number(sent)]);
  },
);

linuxTest("openssl s_client sees the certificate pong printed the thumbprint of", async () => {
  await using pong = await Pong.start();
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
});
