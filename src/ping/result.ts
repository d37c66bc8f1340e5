/**
 * What the ping engine produces: typed results and events. Reporters turn
 * them into lines; nothing here prints.
 *
 * @module
 */
import type { PingOptions } from "../cli/options.ts";
import type { TlsSession } from "../net/peer_certificate.ts";
import type { RunSummary } from "../stats/run_statistics.ts";
import type { AttemptProgress } from "./attempt.ts";
import type { Diagnosis } from "./diagnosis.ts";
import type { PeerIdentity } from "./identify.ts";

/** The step of a connection an attempt was in. */
export type Phase = "dns" | "connect" | "tls" | "send" | "response";

/** Each phase as the end of a sentence: `timeout during the TLS handshake`. */
export const DURING: Record<Phase, string> = {
  dns: "while looking up the name",
  connect: "while connecting",
  tls: "during the TLS handshake",
  send: "while sending the request",
  response: "while waiting for the response",
};

/** Milliseconds spent in each phase (summed over the chunks' connections in data mode). */
export interface PhaseTimings {
  /** Name lookup; null for an IP address, which needs none. */
  dns: number | null;
  /** TCP connect. */
  connect: number;
  /** TLS handshake (0 with `/nossl`). */
  tls: number;
  /** From the end of the request to the first byte of the response. */
  firstByte: number;
  /** Sending the payload and receiving the rest of the response. */
  transfer: number;
}

/**
 * Codes for failures the tool itself detects, beside the system's and TLS's
 * own codes (`ECONNREFUSED`, `ERR_SSL_…`).
 */
export const FAILURE_CODES = {
  /** No progress for `/timeout` seconds. */
  timeout: "OCTOPING_TIMEOUT",
  /** The server answered or closed before it had the whole request. */
  answeredEarly: "OCTOPING_ANSWERED_EARLY",
  /** The server closed the connection without answering, or in mid-answer. */
  closed: "OCTOPING_CLOSED",
  /** The answer went past the size cap. */
  tooLarge: "OCTOPING_TOO_LARGE",
  /** The certificate is not the one `/thumbprint` names. */
  thumbprint: "OCTOPING_THUMBPRINT",
  /** Pong read fewer (or more) bytes than were sent. */
  incomplete: "OCTOPING_INCOMPLETE",
  /** `/reverse` needs pong, and the server is not pong (or pong refused). */
  notPong: "OCTOPING_NOT_PONG",
} as const;

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
  /** The HTTP version of the answer (`HTTP/1.0`), when it was HTTP. */
  httpVersion?: string;
  /** The server's certificate and the TLS session, once the handshake is done. */
  tls?: TlsSession;
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
}

/** What the ping engine reports as it runs. */
export type PingEvent =
  | { type: "start"; time: Date; options: PingOptions }
  | {
    type: "attempt";
    result: AttemptResult;
    /** For a failure: the name now resolves elsewhere than when it last worked. */
    dnsMoved?: { from: string; to: string };
  }
  /** The address reached, when the host is a name: on the first attempt and when it changes. */
  | { type: "address"; time: Date; host: string; address: string; previous?: string }
  /** The server's certificate: on the first handshake and whenever it changes. */
  | { type: "certificate"; time: Date; session: TlsSession; previous?: string }
  /** Who answered: on the first success and whenever it changes. */
  | { type: "peer"; time: Date; peer: PeerIdentity }
  /** How a data-mode attempt goes, at most every 250 ms. */
  | { type: "progress"; seq: number; progress: AttemptProgress }
  /** The run cannot go on (e.g. `/reverse` against a server that is not pong). */
  | { type: "abandoned"; time: Date; reason: string }
  | { type: "end"; time: Date; summary: RunSummary; interrupted: boolean };
