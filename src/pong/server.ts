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
import { type PongOptions } from "../options/options.ts";
import { joinHostPort } from "../net/address.ts";
import type { CertificateWithKey } from "../net/certificate.ts";
import { listen } from "../net/listen.ts";
import { delay } from "../timers.ts";
import { closeQuietly, serve } from "./connection.ts";
import type { FailedConnection, PongEvent, PongSummary } from "./events.ts";
import { LargeBuffers } from "./read_buffers.ts";
import { Throttle } from "./throttle.ts";
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
/** Connections (accepted, or ended badly) listed one by one per interval before the rest are counted. */
const FAILURES_LISTED = 20;
const FAILURE_INTERVAL_MS = 1000;
/** Connections reading into a large buffer at once; the rest read 64 KiB at a time. */
const LARGE_BUFFERS = 16;

/** Starts pong: listens at once and serves until {@linkcode PongServer.close}. */
export async function startPong(
  options: PongOptions,
  certificate: CertificateWithKey | undefined,
  emit: (event: PongEvent) => void,
): Promise<PongServer> {
  const listening = await listen(options.port, options.address);
  const tls = certificate && {
    context: serverContext(certificate.certPem, certificate.keyPem),
    thumbprint: certificate.thumbprint,
  };
  const stopping = new AbortController();
  const open = new Set<Deno.Conn>();
  const handlers = new Set<Promise<void>>();
  const largeBuffers = new LargeBuffers(LARGE_BUFFERS);
  const summary: PongSummary = {
    connections: 0,
    peakConcurrent: 0,
    bytesRead: 0,
    bytesSent: 0,
    failures: {},
  };
  const failures = new Throttle<FailedConnection>(
    FAILURES_LISTED,
    FAILURE_INTERVAL_MS,
    (failure) => emit({ type: "failed", ...failure }),
    (count, byKind) => emit({ type: "failedMore", time: new Date(), count, byKind }),
  );
  const fail = (failure: FailedConnection) => {
    summary.failures[failure.kind] = (summary.failures[failure.kind] ?? 0) + 1;
    failures.add(failure);
  };
  const accepted = new Throttle<{ kind: string; client: string }>(
    FAILURES_LISTED,
    FAILURE_INTERVAL_MS,
    ({ client }) => emit({ type: "accepted", time: new Date(), client }),
    (count) => emit({ type: "acceptedMore", time: new Date(), count }),
  );
  const acceptFailures = new Throttle<{ kind: string; reason: string }>(
    1,
    FAILURE_INTERVAL_MS,
    ({ reason }) => emit({ type: "acceptFailed", time: new Date(), reason }),
    (count) =>
      emit({
        type: "acceptFailed",
        time: new Date(),
        reason: `${count} more times in the last second`,
      }),
  );

  const acceptLoop = async (listener: Deno.Listener) => {
    while (!stopping.signal.aborted) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch (error) {
        if (stopping.signal.aborted) return;
        // Out of file descriptors and the like: log, pause, and keep listening.
        acceptFailures.add({ kind: "accept", reason: (error as Error).message });
        await delay(ACCEPT_RETRY_MS, stopping.signal);
        continue;
      }
      summary.connections++;
      const client = clientOf(conn);
      if (open.size >= options.maxConnections) {
        closeQuietly(conn);
        fail({
          time: new Date(),
          client,
          kind: "over /maxconn",
          reason: `closed at once: ${options.maxConnections} connections are open (/maxconn)`,
          bytesRead: 0,
          bytesSent: 0,
          ms: 0,
          clientCertificate: null,
        });
        continue;
      }
      open.add(conn);
      summary.peakConcurrent = Math.max(summary.peakConcurrent, open.size);
      accepted.add({ kind: "accepted", client });
      const handler = serve(conn, client, { options, tls, stopping: stopping.signal, largeBuffers })
        .then((outcome) => {
          summary.bytesRead += outcome.bytesRead;
          summary.bytesSent += outcome.bytesSent;
          if (outcome.type === "answered") emit(outcome);
          else if (outcome.type === "failed") fail(outcome);
        })
        .finally(() => {
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
    tls: certificate !== undefined,
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
      accepted.flush();
      failures.flush();
      acceptFailures.flush();
      emit({ type: "stopped", time: new Date(), summary });
    },
  };
}

function clientOf(conn: Deno.Conn): string {
  const address = conn.remoteAddr as Deno.NetAddr;
  return joinHostPort(address.hostname, address.port);
}
