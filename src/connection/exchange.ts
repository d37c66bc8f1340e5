/**
 * One connection of an attempt, in steps: resolve the name, open the
 * connection (TCP connect, or through a proxy a CONNECT tunnel, for which only
 * the proxy's name is resolved here), secure it with TLS (unless `/nossl`),
 * send the request with back-pressure, read the response, judge it. Every
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
import { ResponseReader } from "../net/http.ts";
import { connectTunnel, ProxyError } from "../net/proxy.ts";
import type { HttpProxy } from "../net/proxy_url.ts";
import { startsWithTlsRecord } from "../net/sniff.ts";
import { readHandshake } from "../net/peer_certificate.ts";
import { payloadPool } from "../net/payload.ts";
import { formatCount } from "../format.ts";
import { Watchdog } from "../timers.ts";
import { collectAfterReading } from "../gc.ts";
import { DURING, type Failure, FAILURE_CODES, type Phase } from "./failure.ts";
import { CutShort, ExchangeError, speaksTls, toFailure } from "./exchange_error.ts";
import { HEADERS } from "../net/protocol.ts";
import { judge, judgeThumbprint } from "./judge.ts";
import { type ExchangeRequest, type RequestFrame, requestFrame } from "./request.ts";
import type { ExchangeResult } from "./result.ts";

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

/**
 * How long the socket's writes are watched to tell the link's pace: the
 * operating system's buffers take the first few MB at once (3.4 MB on Linux
 * loopback, measured), so only writes after them wait for the link.
 */
const BUFFERED_MS = 1000;

/**
 * The slowest link ping allows for, in bytes a second, where it can see no
 * pace at all: a server that says nothing of what it has received, and an
 * upload the buffers took at once. 32 KiB/s is 256 kbit/s.
 */
const SLOWEST_LINK = 32 * 1024;

/**
 * The most the system's buffers can hold of a request that has not crossed
 * the link yet: Linux's default largest send buffer (tcp_wmem), 4 MiB. What
 * the socket took at once beyond it has crossed already.
 */
const SOCKET_BUFFERS = 4 * 1024 * 1024;

/** How much the TLS socket reads at a time. */
const READ_BUFFER_BYTES = 1024 * 1024;

/**
 * Runs one request over a new connection. Resolves with the outcome; rejects only on abort,
 * with a {@linkcode CutShort} saying where it was.
 */
export async function exchange(request: ExchangeRequest): Promise<ExchangeResult> {
  return await new Exchange(request).run();
}

/**
 * One connection and all it holds: its sockets, the phase it is in, its
 * timings, the answer read so far. Each step enters its phase, so a failure
 * is put down to the step it happened in.
 */
class Exchange {
  readonly #request: ExchangeRequest;
  readonly #frame: RequestFrame;
  readonly #maxResponse: number;
  readonly #result: ExchangeResult;
  readonly #reader = new ResponseReader();
  /** One signal ends every wait: a user abort, a timeout, a socket error or close. */
  readonly #stop = new AbortController();
  readonly #watchdog: Watchdog;
  readonly #sockets: net.Socket[] = [];
  #phase: Phase = "dns";
  /** Through a proxy: the TCP connection to it is made, and CONNECT awaits its answer. */
  #proxyConnected = false;
  /** Set once the response is complete: a reset or close after that is no failure. */
  #settled = false;
  /** When the last timed phase ended. */
  #mark = performance.now();
  /** When the connection began: a stop says how long it had run. */
  readonly #started = this.#mark;
  #firstByteAt?: number;
  /** When the first byte of the request was written, and how much the socket took at once. */
  #sendStartedAt = 0;
  #takenAtOnce = 0;
  /**
   * Once the request is all written, and the server says nothing: the bytes that may still be
   * on the way, and the wait allowed for them beyond `/timeout` (0 once the server speaks).
   */
  #inFlight = 0;
  #graceMs = 0;

