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
 * - `listen`: `Deno.listen`, each connection wrapped by pong's own `acceptTls`
 *   (`src/pong/tls_wrap.ts`): pong's server path, without its request handling;
 * - `net`: `net.createServer`, each socket wrapped in a `node:tls` server socket.
 *
 * It prints nothing, and serves until it is stopped.
 *
 * @module
 */
import net from "node:net";
import tls from "node:tls";
import type { Duplex } from "node:stream";
import { largeBuffersFor } from "../../src/pong/server.ts";
import { acceptTls } from "../../src/pong/tls_wrap.ts";

const [kind, port, certPath, keyPath, sendArg] = Deno.args;
const sendBytes = Number(sendArg ?? 0);
const identity = { cert: Deno.readTextFileSync(certPath), key: Deno.readTextFileSync(keyPath) };
const context = tls.createSecureContext(identity);
const serverSocket = { isServer: true, requestCert: true, rejectUnauthorized: false };
/** Pong's large read buffers for TLS. */
const wrapBuffers = largeBuffersFor(true);
/** The pieces `/reverse`'s payload is written in, as pong writes from its 1 MiB pool. */
const WRITE_BYTES = 1024 * 1024;
/** CR LF CR LF, read as a big-endian 32-bit word: the end of a request. */
const BLANK_LINE = 0x0d0a0d0a;

/** A request's bytes, counted until they end in a blank line (only each piece's end is looked at). */
class RequestCount {
  bytes = 0;
  #last = 0; // the last four bytes seen, the newest lowest

  /** Counts `chunk`; true once the request has ended. */
  push(chunk: Uint8Array): boolean {
    this.bytes += chunk.length;
    for (let i = Math.max(0, chunk.length - 4); i < chunk.length; i++) {
      this.#last = ((this.#last << 8) | chunk[i]) >>> 0;
    }
    return this.#last === BLANK_LINE;
  }
}

/** Counts one request on `socket` to its blank line, then answers and closes. */
function serve(socket: tls.TLSSocket): void {
  const request = new RequestCount();
  socket.on("error", () => socket.destroy());
  socket.on("data", (chunk: Uint8Array) => {
    if (!request.push(chunk)) return;
    socket.removeAllListeners("data");
    answer(socketWriter(socket), request.bytes).then(() => socket.end(), () => socket.destroy());
  });
}

/** How a server writes its answer: all of `bytes`, once the stream can take them. */
type WriteAll = (bytes: Uint8Array) => Promise<void>;

/** `HTTP/1.1 200` with the count as its body, or with `sendBytes` of payload. */
async function answer(write: WriteAll, count: number): Promise<void> {
  const body = sendBytes > 0 ? "" : String(count);
  const length = sendBytes > 0 ? sendBytes : body.length;
  await write(new TextEncoder().encode(
    `HTTP/1.1 200 OK\r\nContent-Length: ${length}\r\nConnection: close\r\n\r\n${body}`,
  ));
  const payload = new Uint8Array(Math.min(WRITE_BYTES, sendBytes)).fill(65);
  for (let left = sendBytes; left > 0; left -= payload.length) {
    await write(payload.subarray(0, Math.min(left, payload.length)));
  }
}

/** Writes to a `node:tls` socket, waiting for `drain` when its buffer is full. */
const socketWriter = (socket: tls.TLSSocket): WriteAll => async (bytes) => {
  if (!socket.write(bytes)) await new Promise((resolve) => socket.once("drain", resolve));
};

/**
 * Serves `conn` through pong's own TLS wrap (`acceptTls`: its reads, buffers and collections),
 * the request counted as `serve` counts it: pong's server path without pong's request handling.
 */
async function serveThroughPongWrap(conn: Deno.TcpConn): Promise<void> {
  conn.setNoDelay(true);
  const first = new Uint8Array(16 * 1024);
  const n = await conn.read(first);
  if (n === null) return conn.close();
  const stream = await acceptTls(
    conn,
    context,
    first.slice(0, n),
    new AbortController().signal,
    wrapBuffers,
  );
  const request = new RequestCount();
  for (let chunk = await stream.readChunk(); chunk !== null; chunk = await stream.readChunk()) {
    if (request.push(chunk)) break;
  }
  await answer(async (bytes) => {
    for (let at = 0; at < bytes.length;) at += await stream.write(bytes.subarray(at));
  }, request.bytes);
  await stream.end?.();
  stream.close();
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
    serveThroughPongWrap(conn).catch(() => {
      try {
        conn.close();
      } catch { /* the wrap closed it already */ }
    });
  }
} else {
  console.error(`server.ts: KIND is createServer, listen or net, not ${kind}`);
  Deno.exit(2);
}
