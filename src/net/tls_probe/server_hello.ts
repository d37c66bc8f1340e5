/**
 * The server's first flight, read from raw bytes as they arrive over TCP:
 * its ServerHello or HelloRetryRequest, and for TLS 1.2 and older the
 * messages it sends in clear up to ServerHelloDone (its Certificate and
 * CertificateRequest), or the alert it answers with instead.
 *
 * A record or a handshake message may be split across TCP chunks, and one
 * record may hold several messages: {@linkcode FlightReader} keeps the bytes
 * until it has a whole flight. Whatever it is fed, it throws nothing but
 * {@linkcode TlsProbeError}.
 *
 * @module
 */
import { type TlsVersion, versionName } from "./suites.ts";

/** Why a server's answer could not be read as a TLS flight. */
export type TlsProbeErrorReason = "closed" | "truncated" | "malformed" | "too-long";

/** The one error the probe's parser throws: the bytes are not (or not all) a server's flight. */
export class TlsProbeError extends Error {
  override name = "TlsProbeError";
  constructor(readonly reason: TlsProbeErrorReason, message: string) {
    super(message);
  }
}

/** The ServerHello, or a TLS 1.3 HelloRetryRequest (which has the same form). */
export interface ServerHello {
  /** The version agreed: supported_versions' if present, else the hello's own; null if unknown. */
  version: TlsVersion | null;
  /** The version number as sent (supported_versions' when present). */
  versionCode: number;
  /** The suite the server chose. */
  suite: number;
  /** TLS 1.3: the group of the server's key_share (or the one a HelloRetryRequest asks for). */
  group: number | null;
  /** A HelloRetryRequest: the server wants a key share for `group` before it goes on. */
  retry: boolean;
  /** TLS 1.3: the server's public key in its key_share; absent in a HelloRetryRequest. */
  keyShare?: Uint8Array;
}

/** An alert the server sent (RFC 8446 6). */
export interface Alert {
  level: number;
  description: number;
  /** e.g. `handshake_failure`, `protocol_version`; `alert 123` for one not listed. */
  name: string;
}

/** What the server's first flight showed, up to where the probe stops reading. */
export interface ServerFlight {
  /** Absent when the server answered with an alert straight away. */
  hello?: ServerHello;
  /** The first certificate of the Certificate message (DER); TLS <= 1.2 only, as it is in clear. */
  certificate?: Uint8Array;
  /** A CertificateRequest came (TLS <= 1.2 only). */
  certificateRequested: boolean;
  /** The alert that ended the flight, if one did. */
  alert?: Alert;
  /** TLS 1.3: the ServerHello message as sent (with its header), for the handshake's transcript. */
  serverHelloMessage?: Uint8Array;
  /** TLS 1.3: the bytes read past the ServerHello's record: the start of the encrypted flight. */
  following?: Uint8Array;
}

/** The random of a HelloRetryRequest: SHA-256 of "HelloRetryRequest" (RFC 8446 4.1.3). */
export const HELLO_RETRY_RANDOM = Uint8Array.from(
  "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c".match(/../g)!,
  (byte) => parseInt(byte, 16),
);

/** More than any first flight needs (a long certificate chain is some 10 KB). */
const MAX_FLIGHT_BYTES = 256 * 1024;
/** A record's fragment: 2^14 plus what compression or encryption may add (RFC 5246 6.2.3). */
const MAX_RECORD_BYTES = 16384 + 2048;

const RECORD = { changeCipherSpec: 20, alert: 21, handshake: 22, applicationData: 23 };
const MESSAGE = {
  serverHello: 2,
  certificate: 11,
  serverKeyExchange: 12,
  certificateRequest: 13,
  serverHelloDone: 14,
};
const EXTENSION = { supportedVersions: 0x002b, keyShare: 0x0033 };

const ALERTS: Record<number, string> = {
  0: "close_notify",
  10: "unexpected_message",
  20: "bad_record_mac",
  22: "record_overflow",
  40: "handshake_failure",
  42: "bad_certificate",
  47: "illegal_parameter",
  50: "decode_error",
  51: "decrypt_error",
  70: "protocol_version",
  71: "insufficient_security",
  80: "internal_error",
  86: "inappropriate_fallback",
  90: "user_canceled",
  109: "missing_extension",
  110: "unsupported_extension",
  112: "unrecognized_name",
  116: "certificate_required",
  120: "no_application_protocol",
};

/** Reads a server's first flight from the chunks of a TCP stream. */
export class FlightReader {
  #bytes = new Uint8Array(0);

