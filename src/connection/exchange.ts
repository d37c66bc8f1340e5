/**
 * One connection of an attempt: resolve, TCP connect (or, through a proxy,
 * resolve the proxy's name and open a CONNECT tunnel), TLS handshake (unless
 * `/nossl`), send the request with back-pressure, read the response. Every
 * wait is bounded by a no-progress timeout; every failure is kept with the
 * phase it happened in and a code that says what it was.
 *
 * The client is `node:tls` rather than `Deno.connectTls`: it can accept the
 * self-signed certificates Tentacles present without switching verification
 * off for the whole process, and it shows the peer's certificate.
 *
 * @module
 */
import { lookup } from "node:dns/promises";
import type { EventEmitter } from "node:events";
import net from "node:net";
import tls from "node:tls";
import type { Target } from "../options/options.ts";
import type { CertificateWithKey } from "../net/certificate.ts";
import { ResponseReader } from "../net/http.ts";
import { HEADERS } from "../net/protocol.ts";
import { connectTunnel, ProxyError } from "../net/proxy.ts";
import type { HttpProxy } from "../net/proxy_url.ts";
import { isPlainToTlsPage, startsWithTlsRecord } from "../net/sniff.ts";
import { readHandshake } from "../net/peer_certificate.ts";
import { formatCount } from "../format.ts";
import { Watchdog } from "../timers.ts";
import { payloadPool } from "../net/payload.ts";
import { requestFrame } from "./request.ts";
import { DURING, type Failure, FAILURE_CODES, type Interception, type Phase } from "./failure.ts";
import type { ExchangeResult } from "./result.ts";

/** What one connection should do. */
export interface ExchangeRequest {
  target: Target;
  /** The HTTP proxy to tunnel through, which then resolves the target's name. */
  proxy?: HttpProxy;
  /**
   * Connect to this address instead of resolving a name: `target.host`'s, which still names
   * the server, or through a proxy the proxy's.
   */
  address?: string;
  tls: boolean;
  /** Only this address family; any when absent. */
  family?: 4 | 6;
  /** The certificate the server must present (SHA-1 or SHA-256, upper-case hex). */
  thumbprint?: string;
  /** The certificate to present when the server asks for one, as Octopus does. */
  clientCertificate?: CertificateWithKey;
  /** Payload bytes to send in the request; 0 for none. */
  payloadBytes: number;
  /** Bytes to ask pong to send back (`/reverse`); 0 for none. */
  reverseBytes: number;
  /** Hears of payload bytes as they move: sent, or received in reverse mode. */
  onProgress?: (bytes: number) => void;
  /** The longest wait with no progress, in ms. */
  timeoutMs: number;
  /** Aborting cancels the exchange: it then rejects with the signal's reason. */
  signal: AbortSignal;
}

/**
 * The most of an answer read beyond what was asked for: a server streaming
 * forever must not hold an attempt open.
 */
export const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/**
 * Payload bytes per write. Each finished write counts as progress for
 * `/timeout`, so a slow upload that keeps moving is cut only below
 * WRITE_BYTES per timeout (8.7 KB/s at the default 30 s).
 */
const WRITE_BYTES = 256 * 1024;

/** How much the TLS socket reads at a time. */
const READ_BUFFER_BYTES = 1024 * 1024;

/** A failure described in the tool's own words, with a code from {@linkcode FAILURE_CODES}. */
class ExchangeError extends Error {
  override name = "ExchangeError";
  code: string;
  /** What the diagnosis needs beyond the code: an HTTP status, pong's limit. */
  detail: Pick<Failure, "status" | "pongMaxSend" | "interception">;

  constructor(code: string, message: string, detail: ExchangeError["detail"] = {}) {
    super(message);
    this.code = code;
    this.detail = detail;
  }
}

