/**
 * `OctoPing check` against real servers: pong, `openssl s_server` in the
 * configurations old Windows Servers have (cross-checked with sslscan), a
 * Halibut-like listener for the trust test, and a name with a dead address.
 * Each verdict must be the one Octopus's behaviour implies.
 *
 * @module
 */
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import tls from "node:tls";
import "reflect-metadata"; // @peculiar/x509 needs it loaded first.
import * as x509 from "@peculiar/x509";
import { createSelfSignedCertificate } from "../src/net/certificate.ts";
import { which } from "./support/daemons.ts";
import { halibutListener } from "./support/halibut.ts";
import {
  afterHeader,
  bounded,
  freePort,
  linuxTest,
  Pong,
  PRIVATE_HOSTS,
  Running,
  runOctoPing,
  runWithHosts,
} from "./support/helpers.ts";
import { openssl, selfSigned, sServer } from "./support/openssl.ts";
import { holdOpen, serveWith, silentListener, type TestServer } from "./support/servers.ts";
import {
  checkJson,
  checkObject,
  checkOpenssl,
  codes,
  type JsonFinding,
  PEERS,
} from "./support/check.ts";

/** A self-signed RSA 2048 certificate for `CN=Octopus Tentacle` whose validity starts tomorrow. */
async function startingTomorrow(dir: string): Promise<{ cert: string; key: string }> {
  const algorithm = {
    name: "RSASSA-PKCS1-v1_5",
    modulusLength: 2048,
    publicExponent: new Uint8Array([1, 0, 1]),
    hash: "SHA-256",
  };
  const keys = await crypto.subtle.generateKey(algorithm, true, ["sign", "verify"]);
  const day = 86_400_000;
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name: "CN=Octopus Tentacle",
    notBefore: new Date(Date.now() + day),
    notAfter: new Date(Date.now() + 365 * day),
    signingAlgorithm: algorithm,
    keys,
  });
  const pkcs8 = await crypto.subtle.exportKey("pkcs8", keys.privateKey);
  const [cert, key] = [`${dir}/early.pem`, `${dir}/early.key`];
  await Deno.writeTextFile(cert, certificate.toString("pem"));
  await Deno.writeTextFile(key, x509.PemConverter.encode(pkcs8, "PRIVATE KEY"));
  return { cert, key };
}

