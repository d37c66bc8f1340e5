/**
 * The request ping sends: the head, and in data mode a payload line between
 * it and the blank line that ends it.
 *
 * @module
 */
import type { Target } from "../options/options.ts";
import { joinHostPort } from "../net/address.ts";
import { HEADERS } from "../net/protocol.ts";

/** The parts of one request around its payload. */
export interface RequestFrame {
  /** Request line and headers, each line ending in CRLF. */
  head: Uint8Array;
  /** Ends the payload line (when there is one) and the request: the blank line. */
  tail: Uint8Array;
  /** Total bytes of the request: head, payload and tail. */
  totalBytes: number;
}

/** The request for one connection: `payloadBytes` sent, and `reverseBytes` asked back from pong. */
export function requestFrame(target: Target, payloadBytes: number, reverseBytes = 0): RequestFrame {
  const encoder = new TextEncoder();
  const reverse = reverseBytes > 0 ? `${HEADERS.reverse}: ${reverseBytes}\r\n` : "";
  const head = encoder.encode(
    `GET / HTTP/1.1\r\nHost: ${joinHostPort(target.host, target.port)}\r\n` +
      `Connection: close\r\n${reverse}`,
  );
  const tail = encoder.encode(payloadBytes > 0 ? "\r\n\r\n" : "\r\n");
  return { head, tail, totalBytes: head.length + payloadBytes + tail.length };
}
