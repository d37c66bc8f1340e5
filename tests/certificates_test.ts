/**
 * Certificates Octopus refuses, from `openssl req` and served by
 * `openssl s_server`: the key and signature on the certificate line, the
 * warning for a SHA-1 signature or a small RSA key, and the handshake this
 * tool's own TLS refuses.
 */
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { certificateAlgorithms } from "../src/net/certificate_algorithms.ts";
import { certificateWarnings, octopusObjections } from "../src/net/certificate_policy.ts";
import { certificateFindings } from "../src/net/tls_probe/octopus.ts";
import { tlsSession } from "../src/net/peer_certificate.ts";
import { diagnose } from "../src/connection/diagnosis.ts";
import { certificateEvent } from "../src/ping/engine.ts";
import { certificateLines } from "../src/reporters/ping_text.ts";
import { linuxTest, pingLoopback } from "./support/helpers.ts";
import { type CertificateSpec, selfSigned, sServer } from "./support/openssl.ts";
import { TENTACLE_SESSION } from "./support/sessions.ts";

/** Serves a certificate made to `spec` with `openssl s_server -www`, and pings it once. */
async function pingCertificate(name: string, spec: CertificateSpec, ...options: string[]) {
  const dir = await Deno.makeTempDir();
  const { cert, key } = await selfSigned(dir, name, spec);
  // SECLEVEL=0: Debian's OpenSSL will not serve a 1024-bit key otherwise.
  const server = await sServer(cert, key, ["-www", "-cipher", "DEFAULT@SECLEVEL=0"]);
  try {
    const run = await pingLoopback(server.port, "/count=1", ...options);
    return { ...run, lines: run.stdout.split("\n").map((line) => line.trim()) };
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

const REFUSE = "Octopus Server on Linux (OpenSSL 3) and Octopus Cloud refuse";
const REPLACE = "'Tentacle.exe new-certificate', then update the thumbprint in Octopus";

linuxTest("a SHA-1 signature: success, with a warning of what Octopus does with it", async () => {
  const run = await pingCertificate("sha1", { digest: "sha1" });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.ok(run.lines.includes("certificate: CN=sha1 (self-signed); RSA 2048, SHA-1"), run.stdout);
  const warning = run.lines.find((line) => line.startsWith("warning:"));
  assert.ok(warning, run.stdout);
  assert.match(warning, /SHA-1 signature/);
  assert.ok(warning.includes(REFUSE), warning);
  assert.match(warning, /Windows Octopus Servers accept it/);
  assert.ok(warning.includes(REPLACE), warning);
});

linuxTest("an EC P-256 key with SHA-256: named on the certificate line, no warning", async () => {
  const ec = { newkey: "ec", keyOptions: ["ec_paramgen_curve:P-256"] };
  const run = await pingCertificate("ec", ec);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.ok(run.lines.includes("certificate: CN=ec (self-signed); EC P-256, SHA-256"), run.stdout);
  assert.ok(!run.stdout.includes("warning:"), run.stdout);
});

linuxTest(
  "a 1024-bit RSA key: this tool's TLS refuses it, and the probe names the key",
  async () => {
    const run = await pingCertificate("weak", { newkey: "rsa:1024" });
    assert.equal(run.code, 1, run.stdout + run.stderr);
    const cause = run.lines.find((line) => line.startsWith("cause:"))!;
    assert.match(
      cause,
      /^cause: tls - the server's certificate [0-9A-F]{40} has a 1024-bit RSA key$/,
      run.stdout,
    );
    const hint = run.lines.find((line) => line.startsWith("hint:"))!;
    assert.match(hint, /refuse RSA keys under 2048 bits/);
    assert.match(hint, /'Tentacle\.exe new-certificate', then update the thumbprint in Octopus/);
  },
);

linuxTest("JSON: the certificate event names the key and the signature", async () => {
  const run = await pingCertificate("json", { digest: "sha1" }, "/format=json");
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const events = run.lines.filter((line) => line !== "").map((line) => JSON.parse(line));
  const certificate = events.find((event) => event.type === "certificate");
  assert.ok(certificate, run.stdout);
  assert.equal(certificate.keyType, "RSA");
  assert.equal(certificate.keyBits, 2048);
  assert.equal(certificate.keyCurve, null);
  assert.equal(certificate.signatureAlgorithm, "sha1WithRSAEncryption");
});

linuxTest(
  "JSON: the certificate event carries the text's warnings, each with its code",
  async () => {
    const json = await pingCertificate("warned", { digest: "sha1" }, "/format=json");
    const text = await pingCertificate("warned", { digest: "sha1" });
    const events = json.lines.filter((line) => line !== "").map((line) => JSON.parse(line));
    const certificate = events.find((event) => event.type === "certificate");
    assert.deepEqual(certificate.warnings.map((w: { code: string }) => w.code), ["sha1-signature"]);
    const warnings = text.lines.filter((line) => line.startsWith("warning:"));
    assert.deepEqual(
      certificate.warnings.map((w: { text: string }) => `warning: ${w.text}`),
      warnings,
      text.stdout,
    );
  },
);

Deno.test("ping's warnings and check's findings are one judgement: the same codes", () => {
  const session = { ...TENTACLE_SESSION, keyBits: 1024, signatureHash: "SHA-1" };
  for (const now of ["2019-01-01", "2026-01-01", "2101-01-01"]) {
    const time = new Date(now);
    const warned = certificateWarnings(session, time).map((w) => w.code);
    const found = certificateFindings(session, time).map((f) => f.code);
    assert.deepEqual(warned.toSorted(), found.toSorted(), now);
  }
  const early = certificateWarnings(session, new Date("2019-01-01")).map((w) => w.code);
  assert.deepEqual(
    early,
    ["not-yet-valid", "weak-key", "sha1-signature"],
    "dates first, as ping shows them",
  );
});

linuxTest("key and signature of certificates from openssl req, as OpenSSL names them", async () => {
  const dir = await Deno.makeTempDir();
  const table: [CertificateSpec, string, number | null, string | null, string, string | null][] = [
    [{}, "RSA", 2048, null, "sha256WithRSAEncryption", "SHA-256"],
    [{ newkey: "rsa:1024", digest: "sha1" }, "RSA", 1024, null, "sha1WithRSAEncryption", "SHA-1"],
    [{ digest: "md5" }, "RSA", 2048, null, "md5WithRSAEncryption", "MD5"],
    [
      { newkey: "ec", keyOptions: ["ec_paramgen_curve:P-384"], digest: "sha1" },
      "EC",
      384,
      "P-384",
      "ecdsa-with-SHA1",
      "SHA-1",
    ],
    [
      { newkey: "ec", keyOptions: ["ec_paramgen_curve:P-521"], digest: "sha512" },
      "EC",
      521,
      "P-521",
      "ecdsa-with-SHA512",
      "SHA-512",
    ],
    [
      { newkey: "ec", keyOptions: ["ec_paramgen_curve:brainpoolP256r1"] },
      "EC",
      null,
      "brainpoolP256r1",
      "ecdsa-with-SHA256",
      "SHA-256",
    ],
    [
      // A curve given by its parameters, not named: the signature is still judged.
      {
        newkey: "ec",
        keyOptions: ["ec_paramgen_curve:P-256", "ec_param_enc:explicit"],
        digest: "sha1",
      },
      "EC",
      256,
      "explicit parameters",
      "ecdsa-with-SHA1",
      "SHA-1",
    ],
    [{ signatureOptions: ["rsa_padding_mode:pss"] }, "RSA", 2048, null, "rsassaPss", "SHA-256"],
    [
      { newkey: "rsa-pss", keyOptions: ["rsa_keygen_bits:2048"], digest: "sha384" },
      "RSA-PSS",
      2048,
      null,
      "rsassaPss",
      "SHA-384",
    ],
    [{ newkey: "ed25519" }, "Ed25519", null, null, "ED25519", null],
    [{ newkey: "ed448" }, "Ed448", null, null, "ED448", null],
  ];
  try {
    for (const [spec, keyType, keyBits, keyCurve, signatureAlgorithm, signatureHash] of table) {
      const { cert } = await selfSigned(dir, "table", spec);
      const der = new X509Certificate(await Deno.readTextFile(cert)).raw;
      assert.deepEqual(
        await certificateAlgorithms(der),
        { keyType, keyBits, keyCurve, signatureAlgorithm, signatureHash },
        JSON.stringify(spec),
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a certificate the parser cannot read leaves the session's algorithms unknown", async () => {
  const session = await tlsSession({
    ...TENTACLE_SESSION,
    sha1: "C".repeat(40),
    der: new Uint8Array([48, 3, 1]),
  });
  assert.equal(session.keyType, "unknown");
  assert.equal(session.signatureAlgorithm, "unknown");
  assert.equal(session.keyBits, null);
});

linuxTest(
  "each certificate is parsed once: the same thumbprint reuses the first reading",
  async () => {
    const dir = await Deno.makeTempDir();
    try {
      const { cert } = await selfSigned(dir, "once", { digest: "sha1" });
      const der = new X509Certificate(await Deno.readTextFile(cert)).raw;
      const sha1 = "D".repeat(40);
      assert.equal((await tlsSession({ ...TENTACLE_SESSION, sha1, der })).signatureHash, "SHA-1");
      const again = await tlsSession({
        ...TENTACLE_SESSION,
        sha1,
        der: new Uint8Array([48, 3, 1]),
      });
      assert.equal(again.signatureHash, "SHA-1", "read from the cache, not from these bytes");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test("what Octopus refuses: RSA keys under 2048 bits and SHA-1 signatures", () => {
  const key = { keyType: "RSA", keyBits: 2048, signatureHash: "SHA-256" };
  assert.deepEqual(octopusObjections(key), []);
  assert.deepEqual(octopusObjections({ ...key, keyBits: 1024 }), ["weak-key"]);
  assert.deepEqual(octopusObjections({ ...key, signatureHash: "SHA-1" }), ["sha1-signature"]);
  assert.deepEqual(
    octopusObjections({ ...key, keyBits: 1024, signatureHash: "SHA-1" }),
    ["weak-key", "sha1-signature"],
  );
  assert.deepEqual(
    octopusObjections({ keyType: "EC", keyBits: 256, signatureHash: "SHA-256" }),
    [],
  );
  assert.deepEqual(
    octopusObjections({ keyType: "Ed25519", keyBits: null, signatureHash: null }),
    [],
  );
});

Deno.test("a small RSA key that got through: warned of, without the Windows exception", () => {
  const weak = { ...TENTACLE_SESSION, keyBits: 1024 };
  const lines = certificateLines(certificateEvent(weak, new Date("2026-01-01T00:00:00Z")));
  assert.equal(lines[0], "certificate: CN=Octopus Tentacle (self-signed); RSA 1024, SHA-256");
  assert.match(lines[3], /^warning: the certificate has a 1024-bit RSA key \(under 2048 bits\): /);
  assert.ok(lines[3].includes(REFUSE), lines[3]);
  assert.ok(!lines[3].includes("Windows"), lines[3]);
  assert.ok(lines[3].includes(REPLACE), lines[3]);
});

Deno.test("this tool's TLS refusing the certificate is 'tls', whichever verify code says so", () => {
  // DEPTH_ZERO_SELF_SIGNED_CERT for a self-signed 1024-bit key (above); a CA-issued one gives
  // UNABLE_TO_VERIFY_LEAF_SIGNATURE (seen with a v3 leaf from `openssl x509 -req -extfile`).
  for (const code of ["DEPTH_ZERO_SELF_SIGNED_CERT", "UNABLE_TO_VERIFY_LEAF_SIGNATURE"]) {
    const diagnosis = diagnose({ code, phase: "tls", message: "self-signed certificate" }, {
      host: "MyServer",
      port: 10933,
      dataMode: false,
    });
    assert.equal(diagnosis.cause, "tls", code);
    assert.equal(diagnosis.summary, "this tool's TLS refused the server's certificate", code);
  }
});
