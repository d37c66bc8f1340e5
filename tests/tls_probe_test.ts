import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { probeTls, type TlsProbe } from "../src/net/tls_probe/probe.ts";
import {
  GROUP_CODES,
  OCTOPUS_TLS12_SUITES,
  SUITES,
  TLS_VERSIONS,
} from "../src/net/tls_probe/suites.ts";
import { fault, which } from "./support/daemons.ts";
import { EXIT_WHEN_STOPPED, linuxOnly, Pong, tempDir } from "./support/helpers.ts";
import { type CertificateSpec, selfSigned, sServer } from "./support/openssl.ts";
import { silentListener } from "./support/servers.ts";
import { sslscan } from "./support/sslscan.ts";

const HAS_PEERS = !!which("openssl") && !!which("sslscan");
const TIMEOUT_MS = 10_000;

/** What the probe and sslscan say of `openssl s_server` with `options`, and its certificate. */
async function probeAndScan(options: string[], spec: CertificateSpec = {}) {
  await using dir = await tempDir();
  const { cert, key } = await selfSigned(dir.path, "probed", spec);
  await using server = await sServer(cert, key, ["-www", ...options]);
  const probe = await probeTls("127.0.0.1", server.port, { timeoutMs: TIMEOUT_MS });
  const scan = await sslscan(server.port);
  const certificate = new X509Certificate(await Deno.readTextFile(cert));
  return { probe, scan, certificate };
}

/** The probe agrees with sslscan: the same versions; suites and groups among what it accepts. */
function assertAgrees(probe: TlsProbe, scan: Awaited<ReturnType<typeof sslscan>>): void {
  assert.equal(probe.stopped, null);
  assert.deepEqual(TLS_VERSIONS.filter((v) => probe.versions[v]), scan.versions);
  for (const version of TLS_VERSIONS) {
    for (const name of probe.suites[version] ?? []) {
      const id = SUITES.find((s) => s.iana === name)!.id;
      assert.ok(scan.suites.has(`${version} ${id}`), `sslscan does not list ${version} ${name}`);
    }
    const chosen = probe.chosen[version];
    if (chosen) assert.ok(probe.suites[version]!.includes(chosen), `${version} ${chosen}`);
  }
  const groups = Object.entries(GROUP_CODES).filter(([, id]) => scan.groups.has(id));
  assert.deepEqual(probe.groups, groups.map(([name]) => name));
  if (probe.certificate) {
    assert.equal(probe.certificate.signatureAlgorithm, scan.certificate?.signatureAlgorithm);
    assert.equal(probe.certificate.keyType, scan.certificate?.keyType);
    assert.equal(probe.certificate.keyBits, scan.certificate?.keyBits);
  }
}

/** Upper-case hex of a node fingerprint. */
const hex = (fingerprint: string) => fingerprint.replaceAll(":", "");

Deno.test({
  ...linuxOnly(
    "a TLS 1.0-only server (SECLEVEL 0): TLS 1.0 alone, its CBC suite and its certificate",
    { what: "openssl and sslscan", here: HAS_PEERS },
  ),
  async fn() {
    const { probe, scan, certificate } = await probeAndScan([
      "-tls1",
      "-cipher",
      "DEFAULT:@SECLEVEL=0",
    ]);
    assertAgrees(probe, scan);
    assert.deepEqual(probe.versions, {
      "TLSv1.0": true,
      "TLSv1.1": false,
      "TLSv1.2": false,
      "TLSv1.3": false,
    });
    assert.match(probe.chosen["TLSv1.0"]!, /_CBC_SHA$/);
    assert.deepEqual(probe.suites["TLSv1.2"], []);
    assert.equal(probe.clientCertificateRequested, false);
    assert.deepEqual(probe.certificate, {
      subject: "CN=probed",
      issuer: "CN=probed",
      selfSigned: true,
      sha1: hex(certificate.fingerprint),
      sha256: hex(certificate.fingerprint256),
      keyType: "RSA",
      keyBits: 2048,
      signatureAlgorithm: "sha256WithRSAEncryption",
      validFrom: new Date(certificate.validFrom).toISOString(),
      validTo: new Date(certificate.validTo).toISOString(),
    });
  },
});

Deno.test({
  ...linuxOnly(
    "a TLS 1.3-only server: its suites and groups; the certificate is encrypted, so null",
    { what: "openssl and sslscan", here: HAS_PEERS },
  ),
  async fn() {
    const { probe, scan } = await probeAndScan([
      "-tls1_3",
      "-ciphersuites",
      "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256",
      "-groups",
      "P-384:P-521",
    ]);
    assertAgrees(probe, scan);
    assert.deepEqual(TLS_VERSIONS.filter((v) => probe.versions[v]), ["TLSv1.3"]);
    assert.deepEqual(probe.suites["TLSv1.3"], [
      "TLS_AES_256_GCM_SHA384",
      "TLS_CHACHA20_POLY1305_SHA256",
    ]);
    // The first hello's x25519 key share got a HelloRetryRequest for P-384: still TLS 1.3.
    assert.deepEqual(probe.groups, ["secp384r1"]);
    assert.equal(probe.certificate, null);
    assert.equal(probe.clientCertificateRequested, null);
  },
});

