/**
 * The RSA 2048 key pair of a certificate made for a run, which can be started
 * before the command's modules load: making it takes 0.1 to 0.6 s, on a thread
 * of its own (WebCrypto), and it is needed only when the certificate is built.
 *
 * @module
 */

/**
 * RSA 2048 with SHA-256, what a Tentacle's and an Octopus Server's certificates
 * are: Octopus's TLS 1.2 suites are ECDHE-RSA, and a server that asks for a client
 * certificate may list no other kind.
 */
export const RSA_ALGORITHM = {
  name: "RSASSA-PKCS1-v1_5",
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash: "SHA-256",
};

/** The pair started by {@linkcode startRsaKeyPair}, until a certificate takes it. */
let started: Promise<CryptoKeyPair> | undefined;

/** Starts making a key pair for the next certificate made, while other work goes on. */
export function startRsaKeyPair(): void {
  started ??= generate();
  // Taken and awaited later; a run that ends before then must not die of its rejection.
  started.catch(() => {});
}

/** A fresh key pair: the one started early if there is one (each is used once), else a new one. */
export function rsaKeyPair(): Promise<CryptoKeyPair> {
  const keys = started ?? generate();
  started = undefined;
  return keys;
}

/**
 * Two keys made at once, the first ready taken: making one is a search for primes whose time is
 * luck (80 to 600 ms), so the faster of two cut a one-shot ping from 273 to 227 ms, median of 40
 * on 2 cores, for about 0.12 s more CPU. The other is dropped when it is done.
 */
function generate(): Promise<CryptoKeyPair> {
  const one = () => crypto.subtle.generateKey(RSA_ALGORITHM, true, ["sign", "verify"]);
  return Promise.any([one(), one()]);
}