/** Runs one request over a new connection. Resolves with the outcome; rejects only on abort. */
export async function exchange(request: ExchangeRequest): Promise<ExchangeResult> {
  const { target, proxy, timeoutMs, signal } = request;
  const result: ExchangeResult = {
    connected: false,
    secured: false,
    bytesSent: 0,
    bytesRead: 0,
    // Through a proxy, its phase holds the connect: there is no other.
    phases: proxy
      ? { dns: 0, connect: null, proxy: 0, tls: 0, firstByte: 0, transfer: 0 }
      : { dns: 0, connect: 0, proxy: null, tls: 0, firstByte: 0, transfer: 0 },
  };
  let phase: Phase = "dns";
  let proxyConnected = false;
  const frame = requestFrame(target, request.payloadBytes, request.reverseBytes);
  const maxResponse = request.reverseBytes + MAX_RESPONSE_BYTES;
  let mark = performance.now();
  const lap = () => {
    const now = performance.now();
    const ms = now - mark;
    mark = now;
    return ms;
  };
  // One signal ends every wait: a user abort, a timeout, a socket error or close.
  const stop = new AbortController();
  const onAbort = () => stop.abort(signal.reason);
  signal.addEventListener("abort", onAbort, { once: true });
  const watchdog = new Watchdog(timeoutMs, () => {
    const seconds = Math.round(timeoutMs / 100) / 10;
    const message = phase !== "proxy"
      ? `no answer from the server for ${seconds} s ${DURING[phase]}`
      : proxyConnected
      ? `the proxy did not answer CONNECT within ${seconds} s`
      : `no answer from the proxy for ${seconds} s while connecting to it`;
    stop.abort(new ExchangeError(FAILURE_CODES.timeout, message));
  });
  const early = (what: string, cause?: Error) => {
    const how = cause ? ` (${cause.message})` : "";
    return new ExchangeError(
      FAILURE_CODES.answeredEarly,
      `the server ${what} after ${formatCount(result.bytesSent)} of ` +
        `${formatCount(frame.totalBytes)} bytes of the request${how}: it did not take the data`,
    );
  };
  const uploading = () => phase === "send" && request.payloadBytes > 0;
  // Set once the response is complete: a reset or close after that is no failure.
  let settled = false;
  const sockets: net.Socket[] = [];
  const watch = <S extends net.Socket>(socket: S): S => {
    sockets.push(socket);
    socket.on("error", (error: Error) => {
      if (settled) return;
      // Mid-upload, an error means the server stopped taking the data: that comes first, but
      // for a TLS alert (a client certificate refused after a TLS 1.3 handshake), which says why.
      const tlsAlert = /^ERR_(SSL|TLS)_/.test((error as { code?: string }).code ?? "");
      stop.abort(uploading() && !tlsAlert ? early("closed the connection", error) : error);
    });
    socket.on("close", () => {
      if (settled) return;
      const closed = "the server closed the connection";
      stop.abort(
        uploading() ? early(closed) : new ExchangeError(FAILURE_CODES.closed, closed),
      );
    });
    return socket;
  };
  try {
    if (signal.aborted) throw signal.reason;
    // Through a proxy, the only name looked up here is the proxy's.
    const hop = proxy ?? target;
    if (request.address !== undefined || net.isIP(hop.host)) {
      result.phases.dns = null;
      result.address = request.address;
    } else {
      result.address = await untilAborted(resolve(hop.host, request.family), stop.signal);
      result.phases.dns = lap();
    }
    result.address ??= hop.host;

    let raw: net.Socket;
    if (proxy) {
      phase = "proxy";
      watchdog.kick();
      raw = watch(
        await connectTunnel({
          proxy,
          address: result.address,
          target,
          signal: stop.signal,
          onConnected: () => {
            proxyConnected = true;
            watchdog.kick();
          },
        }),
      );
      result.phases.proxy = lap();
    } else {
      phase = "connect";
      watchdog.kick();
      // No Nagle: the request's last small write must not wait for the server's delayed ACK.
      raw = watch(net.connect({ host: result.address, port: target.port, noDelay: true }));
      await waitFor(raw, "connect", stop.signal);
      result.phases.connect = lap();
    }
    result.connected = true;

    let stream: net.Socket = raw;
    if (request.tls) {
      phase = "tls";
      watchdog.kick();
      const options: tls.ConnectionOptions & { highWaterMark: number } = {
        socket: raw,
        servername: net.isIP(target.host) ? undefined : target.host,
        rejectUnauthorized: false, // Tentacles present self-signed certificates
        minVersion: "TLSv1.2",
        cert: request.clientCertificate?.certPem,
        key: request.clientCertificate?.keyPem,
        // Stream option node's types omit: 1 MiB reads made /reverse ~30 % faster than 16 KiB.
        // It sizes the write buffer too, which is why send() keeps one write in flight.
        highWaterMark: READ_BUFFER_BYTES,
      };
      const secure = watch(tls.connect(options));
      await waitFor(secure, "secureConnect", stop.signal);
      result.secured = true;
      result.tls = readHandshake(secure);
      result.phases.tls = lap();
      checkThumbprint(result.tls, request.thumbprint);
      stream = secure;
    }

    phase = "send";
    watchdog.kick();
    const reader = new ResponseReader();
    let firstByteAt: number | undefined;
    const answered = new Promise<void>((resolve) => {
      const finish = () => {
        settled = true;
        resolve();
      };
      stream.on("data", (chunk: Uint8Array) => {
        watchdog.kick();
        firstByteAt ??= performance.now();
        reader.push(chunk);
        result.bytesRead = reader.bytes;
        if (!request.tls && startsWithTlsRecord(reader.first)) stop.abort(speaksTls());
        if (request.reverseBytes > 0) request.onProgress?.(chunk.length);
        if (phase === "send") stop.abort(early("answered"));
        else if (reader.complete) finish();
        else if (reader.bytes > maxResponse) {
          stop.abort(
            new ExchangeError(
              FAILURE_CODES.tooLarge,
              `response too large: more than ${formatCount(maxResponse)} bytes, cut there`,
            ),
          );
        }
      });
      stream.on("end", () => {
        if (phase === "send") stop.abort(early("closed the connection"));
        else finish();
      });
    });
    stream.resume(); // a tunnel comes paused, and a 'data' listener does not resume it
    await send(stream, frame, request.payloadBytes, stop.signal, (bytes) => {
      result.bytesSent += bytes;
      watchdog.kick();
      if (request.payloadBytes > 0) request.onProgress?.(bytes);
    });
    phase = "response";
    const sentAt = performance.now();
    result.phases.transfer = sentAt - mark;
    await untilAborted(answered, stop.signal);
    const end = performance.now();
    result.phases.firstByte = (firstByteAt ?? end) - sentAt;
    result.phases.transfer += end - (firstByteAt ?? end);
    result.status = reader.head?.status;
    result.httpVersion = reader.head?.version;
    result.headers = reader.head?.headers;
    result.answerStart = new TextDecoder().decode(reader.first);
    if (reader.bytes === 0) {
      throw new ExchangeError(
        FAILURE_CODES.closed,
        "the server closed the connection without answering",
      );
    }
    if (reader.truncated) {
      throw new ExchangeError(
        FAILURE_CODES.closed,
        "the server closed the connection in the middle of its answer",
      );
    }
    // In order of precedence: the protocol, what pong refused, the server's error, the count.
    if (!request.tls && isPlainToTlsPage(reader.first)) throw speaksTls();
    checkVouched(result, request);
    checkRefusal(result);
    if (request.reverseBytes > 0) checkReverse(result, request.reverseBytes);
    if (request.payloadBytes > 0) checkAccepted(result);
    checkPongsCount(result);
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    result.failure = {
      ...toFailure(error, phase),
      bytesSent: result.bytesSent,
      bytesRead: result.bytesRead,
    };
    if (phase === "proxy") {
      const answer = error instanceof ProxyError ? error : undefined;
      result.failure.proxy = {
        connected: proxyConnected,
        status: answer?.status,
        reason: answer?.reason,
        schemes: answer?.schemes,
        unreachable: answer?.unreachable,
      };
    }
  } finally {
    watchdog.stop();
    signal.removeEventListener("abort", onAbort);
    for (const socket of sockets) socket.destroy();
  }
  return result;
}

