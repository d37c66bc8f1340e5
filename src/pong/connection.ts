/**
 * One connection's life at pong, in steps over the state it owns: the TLS
 * handshake (none with `/nossl`), the request read to its blank line and
 * counted, the answer, and the close. A deadline for the handshake and an
 * idle timeout cut a client that stalls; nothing a client does makes it throw.
 *
 * @module
 */
import type { SecureContext } from "node:tls";
import { type PongOptions } from "../options/options.ts";
import { payloadPool } from "../net/payload.ts";
import { HEADERS } from "../net/protocol.ts";
import { startsWithClientHello } from "../net/sniff.ts";
import { formatCount } from "../format.ts";
import { Watchdog } from "../timers.ts";
import {
  answer,
  asksProgress,
  BODY,
  NOT_TLS_ANSWER,
  progressAnswer,
  refusal,
  reverseBytes,
  TLS_DECODE_ERROR_ALERT,
} from "./answer.ts";
import type { AnsweredConnection, ConnectionFailure, FailedConnection } from "./events.ts";
import type { LargeBuffers } from "./read_buffers.ts";
import { RequestScanner } from "./request.ts";
import { type ByteStream, PlainStream } from "./byte_stream.ts";
import { acceptTls } from "./tls_wrap.ts";

/** The most of a request's start kept, to find the `/reverse` and progress headers in. */
const HEAD_KEPT_BYTES = 4096;

/** Enough of a connection's first bytes to see a TLS record header. */
const FIRST_READ_BYTES = 16 * 1024;

/** How often a request that asked for progress hears how much of it has arrived. */
const PROGRESS_MS = 1000;

/** The certificate pong serves, ready for handshakes. */
export interface ServerTls {
  context: SecureContext;
  /** Its SHA-1, which pong vouches for in every answer. */
  thumbprint: string;
}

/** What all of a server's connections share. */
export interface Serving {
  options: PongOptions;
  /** Absent with `/nossl`. */
  tls: ServerTls | undefined;
  /** Aborts when pong stops. */
  stopping: AbortSignal;
  /** The large read buffers a bulk upload borrows. */
  largeBuffers: LargeBuffers;
}

/** How a connection ended: answered, failed, or cut because pong stopped (no failure). */
export type Outcome =
  | AnsweredConnection
  | ({ type: "failed" } & FailedConnection)
  | { type: "ended by pong"; bytesRead: number; bytesSent: number };

/** Serves one connection to its end; never throws: a bad client becomes a `failed` outcome. */
export function serve(conn: Deno.Conn, client: string, serving: Serving): Promise<Outcome> {
  return new PongConnection(conn, client, serving).serve();
}

/** Closes `conn`, which may be closed already. */
export function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // already closed
  }
}

/** The client closed before the end of its request. */
class ClientGone extends Error {}

/** One connection and what its steps share: handshake → read request → respond → close. */
class PongConnection {
  readonly #conn: Deno.Conn;
  readonly #client: string;
  readonly #serving: Serving;
  readonly #started = performance.now();
  /** The connection, or TLS over it once the handshake is done. */
  #stream: ByteStream;
  #clientCertificate: string | null = null;
  readonly #scanner = new RequestScanner();
  readonly #head = new Uint8Array(HEAD_KEPT_BYTES);
  #headLength = 0;
  #bytesSent = 0;
  /** Why a watchdog cut the connection, once one has. */
  #stalled: { kind: ConnectionFailure; reason: string } | undefined;
  /** Cuts a TLS handshake short when a deadline fires or pong stops. */
  readonly #handshakeCut = new AbortController();
  #handshaking: boolean;
  #watchdog: Watchdog;
  /** Sends progress while a request that asked for it arrives; undefined when none is due. */
  #progressTimer: ReturnType<typeof setInterval> | undefined;
  /** The progress write in flight: the answer waits for it, so the two never interleave. */
  #progressWritten: Promise<void> = Promise.resolve();
  #progressSent = 0;
  /** When the request's first and last bytes were read: ping learns how long it took to arrive. */
  #requestStartedAt = 0;
  #requestReadMs = 0;