Deno.test("pong: verdict ok, exit 0, and the trust test does not apply to it", async () => {
  const pong = await Pong.start(["/listen=127.0.0.1"]);
  try {
    const run = await runOctoPing(["check", "/host=127.0.0.1", `/port=${pong.port}`]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const lines = afterHeader(run.stdout);
    assert.equal(lines[0], `Checking 127.0.0.1 port ${pong.port} (each step waits at most 5 s)`);
    assert.match(run.stdout, /^\[ OK \] 127\.0\.0\.1 accepts connections on port \d+/m);
    assert.match(
      run.stdout,
      /^\[ OK \] 127\.0\.0\.1 speaks TLS 1\.2 with .*; TLS 1\.3 with .*, as Octopus needs$/m,
    );
    assert.match(run.stdout, /^\[ OK \] 127\.0\.0\.1 is answered by OctoPing pong \S+$/m);
    assert.match(run.stdout, /^Note: the trust test does not apply to pong/m);
    assert.doesNotMatch(run.stdout, /^\[(WARN|FAIL)\]/m);
    assert.equal(lines.at(-1), `Octopus should be able to connect to 127.0.0.1:${pong.port}`);
    // Only ASCII, as every text output.
    assert.match(run.stdout, /^[\x20-\x7e\n]*$/);
  } finally {
    await pong.stop();
  }
});

Deno.test("pong in JSON: the start event, then one check object with every field", async () => {
  const pong = await Pong.start(["/listen=127.0.0.1"]);
  try {
    const { run, check } = await checkJson(pong.port);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(check.verdict, "ok");
    assert.deepEqual(check.target, { host: "127.0.0.1", port: pong.port });
    assert.equal(check.addresses.length, 1);
    const [a] = check.addresses;
    assert.equal(a.address, "127.0.0.1");
    assert.equal(a.tcp.ok, true);
    assert.equal(a.tcp.cause, null);
    assert.deepEqual(a.tls.versions, {
      "TLSv1.0": false,
      "TLSv1.1": false,
      "TLSv1.2": true,
      "TLSv1.3": true,
    });
    assert.equal(a.tls.clientCertificateRequested, true);
    assert.equal(a.tls.certificate.sha1, pong.thumbprint);
    assert.equal(a.tls.certificate.keyBits, 2048);
    assert.deepEqual(a.tls.groups, ["x25519", "secp256r1", "secp384r1"]);
    assert.equal(a.exchange.ok, true);
    assert.match(a.exchange.peer, /^OctoPing pong/);
    assert.deepEqual(a.trust, { tested: false, trusted: null, thumbprint: null });
    assert.deepEqual(codes(check.findings, "ok"), ["tcp", "modern-tls", "certificate", "answered"]);
    for (const f of check.findings) {
      assert.deepEqual(Object.keys(f), ["level", "code", "message", "hint"]);
    }
  } finally {
    await pong.stop();
  }
});

linuxTest(
  "a TLS 1.0-only server (SECLEVEL 0) blocks: no-modern-tls, named with its suite",
  async () => {
    const { run, check } = await checkOpenssl(["-tls1", "-cipher", "DEFAULT:@SECLEVEL=0"]);
    assert.equal(run.code, 1);
    assert.equal(check.verdict, "blocking");
    const first = check.findings.find((f: JsonFinding) => f.level === "blocking");
    assert.equal(first.code, "no-modern-tls");
    assert.match(
      first.message,
      /^127\.0\.0\.1 speaks only TLS 1\.0 \(picking TLS_\w+_CBC_SHA \(\S+\) of the suites offered\)$/,
    );
    assert.match(first.hint, /Octopus needs TLS 1\.2 or later .* cannot connect: enable TLS 1\.2/);
    // The handshake's own failure is what the probe explains: not said twice.
    assert.ok(!codes(check.findings, "blocking").includes("exchange-failed"));
    // The certificate is read from the clear-text handshake even so.
    assert.equal(check.addresses[0].tls.certificate.keyBits, 2048);
  },
  PEERS,
);

linuxTest(
  "a TLS 1.0-only server's text: the verdict names the first blocking finding",
  async () => {
    const dir = await Deno.makeTempDir();
    try {
      const { cert, key } = await selfSigned(dir, "old");
      const server = await sServer(cert, key, ["-www", "-tls1", "-cipher", "DEFAULT:@SECLEVEL=0"]);
      try {
        const run = await runOctoPing(["check", `/host=127.0.0.1:${server.port}`]);
        assert.equal(run.code, 1);
        const lines = afterHeader(run.stdout);
        const fail = lines.findIndex((l) => l.startsWith("[FAIL] 127.0.0.1 speaks only TLS 1.0"));
        assert.ok(fail > 0, run.stdout);
        assert.match(lines[fail + 1], /^ {7}Octopus needs TLS 1\.2/);
        assert.equal(
          lines.at(-1),
          `Octopus cannot connect to 127.0.0.1:${server.port}: ${lines[fail].slice(7)}`,
        );
      } finally {
        await server.stop();
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
  PEERS,
);

linuxTest(
  "a TLS 1.3-only server speaks what Octopus needs; its web page is not a Tentacle",
  async () => {
    const { check } = await checkOpenssl(["-tls1_3"]);
    assert.ok(codes(check.findings, "ok").includes("modern-tls"));
    // Encrypted in TLS 1.3: the probe reads it with its own key share's handshake key.
    assert.equal(check.addresses[0].tls.certificate.subject, "CN=checked");
    assert.equal(check.addresses[0].tls.clientCertificateRequested, false);
    assert.deepEqual(codes(check.findings, "blocking"), ["not-a-tentacle"]);
    assert.match(
      check.findings.find((f: JsonFinding) => f.code === "not-a-tentacle").message,
      /a web server/,
    );
  },
  PEERS,
);

linuxTest("a TLS 1.2 server with CBC suites only blocks: none of Octopus's suites", async () => {
  const { check } = await checkOpenssl([
    "-tls1_2",
    "-cipher",
    "ECDHE-RSA-AES256-SHA384:AES128-SHA",
  ]);
  const first = check.findings.find((f: JsonFinding) => f.level === "blocking");
  assert.equal(first.code, "no-modern-tls");
  assert.match(
    first.message,
    /speaks TLS 1\.2 \(picking TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384 \(ECDHE-RSA-AES256-SHA384\) of the suites offered\), but none of the TLS 1\.2 suites Octopus requires/,
  );
}, PEERS);

linuxTest(
  "a server that asks for a client certificate is not warned about; one that doesn't is",
  async () => {
    const asks = await checkOpenssl(["-verify", "1"]);
    assert.equal(asks.check.addresses[0].tls.clientCertificateRequested, true);
    assert.ok(!codes(asks.check.findings, "warning").includes("client-certificate-not-requested"));
    const silent = await checkOpenssl([]);
    assert.ok(codes(silent.check.findings, "warning").includes("client-certificate-not-requested"));
    // Old versions beside 1.2+ and P-256 are judged too: OpenSSL's defaults have neither problem.
    assert.ok(!codes(silent.check.findings, "warning").includes("no-p256"));
  },
  PEERS,
);

linuxTest(
  "a SHA-1 certificate warns (Windows Octopus accepts it, Linux and Cloud refuse)",
  async () => {
    const { check } = await checkOpenssl(["-cipher", "DEFAULT:@SECLEVEL=0"], { digest: "sha1" });
    const sha1 = check.findings.find((f: JsonFinding) => f.code === "sha1-signature");
    assert.equal(sha1?.level, "warning");
    assert.match(
      sha1.hint,
      /Windows Octopus Servers accept it; Octopus Server on Linux and Octopus Cloud refuse/,
    );
  },
  PEERS,
);

linuxTest(
  "a 1024-bit RSA key blocks: weak-key, read from the handshake this tool cannot finish",
  async () => {
    const { check } = await checkOpenssl(["-cipher", "DEFAULT:@SECLEVEL=0"], {
      newkey: "rsa:1024",
    });
    const first = check.findings.find((f: JsonFinding) => f.level === "blocking");
    assert.equal(first.code, "weak-key");
    assert.match(first.message, /has a 1024-bit RSA key$/);
  },
  PEERS,
);

linuxTest("the trust test tells a trusted certificate from an untrusted one", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const good = await selfSigned(dir, "octopus");
    const bad = await selfSigned(dir, "stranger");
    const thumbprint = (file: string) =>
      new X509Certificate(Deno.readTextFileSync(file)).fingerprint.replaceAll(":", "");
    const tentacle = await halibutListener(thumbprint(good.cert));
    try {
      const trusted = await checkJson(
        tentacle.port,
        `/clientcert=${good.cert}`,
        `/clientkey=${good.key}`,
      );
      assert.equal(trusted.run.code, 0, trusted.run.stdout);
      assert.deepEqual(trusted.check.addresses[0].trust, {
        tested: true,
        trusted: true,
        thumbprint: thumbprint(good.cert),
      });
      assert.ok(codes(trusted.check.findings, "ok").includes("trusted"));
      assert.match(trusted.check.addresses[0].exchange.peer, /^an Octopus Tentacle/);

      const run = await runOctoPing([
        "check",
        `/host=127.0.0.1:${tentacle.port}`,
        `/clientcert=${bad.cert}`,
        `/clientkey=${bad.key}`,
      ]);
      assert.equal(run.code, 1, run.stdout);
      const stranger = thumbprint(bad.cert);
      assert.match(
        run.stdout,
        new RegExp(
          `^\\[FAIL\\] 127\\.0\\.0\\.1: the Tentacle does not trust the certificate ${stranger}`,
          "m",
        ),
      );
      assert.match(run.stdout, new RegExp(`Tentacle\\.exe configure --trust=${stranger}`));
      // As Octopus does: MX, then the identity, in one write.
      assert.deepEqual(tentacle.identities, ["MX-CLIENT 1.0", "MX-CLIENT 1.0"]);
      assert.deepEqual(tentacle.firstChunks, Array(2).fill("MX\r\n\r\nMX-CLIENT 1.0\r\n\r\n"));
    } finally {
      await tentacle.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}, PEERS);

Deno.test(
  "without /clientcert the trust test is not run, and check says how to run it",
  async () => {
    const tentacle = await halibutListener("0".repeat(40));
    try {
      const { run, check } = await checkJson(tentacle.port);
      assert.equal(run.code, 0, run.stdout);
      assert.deepEqual(check.addresses[0].trust, {
        tested: false,
        trusted: null,
        thumbprint: null,
      });
      assert.deepEqual(tentacle.identities, []);
      assert.match(
        check.notes[0],
        /^the trust test was not run: give the Octopus Server's certificate with \/clientcert/,
      );
    } finally {
      await tentacle.close();
    }
  },
);

linuxTest(
  "/subscription asks an Octopus Server's polling port as a polling Tentacle would",
  async () => {
    const dir = await Deno.makeTempDir();
    try {
      const tentacleCert = await selfSigned(dir, "polling");
      const sha1 = new X509Certificate(Deno.readTextFileSync(tentacleCert.cert)).fingerprint
        .replaceAll(":", "");
      const server = await halibutListener(sha1, "Server");
      try {
        const { run, check } = await checkJson(
          server.port,
          `/clientcert=${tentacleCert.cert}`,
          `/clientkey=${tentacleCert.key}`,
          "/subscription=poll://abcdefghij0123456789/",
        );
        assert.equal(run.code, 0, run.stdout);
        assert.equal(check.addresses[0].trust.trusted, true);
        assert.deepEqual(server.identities, ["MX-SUBSCRIBER 1.0 poll://abcdefghij0123456789/"]);
        // Without /subscription the same port is named for what it is: not a Tentacle.
        const plain = await checkJson(server.port);
        assert.deepEqual(codes(plain.check.findings, "blocking"), ["not-a-tentacle"]);
        assert.match(
          plain.check.findings.find((f: JsonFinding) => f.code === "not-a-tentacle").hint,
          /an Octopus Server's polling port/,
        );
      } finally {
        await server.close();
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
  PEERS,
);

linuxTest("a name with two addresses, one dead: a warning, since Octopus may pick it", async () => {
  const pong = await Pong.start(["/listen=127.0.0.1"]);
  try {
    // 127.0.0.2 is loopback too, but nothing listens there on pong's port: refused.
    const hosts = "127.0.0.1 twice.octoping.test\n127.0.0.2 twice.octoping.test\n";
    const run = await runWithHosts(hosts, [
      "check",
      `/host=twice.octoping.test:${pong.port}`,
      "/format=json",
    ]);
    const check = checkObject(run);
    assert.equal(run.code, 0, run.stdout);
    // Both, in the system's order (glibc sorts them by RFC 6724), each checked in that order.
    assert.deepEqual([...check.lookup.addresses].sort(), ["127.0.0.1", "127.0.0.2"]);
    assert.deepEqual(
      check.addresses.map((a: { address: string }) => a.address),
      check.lookup.addresses,
    );
    const byAddress = (address: string) =>
      check.addresses.find((a: { address: string }) => a.address === address);
    assert.equal(byAddress("127.0.0.1").tcp.ok, true);
    assert.equal(byAddress("127.0.0.2").tcp.ok, false);
    assert.equal(byAddress("127.0.0.2").tcp.cause, "refused");
    assert.equal(byAddress("127.0.0.2").tls, null);
    assert.equal(check.verdict, "warning");
    const warning = check.findings.find((f: JsonFinding) => f.code === "some-addresses-fail");
    assert.match(
      warning.message,
      /^one of twice\.octoping\.test's addresses, 127\.0\.0\.2, does not answer \(connection refused: nothing listens on 127\.0\.0\.2 port \d+, or a firewall rejects it\): Octopus may pick it$/,
    );
    assert.match(warning.hint, /make it answer\. Is the Tentacle service running/);
    assert.equal(check.findings[0].code, "name");
  } finally {
    await pong.stop();
  }
}, PRIVATE_HOSTS);

linuxTest("a name whose addresses are all dead is unreachable: blocking, exit 1", async () => {
  const port = freePort();
  const hosts = "127.0.0.1 dead.octoping.test\n127.0.0.2 dead.octoping.test\n";
  const run = await runWithHosts(hosts, ["check", `/host=dead.octoping.test:${port}`]);
  assert.equal(run.code, 1, run.stdout);
  assert.match(
    run.stdout,
    /^\[FAIL\] none of dead\.octoping\.test's 2 addresses answers on port \d+: connection refused/m,
  );
  assert.match(
    afterHeader(run.stdout).at(-1)!,
    /^Octopus cannot connect to dead\.octoping\.test:\d+: none of/,
  );
}, PRIVATE_HOSTS);

Deno.test("a silent address costs one timeout, not one per probe", async () => {
  const silent = silentListener();
  try {
    const { run, check } = await checkJson(silent.port, "/timeout=1");
    assert.equal(run.code, 1);
    // The exchange's timeout is the one: it stops the probe from being tried at all.
    assert.equal(
      silent.held.length,
      1,
      "one connection: the exchange; no probe after it timed out",
    );
    assert.equal(check.addresses[0].tcp.ok, true);
    assert.equal(check.addresses[0].exchange.cause, "timeout");
  } finally {
    await silent.close();
  }
});

Deno.test("bad input: /subscription without /clientcert, a malformed one, /thumbprint with /nossl", async () => {
  for (
    const [args, message] of [
      [["/subscription=poll://abc/"], /\/subscription needs \/clientcert/],
      [
        ["/subscription=https://x/", "/clientcert=a.pfx"],
        /expected a polling Tentacle's subscription, poll:\/\/<id>\//,
      ],
      [["/nossl", `/thumbprint=${"A".repeat(40)}`], /\/thumbprint needs TLS/],
      [["/count=3"], /\/count is an option of ping, not of check/],
    ] as const
  ) {
    const run = await runOctoPing(["check", "/host=127.0.0.1", ...args]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr.split("\n")[0], message);
    assert.equal(run.stdout, "");
  }
});

linuxTest("TLS 1.0 still enabled beside 1.2, and no P-256: warnings, not blocking", async () => {
  const { run, check } = await checkOpenssl([
    "-cipher",
    "DEFAULT:@SECLEVEL=0",
    "-min_protocol",
    "TLSv1",
    "-groups",
    "X25519:P-384",
  ]);
  const warnings = codes(check.findings, "warning");
  assert.ok(warnings.includes("old-tls-enabled"), run.stdout);
  assert.ok(warnings.includes("no-p256"), run.stdout);
  assert.match(
    check.findings.find((f: JsonFinding) => f.code === "old-tls-enabled").message,
    /^127\.0\.0\.1 still accepts TLS 1\.0 and TLS 1\.1 beside TLS 1\.2 or later$/,
  );
  assert.match(
    check.findings.find((f: JsonFinding) => f.code === "no-p256").message,
    /does not accept the P-256 curve \(secp256r1\) for key exchange; it accepts x25519 and secp384r1$/,
  );
  assert.ok(!codes(check.findings, "blocking").some((c: string) => c.includes("tls")));
}, PEERS);

linuxTest("an expired certificate warns and says why it does not block", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // notAfter a day before notBefore: expired from the start.
    await openssl([
      "req",
      "-new",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      `${dir}/old.key`,
      "-out",
      `${dir}/old.csr`,
      "-subj",
      "/CN=Octopus Tentacle",
    ]);
    await openssl([
      "x509",
      "-req",
      "-in",
      `${dir}/old.csr`,
      "-signkey",
      `${dir}/old.key`,
      "-days",
      "-1",
      "-out",
      `${dir}/old.pem`,
    ]);
    const server = await sServer(`${dir}/old.pem`, `${dir}/old.key`, ["-www", "-verify", "1"]);
    try {
      const { check } = await checkJson(server.port);
      const expired = check.findings.find((f: JsonFinding) => f.code === "expired");
      assert.equal(expired?.level, "warning", JSON.stringify(check.findings));
      assert.match(expired.message, /^the certificate [0-9A-F]{40} expired on \d{4}-\d\d-\d\d$/);
      assert.match(
        expired.hint,
        /^this does not block: Octopus trusts a Tentacle by its thumbprint/,
      );
      // The exchange worked with it, as Octopus's does: only the web page blocks here.
      assert.equal(check.addresses[0].exchange.ok, true);
      assert.deepEqual(codes(check.findings, "blocking"), ["not-a-tentacle"]);
    } finally {
      await server.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}, PEERS);

linuxTest("a certificate not yet valid warns, as ping does: is a clock wrong?", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { cert, key } = await startingTomorrow(dir);
    const server = await sServer(cert, key, ["-www", "-verify", "1"]);
    try {
      const { check } = await checkJson(server.port);
      const early = check.findings.find((f: JsonFinding) => f.code === "not-yet-valid");
      assert.equal(early?.level, "warning", JSON.stringify(check.findings));
      assert.match(
        early.message,
        /^the certificate [0-9A-F]{40} is not valid until \d{4}-\d\d-\d\d$/,
      );
      assert.match(early.hint, /clock/);
      assert.match(early.hint, /Octopus trusts a Tentacle by its thumbprint/);
      // The text carries the same finding as the JSON.
      const text = await runOctoPing(["check", "/host=127.0.0.1", `/port=${server.port}`]);
      assert.ok(text.stdout.includes(`[WARN] ${early.message}`), text.stdout);
    } finally {
      await server.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}, PEERS);

Deno.test("/nossl against a plain pong: name, TCP and a plain exchange; no probe, no trust", async () => {
  const pong = await Pong.start(["/listen=127.0.0.1", "/nossl"]);
  try {
    const { run, check } = await checkJson(pong.port, "/nossl");
    assert.equal(run.code, 0, run.stdout);
    assert.equal(check.addresses[0].tls, null);
    assert.equal(check.addresses[0].exchange.ok, true);
    assert.deepEqual(codes(check.findings, "ok"), ["tcp", "answered"]);
    assert.deepEqual(check.notes, []);
  } finally {
    await pong.stop();
  }
});

linuxTest(
  "a web server on the port: not a Tentacle, and no advice to test the trust of a web server",
  async () => {
    const dir = await Deno.makeTempDir();
    try {
      const { cert, key } = await selfSigned(dir, "web");
      const server = await sServer(cert, key, ["-www", "-verify", "1"]);
      try {
        const { run, check } = await checkJson(server.port);
        assert.equal(run.code, 1);
        const finding = check.findings.find((f: JsonFinding) => f.code === "not-a-tentacle");
        assert.equal(
          finding.message,
          "127.0.0.1 is answered by a web server, not a Tentacle (HTTP/1.0 200)",
        );
        assert.deepEqual(check.notes, []);
      } finally {
        await server.stop();
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
  { what: "openssl", here: !!which("openssl") },
);

Deno.test("a server with Halibut's page that never asks for a client certificate blocks: Octopus's would not reach a Tentacle", async () => {
  const impostor = await halibutListener("0".repeat(40), "Tentacle", {
    askClientCertificate: false,
  });
  try {
    const { run, check } = await checkJson(impostor.port);
    assert.equal(run.code, 1, run.stdout);
    const finding = check.findings.find((f: JsonFinding) =>
      f.code === "client-certificate-not-requested"
    );
    assert.equal(finding?.level, "blocking", JSON.stringify(check.findings));
    assert.equal(check.verdict, "blocking");
  } finally {
    await impostor.close();
  }
});

/**
 * A relay to `port` that forwards the first `forwarded` connections and
 * accepts the rest without a word: a probe that stops part-way.
 */
function stallingRelay(port: number, forwarded: number): Promise<TestServer> {
  let accepted = 0;
  return serveWith(async (client) => {
    if (++accepted > forwarded) return await holdOpen(client);
    const server = await Deno.connect({ hostname: "127.0.0.1", port });
    try {
      await Promise.all([
        client.readable.pipeTo(server.writable),
        server.readable.pipeTo(client.writable),
      ]);
    } finally {
      try {
        server.close();
      } catch { /* closed already */ }
    }
  });
}

linuxTest("a probe stopped part-way judges only what it saw: no false no-modern-tls", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { cert, key } = await selfSigned(dir, "prefers-cbc");
    // Prefers a CBC suite, accepts Octopus's GCM one when offered alone.
    const server = await sServer(cert, key, [
      "-www",
      "-tls1_2",
      "-serverpref",
      "-cipher",
      "ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES128-GCM-SHA256",
      "-verify",
      "1",
    ]);
    // The exchange and the probe's first four hellos get through; the test of Octopus's suite
    // alone (the probe's fifth) meets silence.
    const relay = await stallingRelay(server.port, 5);
    try {
      const { check } = await checkJson(relay.port, "/timeout=1");
      assert.match(check.addresses[0].tls.stopped, /^connection 5 timed out/);
      assert.ok(
        !codes(check.findings, "blocking").includes("no-modern-tls"),
        JSON.stringify(check.findings),
      );
      assert.match(check.notes.join("\n"), /the TLS probe of 127\.0\.0\.1 stopped early/);
    } finally {
      await relay.close();
      await server.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}, PEERS);

linuxTest("Ctrl+C during a check: a plain line saying it stopped, no verdict, exit 1", async () => {
  const silent = silentListener();
  try {
    const check = new Running(["check", `/host=127.0.0.1:${silent.port}`, "/timeout=60"]);
    await check.stdout.waitFor(/^Checking /);
    await bounded(
      (async () => {
        while (silent.held.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
      })(),
      "check's connection",
    );
    assert.equal(await check.stop("SIGINT"), 1);
    const stdout = check.stdout.text();
    assert.match(stdout, /^Check stopped before the end \(Ctrl\+C\): no verdict$/m);
    assert.doesNotMatch(stdout, /should be able to connect|cannot connect/);
    assert.equal(check.stderr.text(), "");
  } finally {
    await silent.close();
  }
});

Deno.test("/nossl against a TLS port is OctoPing's option, not Octopus's verdict", async () => {
  const pong = await Pong.start(["/listen=127.0.0.1"]);
  try {
    const run = await runOctoPing(["check", `/host=127.0.0.1:${pong.port}`, "/nossl"]);
    assert.equal(run.code, 1);
    assert.equal(
      afterHeader(run.stdout).at(-1),
      `OctoPing could not check 127.0.0.1:${pong.port} as asked: 127.0.0.1: the server speaks ` +
        "TLS on this port: drop /nossl",
    );
  } finally {
    await pong.stop();
  }
});

Deno.test("a server that completes TLS and then says nothing is still probed", async () => {
  const certificate = await createSelfSignedCertificate("Octopus Tentacle");
  // Every connection, handshake finished or not: one left open would hold server.close for ever.
  const sockets = new Set<{ destroy(): void }>();
  const server = tls.createServer({
    cert: certificate.certPem,
    key: certificate.keyPem,
    requestCert: true,
    rejectUnauthorized: false,
  }, (socket) => {
    socket.on("error", () => {});
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const port = (server.address() as { port: number }).port;
    const { check } = await checkJson(port, "/timeout=1");
    assert.equal(check.addresses[0].exchange.cause, "timeout");
    assert.notEqual(
      check.addresses[0].tls,
      null,
      "the timeout came after TLS: the probe still runs",
    );
    assert.equal(check.addresses[0].tls.clientCertificateRequested, true);
  } finally {
    sockets.forEach((socket) => socket.destroy());
    await bounded(new Promise((resolve) => server.close(resolve)), "the TLS server to close");
  }
});

linuxTest(
  "a silent address beside a working one: Octopus cannot connect reliably, said so",
  async () => {
    const pong = await Pong.start(["/listen=127.0.0.1"]);
    // On pong's port at another loopback address: accepts, never speaks.
    const silent = silentListener("127.0.0.3", pong.port);
    try {
      const hosts = "127.0.0.1 mixed.octoping.test\n127.0.0.3 mixed.octoping.test\n";
      const run = await runWithHosts(hosts, [
        "check",
        `/host=mixed.octoping.test:${pong.port}`,
        "/timeout=1",
      ]);
      assert.equal(run.code, 1, run.stdout);
      assert.match(
        afterHeader(run.stdout).at(-1)!,
        /^Octopus cannot connect reliably to mixed\.octoping\.test:\d+ \(1 of 2 addresses work\): 127\.0\.0\.3: timeout during the TLS handshake$/,
      );
    } finally {
      await silent.close();
      await pong.stop();
    }
  },
  PRIVATE_HOSTS,
);
