/**
 * Why an attempt failed, as types every part of ping shares: the phase it was
 * in, the tool's own failure codes and the system's by what they say, and the
 * causes a failure is put down to.
 * Nothing here imports anything, so every module can import from here.
 *
 * @module
 */

/** The step of a connection an attempt was in. */
export type Phase = "dns" | "proxy" | "connect" | "tls" | "send" | "response";

/** Each phase as the end of a sentence: `timeout during the TLS handshake`. */
export const DURING: Record<Phase, string> = {
  dns: "while looking up the name",
  proxy: "while opening the tunnel through the proxy",
  connect: "while connecting",
  tls: "during the TLS handshake",
  send: "while sending the request",
  response: "while waiting for the response",
};

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
  /** `/reverse` needs pong, and the server is not pong. */
  notPong: "OCTOPING_NOT_PONG",
  /** Pong refused to send back what `/reverse` asked for. */
  pongRefused: "OCTOPING_PONG_REFUSED",
  /** In data mode, the server answered with an HTTP error instead of taking the data. */
  rejected: "OCTOPING_REJECTED",
  /** `/nossl`, and the server answered in TLS. */
  speaksTls: "OCTOPING_SPEAKS_TLS",
  /** Pong vouched for other certificates than ping saw and sent: something in between. */
  intercepted: "OCTOPING_INTERCEPTED",
} as const;

/** The system's codes for a name that did not resolve. */
export const DNS_CODES: ReadonlySet<string> = new Set([
  "ENOTFOUND",
  "EAI_AGAIN",
  "EAI_FAIL",
  "EAI_NONAME",
  "ENODATA",
  "ESERVFAIL",
]);

/** The system's codes for a host or network it has no route to. */
export const UNREACHABLE_CODES: ReadonlySet<string> = new Set([
  "ENETUNREACH",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENETDOWN",
]);

/** The system's codes for a connection reset or aborted by the other side. */
export const RESET_CODES: ReadonlySet<string> = new Set(["ECONNRESET", "ECONNABORTED", "EPIPE"]);

/** Why an attempt failed. */
export interface Failure {
  /** The phase it failed in. */
  phase: Phase;
  /** The error's own message. */
  message: string;
  /** The system or TLS error code (`ECONNREFUSED`, `ERR_SSL_…`), when there is one. */
  code?: string;
  /** Request bytes the failing connection had sent. */
  bytesSent?: number;
  /** Answer bytes the failing connection had read. */
  bytesRead?: number;
  /** Request bytes pong had said it received, when it said (its progress in data mode). */
  bytesConfirmed?: number;
  /** For `rejected`: the HTTP status the server answered with. */
  status?: number;
  /** For a refusal by pong: the most it sends back per request (0: nothing). */
  pongMaxSend?: number;
  /** For `intercepted`: what pong's word shows was changed on the way. */
  interception?: Interception;
  /** For a failure in the `proxy` phase: how far the proxy got, and what it answered. */
  proxy?: ProxyFailure;
}

/** What a proxy did before the tunnel failed. */
export interface ProxyFailure {
  /** The TCP connection to the proxy was made. */
  connected: boolean;
  /** The status it answered CONNECT with, when it answered in HTTP. */
  status?: number;
  /** The status's reason phrase, as the proxy wrote it. */
  reason?: string;
  /** The authentication schemes it offers (`Proxy-Authenticate`), when it names some. */
  schemes?: string[];
  /** It said it could not reach the target (502, 504, tinyproxy's 500, squid's reasons). */
  unreachable?: boolean;
}

/**
 * How a connection was intercepted: the server's certificate replaced, the
 * client's lost or replaced, or TLS ended before pong.
 */
export type Interception = "server-certificate" | "client-certificate" | "tls-ended";

/** The causes a failed attempt is put down to. */
export const CAUSES = [
  "dns",
  "proxy",
  "refused",
  "timeout",
  "reset",
  "tls",
  "closed",
  "unreachable",
  "thumbprint",
  "intercepted",
  "incomplete",
  "rejected",
  "other",
] as const;

/** One of {@linkcode CAUSES}. */
export type Cause = typeof CAUSES[number];

/** A failure's cause, in words, with what to do about it. */
export interface Diagnosis {
  cause: Cause;
  /** e.g. `timeout during the TLS handshake`. */
  summary: string;
  /** What it usually means for Octopus and the Tentacle, and what to try next. */
  hint: string;
}