async function resolve(host: string, family: 4 | 6 | undefined): Promise<string> {
  return (await lookup(host, { family: family ?? 0 })).address;
}

/** Where pong says how much it read, it must be every byte sent. */
function checkPongsCount(result: ExchangeResult): void {
  const counted = result.headers?.get(HEADERS.bytesRead.toLowerCase());
  if (counted === undefined || Number(counted) === result.bytesSent) return;
  throw new ExchangeError(
    FAILURE_CODES.incomplete,
    `pong read ${formatCount(Number(counted))} of the ${formatCount(result.bytesSent)} bytes ` +
      "sent: data was lost on the way",
  );
}

/** `/nossl`, and the answer was TLS: an alert record, or a web server's page saying so. */
function speaksTls(): ExchangeError {
  return new ExchangeError(
    FAILURE_CODES.speaksTls,
    "a plain request was answered in TLS",
  );
}

/**
 * Pong says which certificate it served and which client certificate it got:
 * where either differs from what ping saw and sent, something in between made
 * its own TLS connections — and Octopus, which pins both, would fail there.
 */
function checkVouched(result: ExchangeResult, request: ExchangeRequest): void {
  const served = result.headers?.get(HEADERS.certificate.toLowerCase());
  const received = result.headers?.get(HEADERS.clientCertificate.toLowerCase());
  if (served === undefined || !request.tls || !result.tls) return; // not pong, or an older one
  const intercepted = (interception: Interception, message: string) =>
    new ExchangeError(FAILURE_CODES.intercepted, message, { interception });
  if (served === "none") {
    throw intercepted(
      "tls-ended",
      "ping spoke TLS, but pong says its connection had none: TLS was ended in between",
    );
  }
  if (served !== result.tls.sha1) {
    throw intercepted(
      "server-certificate",
      // The thumbprints first: a long subject or issuer is cut when printed, never they.
      `pong serves the certificate ${served}, but ping saw ${result.tls.sha1} ` +
        `(${result.tls.subject}, issued by ${result.tls.issuer})`,
    );
  }
  const sent = request.clientCertificate?.thumbprint;
  if (sent !== undefined && received !== undefined && received !== sent) {
    throw intercepted(
      "client-certificate",
      received === "none"
        ? `ping presented the client certificate ${sent}, but pong received none`
        : `ping presented the client certificate ${sent}, but pong received ${received}`,
    );
  }
}

