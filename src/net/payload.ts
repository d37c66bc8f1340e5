/**
 * Payload bytes for data mode, both ways: incompressible printable bytes with
 * no CR or LF (WAN optimisers would shrink a run of `A`s), made once and
 * written from one reusable buffer whatever the size sent.
 *
 * @module
 */

/** Size of the reusable payload buffer: writes take slices of it. */
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
