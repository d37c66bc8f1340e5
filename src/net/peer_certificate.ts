/**
 * What the server's TLS handshake shows: its certificate (subject, issuer,
 * thumbprints, validity, key and signature) and the TLS version and cipher
 * agreed.
 *
 * It comes in two steps. {@linkcode readHandshake} reads the socket the moment
 * the handshake is done; {@linkcode tlsSession} then parses the certificate,
 * which can wait until the attempt's timing has stopped.
 *
 * @module
 */
import type { PeerCertificate, TLSSocket } from "node:tls";
import { type CertificateAlgorithms, certificateAlgorithms } from "./certificate_algorithms.ts";

/** The session as the handshake leaves it, with the certificate not yet parsed. */
export interface Handshake {
  /** e.g. `CN=Octopus Tentacle`. */
  subject: string;
  /** e.g. `CN=Octopus Tentacle` (self-signed) or a CA's name. */
  issuer: string;
  /** Subject and issuer are the same: how Tentacle certificates are made. */
  selfSigned: boolean;
  /** Names the certificate is for, from its subjectAltName (`DNS:server, IP Address:10.0.0.5`). */
  altNames: string;
  /** SHA-1 thumbprint as Octopus shows it: 40 uppercase hex digits. */
  sha1: string;
  /** SHA-256 fingerprint: 64 uppercase hex digits. */
  sha256: string;
  validFrom: Date;
  validTo: Date;
  /** e.g. `TLSv1.3`. */
  protocol: string;
  /** e.g. `TLS_AES_256_GCM_SHA384`. */
  cipher: string;
  /** The certificate as it came (DER). */
  der: Uint8Array;
  /**
   * Whether the server asks for a client certificate, as a Tentacle always does. This tool's
   * TLS does not tell, so ping learns it apart (under TLS 1.2 only: TLS 1.3 encrypts the
   * request); absent where it is not known.
   */
  clientCertificateRequested?: boolean;
}

/** The server's certificate and the TLS session, as people need to see them. */
export interface TlsSession extends Handshake, CertificateAlgorithms {}

/** Reads the session of a connected TLS socket. */
export function readHandshake(socket: TLSSocket): Handshake {
  const certificate = socket.getPeerCertificate();
  const subject = distinguishedName(certificate.subject);
  const issuer = distinguishedName(certificate.issuer);
  return {
    subject,
    issuer,
    selfSigned: subject === issuer,
    altNames: certificate.subjectaltname ?? "",
    sha1: fingerprintHex(certificate.fingerprint),
    sha256: fingerprintHex(certificate.fingerprint256),
    validFrom: new Date(certificate.valid_from),
    validTo: new Date(certificate.valid_to),
    protocol: socket.getProtocol() ?? "unknown",
    cipher: socket.getCipher()?.name ?? "unknown",
    der: certificate.raw,
  };
}

/**
 * Certificates already parsed, by SHA-1 thumbprint. A few, not one: a load
 * balancer may alternate between Tentacles.
 */
const parsed = new Map<string, CertificateAlgorithms>();
const PARSED_MAX = 16;

/** What is shown of a certificate the parser cannot read: the run goes on without it. */
const UNREADABLE: CertificateAlgorithms = {
  keyType: "unknown",
  keyBits: null,
  keyCurve: null,
  signatureAlgorithm: "unknown",
  signatureHash: null,
};

/**
 * Completes a handshake's session with its certificate's key and signature,
 * parsing each certificate once.
 */
export async function tlsSession(handshake: Handshake): Promise<TlsSession> {
  let algorithms = parsed.get(handshake.sha1);
  if (algorithms === undefined) {
    algorithms = await certificateAlgorithms(handshake.der).catch(() => UNREADABLE);
    if (parsed.size >= PARSED_MAX) parsed.delete(parsed.keys().next().value!);
    parsed.set(handshake.sha1, algorithms);
  }
  return { ...handshake, ...algorithms };
}

/** A fingerprint as node writes it (`3C:2A:…`) as Octopus shows thumbprints: `3C2A…`. */
export function fingerprintHex(fingerprint: string | undefined): string {
  return (fingerprint ?? "").replaceAll(":", "").toUpperCase();
}

/** `CN=Octopus Tentacle, O=Octopus` from node's `{ CN: "...", O: "..." }`. */
function distinguishedName(name: PeerCertificate["subject"] | undefined): string {
  if (!name) return "";
  return Object.entries(name)
    .flatMap(([key, value]) => (Array.isArray(value) ? value : [value]).map((v) => `${key}=${v}`))
    .join(", ");
}
