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
 * @module
 */
import { MB } from "../units.ts";
import { type PongOptions } from "../options/options.ts";
import { joinHostPort } from "../net/address.ts";
import type { CertificateWithKey } from "../net/certificate.ts";
import type { SecureContext } from "node:tls";
import { listen } from "../net/listen.ts";
import { payloadPool } from "../net/payload.ts";
import { HEADERS } from "../net/protocol.ts";
import { startsWithClientHello } from "../net/sniff.ts";
import { formatCount, formatValue } from "../format.ts";
import { delay, Watchdog } from "../timers.ts";
import { VERSION } from "../version.ts";
import { LargeBuffers, SMALL_READ_BYTES } from "./read_buffers.ts";
import { RequestScanner } from "./request.ts";
import { Throttle } from "./throttle.ts";
import { acceptTls, type ByteStream, serverContext } from "./tls_wrap.ts";

/** How a connection ended badly. */
export type ConnectionFailure =
  | "handshake"
  | "handshake timeout"
  | "idle"
  | "closed early"
  | "over /maxconn"
  | "refused /reverse"
  | "tls client"
  | "other";

/** A connection that ended badly. */
export interface FailedConnection {
  time: Date;
  client: string;
  kind: ConnectionFailure;
  reason: string;
  bytesRead: number;
  bytesSent: number;
  ms: number;
  /** The client certificate's SHA-1, `none` without one, null without TLS (or no handshake). */
  clientCertificate: string | null;
}

/** Pong's figures over its whole run. */
export interface PongSummary {
  connections: number;
  /** Most connections open at once. */
  peakConcurrent: number;
  bytesRead: number;
  bytesSent: number;
  /** Connections that ended badly, by how. */
  failures: Partial<Record<ConnectionFailure, number>>;
}

/** What pong reports as it runs. */
export type PongEvent =
  | { type: "listening"; time: Date; port: number; tls: boolean; thumbprint?: string }
  | { type: "accepted"; time: Date; client: string }
  /** More connections were accepted in the last interval than are listed one by one. */
  | { type: "acceptedMore"; time: Date; count: number }
  | {
    type: "answered";
    time: Date;
    client: string;
    bytesRead: number;
    bytesSent: number;
    ms: number;
    /** The client certificate's SHA-1, `none` without one, null without TLS. */
    clientCertificate: string | null;
  }
  | ({ type: "failed" } & FailedConnection)
  /** More connections ended badly in the last interval than are listed one by one. */
  | { type: "failedMore"; time: Date; count: number; byKind: Record<string, number> }
  | { type: "acceptFailed"; time: Date; reason: string }
  | { type: "stopped"; time: Date; summary: PongSummary };

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
/** The most of a request's start kept, to find the `/reverse` header in. */
const HEAD_KEPT_BYTES = 4096;
/** A fatal TLS alert, decode_error: what a TLS server answers to bytes that are not TLS. */
const TLS_DECODE_ERROR_ALERT = new Uint8Array([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x32]);

/** Pong's answer to a TLS client on a `/nossl` port: plain text, which the client cannot read. */
const NOT_TLS_ANSWER = new TextEncoder().encode(
  "HTTP/1.0 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n" +
    `OctoPing pong ${VERSION} was started with /nossl: it does not speak TLS on this port.\r\n`,
);
const BODY = new TextEncoder().encode(
  `OctoPing pong ${VERSION} answered. `.repeat(400).slice(0, 10 * 1024 - 1) + "\n",
);

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
      const handler = serve(conn, client, options, tls, stopping.signal, largeBuffers)
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

type Outcome =
  | Extract<PongEvent, { type: "answered" }>
  | ({ type: "failed" } & FailedConnection)
  | { type: "ended by pong"; bytesRead: number; bytesSent: number };

