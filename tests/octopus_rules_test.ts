/**
 * Octopus's rules for what a Tentacle's TLS must speak, each held from both
 * sides: a test here fails when one rule is loosened (something Octopus refuses
 * passes) or tightened (something Octopus takes is refused). The expectations
 * are written out, not read from the tables the rules use, so that changing a
 * table is noticed.
 */
import assert from "node:assert/strict";
import { type Finding, verdictOf } from "../src/finding.ts";
import { certificateFindings, probeFindings } from "../src/net/tls_probe/octopus.ts";
import type { TlsProbe } from "../src/net/tls_probe/probe.ts";
import { LEGACY_SUITES, type TlsVersion } from "../src/net/tls_probe/suites.ts";
import { which } from "./support/daemons.ts";
import { linuxTest, runOctoPing, tempDir } from "./support/helpers.ts";
import { selfSigned, sServer } from "./support/openssl.ts";

/** Octopus's two TLS 1.2 suites, from its "Minimum TLS requirements". */
const OCTOPUS_TLS12 = [
  "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
];

/** TLS 1.3's three suites, all of which Octopus takes. */
const TLS13 = ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"];

/** A probe of a server that accepts exactly `suites`, per version; the rest as a Tentacle has it. */
function probeOf(
  suites: Partial<Record<TlsVersion, string[]>>,
  extra: Partial<TlsProbe> = {},
): TlsProbe {
  const versions = ["TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"] as const;
  return {
    versions: Object.fromEntries(versions.map((v) => [v, (suites[v]?.length ?? 0) > 0])) as Record<
      TlsVersion,
      boolean
    >,
    suites: Object.fromEntries(versions.map((v) => [v, suites[v] ?? []])) as Record<
      TlsVersion,
      string[]
    >,
    chosen: Object.fromEntries(versions.map((v) => [v, suites[v]?.[0] ?? null])) as Record<
      TlsVersion,
      string | null
    >,
    groups: ["x25519", "secp256r1", "secp384r1"],
    clientCertificateRequested: true,
    certificate: null,
    connections: 8,
    stopped: null,
    ...extra,
  };
}

function codesOf(findings: Finding[], level: Finding["level"]): string[] {
  return findings.filter((f) => f.level === level).map((f) => f.code);
}

function verdict(probe: TlsProbe): string {
  return verdictOf(probeFindings(probe, "the server"));
}

Deno.test("TLS 1.2 with either of Octopus's two suites is enough", () => {
  for (const suite of OCTOPUS_TLS12) {
    const findings = probeFindings(probeOf({ "TLSv1.2": [suite] }), "the server");
    assert.deepEqual(codesOf(findings, "ok"), ["modern-tls"], suite);
    assert.equal(verdictOf(findings), "ok", suite);
  }
});

Deno.test("TLS 1.2 with any other suite alone blocks: Octopus cannot connect", () => {
  const others = LEGACY_SUITES.map((s) => s.iana).filter((s) => !OCTOPUS_TLS12.includes(s));
  assert.ok(others.length >= 20, "the probe knows the common legacy suites");
  for (const suite of others) {
    const findings = probeFindings(probeOf({ "TLSv1.2": [suite] }), "the server");
    assert.deepEqual(codesOf(findings, "blocking"), ["no-modern-tls"], suite);
  }
});

Deno.test("TLS 1.3 with any one of its three suites is enough, but alone it warns of old Windows", () => {
  for (const suite of TLS13) {
    const findings = probeFindings(probeOf({ "TLSv1.3": [suite] }), "the server");
    assert.deepEqual(codesOf(findings, "blocking"), [], suite);
    assert.deepEqual(codesOf(findings, "warning"), ["tls13-only"], suite);
    assert.equal(verdict(probeOf({ "TLSv1.2": OCTOPUS_TLS12, "TLSv1.3": [suite] })), "ok", suite);
  }
});

