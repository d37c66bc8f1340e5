/**
 * A connection's failures in the tool's own words, and how any error a
 * connection meets becomes a {@linkcode Failure}.
 *
 * @module
 */
import { formatMs } from "../format.ts";
import { DURING, type Failure, FAILURE_CODES, type Phase } from "./failure.ts";
import type { ExchangeResult } from "./result.ts";

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

/**
 * A connection stopped by its caller (Ctrl+C) before it ended: no failure of the
 * server's, but where it was, so that a stopped run can say what it cut short.
 */
export class CutShort extends Error {
  override name = "CutShort";

  /**
   * Stopped in `phase` after `ms` (of the connection, or of whatever the catcher timed),
   * having reached `reached` (connected, secured, the address); `cause`, the stop's reason.
   */
  constructor(
    readonly phase: Phase,
    readonly ms: number,
    readonly reached: ExchangeResult,
    cause: unknown,
  ) {
    super(`cut short ${cutShortAt({ phase, ms })}`, { cause });
  }
}

/** How long something cut short had run, and where: `after 8,012ms during the TLS handshake`. */
export function cutShortAt({ phase, ms }: { phase: Phase; ms: number }): string {
  return `after ${formatMs(ms)} ${DURING[phase]}`;
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