/** Serves one connection; never throws: a bad client becomes a `failed` outcome. */
async function serve(
  conn: Deno.Conn,
  client: string,
  options: PongOptions,
  tls: { context: SecureContext; thumbprint: string } | undefined,
  stopping: AbortSignal,
  largeBuffers: LargeBuffers,
): Promise<Outcome> {
  const started = performance.now();
  // No Nagle: an answer's last small write must not wait for the client's delayed ACK.
  (conn as Deno.TcpConn).setNoDelay(true);
  let stream: ByteStream = conn;
  let clientCertificate: string | null = null;
  const scanner = new RequestScanner();
  const head = new Uint8Array(HEAD_KEPT_BYTES);
  let headLength = 0;
  let bytesSent = 0;
  let stalled: { kind: ConnectionFailure; reason: string } | undefined;
  let borrowed: Uint8Array<ArrayBuffer> | undefined;
  // Cuts a TLS handshake short when a deadline fires or pong stops.
  const handshake = new AbortController();
  const watch = (ms: number, kind: ConnectionFailure, reason: string) =>
    new Watchdog(ms, () => {
      stalled = { kind, reason };
      handshake.abort();
      closeQuietly(conn);
    });
  const idle = () =>
    watch(options.idleMs, "idle", `silent for ${options.idleMs / 1000} s (/idle), dropped`);
  const write = async (bytes: Uint8Array) => {
    for (let done = 0; done < bytes.length;) {
      done += await stream.write(bytes.subarray(done));
      watchdog.kick();
    }
    bytesSent += bytes.length;
  };
  const failed = (kind: ConnectionFailure, reason: string, bytesRead: number): Outcome => ({
    type: "failed",
    time: new Date(),
    client,
    kind,
    reason,
    bytesRead,
    bytesSent,
    ms: performance.now() - started,
    clientCertificate,
  });
  let handshaking = tls !== undefined;
  let watchdog = tls
    ? watch(
      options.handshakeMs,
      "handshake timeout",
      `no TLS handshake within ${options.handshakeMs / 1000} s (/handshake)`,
    )
    : idle();
  try {
    if (tls) {
      // A record header's first bytes, even when a middlebox splits the hello after byte 1.
      const first = new Uint8Array(SMALL_READ_BYTES);
      let n = 0;
      while (n < 2) {
        const got = await conn.read(first.subarray(n));
        if (got === null) throw new Error("the client closed the connection before it");
        n += got;
      }
      if (!startsWithClientHello(first.subarray(0, n))) {
        // A plain client on the TLS port: an alert tells it so at once, as a TLS server's would.
        await write(TLS_DECODE_ERROR_ALERT);
        throw new Error("the client does not speak TLS (a plain client on the TLS port?)");
      }
      const secure = await acceptTls(
        conn,
        tls.context,
        first.slice(0, n),
        AbortSignal.any([handshake.signal, stopping]),
      );
      stream = secure;
      clientCertificate = secure.clientCertificate;
      handshaking = false;
      watchdog.stop();
      watchdog = idle();
    }
    let buffer = new Uint8Array(SMALL_READ_BYTES);
    while (!scanner.done) {
      const n = await stream.read(buffer);
      if (n === null) {
        throw new ClientGone(
          `closed the connection after ${
            formatCount(scanner.bytes)
          } bytes, before the end of its request`,
        );
      }
      watchdog.kick();
      if (!tls && scanner.bytes === 0 && startsWithClientHello(buffer.subarray(0, n))) {
        // A ClientHello has no blank line: waiting for one would hold the client for /idle.
        await write(NOT_TLS_ANSWER);
        return failed(
          "tls client",
          "a TLS client on a /nossl port: answered in plain text and closed (ping it with " +
            "/nossl, or start pong without /nossl)",
          n,
        );
      }
      const used = scanner.push(buffer.subarray(0, n));
      if (headLength < HEAD_KEPT_BYTES) {
        const kept = buffer.subarray(0, Math.min(used, HEAD_KEPT_BYTES - headLength));
        head.set(kept, headLength);
        headLength += kept.length;
      }
      if (n === buffer.length && !borrowed) {
        borrowed = largeBuffers.borrow(); // a bulk upload: fewer, larger reads
        buffer = borrowed ?? buffer;
      }
    }
    const asked = reverseBytes(head.subarray(0, headLength));
    // Pong vouches for both certificates, so ping can tell when something in between replaced one.
    const vouch = {
      [HEADERS.certificate]: tls?.thumbprint ?? "none",
      [HEADERS.clientCertificate]: clientCertificate ?? "none",
    };
    if (asked === undefined) {
      await write(answer(200, scanner.bytes, { ...vouch, "Content-Type": "text/plain" }, BODY));
    } else if (asked > options.maxSendBytes) {
      const mb = (bytes: number) => `${formatValue(bytes / MB)} MB`;
      const why = options.maxSendBytes === 0
        ? `pong sends nothing back unless started with /maxsend=<MB>; asked for ${mb(asked)}`
        : `pong sends at most ${mb(options.maxSendBytes)} per request (/maxsend); ` +
          `asked for ${mb(asked)}`;
      await write(answer(413, scanner.bytes, {
        ...vouch,
        [HEADERS.refused]: why,
        [HEADERS.maxSend]: String(options.maxSendBytes),
        "Content-Length": "0",
      }));
      return failed("refused /reverse", `refused /reverse: ${why}`, scanner.bytes);
    } else {
      await write(answer(200, scanner.bytes, {
        ...vouch,
        "Content-Type": "application/octet-stream",
        "Content-Length": String(asked),
        [HEADERS.reverse]: String(asked),
      }));
      const pool = payloadPool();
      for (let left = asked; left > 0; left -= pool.length) {
        await write(pool.subarray(0, Math.min(left, pool.length)));
      }
    }
    // Writes into a connection that died under TLS can look taken: never call that answered.
    if (stalled || stopping.aborted) throw new Error("the connection ended before the answer");
    return {
      type: "answered",
      time: new Date(),
      client,
      bytesRead: scanner.bytes,
      bytesSent,
      ms: performance.now() - started,
      clientCertificate,
    };
  } catch (error) {
    if (stopping.aborted) return { type: "ended by pong", bytesRead: scanner.bytes, bytesSent };
    const message = (error as Error).message ?? String(error);
    const [kind, reason]: [ConnectionFailure, string] = stalled
      ? [stalled.kind, stalled.reason]
      : handshaking
      ? ["handshake", `TLS handshake failed: ${handshakeFailure(message)}`]
      : error instanceof ClientGone
      ? ["closed early", message]
      : ["other", message];
    return failed(kind, reason, scanner.bytes);
  } finally {
    watchdog.stop();
    if (borrowed) largeBuffers.giveBack(borrowed);
    await stream.end?.(); // TLS: the last bytes and close_notify go out before the socket closes
    closeQuietly(conn);
  }
}

