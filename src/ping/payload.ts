/**
 * The bytes ping sends: the request head, and in data mode a payload line of
 * incompressible printable bytes (WAN optimisers would shrink a run of `A`s),
 * written from one reusable buffer whatever the chunk size.
 *
 * @module
 */
import type { Target } from "../cli/options.ts";
import { joinHostPort } from "../net/address.ts";

/** Size of the reusable payload buffer, and of each write. */
export const POOL_BYTES = 1024 * 1024;

const ALPHABET = new TextEncoder().encode(
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
);
let pool: Uint8Array<ArrayBuffer> | undefined;

/** Random printable bytes with no CR or LF, made once and never modified. */
export function payloadPool(): Uint8Array<ArrayBuffer> {
  if (!pool) {
    pool = new Uint8Array(POOL_BYTES);
    // getRandomValues fills at most 64 KiB per call.
    for (let at = 0; at < pool.length; at += 65_536) {
      crypto.getRandomValues(pool.subarray(at, at + 65_536));
    }
    for (let i = 0; i < pool.length; i++) pool[i] = ALPHABET[pool[i] & 63];
  }
  return pool;
}

/** The parts of one request around its payload. */
export interface RequestFrame {
  /** Request line and headers, each line ending in CRLF. */
  head: Uint8Array;
  /** Ends the payload line (when there is one) and the request: the blank line. */
  tail: Uint8Array;
  /** Total bytes of the request: head, payload and tail. */
  totalBytes: number;
}

/** The request for one connection carrying `payloadBytes` of payload. */
export function requestFrame(target: Target, payloadBytes: number): RequestFrame {
  const encoder = new TextEncoder();
  const head = encoder.encode(
    `GET / HTTP/1.1\r\nHost: ${joinHostPort(target.host, target.port)}\r\nConnection: close\r\n`,
  );
  const tail = encoder.encode(payloadBytes > 0 ? "\r\n\r\n" : "\r\n");
  return { head, tail, totalBytes: head.length + payloadBytes + tail.length };
}
