/**
 * Pong's read buffers: each connection reads into one small buffer of its
 * own, reused from read to read, and one that fills it (a bulk upload)
 * borrows a large one, of which there are only a few. Reading into a fresh
 * buffer each time cost a third of a TLS receive's CPU in allocation and
 * collection; larger reads mean fewer reads and fewer chunks for the TLS layer
 * to decrypt. Capping how many large buffers exist keeps pong's memory flat
 * under /maxconn clients.
 *
 * @module
 */

/** Large buffers shared by a server's connections, at most `limit` of them ever made. */
export class LargeBuffers {
  /** Size of each buffer lent. */
  readonly size: number;
  #free: Uint8Array<ArrayBuffer>[] = [];
  #made = 0;
  #limit: number;

  constructor(limit: number, size: number) {
    this.#limit = limit;
    this.size = size;
  }

  /** A large buffer, or undefined when all `limit` are lent out. */
  borrow(): Uint8Array<ArrayBuffer> | undefined {
    const reused = this.#free.pop();
    if (reused) return reused;
    if (this.#made >= this.#limit) return undefined;
    this.#made++;
    return new Uint8Array(this.size);
  }

  /** Returns a buffer {@linkcode LargeBuffers.borrow} lent. */
  giveBack(buffer: Uint8Array<ArrayBuffer>): void {
    this.#free.push(buffer);
  }
}

/**
 * One connection's read buffer: small at first, large once a read fills it
 * and a large one is free, reused for every read until {@linkcode ReadBuffer.release}.
 */
export class ReadBuffer {
  /** Made at the first read: a TLS connection's plain stream never reads. */
  #buffer: Uint8Array<ArrayBuffer> | undefined;
  #borrowed = false;
  /** Set once the connection has closed: a read that comes back after it borrows nothing. */
  #released = false;
  readonly #smallBytes: number;
  readonly #large: LargeBuffers;

  constructor(smallBytes: number, large: LargeBuffers) {
    this.#smallBytes = smallBytes;
    this.#large = large;
  }

  /** The buffer to read into next. */
  get current(): Uint8Array<ArrayBuffer> {
    return this.#buffer ??= new Uint8Array(this.#smallBytes);
  }

  /** After a read of `n` bytes: a read that filled the small buffer moves to a large one. */
  filled(n: number): void {
    if (n < this.current.length || this.#borrowed || this.#released) return;
    const large = this.#large.borrow();
    if (!large) return;
    this.#buffer = large;
    this.#borrowed = true;
  }

  /** Gives a borrowed buffer back, and never borrows again: the connection has closed. */
  release(): void {
    if (this.#borrowed) this.#large.giveBack(this.#buffer!);
    this.#borrowed = false;
    this.#released = true;
    this.#buffer = undefined; // no longer this connection's to read into
  }
}