/** The client closed before the end of its request. */
class ClientGone extends Error {}

/**
 * The response head with pong's headers and `headers`; with `body`, its
 * Content-Length, and the body appended (one write, one TLS record).
 */
function answer(
  status: 200 | 413,
  bytesRead: number,
  headers: Record<string, string>,
  body?: Uint8Array,
): Uint8Array {
  const all = {
    ...headers,
    ...(body ? { "Content-Length": String(body.length) } : {}),
    [HEADERS.pong]: `pong ${VERSION}`,
    [HEADERS.bytesRead]: String(bytesRead),
    Connection: "close",
  };
  const lines = [
    `HTTP/1.0 ${status} ${status === 200 ? "OK" : "Payload Too Large"}`,
    ...Object.entries(all).map(([name, value]) => `${name}: ${value}`),
  ];
  const head = new TextEncoder().encode(lines.join("\r\n") + "\r\n\r\n");
  if (!body) return head;
  const whole = new Uint8Array(head.length + body.length);
  whole.set(head);
  whole.set(body, head.length);
  return whole;
}

/** The byte count in the request's `X-OctoPing-Reverse` header, if it has one. */
function reverseBytes(head: Uint8Array): number | undefined {
  const text = new TextDecoder("latin1").decode(head);
  const match = new RegExp(`^${HEADERS.reverse}: *(\\d+)\\r?$`, "mi").exec(text);
  return match ? Number(match[1]) : undefined;
}

function clientOf(conn: Deno.Conn): string {
  const address = conn.remoteAddr as Deno.NetAddr;
  return joinHostPort(address.hostname, address.port);
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // already closed
  }
}

/**
 * The TLS library's (rustls's) reason for a failed handshake, in words: a
 * client offering only TLS 1.0 or 1.1 (an old client, or `check`'s probe
 * asking what pong speaks) shows as "peer is incompatible:
 * SignatureAlgorithmsExtensionRequired" otherwise.
 */
function handshakeFailure(message: string): string {
  if (
    /peer is incompatible: (SignatureAlgorithmsExtensionRequired|.*ProtocolVersion|Tls12NotOffered)/
      .test(message)
  ) {
    return `the client offered only TLS 1.0 or 1.1, which pong, like Octopus, does not speak (${message})`;
  }
  if (/NoCipherSuitesInCommon/.test(message)) {
    return `no cipher suite in common with the client (${message})`;
  }
  return message;
}
