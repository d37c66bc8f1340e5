/**
 * The certificates OctoPing makes for itself (ping's client certificate and
 * pong's): what node and OpenSSL read in them, and that making and reading
 * certificates on ping's path loads no X.509 library, whose loading a one-shot
 * ping would wait for.
 */
import assert from "node:assert/strict";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { fileURLToPath } from "node:url";
import { createSelfSignedCertificate } from "../src/net/certificate.ts";
import { startRsaKeyPair } from "../src/net/rsa_key.ts";
import { linuxTest, tempDir } from "./support/helpers.ts";
import { openssl } from "./support/openssl.ts";

const DAY_MS = 86_400_000;

Deno.test("a made certificate reads back in node: RSA 2048, self-signed, CN, a year", async () => {
  const made = await createSelfSignedCertificate("OctoPing");
  const certificate = new X509Certificate(made.certPem);
  assert.equal(certificate.subject, "CN=OctoPing");
  assert.equal(certificate.issuer, "CN=OctoPing");
  assert.equal(certificate.publicKey.asymmetricKeyType, "rsa");
  assert.equal(certificate.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
  assert.ok(certificate.verify(certificate.publicKey), "signed by its own key");
  assert.ok(certificate.checkPrivateKey(createPrivateKey(made.keyPem)), "the key is its own");
  assert.equal(made.thumbprint, certificate.fingerprint.replaceAll(":", ""));
  const now = Date.now();
  assert.ok(Math.abs(Date.parse(certificate.validFrom) - (now - DAY_MS)) < 60_000);
  assert.ok(Math.abs(Date.parse(certificate.validTo) - (now + 365 * DAY_MS)) < 60_000);
  assert.match(certificate.serialNumber, /^[0-7][0-9A-F]{15}$/, "8 bytes, positive");
});

linuxTest("a made certificate reads back in OpenSSL: v3, sha256WithRSAEncryption", async () => {
  await using dir = await tempDir();
  const made = await createSelfSignedCertificate("OctoPing Pong");
  await Deno.writeTextFile(`${dir.path}/made.pem`, made.certPem);
  const text = await openssl(["x509", "-in", `${dir.path}/made.pem`, "-noout", "-text"]);
  assert.match(text, /Version: 3 \(0x2\)/);
  assert.match(text, /Signature Algorithm: sha256WithRSAEncryption/);
  assert.match(text, /Subject: CN ?= ?OctoPing Pong\n/);
  assert.match(text, /Public-Key: \(2048 bit\)/);
  const sha1 = await openssl(["x509", "-in", `${dir.path}/made.pem`, "-noout", "-fingerprint"]);
  assert.equal(sha1.trim().split("=")[1].replaceAll(":", ""), made.thumbprint);
  const verified = await openssl([
    "verify",
    "-CAfile",
    `${dir.path}/made.pem`,
    `${dir.path}/made.pem`,
  ]);
  assert.match(verified, /: OK/);
});

Deno.test("every made certificate has its own key, also the one whose key was started early", async () => {
  startRsaKeyPair();
  const [first, second] = await Promise.all([
    createSelfSignedCertificate("OctoPing"),
    createSelfSignedCertificate("OctoPing"),
  ]);
  const third = await createSelfSignedCertificate("OctoPing");
  const keys = new Set([first, second, third].map((made) => made.keyPem));
  assert.equal(keys.size, 3);
});

Deno.test("making a certificate and reading a server's loads no X.509 library", async () => {
  const script = `
    import { createSelfSignedCertificate } from ${
    JSON.stringify(repoUrl("src/net/certificate.ts"))
  };
    import { certificateAlgorithms } from ${
    JSON.stringify(repoUrl("src/net/certificate_algorithms.ts"))
  };
    import { X509Certificate } from "node:crypto";
    const made = await createSelfSignedCertificate("OctoPing");
    const read = await certificateAlgorithms(new X509Certificate(made.certPem).raw);
    console.log(JSON.stringify({ read, loaded: typeof Reflect.getMetadata }));
  `;
  const config = repoPath("deno.json");
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--config", config, script],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.ok(output.success, stderr);
  const { read, loaded } = JSON.parse(new TextDecoder().decode(output.stdout));
  assert.equal(read.signatureAlgorithm, "sha256WithRSAEncryption");
  assert.equal(loaded, "undefined", "reflect-metadata, which @peculiar/x509 needs, was loaded");
});

/** A file of this repository, as a path. */
function repoPath(path: string): string {
  return fileURLToPath(repoUrl(path));
}

/** A file of this repository, as a URL: an import needs one (`C:\...` is read as a scheme). */
function repoUrl(path: string): string {
  return new URL(`../${path}`, import.meta.url).href;
}
