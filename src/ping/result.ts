/**
 * What the ping engine produces: typed results and events. Reporters turn
 * them into lines; nothing here prints.
 *
 * @module
 */
import type { PingOptions } from "../cli/options.ts";

/** The step of a connection an attempt was in. */
export type Phase = "dns" | "connect" | "tls" | "send" | "response";

/** Milliseconds spent in each phase (summed over the chunks' connections in data mode). */
export interface PhaseTimings {
  /** Name lookup (0 for an IP address). */
  dns: number;
  /** TCP connect. */
  connect: number;
  /** TLS handshake (0 with `/nossl`). */
  tls: number;
  /** From the end of the request to the first byte of the response. */
  firstByte: number;
  /** Sending the payload and receiving the rest of the response. */
  transfer: number;
}

/** Why an attempt failed. */
export interface Failure {
  /** The phase it failed in. */
  phase: Phase;
  /** The error's own message. */
  message: string;
  /** The system or TLS error code (`ECONNREFUSED`, `ERR_SSL_…`), when there is one. */
  code?: string;
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
  /** Response bytes received, headers included. */
  bytesRead: number;
  /** The HTTP status, when the answer was HTTP. */
  status?: number;
  /** Response headers (lower-case names), when the answer was HTTP. */
  headers?: Map<string, string>;
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
}

/** What the ping engine reports as it runs. */
export type PingEvent =
  | { type: "start"; time: Date; options: PingOptions }
  | { type: "attempt"; result: AttemptResult }
  | { type: "end"; time: Date; succeeded: number; failed: number; interrupted: boolean };
