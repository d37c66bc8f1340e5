/**
 * Which certificates Octopus refuses, judged from the key and signature, for
 * every part of the tool that shows a certificate (ping's lines, `check`'s
 * findings). Only the judgement lives here; reporters word it.
 *
 * @module
 */
import type { CertificateAlgorithms } from "./certificate_algorithms.ts";

/**
 * What Octopus Server on Linux (OpenSSL 3) and Octopus Cloud refuse in a
 * certificate: `weak-key`, an RSA key under 2048 bits (this tool's TLS refuses
 * most of them too); `sha1-signature`, which Windows Octopus Servers accept.
 */
export type CertificateObjection = "weak-key" | "sha1-signature";

/** The least RSA key size Octopus accepts. */
export const MIN_RSA_BITS = 2048;

/** What Octopus objects to in a certificate with this key and signature, in that order. */
export function octopusObjections(
  certificate: Pick<CertificateAlgorithms, "keyType" | "keyBits" | "signatureHash">,
): CertificateObjection[] {
  const { keyType, keyBits, signatureHash } = certificate;
  const objections: CertificateObjection[] = [];
  if (keyType.startsWith("RSA") && keyBits !== null && keyBits < MIN_RSA_BITS) {
    objections.push("weak-key");
  }
  if (signatureHash === "SHA-1") objections.push("sha1-signature");
  return objections;
}
