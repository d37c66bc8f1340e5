/**
 * What the first bytes of an answer say about the protocol on the port: a
 * plain request answered in TLS means a TLS port, whatever else came with it.
 *
 * @module
 */

/** How many of an answer's first bytes are kept to look at. */
export const SNIFF_BYTES = 1024;

/**
 * Whether `bytes` start with a TLS record: an alert (0x15) or a handshake
 * (0x16), version 3.x. What a TLS server sends to a plain HTTP request.
 */
export function startsWithTlsRecord(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && (bytes[0] === 0x15 || bytes[0] === 0x16) && bytes[1] === 0x03 &&
    bytes[2] <= 0x04;
}

/** Whether `bytes` start a TLS ClientHello: what a TLS client sends first. */
export function startsWithClientHello(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x16 && bytes[1] === 0x03;
}

/** Whether an answer is a web server's page saying a plain request came to its TLS port (nginx). */
export function isPlainToTlsPage(bytes: Uint8Array): boolean {
  return /plain HTTP request was sent to HTTPS port/i.test(new TextDecoder("latin1").decode(bytes));
}
