/**
 * TLS on a connection pong has accepted, the way a Tentacle does it: the
 * server asks every client for a certificate and accepts any, or none.
 *
 * `Deno.listenTls` cannot ask for a client certificate, so pong accepts plain
 * TCP with `Deno.listen` (which keeps serving after running out of file
 * descriptors, where a `node:net` server silently stops accepting) and wraps
 * each connection in a `node:tls` server socket.
 *
 * @module
 */
import { Duplex } from "node:stream";
import tls from "node:tls";
import { fingerprintHex } from "../net/peer_certificate.ts";
import { collectAfterReading } from "../gc.ts";
import type { ByteStream } from "./byte_stream.ts";
import { type LargeBuffers, ReadBuffer } from "./read_buffers.ts";

/** A TLS connection pong has completed the handshake on. */
export interface TlsServerStream extends ByteStream {
  /** SHA-1 of the client's certificate (40 upper-case hex digits), or `none`. */
  clientCertificate: string;
}

/** How much the TLS layer reads from the socket at a time, until a read fills it. */
const READ_BYTES = 32 * 1024;
/** The longest a graceful end waits for the last bytes to leave. */
const END_WAIT_MS = 1000;
/** Decrypted bytes held for pong before the socket is paused. */
const QUEUE_BYTES = 128 * 1024;

/** A certificate and key, PEM, made into what a TLS server socket needs. */
export function serverContext(certPem: string, keyPem: string): tls.SecureContext {
  return tls.createSecureContext({ cert: certPem, key: keyPem });
}

/**
 * Runs the server side of a TLS handshake on `conn`, asking for a client
 * certificate; `first` is what was already read from it (the ClientHello's
 * start). Resolves once it is done; rejects when it fails, when the client
 * leaves, or when `cancel` aborts (pong's handshake deadline, pong stopping).
 */
export function acceptTls(
  conn: Deno.Conn,
  context: tls.SecureContext,
  first: Uint8Array,
  cancel: AbortSignal,
  largeBuffers: LargeBuffers,
): Promise<TlsServerStream> {
  const duplex = new ConnDuplex(conn, first, new ReadBuffer(READ_BYTES, largeBuffers));
  const socket = new tls.TLSSocket(duplex as unknown as import("node:net").Socket, {
    isServer: true,
    requestCert: true,
    rejectUnauthorized: false, // a Tentacle accepts any client certificate, or none
    secureContext: context,
  });
  return new Promise((resolve, reject) => {
    const left = () => fail(new Error("the client closed the connection during the TLS handshake"));
    const cancelled = () => fail(new Error("the TLS handshake was cut short"));
    // The TLS socket does not always hear that the connection under it ended mid-handshake
    // (a client that reads the server's first flight and leaves, as check's probe does): listen
    // to both, and to the connection's end, which comes without a close while pong could still
    // write (a half-open socket).
    const fail = (error: Error) => {
      cancel.removeEventListener("abort", cancelled);
      duplex.off("close", left);
      duplex.off("end", left);
      socket.destroy();
      reject(error);
    };
    if (cancel.aborted) return cancelled();
    cancel.addEventListener("abort", cancelled, { once: true });
    duplex.once("close", left);
    duplex.once("end", left);
    socket.once("error", fail);
    socket.once("close", left);
    socket.once("secure", () => {
      cancel.removeEventListener("abort", cancelled);
      duplex.off("close", left);
      duplex.off("end", left);
      socket.off("error", fail);
      socket.off("close", left);
      resolve(new TlsSocketStream(socket, duplex));
    });
  });
}

/**
 * A `Deno.Conn` as the Node stream a `node:tls` socket runs over. It reads into one buffer
 * again and again: the TLS layer copies each chunk it is handed as it decrypts it, so once
 * nothing pushed is waiting in the stream, the buffer is free.
 */
class ConnDuplex extends Duplex {
  #conn: Deno.Conn;
  #first?: Uint8Array;
  #reading = false;
  readonly #buffer: ReadBuffer;

  constructor(conn: Deno.Conn, first: Uint8Array, buffer: ReadBuffer) {
    super({ highWaterMark: READ_BYTES });
    this.#conn = conn;
    this.#first = first;
    this.#buffer = buffer;
  }

