/**
 * A connection's failures in the tool's own words, and how any error a
 * connection meets becomes a {@linkcode Failure}.
 *
 * @module
 */
import { type Failure, FAILURE_CODES, type Phase } from "./failure.ts";

/** A failure described in the tool's own words, with a code from {@linkcode FAILURE_CODES}. */
export class ExchangeError extends Error {
  override name = "ExchangeError";
  /** One of {@linkcode FAILURE_CODES}. */
  code: string;
  /** What the diagnosis needs beyond the code: an HTTP status, pong's limit. */
  detail: Pick<Failure, "status" | "pongMaxSend" | "interception">;

  constructor(code: string, message: string, detail: ExchangeError["detail"] = {}) {
    super(message);
    this.code = code;
    this.detail = detail;
  }
}

/** `/nossl`, and the answer was TLS: an alert record, or a web server's page saying so. */
export function speaksTls(): ExchangeError {
  return new ExchangeError(
    FAILURE_CODES.speaksTls,
    "a plain request was answered in TLS",
  );
}

/** `error` as the failure of the `phase` it happened in: its message, its code, its detail. */
export function toFailure(error: unknown, phase: Phase): Failure {
  const { message, code } = error as { message?: string; code?: unknown };
  return {
    phase,
    message: message || String(error),
    code: typeof code === "string" ? code : undefined,
    ...(error instanceof ExchangeError ? error.detail : {}),
  };
}