  /**
   * Adds the next chunk read; returns the flight once it is complete (ended
   * by ServerHelloDone, a TLS 1.3 ServerHello or HelloRetryRequest, or an
   * alert), else null to ask for more.
   */
  push(chunk: Uint8Array): ServerFlight | null {
    if (this.#bytes.length + chunk.length > MAX_FLIGHT_BYTES) {
      throw new TlsProbeError("too-long", `the server sent over ${MAX_FLIGHT_BYTES} bytes`);
    }
    const bytes = new Uint8Array(this.#bytes.length + chunk.length);
    bytes.set(this.#bytes);
    bytes.set(chunk, this.#bytes.length);
    this.#bytes = bytes;
    return readFlight(bytes);
  }

  /** The server closed the connection before a whole flight: throws the error that says so. */
  end(): never {
    if (this.#bytes.length === 0) {
      throw new TlsProbeError("closed", "the server closed the connection without a word");
    }
    throw new TlsProbeError(
      "truncated",
      `the server closed the connection in the middle of its answer (${this.#bytes.length} bytes)`,
    );
  }
}

/** Reads a flight from all the bytes so far: null if it needs more. */
function readFlight(bytes: Uint8Array): ServerFlight | null {
  const flight: ServerFlight = { certificateRequested: false };
  let handshakes = new Uint8Array(0);
  let at = 0;
  while (at + 5 <= bytes.length) {
    const type = bytes[at];
    const length = (bytes[at + 3] << 8) | bytes[at + 4];
    if (!Object.values(RECORD).includes(type) || bytes[at + 1] !== 3) {
      throw malformed(`a record of type ${type}, version ${bytes[at + 1]}.${bytes[at + 2]}`);
    }
    if (length > MAX_RECORD_BYTES) throw malformed(`a record of ${length} bytes`);
    if (at + 5 + length > bytes.length) return null;
    const fragment = bytes.subarray(at + 5, at + 5 + length);
    at += 5 + length;
    if (type === RECORD.alert) {
      if (length < 2) throw malformed(`an alert of ${length} bytes`);
      const [level, description] = fragment;
      flight.alert = { level, description, name: ALERTS[description] ?? `alert ${description}` };
      return flight;
    }
    if (type !== RECORD.handshake) {
      throw malformed(
        flight.hello
          ? `a record of type ${type} before the flight ended`
          : `a record of type ${type} before the ServerHello`,
      );
    }
    const joined = new Uint8Array(handshakes.length + fragment.length);
    joined.set(handshakes);
    joined.set(fragment, handshakes.length);
    handshakes = joined;
    const done = readMessages(handshakes, flight);
    if (done) {
      if (flight.serverHelloMessage) flight.following = bytes.slice(at);
      return flight;
    }
  }
  return null;
}

/** Reads the handshake messages so far into `flight`; true once the flight is over. */
function readMessages(bytes: Uint8Array, flight: ServerFlight): boolean {
  flight.certificateRequested = false;
  let at = 0;
  let first = true;
  while (at + 4 <= bytes.length) {
    const type = bytes[at];
    const length = (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3];
    if (at + 4 + length > bytes.length) return false;
    const body = bytes.subarray(at + 4, at + 4 + length);
    at += 4 + length;
    if (first !== (type === MESSAGE.serverHello)) {
      throw malformed(
        first ? `handshake message ${type} before the ServerHello` : "a second ServerHello",
      );
    }
    first = false;
    switch (type) {
      case MESSAGE.serverHello:
        flight.hello = serverHello(body);
        if (flight.hello.version === "TLSv1.3" && !flight.hello.retry) {
          flight.serverHelloMessage = bytes.slice(at - 4 - length, at);
        }
        if (flight.hello.retry || flight.hello.version === "TLSv1.3") return true;
        break;
      case MESSAGE.certificate:
        flight.certificate = firstCertificate(body);
        break;
      case MESSAGE.certificateRequest:
        flight.certificateRequested = true;
        break;
      case MESSAGE.serverHelloDone:
        return true;
        // Others (ServerKeyExchange, CertificateStatus, ...) say nothing the probe needs.
    }
  }
  return false;
}

function serverHello(body: Uint8Array): ServerHello {
  const reader = new Reader(body, "ServerHello");
  let versionCode = reader.u16();
  const random = reader.bytes(32);
  reader.bytes(reader.u8()); // session id
  const suite = reader.u16();
  reader.u8(); // compression
  const retry = random.every((byte, i) => byte === HELLO_RETRY_RANDOM[i]);
  let group: number | null = null;
  let keyShare: Uint8Array | undefined;
  if (!reader.done()) {
    const extensions = new Reader(reader.bytes(reader.u16()), "ServerHello's extensions");
    while (!extensions.done()) {
      const type = extensions.u16();
      const data = new Reader(extensions.bytes(extensions.u16()), `extension ${type}`);
      if (type === EXTENSION.supportedVersions) versionCode = data.u16();
      if (type === EXTENSION.keyShare) {
        group = data.u16();
        if (!retry) keyShare = data.bytes(data.u16()).slice();
      }
    }
  }
  const hello = { version: versionName(versionCode) ?? null, versionCode, suite, group, retry };
  return keyShare ? { ...hello, keyShare } : hello;
}

/** The first certificate of a TLS 1.2 Certificate message; undefined for an empty list. */
function firstCertificate(body: Uint8Array): Uint8Array | undefined {
  const reader = new Reader(body, "Certificate");
  const list = new Reader(reader.bytes(reader.u24()), "the certificate list");
  return list.done() ? undefined : list.bytes(list.u24()).slice();
}

function malformed(what: string): TlsProbeError {
  return new TlsProbeError("malformed", `the server's answer is not TLS: ${what}`);
}

/** Reads big-endian numbers and vectors, throwing a probe error past the end. */
class Reader {
  #at = 0;
  constructor(readonly data: Uint8Array, readonly what: string) {}

  done(): boolean {
    return this.#at >= this.data.length;
  }

  u8(): number {
    return this.bytes(1)[0];
  }

  u16(): number {
    const [a, b] = this.bytes(2);
    return (a << 8) | b;
  }

  u24(): number {
    const [a, b, c] = this.bytes(3);
    return (a << 16) | (b << 8) | c;
  }

  bytes(count: number): Uint8Array {
    if (this.#at + count > this.data.length) {
      throw malformed(`${this.what} is shorter than its lengths say`);
    }
    this.#at += count;
    return this.data.subarray(this.#at - count, this.#at);
  }
}
