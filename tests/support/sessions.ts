/**
 * A TLS session as a Tentacle presents it, and attempt results, for tests that
 * need them without a connection.
 *
 * @module
 */
import type { TlsSession } from "../../src/net/peer_certificate.ts";
import type { AttemptResult } from "../../src/connection/result.ts";

/** A Tentacle's self-signed RSA 2048 / SHA-256 certificate over TLS 1.2. */
export const TENTACLE_SESSION: TlsSession = {
  subject: "CN=Octopus Tentacle",
  issuer: "CN=Octopus Tentacle",
  selfSigned: true,
  altNames: "",
  sha1: "A".repeat(40),
  sha256: "B".repeat(64),
  validFrom: new Date("2020-01-01T00:00:00Z"),
  validTo: new Date("2100-01-01T00:00:00Z"),
  protocol: "TLSv1.2",
  cipher: "ECDHE-RSA-AES256-GCM-SHA384",
  der: new Uint8Array(), // no test here reads it
  keyType: "RSA",
  keyBits: 2048,
  keyCurve: null,
  signatureAlgorithm: "sha256WithRSAEncryption",
  signatureHash: "SHA-256",
};

/** An attempt that worked (or, with `ok: false`, failed at connect), with `changes` on top. */
export function attemptResult(ok: boolean, changes: Partial<AttemptResult> = {}): AttemptResult {
  return {
    seq: 1,
    time: new Date(),
    ok,
    ms: 1,
    chunks: 1,
    chunksDone: ok ? 1 : 0,
    connected: ok,
    secured: ok,
    bytesSent: 1,
    bytesRead: ok ? 1 : 0,
    status: ok ? 200 : undefined,
    phases: { dns: 0, connect: 0, proxy: null, tls: 0, firstByte: 0, transfer: 0 },
    ...changes,
  };
}
