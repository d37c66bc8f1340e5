/**
 * What one connection and one attempt come to: typed results that the engine
 * emits and reporters read.
 *
 * @module
 */
import type { Handshake, TlsSession } from "../net/peer_certificate.ts";
import type { Diagnosis, Failure } from "./failure.ts";

/** Milliseconds spent in each phase (summed over the chunks' connections in data mode). */
export interface PhaseTimings {
  /** Name lookup; null for an IP address, which needs none. */
  dns: number | null;
  /** TCP connect; null through a proxy, whose phase holds the connect to it. */
  connect: number | null;
  /**
   * Through a proxy: from connecting to it until its answer to CONNECT (the
   * tunnel is open then); null without a proxy.
   */
  proxy: number | null;
  /** TLS handshake (0 with `/nossl`). */
  tls: number;
  /**
   * From the end of the request to the first byte of the response. In data mode against pong,
   * from the request's arrival at pong, which pong times: not from ping's last write, which on
   * a slow link happens long before the bytes arrive.
   */
  firstByte: number;
  /**
   * Moving the payload: until it arrived, against pong (which times its reading), else until
   * ping's socket took it; and receiving the rest of the response.
   */
  transfer: number;
}

/** The outcome of one connection: a request and its response. */
export interface ExchangeResult {
  /** The TCP connection was established. */
  connected: boolean;
  /** The TLS handshake completed. */
  secured: boolean;
  /** The IP address connected to (after DNS). */
  address?: string;
  /** Request bytes the socket took, payload included. */
  bytesSent: number;
  /**
   * Request bytes pong said it had received, in its progress or its answer; absent from a
   * server that does not say (a Tentacle, a pong older than this field).
   */
  bytesConfirmed?: number;
  /** Response bytes received, headers included. */
  bytesRead: number;
  /** The HTTP status, when the answer was HTTP. */
  status?: number;
  /** Response headers (lower-case names), when the answer was HTTP. */
  headers?: Map<string, string>;
  /** The HTTP version of the answer (`HTTP/1.0`), when it was HTTP. */
  httpVersion?: string;
  /** The first bytes of the answer as text (up to 1 KB): enough to tell whose page it is. */
  answerStart?: string;
  /** The server's certificate and the TLS session, once the handshake is done. */
  tls?: Handshake;
  phases: PhaseTimings;
  failure?: Failure;
}

/** The outcome of one attempt: one connection, or one per chunk in data mode. */
export interface AttemptResult extends ExchangeResult {
  /** 1 for the first attempt. */
  seq: number;
  /** When the attempt started. */
  time: Date;
  ok: boolean;
  /** Wall-clock duration of the whole attempt. */
  ms: number;
  /** Connections the attempt needed (chunks in data mode, else 1). */
  chunks: number;
  /** Connections that completed. */
  chunksDone: number;
  /** For a failed attempt: its cause, with a hint. */
  diagnosis?: Diagnosis;
  /** The last handshake's session, its certificate parsed once the attempt's timing stopped. */
  tls?: TlsSession;
}

/** How far a data-mode attempt has got. */
export interface AttemptProgress {
  /** The chunk under way, from 1. */
  chunk: number;
  chunks: number;
  /** Payload bytes moved so far, over all chunks. */
  bytesDone: number;
  bytesTotal: number;
  elapsedMs: number;
}
