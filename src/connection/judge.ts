/**
 * Judging what a connection brought back: the certificate against
 * `/thumbprint`, then the whole answer against the request. Each judgement
 * that fails throws an {@linkcode ExchangeError} saying why.
 *
 * @module
 */
import type { ResponseReader } from "../net/http.ts";
import { HEADERS } from "../net/protocol.ts";
import { isPlainToTlsPage } from "../net/sniff.ts";
import { formatCount } from "../format.ts";
import { FAILURE_CODES, type Interception } from "./failure.ts";
import { ExchangeError, speaksTls } from "./exchange_error.ts";
import type { ExchangeRequest } from "./request.ts";
import type { ExchangeResult } from "./result.ts";

/** Whether `thumbprint` (SHA-1 or SHA-256, upper-case hex) is the session's certificate's. */
export function matchesThumbprint(
  session: { sha1: string; sha256: string },
  thumbprint: string,
): boolean {
  return thumbprint === session.sha1 || thumbprint === session.sha256;
}

/** The certificate must be the one `/thumbprint` names (by its SHA-1 or SHA-256), if it names one. */
export function judgeThumbprint(
  session: { sha1: string; sha256: string },
  expected?: string,
): void {
  if (expected === undefined || matchesThumbprint(session, expected)) return;
  const presented = expected.length === 40 ? session.sha1 : session.sha256;
  throw new ExchangeError(
    FAILURE_CODES.thumbprint,
    `the server presented the certificate ${presented}, but the expected one is ${expected}`,
  );
}

/**
 * Judges a finished answer: there must be one, and whole; then, in order of
 * precedence, the protocol, what pong refused, the server's error, the count.
 */
export function judge(
  result: ExchangeResult,
  request: ExchangeRequest,
  reader: ResponseReader,
): void {
  // Pong's progress alone is no answer: a connection cut after it was cut before the answer.
  if (!reader.answering) {
    throw new ExchangeError(
      FAILURE_CODES.closed,
      "the server closed the connection without answering",
    );
  }
  if (reader.truncated) {
    throw new ExchangeError(
      FAILURE_CODES.closed,
      "the server closed the connection in the middle of its answer",
    );
  }
  if (!request.tls && isPlainToTlsPage(reader.first)) throw speaksTls();
  checkVouched(result, request);
  checkRefusal(result);
  if (request.reverseBytes > 0) checkReverse(result, request.reverseBytes);
  if (request.payloadBytes > 0) checkAccepted(result);
  checkPongsCount(result);
}

/** Where pong says how much it read, it must be every byte sent. */
function checkPongsCount(result: ExchangeResult): void {
  const counted = result.headers?.get(HEADERS.bytesRead.toLowerCase());
  if (counted === undefined || Number(counted) === result.bytesSent) return;
  throw new ExchangeError(
    FAILURE_CODES.incomplete,
    `pong read ${formatCount(Number(counted))} of the ${formatCount(result.bytesSent)} bytes ` +
      "sent: data was lost on the way",
  );
}

/**
 * Pong says which certificate it served and which client certificate it got:
 * where either differs from what ping saw and sent, something in between made
 * its own TLS connections — and Octopus, which pins both, would fail there.
 */
function checkVouched(result: ExchangeResult, request: ExchangeRequest): void {
  const served = result.headers?.get(HEADERS.certificate.toLowerCase());
  const received = result.headers?.get(HEADERS.clientCertificate.toLowerCase());
  if (served === undefined || !request.tls || !result.tls) return; // not pong, or an older one
  const intercepted = (interception: Interception, message: string) =>
    new ExchangeError(FAILURE_CODES.intercepted, message, { interception });
  if (served === "none") {
    throw intercepted(
      "tls-ended",
      "ping spoke TLS, but pong says its connection had none: TLS was ended in between",
    );
  }
  if (served !== result.tls.sha1) {
    throw intercepted(
      "server-certificate",
      // The thumbprints first: a long subject or issuer is cut when printed, never they.
      `pong serves the certificate ${served}, but ping saw ${result.tls.sha1} ` +
        `(${result.tls.subject}, issued by ${result.tls.issuer})`,
    );
  }
  const sent = request.clientCertificate?.thumbprint;
  if (sent !== undefined && received !== undefined && received !== sent) {
    throw intercepted(
      "client-certificate",
      received === "none"
        ? `ping presented the client certificate ${sent}, but pong received none`
        : `ping presented the client certificate ${sent}, but pong received ${received}`,
    );
  }
}

/** Pong refuses what it will not do (send back more than its /maxsend) with a header saying why. */
function checkRefusal(result: ExchangeResult): void {
  const refused = result.headers?.get(HEADERS.refused.toLowerCase());
  if (refused === undefined) return;
  const limit = Number(result.headers?.get(HEADERS.maxSend.toLowerCase()));
  throw new ExchangeError(FAILURE_CODES.pongRefused, `pong refused: ${refused}`, {
    pongMaxSend: Number.isSafeInteger(limit) ? limit : undefined,
  });
}

/** In data mode an HTTP error means the server did not take the data, however fast it said so. */
function checkAccepted(result: ExchangeResult): void {
  if (result.status === undefined || result.status < 400) return;
  throw new ExchangeError(
    FAILURE_CODES.rejected,
    `the server answered HTTP ${result.status} to the data`,
    { status: result.status },
  );
}

/** In reverse mode, the answer must be pong's, sending what was asked. */
function checkReverse(result: ExchangeResult, asked: number): void {
  if (result.headers?.get(HEADERS.reverse.toLowerCase()) !== String(asked)) {
    throw new ExchangeError(
      FAILURE_CODES.notPong,
      "the server did not confirm it sent the data back: /reverse needs OctoPing pong on the " +
        "other side",
    );
  }
}