  override async _read(): Promise<void> {
    if (this.#reading) return;
    this.#reading = true;
    try {
      if (this.#first) {
        // Not before node:tls has started its handshake (a nextTick): a hello it
        // refuses at once (TLS 1.0 or 1.1) would destroy the socket first, and
        // Deno's TLSSocket._start then throws uncaught, ending pong.
        await new Promise((resolve) => setTimeout(resolve));
        const first = this.#first;
        this.#first = undefined;
        if (!this.push(first)) return;
      }
      for (;;) {
        // A chunk still waiting in the stream (the TLS socket paused) keeps its buffer.
        const buffer = this.readableLength === 0
          ? this.#buffer.current
          : new Uint8Array(this.#buffer.current.length);
        const n = await this.#conn.read(buffer);
        if (n === null) {
          this.push(null);
          return;
        }
        const more = this.push(buffer.subarray(0, n));
        collectAfterReading(n); // the TLS layer decrypted it into a new buffer
        if (buffer === this.#buffer.current) this.#buffer.filled(n);
        if (!more) return;
      }
    } catch (error) {
      this.destroy(error as Error);
    } finally {
      this.#reading = false;
    }
  }

  override _write(chunk: Uint8Array, _: string, done: (error?: Error | null) => void): void {
    writeAll(this.#conn, chunk).then(() => done(), done);
  }

  override _final(done: (error?: Error | null) => void): void {
    this.#conn.closeWrite().then(() => done(), () => done());
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    try {
      this.#conn.close();
    } catch { /* closed already */ }
    this.#buffer.release();
    done(error);
  }
}

/** A TLS socket read and written as a {@linkcode ByteStream}. */
class TlsSocketStream implements TlsServerStream {
  readonly clientCertificate: string;
  #socket: tls.TLSSocket;
  #queue: Uint8Array[] = [];
  #queued = 0;
  #ended = false;
  #error?: Error;
  #wake?: () => void;
  /** Rejects the write waiting for `drain`, if one is. */
  #abortWrite?: (error: Error) => void;

  #under: ConnDuplex;

  constructor(socket: tls.TLSSocket, under: ConnDuplex) {
    this.#socket = socket;
    this.#under = under;
    // The TLS socket does not hear when the connection under it fails (a reset, pong closing
    // it at /idle or on stop): it goes on taking writes as if they were sent. So listen below.
    under.on("error", (error: Error) => this.#fail(error));
    under.on("close", () => this.#fail(new Error("the connection closed")));
    const peer = socket.getPeerCertificate();
    this.clientCertificate = peer?.fingerprint ? fingerprintHex(peer.fingerprint) : "none";
    socket.on("data", (chunk: Uint8Array) => {
      this.#queue.push(chunk);
      this.#queued += chunk.length;
      if (this.#queued >= QUEUE_BYTES) socket.pause();
      this.#wake?.();
    });
    socket.on("end", () => {
      this.#ended = true;
      this.#wake?.();
    });
    socket.on("error", (error: Error) => this.#fail(error));
    socket.on("close", () => {
      this.#ended = true;
      this.#wake?.();
    });
  }

  #fail(error: Error): void {
    this.#error ??= error;
    this.#wake?.();
    this.#abortWrite?.(this.#error);
  }

  async readChunk(): Promise<Uint8Array | null> {
    while (this.#queue.length === 0) {
      if (this.#error) throw this.#error;
      if (this.#ended) return null;
      await new Promise<void>((resolve) => this.#wake = resolve);
      this.#wake = undefined;
    }
    const chunk = this.#queue.shift()!;
    this.#queued -= chunk.length;
    if (this.#queued < QUEUE_BYTES) this.#socket.resume();
    return chunk;
  }

  /**
   * Takes all of `bytes`, which must not change until written (pong's never do),
   * and waits while the connection below has more than its buffer's worth to send.
   */
  async write(bytes: Uint8Array): Promise<number> {
    if (this.#error) throw this.#error;
    this.#socket.write(bytes);
    // The TLS socket encrypts and hands on everything at once, whatever the connection below
    // can take: without this wait a client that reads nothing had /maxsend buffered in pong.
    while (this.#under.writableNeedDrain || this.#socket.writableNeedDrain) {
      await new Promise<void>((resolve, reject) => {
        const done = (error?: Error) => {
          this.#under.off("drain", drained);
          this.#socket.off("drain", drained);
          this.#abortWrite = undefined;
          error ? reject(error) : resolve();
        };
        const drained = () => done();
        this.#abortWrite = done;
        this.#under.once("drain", drained);
        this.#socket.once("drain", drained);
      });
    }
    return bytes.length;
  }

  end(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, END_WAIT_MS); // a client that stopped reading
      this.#socket.end(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  close(): void {
    this.#socket.destroy();
  }
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let done = 0; done < bytes.length;) done += await conn.write(bytes.subarray(done));
}
