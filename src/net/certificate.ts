/**
 * Self-signed certificates made at start-up (no private key lives in the
 * repository) — the one pong serves and the client certificate ping presents —
 * shown by their SHA-1 thumbprints the way Octopus shows them; and
 * certificates read from PEM files.
 *
 * @module
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import { encode, encodeOid, encodeTime, TAG, utf8Bytes } from "./der.ts";
import { fingerprintHex } from "./peer_certificate.ts";
import { PONG_COMMON_NAME } from "./protocol.ts";
import { RSA_ALGORITHM, rsaKeyPair } from "./rsa_key.ts";

/** A certificate and its private key, both PEM, with the certificate's thumbprint. */
export interface CertificateWithKey {
  certPem: string;
  keyPem: string;
  /** SHA-1 of the DER certificate: 40 uppercase hex digits. */
  thumbprint: string;
}

const DAY_MS = 86_400_000;
const OID = {
  sha256WithRSAEncryption: "1.2.840.113549.1.1.11",
  commonName: "2.5.4.3",
};

/**
 * Makes a fresh self-signed RSA 2048 / SHA-256 certificate for `CN=<commonName>`:
 * X.509 v3 with no extensions, signed by WebCrypto, written here in DER.
 */
export async function createSelfSignedCertificate(
  commonName = PONG_COMMON_NAME,
): Promise<CertificateWithKey> {
  const keys = await rsaKeyPair();
  const serial = crypto.getRandomValues(new Uint8Array(8));
  serial[0] = (serial[0] & 0x7f) | 0x40; // positive, and 8 bytes as DER writes it
  const signature = encode(TAG.sequence, encodeOid(OID.sha256WithRSAEncryption), encode(TAG.null));
  const name = encode(
    TAG.sequence,
    encode(
      TAG.set,
      encode(
        TAG.sequence,
        encodeOid(OID.commonName),
        encode(TAG.utf8String, utf8Bytes(commonName)),
      ),
    ),
  );
  const now = Date.now();
  const tbs = encode(
    TAG.sequence,
    encode(TAG.context0, encode(TAG.integer, new Uint8Array([2]))), // v3
    encode(TAG.integer, serial),
    signature,
    name,
    // A day's slack either side, so a peer whose clock is off still sees it as valid.
    encode(
      TAG.sequence,
      encodeTime(new Date(now - DAY_MS)),
      encodeTime(new Date(now + 365 * DAY_MS)),
    ),
    name,
    new Uint8Array(await crypto.subtle.exportKey("spki", keys.publicKey)),
  );
  const signed = new Uint8Array(await crypto.subtle.sign(RSA_ALGORITHM, keys.privateKey, tbs));
  const der = encode(
    TAG.sequence,
    tbs,
    signature,
    encode(TAG.bitString, new Uint8Array([0]), signed), // no unused bits
  );
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", keys.privateKey));
  return {
    certPem: pem("CERTIFICATE", der),
    keyPem: pem("PRIVATE KEY", pkcs8),
    thumbprint: await thumbprint(der),
  };
}

/** PEM: the DER in base64, 64 characters a line, between its labels. */
function pem(label: string, der: Uint8Array): string {
  const lines = der.toBase64().match(/.{1,64}/g)!;
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
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
