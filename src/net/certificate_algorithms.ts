/**
 * A certificate's key and signature, read from its DER bytes: what node's
 * `getPeerCertificate()` does not say (it has no signature algorithm).
 *
 * The parser (@peculiar/x509) is loaded on the first certificate, not at
 * start-up: loading it and parsing the first certificate took 0.16 to 0.37 s
 * here, which a run that never sees a certificate should not pay.
 *
 * @module
 */

/** The key a certificate holds and the algorithm it is signed with. */
export interface CertificateAlgorithms {
  /** `RSA`, `RSA-PSS`, `EC`, `Ed25519`, `Ed448`, or the key algorithm's OID. */
  keyType: string;
  /** The RSA modulus or EC curve size; null where there is none to tell (Ed25519). */
  keyBits: number | null;
  /** For an EC key, its curve: `P-256`, `P-384`, `brainpoolP256r1`, ...; else null. */
  keyCurve: string | null;
  /** As OpenSSL names it: `sha256WithRSAEncryption`, `ecdsa-with-SHA256`, `ED25519`, or an OID. */
  signatureAlgorithm: string;
  /** The signature's hash: `SHA-256`, `SHA-1`, `MD5`; null where it has none of its own (Ed25519). */
  signatureHash: string | null;
}

/** The WebCrypto key names @peculiar/x509 uses, as OpenSSL's key types. */
const KEY_TYPES: Record<string, string> = {
  "RSASSA-PKCS1-v1_5": "RSA",
  "RSA-PSS": "RSA-PSS",
  ECDSA: "EC",
  Ed25519: "Ed25519",
};

const CURVE_BITS: Record<string, number> = {
  "P-256": 256,
  "P-384": 384,
  "P-521": 521,
  "K-256": 256,
};

/** Signatures @peculiar/x509 leaves as bare OIDs, by OpenSSL's name and hash. */
const UNNAMED_SIGNATURES: Record<string, { name: string; hash: string }> = {
  "1.2.840.113549.1.1.4": { name: "md5WithRSAEncryption", hash: "MD5" },
};

type X509 = typeof import("@peculiar/x509");
let parser: Promise<X509> | undefined;

/** @peculiar/x509, loaded once, after the `reflect-metadata` its dependency injection needs. */
function loadParser(): Promise<X509> {
  parser ??= import("reflect-metadata").then(() => import("@peculiar/x509"));
  return parser;
}

/** Reads the key and signature algorithm of a DER certificate. */
export async function certificateAlgorithms(der: Uint8Array): Promise<CertificateAlgorithms> {
  const x509 = await loadParser();
  const certificate = new x509.X509Certificate(Uint8Array.from(der));
  const key = certificate.publicKey.algorithm as Algorithm & {
    modulusLength?: number;
    namedCurve?: string;
  };
  const ed = key.name === "EdDSA" ? key.namedCurve : undefined; // Ed448 comes as EdDSA
  const keyType = ed ?? KEY_TYPES[key.name] ?? key.name;
  const keyCurve = keyType === "EC" ? key.namedCurve ?? null : null;
  return {
    keyType,
    keyBits: key.modulusLength ?? CURVE_BITS[keyCurve ?? ""] ?? null,
    keyCurve,
    ...signature(certificate.signatureAlgorithm),
  };
}

/** OpenSSL's name for a signature algorithm as @peculiar/x509 describes it, and its hash. */
function signature(
  algorithm: Algorithm & { hash?: Algorithm; namedCurve?: string },
): Pick<CertificateAlgorithms, "signatureAlgorithm" | "signatureHash"> {
  const hash = algorithm.hash?.name ?? null; // `SHA-256`
  const bare = hash?.replace("-", ""); // `SHA256`
  switch (bare && algorithm.name) {
    case "RSASSA-PKCS1-v1_5":
      return { signatureAlgorithm: `${bare!.toLowerCase()}WithRSAEncryption`, signatureHash: hash };
    case "ECDSA":
      return { signatureAlgorithm: `ecdsa-with-${bare}`, signatureHash: hash };
  }
  switch (algorithm.name) {
    case "RSA-PSS":
      return { signatureAlgorithm: "rsassaPss", signatureHash: hash };
    case "Ed25519":
    case "EdDSA": {
      const curve = algorithm.namedCurve ?? algorithm.name;
      return { signatureAlgorithm: curve.toUpperCase(), signatureHash: null };
    }
  }
  const unnamed = UNNAMED_SIGNATURES[algorithm.name];
  return unnamed
    ? { signatureAlgorithm: unnamed.name, signatureHash: unnamed.hash }
    : { signatureAlgorithm: algorithm.name, signatureHash: hash };
}
