/**
 * The self-signed certificate pong serves: made at start-up (no private key
 * lives in the repository), shown by its SHA-1 thumbprint the way Octopus shows
 * Tentacle thumbprints.
 *
 * @module
 */
import "reflect-metadata"; // @peculiar/x509's dependency injection needs it loaded first.
import * as x509 from "@peculiar/x509";
import { createPrivateKey, X509Certificate } from "node:crypto";

/** A certificate and its private key, both PEM, with the certificate's thumbprint. */
export interface ServerCertificate {
  certPem: string;
  keyPem: string;
  /** SHA-1 of the DER certificate: 40 uppercase hex digits. */
  thumbprint: string;
}

const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
const DAY_MS = 86_400_000;

/** Makes a fresh self-signed ECDSA P-256 certificate for `CN=OctoPing Pong`. */
export async function createSelfSignedCertificate(): Promise<ServerCertificate> {
  const keys = await crypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"]);
  const serial = crypto.getRandomValues(new Uint8Array(8));
  serial[0] &= 0x7f; // a positive serial number
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial.toHex(),
    name: "CN=OctoPing Pong",
    // A day's slack either side, so a peer whose clock is off still sees it as valid.
    notBefore: new Date(Date.now() - DAY_MS),
    notAfter: new Date(Date.now() + 365 * DAY_MS),
    signingAlgorithm: ALGORITHM,
    keys,
  });
  const pkcs8 = await crypto.subtle.exportKey("pkcs8", keys.privateKey);
  return {
    certPem: certificate.toString("pem"),
    keyPem: x509.PemConverter.encode(pkcs8, "PRIVATE KEY"),
    thumbprint: await thumbprint(new Uint8Array(certificate.rawData)),
  };
}

/** SHA-1 thumbprint of a DER certificate, as Octopus shows it: 40 uppercase hex digits. */
export async function thumbprint(der: Uint8Array<ArrayBuffer>): Promise<string> {
  return new Uint8Array(await crypto.subtle.digest("SHA-1", der)).toHex().toUpperCase();
}

/** A certificate file and its key that cannot serve: unreadable, not PEM, or not a pair. */
export class CertificateFileError extends Error {
  override name = "CertificateFileError";
}

/** Reads a PEM certificate and its PEM private key, and checks that they belong together. */
export async function loadCertificate(
  certPath: string,
  keyPath: string,
): Promise<ServerCertificate> {
  const read = async (path: string, what: string) => {
    try {
      return await Deno.readTextFile(path);
    } catch (error) {
      throw new CertificateFileError(
        `cannot read the ${what} ${path}: ${(error as Error).message}`,
      );
    }
  };
  const certPem = await read(certPath, "certificate");
  const keyPem = await read(keyPath, "key");
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certPem);
  } catch {
    throw new CertificateFileError(`${certPath} holds no PEM certificate`);
  }
  let key;
  try {
    key = createPrivateKey(keyPem);
  } catch {
    throw new CertificateFileError(`${keyPath} holds no PEM private key (or it has a passphrase)`);
  }
  if (!certificate.checkPrivateKey(key)) {
    throw new CertificateFileError(`${keyPath} is not the key of the certificate in ${certPath}`);
  }
  try {
    // OpenSSL accepts pairs Deno's TLS (rustls) refuses, e.g. RSA-1024 or Ed448 keys.
    Deno.listenTls({ hostname: "127.0.0.1", port: 0, cert: certPem, key: keyPem }).close();
  } catch (error) {
    throw new CertificateFileError(
      `${certPath} with ${keyPath} cannot serve TLS here: ${(error as Error).message} ` +
        "(use an RSA key of 2048 bits or more, or ECDSA P-256/P-384)",
    );
  }
  return {
    certPem,
    keyPem,
    thumbprint: certificate.fingerprint.replaceAll(":", "").toUpperCase(),
  };
}
