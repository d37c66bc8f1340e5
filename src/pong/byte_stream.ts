/**
 * What pong reads a request from and writes its answer to: a plain
 * connection, or TLS over one (`tls_wrap.ts`).
 *
 * @module
 */
import { type LargeBuffers, ReadBuffer } from "./read_buffers.ts";

/** What pong reads from and writes to: a plain `Deno.Conn`, or TLS over one. */
export interface ByteStream {
  /**
   * The next bytes, or null at the end of the stream. They stay valid only until the next call:
   * pong counts and scans a request as it passes, and never keeps more than its head.
   */
  readChunk(): Promise<Uint8Array | null>;
  /** Writes some of `bytes`; resolves with how many were taken. */
  write(bytes: Uint8Array): Promise<number>;
  /** Ends the stream gracefully (TLS: close_notify) once all is written; absent for plain TCP. */
  end?(): Promise<void>;
  close(): void;
}

/** Size of the buffer a plain connection starts reading into. */
const PLAIN_READ_BYTES = 64 * 1024;

/** A plain `Deno.Conn` as a {@linkcode ByteStream}, read into one reused buffer. */
export class PlainStream implements ByteStream {
  readonly #conn: Deno.Conn;
  readonly #buffer: ReadBuffer;

  constructor(conn: Deno.Conn, largeBuffers: LargeBuffers) {
    this.#conn = conn;
    this.#buffer = new ReadBuffer(PLAIN_READ_BYTES, largeBuffers);
  }

  async readChunk(): Promise<Uint8Array | null> {
    const buffer = this.#buffer.current;
    const n = await this.#conn.read(buffer);
    if (n === null) return null;
    this.#buffer.filled(n);
    return buffer.subarray(0, n);
  }

  write(bytes: Uint8Array): Promise<number> {
    return this.#conn.write(bytes);
  }

  close(): void {
    this.#buffer.release();
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
  }
}
