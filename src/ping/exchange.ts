/**
 * One connection of an attempt: resolve, TCP connect, TLS handshake (unless
 * `/nossl`), send the request with back-pressure, read the response. Every
 * wait is bounded by a no-progress timeout; every failure is kept with the
 * phase it happened in.
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
import type { Target } from "../cli/options.ts";
import { ResponseReader } from "../net/http.ts";
import { Watchdog } from "../timers.ts";
import { payloadPool, requestFrame } from "./payload.ts";
import type { ExchangeResult, Failure, Phase } from "./result.ts";

/** What one connection should do. */
export interface ExchangeRequest {
  target: Target;
  tls: boolean;
  /** Payload bytes to send in the request; 0 for none. */
  payloadBytes: number;
  /** The longest wait with no progress, in ms. */
  timeoutMs: number;
  /** Aborting cancels the exchange: it then rejects with the signal's reason. */
  signal: AbortSignal;
}

/** A failure described in the tool's own words (a timeout, an early close). */
class ExchangeError extends Error {
  override name = "ExchangeError";
  /** The system error behind it, if any (`EPIPE`, `ECONNRESET`). */
  code?: string;

  constructor(message: string, code?: string) {
    super(message);
    this.code = code;
  }
}

const PHASE_WORDS: Record<Phase, string> = {
  dns: "looking up the name",
  connect: "connecting",
  tls: "in the TLS handshake",
  send: "sending the request",
  response: "waiting for the response",
};

/** Runs one request over a new connection. Resolves with the outcome; rejects only on abort. */
export async function exchange(request: ExchangeRequest): Promise<ExchangeResult> {
  const { target, timeoutMs, signal } = request;
  const result: ExchangeResult = {
    connected: false,
    secured: false,
    bytesSent: 0,
    bytesRead: 0,
    phases: { dns: 0, connect: 0, tls: 0, firstByte: 0, transfer: 0 },
  };
  let phase: Phase = "dns";
  const frame = requestFrame(target, request.payloadBytes);
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
    stop.abort(
      new ExchangeError(`no answer from the server for ${seconds} s ${PHASE_WORDS[phase]}`),
    );
  });
  // Set once the response is complete: a reset or close after that is no failure.
  let settled = false;
  const sockets: net.Socket[] = [];
  const watch = <S extends net.Socket>(socket: S): S => {
    sockets.push(socket);
    socket.on("error", (error: Error & { code?: string }) => {
      if (settled) return;
      // Mid-request, any error means the server stopped taking the data: say that first.
      if (phase === "send") {
        stop.abort(answeredEarly(result.bytesSent, frame.totalBytes, "closed", error));
      } else stop.abort(error);
    });
    socket.on(
      "close",
      () => settled || stop.abort(new ExchangeError("the server closed the connection")),
    );
    return socket;
  };
  try {
    if (signal.aborted) throw signal.reason;
    result.address = await untilAborted(resolve(target.host), stop.signal);
    result.phases.dns = lap();

    phase = "connect";
    watchdog.kick();
    const raw = watch(net.connect({ host: result.address, port: target.port }));
    await waitFor(raw, "connect", stop.signal);
    result.connected = true;
    result.phases.connect = lap();

    let stream: net.Socket = raw;
    if (request.tls) {
      phase = "tls";
      watchdog.kick();
      stream = watch(tls.connect({
        socket: raw,
        servername: net.isIP(target.host) ? undefined : target.host,
        rejectUnauthorized: false, // Tentacles present self-signed certificates
        minVersion: "TLSv1.2",
      }));
      await waitFor(stream, "secureConnect", stop.signal);
      result.secured = true;
      result.phases.tls = lap();
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
        if (phase === "send") {
          stop.abort(answeredEarly(result.bytesSent, frame.totalBytes, "answered"));
        } else if (reader.complete) finish();
      });
      stream.on("end", () => {
        if (phase === "send") {
          stop.abort(answeredEarly(result.bytesSent, frame.totalBytes, "closed"));
        } else finish();
      });
    });
    await send(stream, frame, request.payloadBytes, stop.signal, (bytes) => {
      result.bytesSent += bytes;
      watchdog.kick();
    });
    phase = "response";
    const sentAt = performance.now();
    result.phases.transfer = sentAt - mark;
    await untilAborted(answered, stop.signal);
    const end = performance.now();
    result.phases.firstByte = (firstByteAt ?? end) - sentAt;
    result.phases.transfer += end - (firstByteAt ?? end);
    result.status = reader.head?.status;
    result.headers = reader.head?.headers;
    if (reader.bytes === 0) {
      throw new ExchangeError("the server closed the connection without answering");
    }
    if (reader.truncated) {
      throw new ExchangeError(`the server closed the connection in the middle of its response`);
    }
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    result.failure = toFailure(error, phase);
  } finally {
    watchdog.stop();
    signal.removeEventListener("abort", onAbort);
    for (const socket of sockets) socket.destroy();
  }
  return result;
}

async function resolve(host: string): Promise<string> {
  if (net.isIP(host)) return host;
  return (await lookup(host)).address;
}

/**
 * Writes the request: head, payload from the reusable buffer, tail. Waits for
 * `drain` whenever the socket's buffer is full, so memory stays flat.
 * `onWritten` hears of each write once the socket has taken it.
 */
async function send(
  stream: net.Socket,
  frame: { head: Uint8Array; tail: Uint8Array },
  payloadBytes: number,
  stop: AbortSignal,
  onWritten: (bytes: number) => void,
): Promise<void> {
  const write = async (bytes: Uint8Array) => {
    const more = stream.write(bytes, (error) => error || onWritten(bytes.length));
    if (!more) await waitFor(stream, "drain", stop);
  };
  await write(frame.head);
  const pool = payloadBytes > 0 ? payloadPool() : new Uint8Array(0);
  for (let left = payloadBytes; left > 0; left -= pool.length) {
    await write(pool.subarray(0, Math.min(left, pool.length)));
  }
  // Done only when the socket has taken the last byte, not when it is queued.
  const flushed = new Promise<void>((resolve) => {
    stream.write(frame.tail, (error) => error || resolve(onWritten(frame.tail.length)));
  });
  await untilAborted(flushed, stop);
}

function answeredEarly(
  sent: number,
  total: number,
  what: "answered" | "closed",
  cause?: Error & { code?: string },
): ExchangeError {
  const count = (n: number) => n.toLocaleString("en-US");
  const how = cause ? ` (${cause.message})` : "";
  return new ExchangeError(
    `the server ${what} after ${count(sent)} of ${count(total)} bytes of the request${how}: ` +
      "it did not take the data",
    cause?.code,
  );
}

function toFailure(error: unknown, phase: Phase): Failure {
  const { message, code } = error as { message?: string; code?: unknown };
  return {
    phase,
    message: message || String(error),
    code: typeof code === "string" ? code : undefined,
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