Deno.test("TLS 1.0 or 1.1 alone, with any suite, blocks; beside TLS 1.2 they only warn", () => {
  const suites = [...OCTOPUS_TLS12, "TLS_RSA_WITH_AES_256_CBC_SHA"];
  for (const old of ["TLSv1.0", "TLSv1.1"] as const) {
    const alone = probeFindings(probeOf({ [old]: suites }), "the server");
    assert.deepEqual(codesOf(alone, "blocking"), ["no-modern-tls"], old);
    const beside = probeFindings(probeOf({ [old]: suites, "TLSv1.2": OCTOPUS_TLS12 }), "x");
    assert.deepEqual(codesOf(beside, "blocking"), [], old);
    assert.deepEqual(codesOf(beside, "warning"), ["old-tls-enabled"], old);
  }
  const modernOnly = probeOf({ "TLSv1.2": OCTOPUS_TLS12, "TLSv1.3": TLS13 });
  assert.deepEqual(codesOf(probeFindings(modernOnly, "x"), "warning"), []);
});

Deno.test("no TLS at all blocks, as not-tls", () => {
  assert.deepEqual(codesOf(probeFindings(probeOf({}), "x"), "blocking"), ["not-tls"]);
});

Deno.test("without the P-256 curve: a warning, never blocking; unknown curves say nothing", () => {
  const tls12 = { "TLSv1.2": OCTOPUS_TLS12 };
  const without = probeFindings(probeOf(tls12, { groups: ["x25519", "secp384r1"] }), "x");
  assert.deepEqual(codesOf(without, "warning"), ["no-p256"]);
  assert.equal(verdictOf(without), "warning");
  assert.deepEqual(
    codesOf(probeFindings(probeOf(tls12, { groups: ["secp256r1"] }), "x"), "warning"),
    [],
  );
  assert.deepEqual(codesOf(probeFindings(probeOf(tls12, { groups: null }), "x"), "warning"), []);
});

Deno.test("a server that does not ask for a client certificate is named; one that asks is not", () => {
  const tls12 = { "TLSv1.2": OCTOPUS_TLS12 };
  const silent = probeFindings(probeOf(tls12, { clientCertificateRequested: false }), "x");
  assert.ok(codesOf(silent, "warning").includes("client-certificate-not-requested"));
  const asks = probeFindings(probeOf(tls12, { clientCertificateRequested: true }), "x");
  assert.deepEqual(codesOf(asks, "warning"), []);
  // TLS 1.3 hides the request: what was not seen is not said to be missing.
  const hidden = probeFindings(probeOf(tls12, { clientCertificateRequested: null }), "x");
  assert.ok(!codesOf(hidden, "warning").includes("client-certificate-not-requested"));
});

/** A certificate as check judges it: RSA 2048, SHA-256, valid from a year ago for two years. */
function certificate(change: Partial<Parameters<typeof certificateFindings>[0]> = {}) {
  const now = Date.UTC(2026, 11, 5);
  return {
    sha1: "3C2A".padEnd(40, "0"),
    keyType: "RSA",
    keyBits: 2048,
    signatureAlgorithm: "sha256WithRSAEncryption",
    validFrom: new Date(now - 365 * 86_400_000).toISOString(),
    validTo: new Date(now + 365 * 86_400_000).toISOString(),
    ...change,
  };
}

/** The findings' codes and levels, as `code:level`. */
function judged(change: Parameters<typeof certificate>[0]): string[] {
  const findings = certificateFindings(certificate(change), new Date(Date.UTC(2026, 11, 5)));
  return findings.map((f) => `${f.code}:${f.level}`);
}

Deno.test("an RSA key blocks under 2048 bits, not at 2048; other keys are not counted in bits", () => {
  assert.deepEqual(judged({ keyBits: 2047 }), ["weak-key:blocking"]);
  assert.deepEqual(judged({ keyBits: 1024 }), ["weak-key:blocking"]);
  assert.deepEqual(judged({ keyBits: 2048 }), []);
  assert.deepEqual(judged({ keyBits: 4096 }), []);
  assert.deepEqual(judged({ keyType: "EC", keyBits: 256 }), []);
  assert.deepEqual(judged({ keyType: null, keyBits: null }), [], "an unread key is not judged");
});

