/**
 * Ping fails where Octopus fails: a TLS-inspecting proxy or a TLS-offloading
 * load balancer between ping and pong is caught by pong's word on both
 * certificates, and client certificates go both ways as between Octopus and a
 * Tentacle.
 */
import assert from "node:assert/strict";
import { describeRun } from "../src/reporters/run_info.ts";
import { mitmdump, tlsOffloader, which } from "./support/daemons.ts";
import {
  afterHeader,
  linuxOnly,
  linuxTest,
  pingLoopback,
  Pong,
  runOctoPing,
  tempDir,
} from "./support/helpers.ts";
import { openssl, selfSigned, sServer } from "./support/openssl.ts";

const MITMDUMP = which("mitmdump");
const HAPROXY = which("haproxy");

/** The cause line of the first failed attempt. */
function firstCause(stdout: string): string {
  const lines = afterHeader(stdout);
  const at = lines.findIndex((line) => line.includes("Failed!"));
  assert.ok(at > 0, stdout);
  return lines.slice(at + 1).find((line) => line.startsWith("    cause: "))?.trim() ?? "";
}

/** SHA-1 of the PEM certificate in `path`, as Octopus shows it. */
async function sha1(path: string): Promise<string> {
  const out = await openssl(["x509", "-in", path, "-noout", "-fingerprint", "-sha1"]);
  return out.trim().split("=")[1].replaceAll(":", "");
}

Deno.test({
  ...linuxOnly("a TLS-inspecting proxy (mitmproxy) in front of pong: intercepted, exit 1", {
    what: "mitmproxy",
    here: MITMDUMP !== undefined,
  }),
  async fn() {
    await using pong = await Pong.start();
    await using mitm = await mitmdump(`reverse:https://127.0.0.1:${pong.port}`);
    const port = mitm.port;
    const run = await pingLoopback(port, "/count=1");
    assert.equal(run.code, 1, run.stdout);
    assert.equal(
      firstCause(run.stdout),
      "cause: intercepted - the server's certificate was replaced on the way (TLS inspection)",
    );
    assert.match(
      run.stdout,
      /pong serves the certificate [0-9A-F]{40}, but ping saw [0-9A-F]{40} \(.*issued by [^\n]*mitmproxy/,
    );
    assert.match(run.stdout, /hint: TLS inspection, SSL offloading .* excluded/);
  },
});

Deno.test({
  ...linuxOnly(
    "TLS offloading (haproxy) in front of a /nossl pong: intercepted, plain and data mode",
    { what: "haproxy and openssl", here: HAPROXY !== undefined },
  ),
  async fn() {
    await using pong = await Pong.start(["/nossl"]);
    await using haproxy = await tlsOffloader(pong.port);
    const port = haproxy.port;
    for (const extra of [[], ["/datasize=1"]]) {
      const run = await pingLoopback(port, "/count=1", ...extra);
      assert.equal(run.code, 1, run.stdout);
      assert.equal(
        firstCause(run.stdout),
        "cause: intercepted - TLS was ended on the way (SSL offloading or a TLS-terminating " +
          "load balancer)",
        run.stdout,
      );
    }
  },
});

Deno.test("ping's client certificate reaches pong, and pong's line names it", async () => {
  await using pong = await Pong.start();
  const run = await pong.ping("/count=1");
  assert.equal(run.code, 0, run.stdout);
  const presented = /^# client certificate: ([0-9A-F]{40}) \(made for this run/m.exec(run.stdout);
  assert.ok(presented, run.stdout);
  await pong.stdout.waitFor(new RegExp(`bytes sent, .*, client certificate ${presented[1]}$`));
});

linuxTest(
  "pong asks curl for a certificate: named when given, 'no client certificate' when not",
  async () => {
    await using pong = await Pong.start();
    await using dir = await tempDir();
    const { cert, key } = await selfSigned(dir.path, "curl");
    const url = `https://127.0.0.1:${pong.port}/`;
    const curl = (...extra: string[]) =>
      new Deno.Command("curl", { args: ["-sk", "-D", "-", "-o", "/dev/null", ...extra, url] })
        .output();
    const without = new TextDecoder().decode((await curl()).stdout);
    assert.match(without, /^X-OctoPing-Client-Certificate: none\r$/m);
    assert.match(without, new RegExp(`^X-OctoPing-Certificate: ${pong.thumbprint}\r$`, "m"));
    await pong.stdout.waitFor(/bytes sent, .*, no client certificate$/);
    const thumbprint = await sha1(cert);
    const withCert = new TextDecoder().decode((await curl("--cert", cert, "--key", key)).stdout);
    assert.match(withCert, new RegExp(`^X-OctoPing-Client-Certificate: ${thumbprint}\r$`, "m"));
    await pong.stdout.waitFor(new RegExp(`, client certificate ${thumbprint}$`));
  },
);

linuxTest("a server that requires a client certificate accepts ping's", async () => {
  await using dir = await tempDir();
  const server = await selfSigned(dir.path, "server");
  const client = await selfSigned(dir.path, "client");
  await using sserver = await sServer(server.cert, server.key, [
    "-Verify",
    "1",
    "-verify_return_error",
    "-CAfile",
    client.cert,
    "-www",
  ]);
  const run = await pingLoopback(
    sserver.port,
    "/count=1",
    `/clientcert=${client.cert}`,
    `/clientkey=${client.key}`,
  );
  assert.equal(run.code, 0, run.stdout);
});

linuxTest(
  "a server that refuses ping's client certificate is named, under TLS 1.2 and 1.3, in data mode too",
  async () => {
    await using dir = await tempDir();
    const server = await selfSigned(dir.path, "server");
    const trusted = await selfSigned(dir.path, "trusted");
    // Under TLS 1.3 the alert comes after the handshake: in data mode, while the 20 MB are sent.
    const runs: [string, string[]][] = [
      ["-tls1_2", ["/count=1"]],
      ["-tls1_3", ["/count=1"]],
      ["-tls1_3", ["/count=3", "/interval=0", "/datasize=20", "/chunksize=20"]],
    ];
    for (const [version, options] of runs) {
      await using sserver = await sServer(server.cert, server.key, [
        "-Verify",
        "1",
        "-verify_return_error",
        "-CAfile",
        trusted.cert,
        version,
        "-www",
      ]);
      const run = await pingLoopback(sserver.port, ...options);
      const what = `${version} ${options.join(" ")}\n${run.stdout}`;
      assert.equal(run.code, 1, what);
      assert.equal(
        firstCause(run.stdout),
        "cause: tls - the server refused the client certificate",
        what,
      );
      assert.match(run.stdout, /^failures by cause: tls \d+$/m, what);
      assert.match(run.stdout, /hint: a Tentacle accepts any client certificate/);
    }
  },
);

linuxTest(
  "/clientcert with a key that is not its own, or a wrong PFX password: exit 2",
  async () => {
    await using dir = await tempDir();
    const one = await selfSigned(dir.path, "one");
    const two = await selfSigned(dir.path, "two");
    const run = await runOctoPing([
      "ping",
      "/host=127.0.0.1",
      `/clientcert=${one.cert}`,
      `/clientkey=${two.key}`,
    ]);
    assert.equal(run.code, 2);
    assert.equal(run.stdout, "");
    assert.match(run.stderr, /two\.key is not the key of the certificate in .*one\.pem/);
    await openssl([
      "pkcs12",
      "-export",
      "-in",
      one.cert,
      "-inkey",
      one.key,
      "-out",
      `${dir.path}/one.pfx`,
      "-passout",
      "pass:right",
    ]);
    const wrong = await runOctoPing([
      "ping",
      "/host=127.0.0.1",
      `/clientcert=${dir.path}/one.pfx`,
      "/clientpassword=wrong",
    ]);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /the password is wrong/);
    assert.doesNotMatch(wrong.stdout + wrong.stderr, /wrong\b.*wrong/);
  },
);

