/**
 * The pong server: stands in for a Tentacle. It accepts connections on every
 * interface, reads each request up to its blank line counting the bytes, and
 * answers with a small HTTP response that ping recognises by its `X-OctoPing`
 * header. It emits typed events; reporters print them.
 *
 * @module
 */
import type { PongOptions } from "../cli/options.ts";
import { joinHostPort } from "../net/address.ts";
import { createSelfSignedCertificate } from "../net/certificate.ts";
import { listen } from "../net/listen.ts";
import { delay, Watchdog } from "../timers.ts";
import { PROGRAM, VERSION } from "../version.ts";
import { RequestScanner } from "./request.ts";

/** What pong reports as it runs. */
export type PongEvent =
  | { type: "listening"; time: Date; port: number; tls: boolean; thumbprint?: string }
  | { type: "accepted"; time: Date; client: string }
  | { type: "answered"; time: Date; client: string; bytesRead: number; bytesSent: number }
  | { type: "failed"; time: Date; client: string; bytesRead: number; reason: string }
  | { type: "acceptFailed"; time: Date; reason: string };

/** A running pong. */
export interface PongServer {
  /** The port listened on (the one the system chose when asked for 0). */
  port: number;
  /** SHA-1 thumbprint of the certificate served; absent with `/nossl`. */
  thumbprint?: string;
  /** Stops listening, ends open connections and waits for their handlers. */
  close(): Promise<void>;
}

/** How long a client may stay silent before pong drops it. */
const IDLE_MS = 60_000;
/** How long a client has to finish the TLS handshake. */
const HANDSHAKE_MS = 10_000;
/** Pause after a failed accept (e.g. out of file descriptors) before trying again. */
const ACCEPT_RETRY_MS = 100;
const READ_BUFFER_BYTES = 64 * 1024;
const BODY_BYTES = 10 * 1024;

/** The answer to every request: headers and a 10 KiB body, made once. */
const ANSWER = (() => {
  const line = `${PROGRAM} pong ${VERSION} answered. `;
  const body = line.repeat(Math.ceil(BODY_BYTES / line.length)).slice(0, BODY_BYTES - 1) + "\n";
  const head = "HTTP/1.0 200 OK\r\n" +
    "Content-Type: text/plain\r\n" +
    `Content-Length: ${BODY_BYTES}\r\n` +
    `X-OctoPing: pong ${VERSION}\r\n` +
    "Connection: close\r\n\r\n";
  return new TextEncoder().encode(head + body);
})();

/** Starts pong: listens at once and serves until {@linkcode PongServer.close}. */
export async function startPong(
  options: PongOptions,
  emit: (event: PongEvent) => void,
): Promise<PongServer> {
  const certificate = options.noSsl ? undefined : await createSelfSignedCertificate();
  const listening = await listen(options.port, certificate, options.address);
  const stopping = new AbortController();
  const open = new Set<Deno.Conn>();
  const handlers = new Set<Promise<void>>();

  const acceptLoop = async (listener: Deno.Listener) => {
    while (!stopping.signal.aborted) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch (error) {
        if (stopping.signal.aborted) return;
        emit({ type: "acceptFailed", time: new Date(), reason: (error as Error).message });
        await delay(ACCEPT_RETRY_MS, stopping.signal);
        continue;
      }
      open.add(conn);
      const handler = serve(conn, !options.noSsl, emit, stopping.signal).finally(() => {
        open.delete(conn);
        handlers.delete(handler);
      });
      handlers.add(handler);
    }
  };
  const loops = listening.listeners.map(acceptLoop);

  emit({
    type: "listening",
    time: new Date(),
    port: listening.port,
    tls: !options.noSsl,
    thumbprint: certificate?.thumbprint,
  });

  return {
    port: listening.port,
    thumbprint: certificate?.thumbprint,
    async close() {
      stopping.abort();
      for (const listener of listening.listeners) listener.close();
      for (const conn of open) closeQuietly(conn);
      await Promise.all([...loops, ...handlers]);
    },
  };
}

/** Serves one connection; never throws: a bad client becomes a `failed` event. */
async function serve(
  conn: Deno.Conn,
  tls: boolean,
  emit: (event: PongEvent) => void,
  stopping: AbortSignal,
) {
  const address = conn.remoteAddr as Deno.NetAddr;
  const client = joinHostPort(address.hostname, address.port);
  emit({ type: "accepted", time: new Date(), client });
  const scanner = new RequestScanner();
  let stalled: string | undefined;
  const watch = (ms: number, why: string) =>
    new Watchdog(ms, () => {
      stalled = why;
      closeQuietly(conn);
    });
  const idle = () => watch(IDLE_MS, `silent for ${IDLE_MS / 1000} s`);
  let handshaking = tls;
  let watchdog = tls
    ? watch(HANDSHAKE_MS, `no TLS handshake within ${HANDSHAKE_MS / 1000} s`)
    : idle();
  try {
    if (tls) {
      await (conn as Deno.TlsConn).handshake();
      handshaking = false;
      watchdog.stop();
      watchdog = idle();
    }
    const buffer = new Uint8Array(READ_BUFFER_BYTES);
    while (!scanner.done) {
      const n = await conn.read(buffer);
      if (n === null) {
        throw new Error(
          `closed the connection after ${scanner.bytes} bytes, before the end of its request`,
        );
      }
      watchdog.kick();
      scanner.push(buffer.subarray(0, n));
    }
    let sent = 0;
    while (sent < ANSWER.length) {
      sent += await conn.write(ANSWER.subarray(sent));
      watchdog.kick();
    }
    emit({ type: "answered", time: new Date(), client, bytesRead: scanner.bytes, bytesSent: sent });
  } catch (error) {
    if (stopping.aborted) return; // pong ended it: not the client's failure
    const message = (error as Error).message ?? String(error);
    const reason = stalled ?? (handshaking ? `TLS handshake failed: ${message}` : message);
    emit({ type: "failed", time: new Date(), client, bytesRead: scanner.bytes, reason });
  } finally {
    watchdog.stop();
    closeQuietly(conn);
  }
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // already closed
  }
}
