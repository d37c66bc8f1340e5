/**
 * The little of DER (X.690) that OctoPing needs to build its own self-signed
 * certificate and to read a peer certificate's key and signature algorithms,
 * without loading an X.509 library on ping's path (that took 0.14 s here).
 *
 * @module
 */

/** The DER tags used here. */
export const TAG = {
  integer: 0x02,
  bitString: 0x03,
  null: 0x05,
  oid: 0x06,
  utf8String: 0x0c,
  sequence: 0x30,
  set: 0x31,
  utcTime: 0x17,
  generalizedTime: 0x18,
  /** `[0]`, constructed: a certificate's version, RSA-PSS's hash. */
  context0: 0xa0,
} as const;

/** One element read: its tag and its contents (a view into the bytes read). */
export interface DerElement {
  tag: number;
  contents: Uint8Array;
}

/** Bytes that are not the DER expected. */
export class DerError extends Error {
  override name = "DerError";
}

// --- Writing ---------------------------------------------------------------

/** An element of `tag` around the `parts`, in order. */
export function encode(tag: number, ...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const length = parts.reduce((sum, part) => sum + part.length, 0);
  const lengthBytes = length < 0x80 ? [length] : bigEndian(length);
  const header = length < 0x80 ? lengthBytes : [0x80 | lengthBytes.length, ...lengthBytes];
  const element = new Uint8Array(1 + header.length + length);
  element.set([tag, ...header]);
  let at = 1 + header.length;
  for (const part of parts) {
    element.set(part, at);
    at += part.length;
  }
  return element;
}

/** An OBJECT IDENTIFIER from its dotted text, `1.2.840.113549.1.1.11`. */
export function encodeOid(text: string): Uint8Array {
  const [first, second, ...rest] = text.split(".").map(Number);
  const bytes = [40 * first + second];
  for (const arc of rest) {
    const sevens = [arc & 0x7f];
    for (let left = Math.floor(arc / 0x80); left > 0; left = Math.floor(left / 0x80)) {
      sevens.unshift(0x80 | (left & 0x7f));
    }
    bytes.push(...sevens);
  }
  return encode(TAG.oid, new Uint8Array(bytes));
}

/** A UTCTime up to 2049, a GeneralizedTime from 2050, as RFC 5280 has it, to the second. */
export function encodeTime(time: Date): Uint8Array {
  const digits = time.toISOString().replace(/\.\d+Z$/, "Z").replace(/[-:T]/g, "");
  const year = time.getUTCFullYear();
  const utc = year >= 1950 && year < 2050;
  return encode(utc ? TAG.utcTime : TAG.generalizedTime, utf8Bytes(utc ? digits.slice(2) : digits));
}

function bigEndian(value: number): number[] {
  const bytes = [];
  for (let left = value; left > 0; left = Math.floor(left / 256)) bytes.unshift(left % 256);
  return bytes;
}

/** The UTF-8 bytes of `text` (ASCII as it is). */
export function utf8Bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

// --- Reading ---------------------------------------------------------------

/** The elements one after another in `bytes` (a SEQUENCE's contents, say). */
export function decodeAll(bytes: Uint8Array): DerElement[] {
  const elements: DerElement[] = [];
  for (let at = 0; at < bytes.length;) {
    const { element, next } = decodeAt(bytes, at);
    elements.push(element);
    at = next;
  }
  return elements;
}

/** The one element `bytes` hold, of `tag`. */
export function decodeOne(bytes: Uint8Array, tag: number): DerElement {
  const { element, next } = decodeAt(bytes, 0);
  if (next !== bytes.length) throw new DerError("bytes after the element");
  return expectTag(element, tag);
}

/** `element` if it has `tag`. */
export function expectTag(element: DerElement | undefined, tag: number): DerElement {
  if (element?.tag !== tag) {
    throw new DerError(`expected tag ${tag}, found ${element?.tag ?? "nothing"}`);
  }
  return element;
}

/** An OBJECT IDENTIFIER's dotted text. */
export function decodeOid(element: DerElement | undefined): string {
  const { contents } = expectTag(element, TAG.oid);
  if (contents.length === 0) throw new DerError("an empty OID");
  const arcs = [Math.min(2, Math.floor(contents[0] / 40)), 0];
  arcs[1] = contents[0] - 40 * arcs[0];
  let arc = 0;
  for (const byte of contents.subarray(1)) {
    arc = arc * 0x80 + (byte & 0x7f);
    if (byte & 0x80) continue;
    arcs.push(arc);
    arc = 0;
  }
  return arcs.join(".");
}

function decodeAt(bytes: Uint8Array, at: number): { element: DerElement; next: number } {
  if (at + 2 > bytes.length) throw new DerError("cut short");
  const tag = bytes[at];
  let length = bytes[at + 1];
  let start = at + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4 || start + count > bytes.length) {
      throw new DerError("a length DER does not allow");
    }
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[start + i];
    start += count;
  }
  const next = start + length;
  if (next > bytes.length) throw new DerError("cut short");
  return { element: { tag, contents: bytes.subarray(start, next) }, next };
}
