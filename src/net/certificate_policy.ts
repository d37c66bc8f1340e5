/**
 * What Octopus makes of a certificate, judged once for every part of the tool
 * that shows one: {@linkcode judgeCertificate} says what is wrong with it (a
 * key or signature Octopus refuses, dates it is not valid on), and
 * {@linkcode certificateWarnings} words that for ping's certificate event.
 * `check` words the same judgements as findings (`certificateFindings`).
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

/**
 * What is wrong with a certificate: what Octopus objects to, and `expired` or
 * `not-yet-valid` (neither stops Octopus, which trusts a Tentacle by its
 * thumbprint). The codes are stable: JSON and `check`'s findings carry them.
 */
export type CertificateJudgement = CertificateObjection | "expired" | "not-yet-valid";

/** A judgement on the server's certificate in words, as ping's certificate event carries it. */
export interface CertificateWarning {
  code: CertificateJudgement | "client-certificate-not-requested";
  /** One sentence: what is wrong, what Octopus makes of it, and what to do. */
  text: string;
}

/** What follows when a server does not ask for a client certificate: it is not the Tentacle. */
export const NOT_REQUESTED_HINT = "something other than the Tentacle ends TLS here (SSL " +
  "offloading, a load balancer, another service): Octopus's certificate would not reach the " +
  "Tentacle, which would refuse it";

/** Ping's warning, with the certificate, of a TLS 1.2 server that did not ask for a client certificate. */
export const NOT_REQUESTED_WARNING: CertificateWarning = {
  code: "client-certificate-not-requested",
  text: "the server did not ask for a client certificate, which a Tentacle always does: " +
    NOT_REQUESTED_HINT,
};

/** The least RSA key size Octopus accepts. */
export const MIN_RSA_BITS = 2048;

/** A key and signature to judge: from a completed handshake, or as the TLS probe read them. */
export interface JudgedAlgorithms {
  /** Null where the probe could not read the key. */
  keyType: string | null;
  keyBits: number | null;
  /** As OpenSSL names it; null where the probe could not read it. */
  signatureAlgorithm?: string | null;
  /** The signature's hash, where it was read; else the algorithm's name tells. */
  signatureHash?: string | null;
}

/** A certificate to judge: its key, signature and validity (a `Date`, or ISO 8601). */
export interface JudgedCertificate extends JudgedAlgorithms {
  validFrom: Date | string;
  validTo: Date | string;
}

/** What Octopus objects to in a certificate with this key and signature, in that order. */
export function octopusObjections(certificate: JudgedAlgorithms): CertificateObjection[] {
  const { keyType, keyBits } = certificate;
  const objections: CertificateObjection[] = [];
  if (keyType?.startsWith("RSA") && keyBits !== null && keyBits < MIN_RSA_BITS) {
    objections.push("weak-key");
  }
  if (signedWithSha1(certificate)) objections.push("sha1-signature");
  return objections;
}

/** What is wrong with `certificate` at `now`: its objections, then its dates. */
export function judgeCertificate(
  certificate: JudgedCertificate,
  now: Date,
): CertificateJudgement[] {
  const judgements: CertificateJudgement[] = octopusObjections(certificate);
  if (new Date(certificate.validTo).getTime() < now.getTime()) judgements.push("expired");
  else if (new Date(certificate.validFrom).getTime() > now.getTime()) {
    judgements.push("not-yet-valid");
  }
  return judgements;
}

/**
 * The warnings ping shows below the server's certificate at `now`: its dates
 * first, then what Octopus refuses in it.
 */
export function certificateWarnings(
  certificate: JudgedCertificate & Pick<CertificateAlgorithms, "signatureAlgorithm">,
  now: Date,
): CertificateWarning[] {
  const judgements = judgeCertificate(certificate, now);
  const isDate = (code: CertificateJudgement) => code === "expired" || code === "not-yet-valid";
  return [...judgements.filter(isDate), ...judgements.filter((code) => !isDate(code))]
    .map((code) => ({ code, text: warningText(code, certificate) }));
}

/** `2026-12-04`: the day, as certificates' validity is shown. */
export function day(date: Date | string): string {
  return new Date(date).toISOString().slice(0, 10);
}

/** Whether the signature's hash is SHA-1: read from the hash, else from the algorithm's name. */
function signedWithSha1({ signatureHash, signatureAlgorithm }: JudgedAlgorithms): boolean {
  if (signatureHash !== undefined) return signatureHash === "SHA-1";
  return signatureAlgorithm != null && /sha1(?!\d)/i.test(signatureAlgorithm);
}

/** A judgement in one sentence: for an objection, what Octopus does and how to replace it. */
function warningText(
  code: CertificateJudgement,
  certificate: JudgedCertificate & { signatureAlgorithm: string },
): string {
  const trust = "(Octopus trusts a Tentacle by its thumbprint, so this alone does not stop it)";
  const refused = "Octopus Server on Linux (OpenSSL 3) and Octopus Cloud refuse it";
  const replace =
    "Replace it: 'Tentacle.exe new-certificate', then update the thumbprint in Octopus";
  switch (code) {
    case "expired":
      return `the certificate expired on ${day(certificate.validTo)} ${trust}`;
    case "not-yet-valid":
      return `the certificate is not valid until ${day(certificate.validFrom)}: ` +
        `is this machine's clock or the server's wrong? ${trust}`;
    case "weak-key":
      return `the certificate has a ${certificate.keyBits}-bit RSA key (under ${MIN_RSA_BITS} ` +
        `bits): ${refused}. ${replace}`;
    case "sha1-signature":
      return `the certificate has a SHA-1 signature (${certificate.signatureAlgorithm}): ` +
        `${refused}; Windows Octopus Servers accept it. ${replace}`;
  }
}