/** Pong refuses what it will not do (send back more than its /maxsend) with a header saying why. */
function checkRefusal(result: ExchangeResult): void {
  const refused = result.headers?.get(HEADERS.refused.toLowerCase());
  if (refused === undefined) return;
  const limit = Number(result.headers?.get(HEADERS.maxSend.toLowerCase()));
  throw new ExchangeError(FAILURE_CODES.pongRefused, `pong refused: ${refused}`, {
    pongMaxSend: Number.isSafeInteger(limit) ? limit : undefined,
  });
}

/** In data mode an HTTP error means the server did not take the data, however fast it said so. */
function checkAccepted(result: ExchangeResult): void {
  if (result.status === undefined || result.status < 400) return;
  throw new ExchangeError(
    FAILURE_CODES.rejected,
    `the server answered HTTP ${result.status} to the data`,
    { status: result.status },
  );
}

/** In reverse mode, the answer must be pong's, sending what was asked. */
function checkReverse(result: ExchangeResult, asked: number): void {
  if (result.headers?.get(HEADERS.reverse.toLowerCase()) !== String(asked)) {
    throw new ExchangeError(
      FAILURE_CODES.notPong,
      "the server did not confirm it sent the data back: /reverse needs OctoPing pong on the " +
        "other side",
    );
  }
}

function checkThumbprint(session: { sha1: string; sha256: string }, expected?: string): void {
  if (expected === undefined || expected === session.sha1 || expected === session.sha256) return;
  const presented = expected.length === 40 ? session.sha1 : session.sha256;
  throw new ExchangeError(
    FAILURE_CODES.thumbprint,
    `the server presented the certificate ${presented}, but the expected one is ${expected}`,
  );
}

/**
 * Writes the request: head, payload from the reusable buffer, tail, one write
 * at a time, each done only when the socket has taken it, so memory stays
 * flat. `onWritten` hears of each write then.
 *
 * Waiting only for `drain` let up to four writes queue (the TLS socket's
 * highWaterMark, 1 MiB for its reads, holds for its writes too), and Deno's
 * TLS client sends a queue with `writev`, which now and then took most of the
 * CPU: 4 of 48 uploads of 1 GiB to pong took 5 to 8 s instead of about 2.5
 * (ping's CPU near 5.5 s instead of 1.5); with 64 KiB writes, all 24 did.
 * Waiting for each write: 0 of 108.
 */
async function send(
  stream: net.Socket,
  frame: { head: Uint8Array; tail: Uint8Array },
  payloadBytes: number,
  stop: AbortSignal,
  onWritten: (bytes: number) => void,
): Promise<void> {
  const write = (bytes: Uint8Array) =>
    untilAborted(
      new Promise<void>((resolve) => {
        stream.write(bytes, (error) => error || resolve(onWritten(bytes.length)));
      }),
      stop,
    );
  let last = frame.tail;
  if (payloadBytes > 0) {
    await write(frame.head);
    const pool = payloadPool();
    for (let left = payloadBytes; left > 0; left -= WRITE_BYTES) {
      await write(pool.subarray(0, Math.min(left, WRITE_BYTES)));
    }
  } else {
    // One write for a request without payload: as two small TLS records, about one attempt in
    // 100 against pong waited ~40 ms for a delayed ACK (p99 5–47 ms; in one write, 3–9 ms).
    last = new Uint8Array(frame.head.length + frame.tail.length);
    last.set(frame.head);
    last.set(frame.tail, frame.head.length);
  }
  await write(last);
}

function toFailure(error: unknown, phase: Phase): Failure {
  const { message, code } = error as { message?: string; code?: unknown };
  return {
    phase,
    message: message || String(error),
    code: typeof code === "string" ? code : undefined,
    ...(error instanceof ExchangeError ? error.detail : {}),
  };
}

/** Resolves when `emitter` emits `event`; rejects with the reason when `stop` aborts. */
function waitFor(emitter: EventEmitter, event: string, stop: AbortSignal): Promise<void> {
  return untilAborted(new Promise<void>((resolve) => emitter.once(event, () => resolve())), stop);
}

/** `promise`, or a rejection with the reason as soon as `stop` aborts. */
function untilAborted<T>(promise: Promise<T>, stop: AbortSignal): Promise<T> {
  if (stop.aborted) return Promise.reject(stop.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(stop.reason);
    stop.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => stop.removeEventListener("abort", onAbort));
  });
}