Deno.test("a SHA-1 signature warns and never blocks; SHA-256 and up say nothing", () => {
  assert.deepEqual(judged({ signatureAlgorithm: "sha1WithRSAEncryption" }), [
    "sha1-signature:warning",
  ]);
  assert.deepEqual(judged({ signatureAlgorithm: "ecdsa-with-SHA1" }), ["sha1-signature:warning"]);
  for (const hash of ["sha256WithRSAEncryption", "sha384WithRSAEncryption", "ecdsa-with-SHA256"]) {
    assert.deepEqual(judged({ signatureAlgorithm: hash }), [], hash);
  }
});

Deno.test("dates warn and never block: Octopus trusts a Tentacle by its thumbprint", () => {
  const day = 86_400_000;
  const today = Date.UTC(2026, 11, 5);
  assert.deepEqual(judged({ validTo: new Date(today - day).toISOString() }), ["expired:warning"]);
  assert.deepEqual(judged({ validFrom: new Date(today + day).toISOString() }), [
    "not-yet-valid:warning",
  ]);
  assert.deepEqual(judged({ validTo: new Date(today + day).toISOString() }), []);
  assert.deepEqual(judged({ validFrom: new Date(today - day).toISOString() }), []);
});

Deno.test("a verdict is its worst finding: blocking over warning over ok", () => {
  const finding = (level: Finding["level"]): Finding => ({
    level,
    code: level,
    message: "",
    hint: "",
  });
  assert.equal(verdictOf([finding("ok"), finding("warning"), finding("blocking")]), "blocking");
  assert.equal(verdictOf([finding("ok"), finding("warning")]), "warning");
  assert.equal(verdictOf([finding("ok")]), "ok");
  assert.equal(verdictOf([]), "ok");
});

const OPENSSL = { what: "openssl", here: !!which("openssl") };

linuxTest(
  "check against a real TLS 1.1-only server: Octopus cannot connect, exit 1",
  async () => {
    const dir = await Deno.makeTempDir();
    try {
      const { cert, key } = await selfSigned(dir, "old");
      const server = await sServer(cert, key, [
        "-www",
        "-tls1_1",
        "-cipher",
        "DEFAULT:@SECLEVEL=0",
      ]);
      try {
        const run = await runOctoPing(["check", `/host=127.0.0.1:${server.port}`]);
        assert.equal(run.code, 1, run.stdout);
        assert.match(run.stdout, /^\[FAIL\] 127\.0\.0\.1 speaks only TLS 1\.1 \(picking /m);
        assert.match(run.stdout, /^Octopus cannot connect to /m);
      } finally {
        await server.stop();
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
  OPENSSL,
);

linuxTest(
  "check against a real server with only ECDHE-RSA-AES256-GCM-SHA384: Octopus can connect",
  async () => {
    await using dir = await tempDir();
    const { cert, key } = await selfSigned(dir.path, "narrow");
    await using server = await sServer(cert, key, [
      "-www",
      "-tls1_2",
      "-cipher",
      "ECDHE-RSA-AES256-GCM-SHA384",
      "-verify",
      "1",
    ]);
    const run = await runOctoPing(["check", `/host=127.0.0.1:${server.port}`, "/format=json"]);
    const check = run.stdout.trim().split("\n").map((l) => JSON.parse(l)).at(-1);
    const blocking = check.findings.filter((f: Finding) => f.level === "blocking");
    assert.ok(!blocking.some((f: Finding) => f.code === "no-modern-tls"), run.stdout);
    assert.ok(check.findings.some((f: Finding) => f.code === "modern-tls"), run.stdout);
  },
  OPENSSL,
);
