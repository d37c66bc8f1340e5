/**
 * What the server's TLS handshake shows: its certificate (subject, issuer,
 * thumbprints, validity) and the TLS version and cipher agreed.
 *
 * @module
 */
import type { PeerCertificate, TLSSocket } from "node:tls";

/** The server's certificate and the TLS session, as people need to see them. */
export interface TlsSession {
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
}

/** Reads the session of a connected TLS socket. */
export function tlsSession(socket: TLSSocket): TlsSession {
  const certificate = socket.getPeerCertificate();
  const subject = distinguishedName(certificate.subject);
  const issuer = distinguishedName(certificate.issuer);
  return {
    subject,
    issuer,
    selfSigned: subject === issuer,
    altNames: certificate.subjectaltname ?? "",
    sha1: hex(certificate.fingerprint),
    sha256: hex(certificate.fingerprint256),
    validFrom: new Date(certificate.valid_from),
    validTo: new Date(certificate.valid_to),
    protocol: socket.getProtocol() ?? "unknown",
    cipher: socket.getCipher()?.name ?? "unknown",
  };
}

function hex(fingerprint: string | undefined): string {
  return (fingerprint ?? "").replaceAll(":", "").toUpperCase();
}

/** `CN=Octopus Tentacle, O=Octopus` from node's `{ CN: "...", O: "..." }`. */
function distinguishedName(name: PeerCertificate["subject"] | undefined): string {
  if (!name) return "";
  return Object.entries(name)
    .flatMap(([key, value]) => (Array.isArray(value) ? value : [value]).map((v) => `${key}=${v}`))
    .join(", ");
}