linuxTest(
  "a PFX with its password: presented to pong, and the password is nowhere in the record",
  async () => {
    await using pong = await Pong.start();
    await using dir = await tempDir();
    const { cert, key } = await selfSigned(dir.path, "octopus");
    await openssl([
      "pkcs12",
      "-export",
      "-in",
      cert,
      "-inkey",
      key,
      "-out",
      `${dir.path}/octopus.pfx`,
      "-passout",
      "pass:S3cret-pa55",
    ]);
    const thumbprint = await sha1(cert);
    const logfile = `${dir.path}/run.jsonl`;
    const run = await pong.ping(
      "/count=1",
      `/clientcert=${dir.path}/octopus.pfx`,
      "/clientpassword=S3cret-pa55",
      "/format=json",
      `/logfile=${logfile}`,
    );
    assert.equal(run.code, 0, run.stdout + run.stderr);
    await pong.stdout.waitFor(new RegExp(`, client certificate ${thumbprint}$`));
    const start = JSON.parse(run.stdout.split("\n")[0]);
    assert.equal(start.clientThumbprint, thumbprint);
    const text = await pong.ping(
      "/count=1",
      `/clientcert=${dir.path}/octopus.pfx`,
      "/clientpassword=S3cret-pa55",
    );
    for (
      const record of [run.stdout, run.stderr, await Deno.readTextFile(logfile), text.stdout]
    ) {
      assert.doesNotMatch(record, /S3cret-pa55/);
    }
    assert.match(text.stdout, /^# command line: .*\/clientpassword=\*\*\*$/m);
    const fromEnv = await runOctoPing(
      [
        "ping",
        `/host=127.0.0.1`,
        `/port=${pong.port}`,
        "/count=1",
        `/clientcert=${dir.path}/octopus.pfx`,
      ],
      { env: { OCTOPING_CLIENT_PASSWORD: "S3cret-pa55" } },
    );
    assert.equal(fromEnv.code, 0, fromEnv.stdout + fromEnv.stderr);
  },
);

Deno.test("a PFX password is blanked out of the command line in every form it can be given", () => {
  const { commandLine } = describeRun("ping", [
    "ping",
    "/host=x",
    "--clientpassword",
    "one",
    "/clientpassword=two",
    "-CLIENTPASSWORD=three",
    "/clientpassword=four\nlines",
  ]);
  assert.equal(
    commandLine,
    "OctoPing ping /host=x --clientpassword *** /clientpassword=*** -CLIENTPASSWORD=*** " +
      "/clientpassword=***",
  );
});
