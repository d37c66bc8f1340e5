/**
 * The pong server: stands in for a Tentacle. It accepts connections on every
 * interface, reads each request up to its blank line counting the bytes, and
 * answers with a small HTTP response that carries the count (so ping can prove
 * the data arrived) — or, when asked (`/reverse`), with that much data.
 *
 * It is built to be left running for days where anyone on the network can
 * reach it: a deadline for the TLS handshake, an idle timeout, a cap on
 * connections, a cap on what one request can make it send, and a log that
 * counts floods instead of printing them. It emits typed events; reporters
 * print them.
 *
 * This module is the listener; `connection.ts` serves each connection.
 *
 * @module
 */
import { collectGarbage } from "../gc.ts";
import { type PongOptions } from "../options/options.ts";
import { joinHostPort } from "../net/address.ts";
import type { CertificateWithKey } from "../net/certificate.ts";
import { listen, type Listening } from "../net/listen.ts";
import { delay } from "../timers.ts";
import { closeQuietly, serve, type ServerTls, type Serving } from "./connection.ts";
import type { PongEvent } from "./events.ts";
import { LargeBuffers } from "./read_buffers.ts";
import { PongTally } from "./tally.ts";
import { serverContext } from "./tls_wrap.ts";

/** A running pong. */
export interface PongServer {
  /** The port listened on (the one the system chose when asked for 0). */
  port: number;
  /** SHA-1 thumbprint of the certificate served; absent with `/nossl`. */
  thumbprint?: string;
  /** Stops listening, ends open connections, waits for them, and emits `stopped`. */
  close(): Promise<void>;
}

/** Pause after a failed accept (e.g. out of file descriptors) before trying again. */
const ACCEPT_RETRY_MS = 100;
/** Connections reading into a large buffer at once; the rest read in small pieces. */
const LARGE_BUFFERS = 16;
/**
 * Size of a large buffer. Plain TCP read 1 MiB at a time as fast as socat's sink; TLS hands
 * each read to the TLS layer whole, and 256 KiB reads cost no more CPU than 1 MiB ones.
 */
const LARGE_READ_BYTES = { plain: 1024 * 1024, tls: 256 * 1024 };

/** The large read buffers a server's connections share: TLS reads, or plain TCP's. */
export function largeBuffersFor(tls: boolean): LargeBuffers {
  return new LargeBuffers(LARGE_BUFFERS, LARGE_READ_BYTES[tls ? "tls" : "plain"]);
}

/**
 * Connections served between two full garbage collections. Each holds memory
 * outside V8's heap until a full collection frees its objects, which V8 alone
 * made too seldom: pong's RSS rose to 190-200 MB and stayed there. Every 500
 * connections keeps it near 100 MB for well under 0.1 ms a connection
 * (docs/performance.md).
 */
const COLLECT_EVERY = 500;

/**
 * Starts pong: listens at once and serves until {@linkcode PongServer.close}.
 * `collect` runs after every `COLLECT_EVERY` connections served.
 */
export async function startPong(
  options: PongOptions,
  certificate: CertificateWithKey | undefined,
  emit: (event: PongEvent) => void,
  collect: () => void = collectGarbage,
): Promise<PongServer> {
  const listening = await listen(options.port, options.address);
  const tls = certificate && {
    context: serverContext(certificate.certPem, certificate.keyPem),
    thumbprint: certificate.thumbprint,
  };
  const server = new Server(listening, options, tls, new PongTally(emit), collect);
  emit({
    type: "listening",
    time: new Date(),
    port: listening.port,
    tls: certificate !== undefined,
    thumbprint: certificate?.thumbprint,
  });
  return {
    port: listening.port,
    thumbprint: certificate?.thumbprint,
    close: () => server.stop(),
  };
}

/** Pong's listeners, their accept loops, and the connections open: accept → admit → stop. */
class Server {
  readonly #listeners: Deno.Listener[];
  readonly #maxConnections: number;
  readonly #tally: PongTally;
  readonly #stopping = new AbortController();
  readonly #serving: Serving;
  readonly #open = new Set<Deno.Conn>();
  readonly #handlers = new Set<Promise<void>>();
  readonly #loops: Promise<void>[];
  readonly #collect: () => void;
  /** Connections served to their end, for {@linkcode COLLECT_EVERY}. */
  #served = 0;

  /** Starts an accept loop on each listener. */
  constructor(
    listening: Listening,
    options: PongOptions,
    tls: ServerTls | undefined,
    tally: PongTally,
    collect: () => void,
  ) {
    this.#listeners = listening.listeners;
    this.#collect = collect;
    this.#maxConnections = options.maxConnections;
    this.#tally = tally;
    this.#serving = {
      options,
      tls,
      stopping: this.#stopping.signal,
      largeBuffers: largeBuffersFor(tls !== undefined),
    };
    this.#loops = this.#listeners.map((listener) => this.#acceptLoop(listener));
  }

  /** Stops listening, ends open connections, waits for them, and emits `stopped`. */
  async stop(): Promise<void> {
    this.#stopping.abort();
    for (const listener of this.#listeners) listener.close();
    for (const conn of this.#open) closeQuietly(conn);
    await Promise.all([...this.#loops, ...this.#handlers]);
    this.#tally.stopped();
  }

  /** Accepts until pong stops; a failed accept is logged, and tried again after a pause. */
  async #acceptLoop(listener: Deno.Listener): Promise<void> {
    const stopping = this.#stopping.signal;
    while (!stopping.aborted) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch (error) {
        if (stopping.aborted) return;
        // Out of file descriptors and the like: log, pause, and keep listening.
        this.#tally.acceptFailed((error as Error).message);
        await delay(ACCEPT_RETRY_MS, stopping);
        continue;
      }
      this.#admit(conn);
    }
  }

  /** Serves `conn`, or closes it at once when `/maxconn` connections are open. */
  #admit(conn: Deno.Conn): void {
    this.#tally.arrived();
    const client = clientOf(conn);
    if (this.#open.size >= this.#maxConnections) {
      closeQuietly(conn);
      this.#tally.failed({
        time: new Date(),
        client,
        kind: "over /maxconn",
        reason: `closed at once: ${this.#maxConnections} connections are open (/maxconn)`,
        bytesRead: 0,
        bytesSent: 0,
        ms: 0,
        clientCertificate: null,
      });
      return;
    }
    this.#open.add(conn);
    this.#tally.accepted(client, this.#open.size);
    const handler = serve(conn, client, this.#serving)
      .then((outcome) => this.#tally.ended(outcome))
      .finally(() => {
        this.#open.delete(conn);
        this.#handlers.delete(handler);
        if (++this.#served % COLLECT_EVERY === 0) this.#collect();
      });
    this.#handlers.add(handler);
  }
}

/** The client's address and port, as pong's events name it. */
function clientOf(conn: Deno.Conn): string {
  const address = conn.remoteAddr as Deno.NetAddr;
  return joinHostPort(address.hostname, address.port);
}
