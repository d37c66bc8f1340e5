/**
 * What a TLS 1.3 server says after its ServerHello, encrypted: whether it
 * sends a CertificateRequest, and its certificate. TLS 1.2 sends both in
 * clear; TLS 1.3 encrypts them under the handshake traffic keys (RFC 8446
 * 7.1), which the client derives from its own key share's private key and the
 * server's share. The probe made that key share, so it derives the server's
 * handshake key and reads these messages, without finishing the handshake
 * and with no certificate of its own.
 *
 * A TLS library cannot do this for us: none tells a client whether the
 * server asked for a certificate. Only the server's handshake key is derived,
 * and nothing is ever sent with it.
 *
 * @module
 */
import { createDecipheriv, createHash, createHmac } from "node:crypto";
import { concat } from "./client_hello.ts";
import { type ServerHello, TlsProbeError } from "./server_hello.ts";

/** What the encrypted part of a TLS 1.3 server's flight showed. */
export interface EncryptedFlight {
  /** A CertificateRequest came before the server's Certificate. */
  certificateRequested: boolean;
  /** The first certificate of the server's Certificate message (DER), if it had one. */
  certificate?: Uint8Array;
}

/** Each TLS 1.3 suite's hash, key length and AEAD cipher, by its number (RFC 8446 B.4). */
const SUITE_CRYPTO: Readonly<Record<number, { hash: string; keyBytes: number; cipher: string }>> = {
  0x1301: { hash: "sha256", keyBytes: 16, cipher: "aes-128-gcm" },
  0x1302: { hash: "sha384", keyBytes: 32, cipher: "aes-256-gcm" },
  0x1303: { hash: "sha256", keyBytes: 32, cipher: "chacha20-poly1305" },
};

const RECORD = { changeCipherSpec: 20, alert: 21, handshake: 22, applicationData: 23 };
const MESSAGE = { certificate: 11, certificateRequest: 13 };
/** An AEAD tag's length, for all three suites. */
const TAG_BYTES = 16;
/** More than the messages up to the Certificate need (a long chain is some 10 KB). */
const MAX_BYTES = 256 * 1024;

/** A decipher for GCM or ChaCha20-Poly1305: with additional data and a tag (16 bytes by default). */
type AeadDecipher = ReturnType<typeof createDecipheriv> & {
  setAAD(data: Uint8Array): unknown;
  setAuthTag(tag: Uint8Array): unknown;
};

/** The server's handshake traffic key and IV, and how to use them. */
interface HandshakeKeys {
  cipher: string;
  key: Uint8Array;
  iv: Uint8Array;
}

/**
 * Derives the server's handshake traffic key from the ClientHello and
 * ServerHello messages (each with its 4-byte header, without the record's)
 * and the ECDHE shared secret; undefined for a suite other than TLS 1.3's.
 */
export function serverHandshakeKeys(
  clientHello: Uint8Array,
  serverHello: Uint8Array,
  suite: number,
  sharedSecret: Uint8Array,
): HandshakeKeys | undefined {
  const crypto = SUITE_CRYPTO[suite];
  if (!crypto) return undefined;
  const { hash, keyBytes, cipher } = crypto;
  const digest = (data: Uint8Array) => new Uint8Array(createHash(hash).update(data).digest());
  const length = digest(new Uint8Array()).length;
  const extract = (salt: Uint8Array, input: Uint8Array) =>
    new Uint8Array(createHmac(hash, salt).update(input).digest());
  const expand = (secret: Uint8Array, label: string, context: Uint8Array, bytes: number) =>
    expandLabel(hash, secret, label, context, bytes);
  const zeros = new Uint8Array(length);
  const early = extract(zeros, zeros);
  const derived = expand(early, "derived", digest(new Uint8Array()), length);
  const handshake = extract(derived, sharedSecret);
  const transcript = digest(concat([clientHello, serverHello]));
  const traffic = expand(handshake, "s hs traffic", transcript, length);
  return {
    cipher,
    key: expand(traffic, "key", new Uint8Array(), keyBytes),
    iv: expand(traffic, "iv", new Uint8Array(), 12),
  };
}

/** HKDF-Expand-Label (RFC 8446 7.1), with HKDF-Expand (RFC 5869 2.3) over HMAC-`hash`. */
function expandLabel(
  hash: string,
  secret: Uint8Array,
  label: string,
  context: Uint8Array,
  bytes: number,
): Uint8Array {
  const name = new TextEncoder().encode(`tls13 ${label}`);
  const info = concat([
    Uint8Array.of(bytes >> 8, bytes & 0xff, name.length),
    name,
    Uint8Array.of(context.length),
    context,
  ]);
  const blocks: Uint8Array[] = [];
  let previous = new Uint8Array();
  for (let i = 1; blocks.reduce((n, b) => n + b.length, 0) < bytes; i++) {
    previous = new Uint8Array(
      createHmac(hash, secret).update(concat([previous, info, Uint8Array.of(i)])).digest(),
    );
    blocks.push(previous);
  }
  return concat(blocks).slice(0, bytes);
}

