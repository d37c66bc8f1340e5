/**
 * One ping attempt: a single connection, or in data mode one connection per
 * chunk (datasize MB in chunks of chunksize MB, the last holding the
 * remainder), as the original does — sent, or with `/reverse` asked back from
 * pong. The attempt succeeds when every chunk got its response.
 *
 * @module
 */
import type { PingOptions } from "../options/options.ts";
import type { CertificateWithKey } from "../net/certificate.ts";
import { type Handshake, tlsSession } from "../net/peer_certificate.ts";
import { HEADERS, PONG_COMMON_NAME } from "../net/protocol.ts";
import { diagnose } from "../connection/diagnosis.ts";
import { exchange } from "../connection/exchange.ts";
import { CutShort } from "../connection/exchange_error.ts";
import type { AttemptProgress, AttemptResult, ExchangeResult } from "../connection/result.ts";

/** The least time between two progress reports. */
const PROGRESS_EVERY_MS = 250;

/** What an attempt knows of the run around it. */
export interface AttemptContext {
  signal: AbortSignal;
  /** Hears how a data-mode attempt goes. */
  onProgress?: (progress: AttemptProgress) => void;
  /** Pong has answered an earlier attempt of this run. */
  pongAnswered: boolean;
  /** The certificate to present when the server asks for one. */
  clientCertificate?: CertificateWithKey;
}

/**
 * Runs attempt number `seq`. Rejects only when the context's signal aborts, with a
 * {@linkcode CutShort} timed from the attempt's start.
 */
export async function runAttempt(
  options: PingOptions,
  seq: number,
  { signal, onProgress, pongAnswered, clientCertificate }: AttemptContext,
): Promise<AttemptResult> {
  const time = new Date();
  const started = performance.now();
  const chunks = options.dataSize === 0 ? 1 : Math.ceil(options.dataSize / options.chunkSize);
  const result: AttemptResult = {
    seq,
    time,
    ok: false,
    ms: 0,
    chunks,
    chunksDone: 0,
    connected: false,
    secured: false,
    bytesSent: 0,
    bytesRead: 0,
    phases: { dns: 0, connect: 0, proxy: null, tls: 0, firstByte: 0, transfer: 0 },
  };
  let left = options.dataSize;
  /** Payload bytes the chunks before this one moved. */
  let bytesBefore = 0;
  let reportedAt = started;
  let handshake: Handshake | undefined;
  for (let chunk = 1; chunk <= chunks; chunk++) {
    const chunkBytes = Math.min(left, options.chunkSize);
    left -= chunkBytes;
    const one = await exchange({
      target: options.target,
      proxy: options.proxy,
      tls: !options.noSsl,
      family: options.family,
      thumbprint: options.thumbprint,
      clientCertificate,
      payloadBytes: options.reverse ? 0 : chunkBytes,
      reverseBytes: options.reverse ? chunkBytes : 0,
      timeoutMs: options.timeoutMs,
      signal,
      onProgress: (bytesMoved) => {
        const bytesDone = bytesBefore + bytesMoved;
        const now = performance.now();
        if (now - reportedAt < PROGRESS_EVERY_MS) return;
        reportedAt = now;
        const elapsedMs = now - started;
        onProgress?.({ chunk, chunks, bytesDone, bytesTotal: options.dataSize, elapsedMs });
      },
    }).catch((error: unknown) => {
      if (!(error instanceof CutShort)) throw error;
      // The whole attempt's time, over its chunks, not only its last connection's.
      throw new CutShort(error.phase, performance.now() - started, error.reached, error.cause);
    });
    bytesBefore += options.reverse ? one.bytesRead : one.bytesSent;
    addChunk(result, one);
    handshake = one.tls ?? handshake;
    if (one.failure) {
      result.failure = one.failure;
      break;
    }
    result.chunksDone++;
  }
  result.ok = result.failure === undefined;
  if (result.failure) {
    result.diagnosis = diagnose(result.failure, {
      host: options.target.host,
      port: options.target.port,
      dataMode: options.dataSize > 0,
      chunkBytes: Math.min(options.chunkSize, options.dataSize),
      family: options.family,
      proxy: options.proxy,
      pongAnswered: pongAnswered || answeredByPong(result),
      pongCertificate: handshake?.subject === `CN=${PONG_COMMON_NAME}`,
    });
  }
  result.ms = performance.now() - started;
  // After the timing: the first certificate loads the parser (0.16 to 0.37 s here).
  if (handshake) result.tls = await tlsSession(handshake);
  return result;
}

/** Adds one chunk's connection to the attempt: its bytes and times summed, its answer kept. */
function addChunk(result: AttemptResult, one: ExchangeResult): void {
  result.connected = one.connected;
  result.secured = one.secured;
  result.address = one.address;
  result.bytesSent += one.bytesSent;
  if (one.bytesConfirmed !== undefined) {
    result.bytesConfirmed = (result.bytesConfirmed ?? 0) + one.bytesConfirmed;
  }
  result.bytesRead += one.bytesRead;
  result.status = one.status ?? result.status;
  result.headers = one.headers ?? result.headers;
  result.httpVersion = one.httpVersion ?? result.httpVersion;
  result.answerStart = one.answerStart ?? result.answerStart;
  const sum = result.phases;
  sum.dns = addPhase(sum.dns, one.phases.dns);
  sum.connect = addPhase(sum.connect, one.phases.connect);
  sum.proxy = addPhase(sum.proxy, one.phases.proxy);
  sum.tls += one.phases.tls;
  sum.firstByte += one.phases.firstByte;
  sum.transfer += one.phases.transfer;
}

/** A phase's time over the chunks: null where the phase does not apply (the last chunk's word). */
function addPhase(sum: number | null, one: number | null): number | null {
  return one === null ? null : (sum ?? 0) + one;
}

/**
 * Whether pong answered: its own header on the answer (of an earlier chunk, when this one
 * failed), or its word on what it had received, which only pong gives.
 */
export function answeredByPong(result: AttemptResult): boolean {
  return (result.headers?.has(HEADERS.pong.toLowerCase()) ?? false) ||
    result.bytesConfirmed !== undefined;
}
