/**
 * The headers by which ping and pong recognise each other and prove what
 * arrived. A Tentacle or web server sends none of them, so ping skips the
 * checks that need them.
 *
 * @module
 */

/** The name in the certificate pong makes for itself: a handshake that shows it reached pong. */
export const PONG_COMMON_NAME = "OctoPing Pong";

/** Header names, as written; lower-case them to look them up in a parsed head. */
export const HEADERS = {
  /** On pong's answer: `pong <version>`. */
  pong: "X-OctoPing",
  /** On pong's answer, and on its `102 Processing` while a request arrives: the bytes it has read. */
  bytesRead: "X-OctoPing-Bytes-Read",
  /**
   * On ping's request: `1` asks pong for a `102 Processing` with the bytes it has read, each
   * second while the request arrives, so that ping sees what was delivered, not only what its
   * socket took.
   */
  progress: "X-OctoPing-Progress",
  /**
   * On pong's answer: milliseconds from the request's first byte to its last, as pong read
   * them; with the time to the first byte back, ping tells the transfer from the wait.
   */
  readMs: "X-OctoPing-Read-Ms",
  /** On ping's request: bytes pong should send back (`/reverse`); on pong's answer: what it sends. */
  reverse: "X-OctoPing-Reverse",
  /** On pong's answer when it will not send what was asked: why. */
  refused: "X-OctoPing-Refused",
  /** On pong's answer: the SHA-1 thumbprint of the certificate pong serves, or `none`. */
  certificate: "X-OctoPing-Certificate",
  /** On pong's answer: the SHA-1 of the client certificate pong received, or `none`. */
  clientCertificate: "X-OctoPing-Client-Certificate",
  /** On pong's refusal: the most it sends back per request, in bytes (0: nothing). */
  maxSend: "X-OctoPing-Max-Send",
} as const;
