/**
 * Self-signed certificates made at start-up (no private key lives in the
 * repository) — the one pong serves and the client certificate ping presents —
 * shown by their SHA-1 thumbprints the way Octopus shows them; and
 * certificates read from PEM files.
 *
 * @module
 */
import "reflect-metadata"; // @peculiar/x509's dependency injection needs it loaded first.
import * as x509 from "@peculiar/x509";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { fingerprintHex } from "./peer_certificate.ts";
import { PONG_COMMON_NAME } from "./protocol.ts";

/** A certificate and its private key, both PEM, with the certificate's thumbprint. */
export interface CertificateWithKey {
  certPem: string;
  keyPem: string;
  /** SHA-1 of the DER certificate: 40 uppercase hex digits. */
  thumbprint: string;
}

/**
 * RSA 2048 with SHA-256, what a Tentacle's and an Octopus Server's certificates
 * are: Octopus's TLS 1.2 suites are ECDHE-RSA, so a probe of pong finds them.
 */
const ALGORITHM = {
  name: "RSASSA-PKCS1-v1_5",
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash: "SHA-256",
};
const DAY_MS = 86_400_000;

/** Makes a fresh self-signed RSA 2048 / SHA-256 certificate for `CN=<commonName>`. */
export async function createSelfSignedCertificate(
  commonName = PONG_COMMON_NAME,
): Promise<CertificateWithKey> {
  const keys = await crypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"]);
  const serial = crypto.getRandomValues(new Uint8Array(8));
  serial[0] &= 0x7f; // a positive serial number
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial.toHex(),
    name: `CN=${commonName}`,
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
): Promise<CertificateWithKey> {
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
  return checkPair(certPem, keyPem, certPath, keyPath);
}

/**
 * Reads a PFX (PKCS#12, what Octopus's `export-certificate` commands write)
 * with its password: the first certificate and the key that belongs to it.
 */
export async function loadPfx(path: string, password: string): Promise<CertificateWithKey> {
  let der: Uint8Array;
  try {
    der = await Deno.readFile(path);
  } catch (error) {
    throw new CertificateFileError(`cannot read the PFX ${path}: ${(error as Error).message}`);
  }
  // Loaded only here: a PFX is rare, and the library is large.
  // @ts-types="@types/node-forge"
  const { default: forge } = await import("node-forge");
  let certPem: string;
  let keyPem: string;
  try {
    const binary = latin1(der);
    const pfx = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(binary), password);
    const certBag = pfx.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag]?.[0];
    const keyBag = pfx.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag })[
      forge.pki.oids.pkcs8ShroudedKeyBag
    ]?.[0] ?? pfx.getBags({ bagType: forge.pki.oids.keyBag })[forge.pki.oids.keyBag]?.[0];
    if (!certBag?.cert || !keyBag?.key) throw new Error("it holds no certificate with its key");
    certPem = forge.pki.certificateToPem(certBag.cert);
    keyPem = forge.pki.privateKeyToPem(keyBag.key);
  } catch (error) {
    const why = /invalid password|mac could not be verified/i.test((error as Error).message)
      ? "the password is wrong (give it with /clientpassword or OCTOPING_CLIENT_PASSWORD)"
      : (error as Error).message;
    throw new CertificateFileError(`cannot read the PFX ${path}: ${why}`);
  }
  return checkPair(certPem, keyPem, path, path);
}

function latin1(bytes: Uint8Array): string {
  let text = "";
  for (let at = 0; at < bytes.length; at += 8192) {
    text += String.fromCharCode(...bytes.subarray(at, at + 8192));
  }
  return text;
}

/** A certificate and key that belong together and that this tool's TLS can use. */
function checkPair(
  certPem: string,
  keyPem: string,
  certPath: string,
  keyPath: string,
): CertificateWithKey {
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
    thumbprint: fingerprintHex(certificate.fingerprint),
  };
}