  constructor(conn: Deno.Conn, client: string, serving: Serving) {
    this.#conn = conn;
    this.#client = client;
    this.#serving = serving;
    // No Nagle: an answer's last small write must not wait for the client's delayed ACK.
    (conn as Deno.TcpConn).setNoDelay(true);
    this.#stream = new PlainStream(conn, serving.largeBuffers);
    this.#handshaking = serving.tls !== undefined;
    const { handshakeMs } = serving.options;
    this.#watchdog = serving.tls
      ? this.#watch(
        handshakeMs,
        "handshake timeout",
        `no TLS handshake within ${handshakeMs / 1000} s (/handshake)`,
      )
      : this.#idle();
  }

  /** Runs the steps; whatever ends them early becomes the outcome. */
  async serve(): Promise<Outcome> {
    try {
      if (this.#serving.tls) await this.#handshake(this.#serving.tls);
      const notHttp = await this.#readRequest();
      if (notHttp) return notHttp;
      return await this.#respond();
    } catch (error) {
      return this.#endedBy(error);
    } finally {
      await this.#close();
    }
  }

  /** The TLS handshake, once the first bytes show a ClientHello; a plain client gets an alert. */
  async #handshake(tls: ServerTls): Promise<void> {
    // A record header's first bytes, even when a middlebox splits the hello after byte 1.
    const first = new Uint8Array(FIRST_READ_BYTES);
    let n = 0;
    while (n < 2) {
      const got = await this.#conn.read(first.subarray(n));
      if (got === null) throw new Error("the client closed the connection before it");
      n += got;
    }
    if (!startsWithClientHello(first.subarray(0, n))) {
      // A plain client on the TLS port: an alert tells it so at once, as a TLS server's would.
      await this.#write(TLS_DECODE_ERROR_ALERT);
      throw new Error("the client does not speak TLS (a plain client on the TLS port?)");
    }
    const secure = await acceptTls(
      this.#conn,
      tls.context,
      first.slice(0, n),
      AbortSignal.any([this.#handshakeCut.signal, this.#serving.stopping]),
      this.#serving.largeBuffers,
    );
    this.#stream = secure;
    this.#clientCertificate = secure.clientCertificate;
    this.#handshaking = false;
    this.#watchdog.stop();
    this.#watchdog = this.#idle();
  }

  /**
   * Reads and counts the request up to its blank line, keeping its start for
   * the headers. Resolves with nothing, or with the failure of a TLS client on
   * a `/nossl` port, which is answered at once.
   */
  async #readRequest(): Promise<Outcome | undefined> {
    const { tls } = this.#serving;
    const stream = this.#stream;
    const scanner = this.#scanner;
    const watchdog = this.#watchdog;
    while (!scanner.done) {
      const chunk = await stream.readChunk();
      if (chunk === null) {
        throw new ClientGone(
          `closed the connection after ${
            formatCount(scanner.bytes)
          } bytes, before the end of its request`,
        );
      }
      watchdog.kick();
      if (scanner.bytes === 0) this.#requestStartedAt = performance.now();
      if (!tls && scanner.bytes === 0 && startsWithClientHello(chunk)) {
        // A ClientHello has no blank line: waiting for one would hold the client for /idle.
        await this.#write(NOT_TLS_ANSWER);
        return this.#failed(
          "tls client",
          "a TLS client on a /nossl port: answered in plain text and closed (ping it with " +
            "/nossl, or start pong without /nossl)",
          chunk.length,
        );
      }
      const used = scanner.push(chunk);
      if (this.#headLength < HEAD_KEPT_BYTES) {
        const kept = chunk.subarray(0, Math.min(used, HEAD_KEPT_BYTES - this.#headLength));
        this.#head.set(kept, this.#headLength);
        this.#headLength += kept.length;
        // Only a request larger than the kept head can take long enough to need progress.
        if (this.#headLength === HEAD_KEPT_BYTES) this.#startProgress();
      }
    }
    this.#requestReadMs = performance.now() - this.#requestStartedAt;
    await this.#stopProgress();
    return undefined;
  }

  /**
   * Each second while the request arrives, a `102 Processing` with the bytes read so far, when
   * the request asked for it: ping then sees what reached pong, not only what its socket took.
   */
  #startProgress(): void {
    if (!asksProgress(this.#head.subarray(0, this.#headLength))) return;
    this.#progressTimer = setInterval(() => {
      const bytesRead = this.#scanner.bytes;
      if (bytesRead === this.#progressSent || this.#scanner.done) return;
      this.#progressSent = bytesRead;
      this.#progressWritten = this.#progressWritten
        .then(() => this.#write(progressAnswer(bytesRead)))
        .catch(() => {}); // the read that follows sees the connection's end
    }, PROGRESS_MS);
  }

  /** No more progress; resolves once the last progress write is out. */
  async #stopProgress(): Promise<void> {
    clearInterval(this.#progressTimer);
    this.#progressTimer = undefined;
    await this.#progressWritten;
  }

  /** Answers the request: the count, with a short body, `/reverse`'s bytes, or a refusal. */
  async #respond(): Promise<Outcome> {
    const { options, tls, stopping } = this.#serving;
    const bytesRead = this.#scanner.bytes;
    const asked = reverseBytes(this.#head.subarray(0, this.#headLength));
    // Pong vouches for both certificates, so ping can tell when something in between replaced one.
    const vouch = {
      [HEADERS.certificate]: tls?.thumbprint ?? "none",
      [HEADERS.clientCertificate]: this.#clientCertificate ?? "none",
      // For a ping that asks for progress, which knows what to do with it: others' answers keep
      // their size to the byte.
      ...(asksProgress(this.#head.subarray(0, this.#headLength))
        ? { [HEADERS.readMs]: this.#requestReadMs.toFixed(1) }
        : {}),
    };
    if (asked === undefined) {
      await this.#write(answer(200, bytesRead, { ...vouch, "Content-Type": "text/plain" }, BODY));
    } else if (asked > options.maxSendBytes) {
      const why = refusal(asked, options.maxSendBytes);
      await this.#write(answer(413, bytesRead, {
        ...vouch,
        [HEADERS.refused]: why,
        [HEADERS.maxSend]: String(options.maxSendBytes),
        "Content-Length": "0",
      }));
      return this.#failed("refused /reverse", `refused /reverse: ${why}`, bytesRead);
    } else {
      await this.#sendBack(asked, vouch);
    }
    // Writes into a connection that died under TLS can look taken: never call that answered.
    if (this.#stalled || stopping.aborted) {
      throw new Error("the connection ended before the answer");
    }
    return {
      type: "answered",
      time: new Date(),
      client: this.#client,
      bytesRead,
      bytesSent: this.#bytesSent,
      ms: performance.now() - this.#started,
      clientCertificate: this.#clientCertificate,
    };
  }

  /** `/reverse`: the head, then `asked` bytes of payload. */
  async #sendBack(asked: number, vouch: Record<string, string>): Promise<void> {
    await this.#write(answer(200, this.#scanner.bytes, {
      ...vouch,
      "Content-Type": "application/octet-stream",
      "Content-Length": String(asked),
      [HEADERS.reverse]: String(asked),
    }));
    const pool = payloadPool();
    for (let left = asked; left > 0; left -= pool.length) {
      await this.#write(pool.subarray(0, Math.min(left, pool.length)));
    }
  }

  /** Writes all of `bytes`; each write taken counts as progress for the watchdog. */
  async #write(bytes: Uint8Array): Promise<void> {
    for (let done = 0; done < bytes.length;) {
      done += await this.#stream.write(bytes.subarray(done));
      this.#watchdog.kick();
    }
    this.#bytesSent += bytes.length;
  }

  /** The outcome of an error that ended the steps: pong stopping, a deadline, or the client. */
  #endedBy(error: unknown): Outcome {
    const bytesRead = this.#scanner.bytes;
    if (this.#serving.stopping.aborted) {
      return { type: "ended by pong", bytesRead, bytesSent: this.#bytesSent };
    }
    const message = (error as Error).message ?? String(error);
    const [kind, reason]: [ConnectionFailure, string] = this.#stalled
      ? [this.#stalled.kind, this.#stalled.reason]
      : this.#handshaking
      ? ["handshake", `TLS handshake failed: ${handshakeFailure(message)}`]
      : error instanceof ClientGone
      ? ["closed early", message]
      : ["other", message];
    return this.#failed(kind, reason, bytesRead);
  }

  #failed(kind: ConnectionFailure, reason: string, bytesRead: number): Outcome {
    return {
      type: "failed",
      time: new Date(),
      client: this.#client,
      kind,
      reason,
      bytesRead,
      bytesSent: this.#bytesSent,
      ms: performance.now() - this.#started,
      clientCertificate: this.#clientCertificate,
    };
  }

  /** Stops the watchdog and ends the connection, which gives back its large buffer. */
  async #close(): Promise<void> {
    // While the watchdog still runs: a progress write to a client that stopped reading ends at it.
    await this.#stopProgress();
    this.#watchdog.stop();
    await this.#stream.end?.(); // TLS: the last bytes and close_notify go out before the socket closes
    this.#stream.close();
    closeQuietly(this.#conn);
  }

  /** A watchdog that, when it fires, records why and cuts the connection (and its handshake). */
  #watch(ms: number, kind: ConnectionFailure, reason: string): Watchdog {
    return new Watchdog(ms, () => {
      this.#stalled = { kind, reason };
      this.#handshakeCut.abort();
      closeQuietly(this.#conn);
    });
  }

  #idle(): Watchdog {
    const { idleMs } = this.#serving.options;
    return this.#watch(idleMs, "idle", `silent for ${idleMs / 1000} s (/idle), dropped`);
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
