/**
 * The ceiling of pong's TLS receive path and of its `/reverse` sending: a
 * bare TLS server that asks for a client certificate (and accepts any, or
 * none), as a Tentacle does, with none of pong's request handling. It counts
 * a request's bytes until the request ends in a blank line (checking only the
 * end of each piece that arrives, no scan), then answers `HTTP/1.1 200` with
 * the count as its body, or with SEND_BYTES of payload, and closes.
 *
 *   deno run -A scripts/ceiling/server.ts KIND PORT CERT KEY [SEND_BYTES]
 *
 * KIND is the server the runtime offers:
 * - `createServer`: `tls.createServer({ requestCert: true })`;
 * - `listen`: `Deno.listen`, each connection a `node:tls` server socket over a
 *   Duplex around the `Deno.Conn`, 32 KiB reads (pong's way, `src/pong/tls_wrap.ts`);
 * - `net`: `net.createServer`, each socket wrapped in a `node:tls` server socket.
 *
 * It prints nothing, and serves until it is stopped.
 *
 * @module
 */
import net from "node:net";
import tls from "node:tls";
import { Duplex } from "node:stream";

const [kind, port, certPath, keyPath, sendArg] = Deno.args;
const sendBytes = Number(sendArg ?? 0);
const identity = { cert: Deno.readTextFileSync(certPath), key: Deno.readTextFileSync(keyPath) };
const context = tls.createSecureContext(identity);
const serverSocket = { isServer: true, requestCert: true, rejectUnauthorized: false };
/** How much pong's wrap reads from the connection at a time, and its high-water mark. */
const READ_BYTES = 32 * 1024;
/** The pieces `/reverse`'s payload is written in, as pong writes from its 1 MiB pool. */
const WRITE_BYTES = 1024 * 1024;
/** CR LF CR LF, read as a big-endian 32-bit word: the end of a request. */
const BLANK_LINE = 0x0d0a0d0a;

/** Counts one request on `socket` to its blank line, then answers and closes. */
function serve(socket: tls.TLSSocket): void {
  let count = 0;
  let last = 0; // the last four bytes seen, the newest lowest
  socket.on("error", () => socket.destroy());
  socket.on("data", (chunk: Uint8Array) => {
    count += chunk.length;
    for (let i = Math.max(0, chunk.length - 4); i < chunk.length; i++) {
      last = ((last << 8) | chunk[i]) >>> 0;
    }
    if (last !== BLANK_LINE) return;
    socket.removeAllListeners("data");
    answer(socket, count).catch(() => socket.destroy());
  });
}

/** `HTTP/1.1 200` with the count as its body, or with `sendBytes` of payload; then closes. */
async function answer(socket: tls.TLSSocket, count: number): Promise<void> {
  const body = sendBytes > 0 ? "" : String(count);
  const length = sendBytes > 0 ? sendBytes : body.length;
  socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${length}\r\nConnection: close\r\n\r\n${body}`);
  const payload = new Uint8Array(Math.min(WRITE_BYTES, sendBytes)).fill(65);
  for (let left = sendBytes; left > 0; left -= payload.length) {
    const piece = payload.subarray(0, Math.min(left, payload.length));
    if (!socket.write(piece)) await new Promise((resolve) => socket.once("drain", resolve));
  }
  socket.end();
}

/** A `Deno.Conn` as the Node stream a `node:tls` socket runs over, as pong's wrap does it. */
class ConnDuplex extends Duplex {
  #conn: Deno.Conn;
  #reading = false;

  constructor(conn: Deno.Conn) {
    super({ highWaterMark: READ_BYTES });
    this.#conn = conn;
  }

  override async _read(): Promise<void> {
    if (this.#reading) return;
    this.#reading = true;
    try {
      for (;;) {
        const buffer = new Uint8Array(READ_BYTES);
        const n = await this.#conn.read(buffer);
        if (n === null) return void this.push(null);
        if (!this.push(buffer.subarray(0, n))) return;
      }
    } catch (error) {
      this.destroy(error as Error);
    } finally {
      this.#reading = false;
    }
  }

  override async _write(chunk: Uint8Array, _: string, done: (error?: Error) => void) {
    try {
      for (let at = 0; at < chunk.length;) at += await this.#conn.write(chunk.subarray(at));
      done();
    } catch (error) {
      done(error as Error);
    }
  }

  override _final(done: () => void): void {
    this.#conn.closeWrite().then(done, done);
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    try {
      this.#conn.close();
    } catch { /* closed already */ }
    done(error);
  }
}

/** Wraps a connection in a `node:tls` server socket and serves it. */
function wrap(under: Duplex): void {
  under.on("error", () => under.destroy());
  const options = { ...serverSocket, secureContext: context };
  serve(new tls.TLSSocket(under as net.Socket, options));
}

if (kind === "createServer") {
  tls.createServer({ ...serverSocket, ...identity }, serve)
    .on("tlsClientError", () => {})
    .listen(Number(port), "127.0.0.1");
} else if (kind === "net") {
  net.createServer(wrap).listen(Number(port), "127.0.0.1");
} else if (kind === "listen") {
  for await (const conn of Deno.listen({ hostname: "127.0.0.1", port: Number(port) })) {
    conn.setNoDelay(true);
    wrap(new ConnDuplex(conn));
  }
} else {
  console.error(`server.ts: KIND is createServer, listen or net, not ${kind}`);
  Deno.exit(2);
}