/**
 * Reads the records that follow a TLS 1.3 ServerHello, decrypting each with
 * the server's handshake key, until the server's Certificate message. Throws
 * {@linkcode TlsProbeError} for what cannot be read (a record that does not
 * decrypt, an alert, too many bytes).
 */
export class EncryptedFlightReader {
  #bytes: Uint8Array<ArrayBuffer> = new Uint8Array(0);
  #messages: Uint8Array<ArrayBuffer> = new Uint8Array(0);
  #records = 0;
  #requested = false;

  constructor(readonly keys: HandshakeKeys) {}

  /** Adds the next bytes read; returns what the flight showed once it is read, else null. */
  push(chunk: Uint8Array): EncryptedFlight | null {
    if (this.#bytes.length + chunk.length > MAX_BYTES) {
      throw new TlsProbeError("too-long", `the server sent over ${MAX_BYTES} bytes`);
    }
    this.#bytes = concat([this.#bytes, chunk]);
    while (this.#bytes.length >= 5) {
      const length = (this.#bytes[3] << 8) | this.#bytes[4];
      if (this.#bytes.length < 5 + length) return null;
      const record = this.#bytes.subarray(0, 5 + length);
      this.#bytes = this.#bytes.slice(5 + length);
      if (record[0] === RECORD.changeCipherSpec) continue; // middlebox compatibility: no content
      if (record[0] !== RECORD.applicationData) {
        throw new TlsProbeError(
          "malformed",
          `a record of type ${record[0]} in the encrypted flight`,
        );
      }
      const plain = this.#decrypt(record);
      let end = plain.length;
      while (end > 0 && plain[end - 1] === 0) end--; // padding
      if (end === 0 || plain[end - 1] !== RECORD.handshake) {
        throw new TlsProbeError("malformed", "the encrypted flight holds no handshake message");
      }
      this.#messages = concat([this.#messages, plain.subarray(0, end - 1)]);
      const flight = this.#read();
      if (flight) return flight;
    }
    return null;
  }

  /** The record decrypted with the next sequence number's nonce (RFC 8446 5.3). */
  #decrypt(record: Uint8Array): Uint8Array {
    const nonce = this.keys.iv.slice();
    const sequence = this.#records++;
    for (let i = 0; i < 4; i++) nonce[11 - i] ^= (sequence >>> (8 * i)) & 0xff;
    const body = record.subarray(5);
    if (body.length < TAG_BYTES) {
      throw new TlsProbeError("malformed", "a record shorter than its tag");
    }
    try {
      // Each of the three is an AEAD decipher; node's types know that only per literal name.
      const decipher = createDecipheriv(this.keys.cipher, this.keys.key, nonce) as AeadDecipher;
      decipher.setAAD(record.subarray(0, 5));
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      return concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new TlsProbeError("malformed", "a record of the encrypted flight did not decrypt");
    }
  }

  /** The flight once the Certificate message is whole; null while it is not. */
  #read(): EncryptedFlight | null {
    let at = 0;
    while (at + 4 <= this.#messages.length) {
      const type = this.#messages[at];
      const length = (this.#messages[at + 1] << 16) | (this.#messages[at + 2] << 8) |
        this.#messages[at + 3];
      if (at + 4 + length > this.#messages.length) return null;
      const body = this.#messages.subarray(at + 4, at + 4 + length);
      at += 4 + length;
      if (type === MESSAGE.certificateRequest) this.#requested = true;
      if (type === MESSAGE.certificate) {
        return { certificateRequested: this.#requested, certificate: firstCertificate(body) };
      }
    }
    this.#messages = this.#messages.slice(at);
    return null;
  }
}

/**
 * The x25519 shared secret of the probe's private key and the server's key
 * share; undefined where the server sent none, or one that is not a key.
 */
export async function sharedSecret(
  privateKey: CryptoKey,
  hello: ServerHello,
): Promise<Uint8Array | undefined> {
  if (!hello.keyShare || privateKey.algorithm.name !== "X25519") return undefined;
  try {
    const algorithm = { name: "X25519" };
    const key = await crypto.subtle.importKey("raw", hello.keyShare.slice(), algorithm, false, []);
    const bits = { ...algorithm, public: key } as EcdhKeyDeriveParams;
    return new Uint8Array(await crypto.subtle.deriveBits(bits, privateKey, 256));
  } catch {
    return undefined;
  }
}

/** The first certificate of a TLS 1.3 Certificate message (RFC 8446 4.4.2); undefined if empty. */
function firstCertificate(body: Uint8Array): Uint8Array | undefined {
  const contextLength = body[0] ?? 0;
  const at = 1 + contextLength + 3; // request context, then the list's 3-byte length
  if (body.length < at + 3) return undefined;
  const length = (body[at] << 16) | (body[at + 1] << 8) | body[at + 2];
  return length > 0 && at + 3 + length <= body.length
    ? body.slice(at + 3, at + 3 + length)
    : undefined;
}
