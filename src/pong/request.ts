/**
 * Finding the end of a request — its first blank line — while counting its
 * bytes, without keeping any of it: a 1 GB line is counted, never held.
 *
 * @module
 */

const LF = 10;
const CR = 13;

/** Counts a request's bytes up to and including its first blank line. */
export class RequestScanner {
  /** Bytes of the request seen so far, up to the end of the blank line once found. */
  bytes = 0;
  /** True once the blank line has been seen. */
  done = false;
  // True at the start of a line, and after a line's leading CRs: a LF now ends the request.
  #lineEmpty = true;

  /**
   * Takes the next chunk; returns how many of its bytes belong to the request
   * (all of them, unless the blank line ends inside it).
   */
  push(chunk: Uint8Array): number {
    if (this.done) return 0;
    let i = 0;
    while (i < chunk.length) {
      if (this.#lineEmpty) {
        while (i < chunk.length && chunk[i] === CR) i++;
        if (i === chunk.length) break;
        if (chunk[i] === LF) {
          this.done = true;
          this.bytes += i + 1;
          return i + 1;
        }
        this.#lineEmpty = false;
      }
      const lf = chunk.indexOf(LF, i);
      if (lf < 0) break;
      i = lf + 1;
      this.#lineEmpty = true;
    }
    this.bytes += chunk.length;
    return chunk.length;
  }
}
