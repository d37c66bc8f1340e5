/**
 * A TLS session as a Tentacle presents it, for tests that need one without a
 * handshake.
 *
 * @module
 */
import type { TlsSession } from "../src/net/peer_certificate.ts";

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
