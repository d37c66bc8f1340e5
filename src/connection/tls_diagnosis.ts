/**
 * The TLS family of causes: the certificate and who presented it, TLS where
 * none was expected, and handshakes the server or this tool refused.
 *
 * @module
 */
import { type Diagnosis, type Failure, FAILURE_CODES, type Interception } from "./failure.ts";

/**
 * The alerts a server sends about the client's certificate. Under TLS 1.3 they
 * come after the handshake, while sending or waiting for the answer.
 */
const CLIENT_CERTIFICATE_ALERT =
  /^ERR_SSL_(TLSV1|SSLV3|TLSV13)_ALERT_(UNKNOWN_CA|BAD_CERTIFICATE|CERTIFICATE_REQUIRED|UNSUPPORTED_CERTIFICATE|CERTIFICATE_UNKNOWN|CERTIFICATE_REVOKED|CERTIFICATE_EXPIRED|ACCESS_DENIED)$/;
/**
 * Certificate verification codes. Ping accepts any certificate
 * (`rejectUnauthorized: false`), so one of these failing a handshake means
 * this tool's TLS (rustls) refused the certificate itself: seen for RSA keys
 * under 2048 bits, DEPTH_ZERO_SELF_SIGNED_CERT when self-signed and
 * UNABLE_TO_VERIFY_LEAF_SIGNATURE when issued by a CA.
 */
const CERTIFICATE_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY",
  "CERT_SIGNATURE_FAILURE",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "INVALID_CA",
]);

const INTERCEPTED: Record<Interception, string> = {
  "server-certificate": "the server's certificate was replaced on the way (TLS inspection)",
  "client-certificate": "the client certificate did not reach pong as it was sent",
  "tls-ended": "TLS was ended on the way (SSL offloading or a TLS-terminating load balancer)",
};

/** Names a failure of TLS or of the certificates; undefined for a failure of another family. */
export function tlsDiagnosis(failure: Failure): Diagnosis | undefined {
  const { code } = failure;
  if (code === FAILURE_CODES.thumbprint) {
    return {
      cause: "thumbprint",
      summary: "the certificate is not the expected one: its thumbprint differs",
      hint: "Octopus trusts a Tentacle by this thumbprint: compare it with the thumbprint on " +
        "the Tentacle's page in Octopus. A different one means another Tentacle instance, a " +
        "re-generated certificate, or a device in between presenting its own certificate",
    };
  }
  if (code === FAILURE_CODES.intercepted) {
    return {
      cause: "intercepted",
      summary: INTERCEPTED[failure.interception ?? "server-certificate"],
      hint: "TLS inspection, SSL offloading or a TLS-terminating load balancer sits between here " +
        "and pong. Octopus pins the certificates both ways and cannot work through it: have the " +
        "Tentacle's port excluded from it",
    };
  }
  if (code === FAILURE_CODES.speaksTls) {
    return {
      cause: "tls",
      summary: "the server speaks TLS on this port: drop /nossl",
      hint: "Tentacles, and pongs started without /nossl, speak TLS: /nossl is only for a pong " +
        "started with /nossl",
    };
  }
  if (code === undefined) return undefined;
  if (CLIENT_CERTIFICATE_ALERT.test(code)) {
    return {
      cause: "tls",
      summary: "the server refused the client certificate",
      hint: "a Tentacle accepts any client certificate (it checks the thumbprint later, in " +
        "Octopus's own protocol), so what refused it is not a Tentacle: a device in between that " +
        "checks client certificates, or another service. Octopus's certificate would be refused " +
        "the same way",
    };
  }
  if (CERTIFICATE_CODES.has(code)) {
    return {
      cause: "tls",
      summary: "this tool's TLS refused the server's certificate",
      hint: "any certificate is accepted here, but this tool's TLS (rustls) refuses some: the " +
        "usual reason is an RSA key under 2048 bits, which Octopus Server on Linux (OpenSSL 3) " +
        "and Octopus Cloud refuse too. Replace it: 'Tentacle.exe new-certificate', then update " +
        "the thumbprint in Octopus",
    };
  }
  if (code.startsWith("ERR_SSL_") || code.startsWith("ERR_TLS_")) return handshakeDiagnosis(code);
  return undefined;
}

/** A handshake that failed on TLS's own terms: the version, the ciphers, or not TLS at all. */
function handshakeDiagnosis(code: string): Diagnosis {
  if (code === "ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION" || code.includes("UNSUPPORTED_PROTOCOL")) {
    return {
      cause: "tls",
      summary: "the server speaks only TLS 1.0 or 1.1",
      hint: "Octopus requires TLS 1.2 or later and cannot connect to it either: enable TLS 1.2 " +
        "on the Tentacle's machine (see Octopus's docs on minimum TLS requirements and Schannel). " +
        "'OctoPing check' shows what it speaks. (The original TentaclePong speaks only TLS 1.0: " +
        "use OctoPing pong)",
    };
  }
  if (code === "ERR_SSL_WRONG_VERSION_NUMBER") {
    return {
      cause: "tls",
      summary: "the server does not speak TLS on this port (a pong started with /nossl?): " +
        "add /nossl",
      hint: "a pong started with /nossl is pinged with /nossl. Anything else here is not a " +
        "Tentacle (a web server, another service), or a device in between answers instead",
    };
  }
  if (code === "ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE" || code.includes("NO_SHARED_CIPHER")) {
    return {
      cause: "tls",
      summary: "no TLS cipher suite in common with the server",
      hint: "OctoPing offers what Octopus requires (TLS 1.2 with ECDHE and AES-GCM, or TLS 1.3), " +
        "so Octopus cannot connect either: enable ECDHE-RSA-AES128-GCM-SHA256 or " +
        "ECDHE-RSA-AES256-GCM-SHA384 on the Tentacle's machine (see Octopus's docs on minimum TLS " +
        "requirements and Schannel). 'OctoPing check' shows what it speaks",
    };
  }
  return {
    cause: "tls",
    summary: "the TLS handshake failed",
    hint: "the server, or a device in between, refused the handshake; if only this tool " +
      "fails, it may be about this tool's TLS (TLS 1.2+ with modern ciphers only)",
  };
}