  constructor(request: ExchangeRequest) {
    this.#request = request;
    this.#frame = requestFrame(request.target, request.payloadBytes, request.reverseBytes);
    this.#maxResponse = request.reverseBytes + MAX_RESPONSE_BYTES;
    this.#result = {
      connected: false,
      secured: false,
      bytesSent: 0,
      bytesRead: 0,
      // Through a proxy, its phase holds the connect: there is no other.
      phases: request.proxy
        ? { dns: 0, connect: null, proxy: 0, tls: 0, firstByte: 0, transfer: 0 }
        : { dns: 0, connect: 0, proxy: null, tls: 0, firstByte: 0, transfer: 0 },
    };
    this.#watchdog = new Watchdog(request.timeoutMs, () => this.#timedOut());
  }

  /** Runs the steps in turn; the first failure ends them and is kept in the result. */
  async run(): Promise<ExchangeResult> {
    const { signal } = this.#request;
    const onAbort = () => this.#stop.abort(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      if (signal.aborted) throw signal.reason;
      const address = await this.#resolve();
      const socket = await this.#open(address);
      const stream = this.#request.tls ? await this.#secure(socket) : socket;
      const answered = this.#listen(stream);
      await this.#send(stream);
      await this.#read(answered);
      judge(this.#result, this.#request, this.#reader);
    } catch (error) {
      if (signal.aborted) {
        const ms = performance.now() - this.#started;
        throw new CutShort(this.#phase, ms, this.#result, signal.reason);
      }
      this.#result.failure = this.#failure(error);
    } finally {
      this.#watchdog.stop();
      signal.removeEventListener("abort", onAbort);
      for (const socket of this.#sockets) socket.destroy();
    }
    return this.#result;
  }

  /** The address to connect to: given, an IP address already, or looked up. */
  async #resolve(): Promise<string> {
    const request = this.#request;
    // Through a proxy, the only name looked up here is the proxy's.
    const hop = request.proxy ?? request.target;
    if (request.address !== undefined || net.isIP(hop.host)) {
      this.#result.phases.dns = null;
      this.#result.address = request.address;
    } else {
      const found = lookup(hop.host, { family: request.family ?? 0 });
      this.#result.address = (await untilAborted(found, this.#stop.signal)).address;
      this.#result.phases.dns = this.#lap();
    }
    return this.#result.address ??= hop.host;
  }

  /** The TCP connection: to the server, or through the proxy's tunnel to it. */
  async #open(address: string): Promise<net.Socket> {
    const { proxy } = this.#request;
    const socket = proxy ? await this.#tunnel(proxy, address) : await this.#connect(address);
    this.#result.connected = true;
    return socket;
  }

  async #connect(address: string): Promise<net.Socket> {
    this.#enter("connect");
    const port = this.#request.target.port;
    // No Nagle: the request's last small write must not wait for the server's delayed ACK.
    const socket = this.#watch(net.connect({ host: address, port, noDelay: true }));
    await waitFor(socket, "connect", this.#stop.signal);
    this.#result.phases.connect = this.#lap();
    return socket;
  }

  async #tunnel(proxy: HttpProxy, address: string): Promise<net.Socket> {
    this.#enter("proxy");
    const socket = this.#watch(
      await connectTunnel({
        proxy,
        address,
        target: this.#request.target,
        signal: this.#stop.signal,
        onConnected: () => {
          this.#proxyConnected = true;
          this.#watchdog.kick();
        },
      }),
    );
    this.#result.phases.proxy = this.#lap();
    return socket;
  }

  /** The TLS handshake over `socket`, and the certificate judged against `/thumbprint`. */
  async #secure(socket: net.Socket): Promise<net.Socket> {
    this.#enter("tls");
    const { target, clientCertificate } = this.#request;
    const options: tls.ConnectionOptions & { highWaterMark: number } = {
      socket,
      servername: net.isIP(target.host) ? undefined : target.host,
      rejectUnauthorized: false, // Tentacles present self-signed certificates
      minVersion: "TLSv1.2",
      cert: clientCertificate?.certPem,
      key: clientCertificate?.keyPem,
      // Stream option node's types omit: 1 MiB reads made /reverse ~30 % faster than 16 KiB.
      // It sizes the write buffer too, which is why writeRequest() keeps one write in flight.
      highWaterMark: READ_BUFFER_BYTES,
    };
    const secure = this.#watch(tls.connect(options));
    await waitFor(secure, "secureConnect", this.#stop.signal);
    this.#result.secured = true;
    this.#result.tls = readHandshake(secure);
    this.#result.phases.tls = this.#lap();
    judgeThumbprint(this.#result.tls, this.#request.thumbprint);
    return secure;
  }

  /**
   * Starts reading before the first write, so that an answer or a close while
   * sending shows the server did not take the request. Resolves once the answer
   * is complete, or the server ended it.
   */
  #listen(stream: net.Socket): Promise<void> {
    return new Promise<void>((resolve) => {
      const finish = () => {
        this.#settled = true;
        resolve();
      };
      stream.on("data", (chunk: Uint8Array) => this.#received(chunk, finish));
      stream.on("end", () => {
        if (this.#phase === "send") this.#stop.abort(this.#early("closed the connection"));
        else finish();
      });
      stream.resume(); // a tunnel comes paused, and a 'data' listener does not resume it
    });
  }

  /**
   * Sends the request. Each write the socket takes is progress for `/timeout`, and is reported
   * until pong confirms what it has received: from then on, its word is the progress.
   */
  async #send(stream: net.Socket): Promise<void> {
    this.#enter("send");
    const { payloadBytes } = this.#request;
    this.#sendStartedAt = performance.now();
    await writeRequest(stream, this.#frame, payloadBytes, this.#stop.signal, (bytes) => {
      const result = this.#result;
      result.bytesSent += bytes;
      if (performance.now() - this.#sendStartedAt < BUFFERED_MS) this.#takenAtOnce += bytes;
      this.#watchdog.kick();
      if (payloadBytes > 0 && result.bytesConfirmed === undefined) {
        this.#request.onProgress?.(result.bytesSent);
      }
    });
  }

  /**
   * The wait allowed after the last write for bytes that may still be on the way, when the
   * server says nothing of what it has received: those the socket took at once, up to what
   * the system's buffers hold, at the pace the writes showed, or at {@linkcode SLOWEST_LINK}
   * where they showed none.
   */
  #allowForBuffered(sentAt: number): void {
    if (this.#request.payloadBytes === 0 || this.#result.bytesConfirmed !== undefined) return;
    const { bytesSent } = this.#result;
    const writingSeconds = (sentAt - this.#sendStartedAt) / 1000;
    // Writes held up for a while went at the link's pace; past the buffers, writes taken at once
    // crossed the link at once.
    const crossed = writingSeconds * 1000 >= BUFFERED_MS
      ? bytesSent
      : Math.max(0, bytesSent - SOCKET_BUFFERS);
    const paced = writingSeconds > 0 ? crossed / writingSeconds : 0;
    this.#inFlight = Math.min(this.#takenAtOnce, SOCKET_BUFFERS);
    this.#graceMs = Math.round((this.#inFlight / Math.max(paced, SLOWEST_LINK)) * 1000);
    this.#watchdog.kick(this.#graceMs);
  }

  /** Waits for the whole answer, timing the first byte and the transfer. */
  async #read(answered: Promise<void>): Promise<void> {
    this.#phase = "response";
    const sentAt = performance.now();
    this.#allowForBuffered(sentAt);
    await untilAborted(answered, this.#stop.signal);
    const head = this.#reader.head;
    this.#timePhases(sentAt, performance.now(), head?.headers.get(HEADERS.readMs.toLowerCase()));
    const counted = Number(head?.headers.get(HEADERS.bytesRead.toLowerCase()));
    if (Number.isSafeInteger(counted)) this.#result.bytesConfirmed = counted;
    this.#result.status = head?.status;
    this.#result.httpVersion = head?.version;
    this.#result.headers = head?.headers;
    this.#result.answerStart = new TextDecoder().decode(this.#reader.first);
  }

  /**
   * The first byte and the transfer, as delivered: against pong, which says how long the
   * request took to arrive (`readMs`), the wait for the first byte starts at the arrival, not
   * at ping's last write, which a slow link's buffers take long before.
   */
  #timePhases(sentAt: number, end: number, readMs: string | undefined): void {
    const { phases } = this.#result;
    const firstByteAt = this.#firstByteAt ?? end;
    const arrival = Number(readMs); // NaN without the header
    if (this.#request.payloadBytes > 0 && Number.isFinite(arrival)) {
      const untilAnswer = firstByteAt - this.#mark;
      phases.firstByte = Math.max(0, untilAnswer - arrival);
      phases.transfer = untilAnswer - phases.firstByte + (end - firstByteAt);
    } else {
      phases.firstByte = firstByteAt - sentAt;
      phases.transfer = sentAt - this.#mark + (end - firstByteAt);
    }
  }

  /** One chunk of the answer: progress, and what it shows before the answer is complete. */
  #received(chunk: Uint8Array, finish: () => void): void {
    const reader = this.#reader;
    reader.push(chunk);
    collectAfterReading(chunk.length); // each chunk is a new buffer: /reverse's gigabyte waits otherwise
    // The answer's bytes: pong's interim progress is talk about the request, not an answer.
    this.#result.bytesRead = reader.bytes - reader.interimBytes;
    if (!reader.answering) {
      if (reader.confirmed !== undefined) this.#confirmed(reader.confirmed);
      if (reader.bytes > this.#maxResponse) this.#stop.abort(this.#tooLarge());
      return;
    }
    this.#watchdog.kick();
    this.#graceMs = 0; // the server speaks: from now on, /timeout alone
    this.#firstByteAt ??= performance.now();
    const request = this.#request;
    if (!request.tls && startsWithTlsRecord(reader.first)) this.#stop.abort(speaksTls());
    if (request.reverseBytes > 0) request.onProgress?.(reader.bytes);
    if (this.#phase === "send") this.#stop.abort(this.#early("answered"));
    else if (reader.complete) finish();
    else if (reader.bytes > this.#maxResponse) this.#stop.abort(this.#tooLarge());
  }

  /** Pong has received `bytes` of the request: progress, for `/timeout` and reported. */
  #confirmed(bytes: number): void {
    const result = this.#result;
    if (bytes <= (result.bytesConfirmed ?? -1)) return; // no new bytes arrived
    result.bytesConfirmed = bytes;
    this.#graceMs = 0;
    this.#watchdog.kick();
    this.#request.onProgress?.(bytes);
  }

  #tooLarge(): ExchangeError {
    return new ExchangeError(
      FAILURE_CODES.tooLarge,
      `response too large: more than ${formatCount(this.#maxResponse)} bytes, cut there`,
    );
  }

  #enter(phase: Phase): void {
    this.#phase = phase;
    this.#watchdog.kick();
  }

  /** The time since the last timed phase ended, which ends another. */
  #lap(): number {
    const now = performance.now();
    const ms = now - this.#mark;
    this.#mark = now;
    return ms;
  }

  /** Ends every wait when a socket fails or closes, with what that means in the phase. */
  #watch<S extends net.Socket>(socket: S): S {
    this.#sockets.push(socket);
    socket.on("error", (error: Error) => {
      if (this.#settled) return;
      // Mid-upload, an error means the server stopped taking the data: that comes first, but
      // for a TLS alert (a client certificate refused after a TLS 1.3 handshake), which says why.
      const tlsAlert = /^ERR_(SSL|TLS)_/.test((error as { code?: string }).code ?? "");
      this.#stop.abort(
        this.#uploading() && !tlsAlert ? this.#early("closed the connection", error) : error,
      );
    });
    socket.on("close", () => {
      if (this.#settled) return;
      const closed = "the server closed the connection";
      this.#stop.abort(
        this.#uploading() ? this.#early(closed) : new ExchangeError(FAILURE_CODES.closed, closed),
      );
    });
    return socket;
  }

  #uploading(): boolean {
    return this.#phase === "send" && this.#request.payloadBytes > 0;
  }

  /** The server answered or hung up before it had the whole request. */
  #early(what: string, cause?: Error): ExchangeError {
    const how = cause ? ` (${cause.message})` : "";
    return new ExchangeError(
      FAILURE_CODES.answeredEarly,
      `the server ${what} after ${formatCount(this.#result.bytesSent)} of ` +
        `${
          formatCount(this.#frame.totalBytes)
        } bytes of the request${how}: it did not take the data`,
    );
  }

  /** No progress for `/timeout`: ends every wait, saying who did not answer. */
  #timedOut(): void {
    const seconds = (ms: number) => Math.round(ms / 100) / 10;
    const timeout = seconds(this.#request.timeoutMs);
    const { bytesConfirmed } = this.#result;
    let message: string;
    if (this.#phase === "proxy") {
      message = this.#proxyConnected
        ? `the proxy did not answer CONNECT within ${timeout} s`
        : `no answer from the proxy for ${timeout} s while connecting to it`;
    } else if (
      bytesConfirmed !== undefined && bytesConfirmed < this.#frame.totalBytes &&
      !this.#reader.answering
    ) {
      // Pong said what arrived, and no more came: the data stopped on the way, not at pong.
      this.#phase = "send";
      message = `the upload stopped moving: pong had received ${formatCount(bytesConfirmed)} ` +
        `of ${formatCount(this.#frame.totalBytes)} bytes, and nothing more for ${timeout} s`;
    } else {
      message =
        `no answer from the server for ${seconds(this.#request.timeoutMs + this.#graceMs)} s ` +
        DURING[this.#phase] + (this.#graceMs > 0 ? this.#graceNote() : "");
    }
    this.#stop.abort(new ExchangeError(FAILURE_CODES.timeout, message));
  }

  /** Why the wait was longer than `/timeout`: bytes that may have been on the way. */
  #graceNote(): string {
    return ` (it says nothing of what it has received, so ping also allowed ` +
      `${Math.round(this.#graceMs / 1000)} s for the ${formatCount(this.#inFlight)} bytes ` +
      "its socket took at once, which a slow link may still have been carrying)";
  }

  /** `error` as the failure of the phase it ended, with how far the connection had got. */
  #failure(error: unknown): Failure {
    const { bytesSent, bytesRead, bytesConfirmed } = this.#result;
    const failure: Failure = {
      ...toFailure(error, this.#phase),
      bytesSent,
      bytesRead,
      ...(bytesConfirmed !== undefined ? { bytesConfirmed } : {}),
    };
    if (this.#phase === "proxy") {
      const answer = error instanceof ProxyError ? error : undefined;
      failure.proxy = {
        connected: this.#proxyConnected,
        status: answer?.status,
        reason: answer?.reason,
        schemes: answer?.schemes,
        unreachable: answer?.unreachable,
      };
    }
    return failure;
  }
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
async function writeRequest(
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