Deno.test({
  ...linuxOnly("a TLS 1.2 server with CBC suites only accepts neither suite Octopus requires", {
    what: "openssl and sslscan",
    here: HAS_PEERS,
  }),
  async fn() {
    const { probe, scan } = await probeAndScan([
      "-tls1_2",
      "-cipher",
      "ECDHE-RSA-AES256-SHA384:AES128-SHA",
      "-groups",
      "P-256",
    ]);
    assertAgrees(probe, scan);
    assert.deepEqual(TLS_VERSIONS.filter((v) => probe.versions[v]), ["TLSv1.2"]);
    assert.equal(probe.chosen["TLSv1.2"], "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384");
    assert.deepEqual(probe.suites["TLSv1.2"], ["TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384"]);
    assert.deepEqual(probe.groups, ["secp256r1"], "groups found over TLS 1.2's ECDHE");
  },
});

Deno.test({
  ...linuxOnly("a server that asks for a client certificate (-verify) is seen asking", {
    what: "openssl and sslscan",
    here: HAS_PEERS,
  }),
  async fn() {
    const { probe, scan } = await probeAndScan(["-verify", "1"]);
    assertAgrees(probe, scan);
    assert.equal(probe.clientCertificateRequested, true);
    assert.deepEqual(
      probe.suites["TLSv1.2"],
      OCTOPUS_TLS12_SUITES.map((s) => s.iana),
      "OpenSSL's defaults include both suites Octopus requires",
    );
  },
});

Deno.test({
  ...linuxOnly("a SHA-1 certificate is read with its signature algorithm", {
    what: "openssl and sslscan",
    here: HAS_PEERS,
  }),
  async fn() {
    const { probe, scan } = await probeAndScan(["-cipher", "DEFAULT:@SECLEVEL=0"], {
      digest: "sha1",
    });
    assertAgrees(probe, scan);
    assert.equal(probe.certificate?.signatureAlgorithm, "sha1WithRSAEncryption");
    assert.equal(probe.clientCertificateRequested, false);
  },
});

Deno.test("pong speaks TLS 1.2 and 1.3 with Octopus's suites, asks for a client certificate, RSA 2048", async () => {
  const pong = await Pong.start(["/handshake=1"]);
  try {
    const probe = await probeTls("127.0.0.1", pong.port, { timeoutMs: TIMEOUT_MS });
    assert.equal(probe.stopped, null);
    assert.deepEqual(TLS_VERSIONS.filter((v) => probe.versions[v]), ["TLSv1.2", "TLSv1.3"]);
    assert.deepEqual(probe.suites["TLSv1.2"], OCTOPUS_TLS12_SUITES.map((s) => s.iana));
    assert.equal(probe.suites["TLSv1.3"]?.length, 3);
    assert.equal(probe.clientCertificateRequested, true);
    assert.equal(probe.certificate?.keyType, "RSA");
    assert.equal(probe.certificate?.keyBits, 2048);
    assert.equal(probe.certificate?.sha1, pong.thumbprint);
    // Each probe closes after the server's first flight: pong ends each handshake with a line
    // (the client leaving, or at the latest /handshake), never waits on it for ever.
    await pong.stdout.waitForCount(
      /TLS handshake failed|no TLS handshake within/,
      probe.connections,
    );
  } finally {
    assert.equal(
      await pong.stop(),
      EXIT_WHEN_STOPPED,
      "pong stops on SIGTERM with no handshake left hanging",
    );
  }
});

Deno.test("a silent address costs one connection and one timeout, and the rest is null", async () => {
  const silent = silentListener();
  try {
    const probe = await probeTls("127.0.0.1", silent.port, { timeoutMs: 300 });
    assert.equal(probe.connections, 1);
    assert.equal(probe.stopped, "connection 1 timed out after 300 ms");
    assert.deepEqual(probe.versions, {
      "TLSv1.0": null,
      "TLSv1.1": null,
      "TLSv1.2": null,
      "TLSv1.3": null,
    });
    assert.equal(probe.groups, null);
  } finally {
    await silent.close();
  }
});

Deno.test("a port nothing listens on stops the probe at its first connection", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const probe = await probeTls("127.0.0.1", port, { timeoutMs: TIMEOUT_MS });
  assert.equal(probe.connections, 1);
  assert.match(probe.stopped!, /^connection 1 failed: .*refused/i);
});

Deno.test("a server that is not TLS accepts no version, after one hello per version", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const serving = (async () => {
    for await (const conn of listener) {
      await conn.read(new Uint8Array(4096));
      await conn.write(new TextEncoder().encode("HTTP/1.1 400 Bad Request\r\n\r\n"));
      conn.close();
    }
  })();
  try {
    const port = (listener.addr as Deno.NetAddr).port;
    const probe = await probeTls("127.0.0.1", port, { timeoutMs: TIMEOUT_MS });
    assert.equal(probe.stopped, null);
    assert.equal(probe.connections, 4);
    assert.deepEqual(TLS_VERSIONS.filter((v) => probe.versions[v]), []);
    assert.equal(probe.groups, null);
    assert.equal(probe.certificate, null);
  } finally {
    listener.close();
    await serving.catch(() => {});
  }
});

Deno.test({
  ...linuxOnly("a server that resets the connection on each hello accepts no version", {
    what: "python3",
    here: !!which("python3"),
  }),
  async fn() {
    await using server = await fault("reset-hello");
    const probe = await probeTls("127.0.0.1", server.port, { timeoutMs: TIMEOUT_MS });
    assert.equal(probe.stopped, null);
    assert.equal(probe.connections, 4);
    assert.deepEqual(TLS_VERSIONS.filter((v) => probe.versions[v]), []);
  },
});

Deno.test("an aborted probe stops at once and says so", async () => {
  const probe = await probeTls("127.0.0.1", 9, {
    timeoutMs: TIMEOUT_MS,
    signal: AbortSignal.abort(),
  });
  assert.equal(probe.stopped, "aborted");
  assert.equal(probe.connections, 1);
});
