/**
 * The ping engine: attempts one after another — until `/count` is reached or
 * the run is stopped — each `/interval` ms after the previous one ended. It
 * emits typed events (attempts, and what changed: address, certificate, who
 * answered) and ends with the run's statistics; reporters print them.
 *
 * @module
 */
import { isIP } from "node:net";
import type { PingOptions } from "../options/options.ts";
import type { CertificateWithKey } from "../net/certificate.ts";
import { RunStatistics, type RunSummary } from "../stats/run_statistics.ts";
import { collectGarbage } from "../gc.ts";
import { delay } from "../timers.ts";
import { answeredByPong, runAttempt } from "./attempt.ts";
import {
  explainHandshake,
  HANDSHAKE_PROBE_MS,
  type HandshakeExplanation,
} from "../connection/handshake_probe.ts";
import { identifyPeer } from "../connection/identify.ts";
import { HEADERS } from "../net/protocol.ts";
import type { AttemptCutShort, CertificateEvent, Note, PingEvent } from "./events.ts";
import type { TlsSession } from "../net/peer_certificate.ts";
import { certificateWarnings, NOT_REQUESTED_WARNING } from "../net/certificate_policy.ts";
import { probeClientCertificateRequest } from "../net/tls_probe/probe.ts";
import { FAILURE_CODES } from "../connection/failure.ts";
import { CutShort } from "../connection/exchange_error.ts";
import type { AttemptResult } from "../connection/result.ts";

/** Attempts between two garbage collections (see src/gc.ts: each one frees TLS memory). */
const COLLECT_EVERY = 200;

/** What a run may share with others: the client certificate, a cap on connections, statistics. */
export interface PingContext {
  /** The certificate to present when the server asks for one. */
  clientCertificate?: CertificateWithKey;
  /**
   * Runs each attempt when a connection may start (a fleet's `/parallel`);
   * rejects only when `stop` aborts while it waits. Absent: at once.
   */
  gate?: <T>(attempt: () => Promise<T>) => Promise<T>;
  /** Where the attempts are counted (a fleet reads them as it runs); a new one when absent. */
  statistics?: RunStatistics;
}

/**
 * Runs ping until `/count` attempts are done or `stop` aborts, and returns the
 * run's summary. An attempt cut short by `stop` is not counted: the end event names it.
 */
export async function runPing(
  options: PingOptions,
  emit: (event: PingEvent) => void,
  stop: AbortSignal,
  { clientCertificate, gate = (attempt) => attempt(), statistics = new RunStatistics() }:
    PingContext = {},
): Promise<RunSummary> {
  const changes = changeTracker(options, emit);
  const markClientCertificateRequest = clientCertificateMarker(options, stop, gate);
  let pongAnswered = false;
  const noted = new Set<Note>();
  let cutShort: AttemptCutShort | null = null;
  /** What the server speaks, once a handshake failed: null when the probe explained nothing. */
  let explained: HandshakeExplanation | null | undefined;
  const note = (code: Note, message: string) => {
    if (noted.has(code)) return;
    noted.add(code);
    emit({ type: "note", time: new Date(), code, message });
  };
  emit({
    type: "start",
    time: new Date(),
    options,
    clientThumbprint: clientCertificate?.thumbprint,
  });
  for (let seq = 1; seq <= options.count && !stop.aborted; seq++) {
    if (seq > 1) await delay(options.intervalMs, stop);
    if (stop.aborted) break;
    let result: AttemptResult;
    try {
      result = await gate(() =>
        runAttempt(options, seq, {
          signal: stop,
          onProgress: (progress) => emit({ type: "progress", seq, progress }),
          pongAnswered,
          clientCertificate,
        })
      );
    } catch (error) {
      if (error instanceof CutShort) cutShort = { seq, phase: error.phase, ms: error.ms };
      if (stop.aborted) break;
      throw error;
    }
    if (needsExplaining(result, options)) {
      // Once per run, after the attempt's timing stopped and before its line: what it speaks.
      explained ??= await explainHandshake(
        options.proxy ? options.target.host : result.address!,
        options.target.port,
        options.target.host,
        options.timeoutMs,
        stop,
        options.proxy,
      ) ?? null;
      if (explained) result.diagnosis = { ...result.diagnosis!, ...explained };
    }
    await markClientCertificateRequest(result);
    statistics.record({
      time: result.time,
      ok: result.ok,
      ms: result.ms,
      cause: result.diagnosis?.cause,
      hint: result.diagnosis?.hint,
      dataBytes: result.ok ? options.dataSize : 0,
      transferMs: result.phases.transfer,
    });
    const byPong = answeredByPong(result);
    changes(result);
    if (result.ok && options.dataSize > 0 && !options.reverse && !byPong) {
      note(
        "unconfirmed",
        "the server is not pong: nothing confirms the data arrived (only pong counts what it " +
          "reads), so a success here says only that it was sent",
      );
    }
    if (byPong && !options.noSsl && !result.headers?.has(HEADERS.certificate.toLowerCase())) {
      note(
        "unvouched",
        "this pong is older and does not vouch for the certificates it saw: the check for TLS " +
          "inspection in between is skipped (run the same OctoPing version on both sides)",
      );
    }
    pongAnswered ||= byPong;
    if (seq % COLLECT_EVERY === 0) collectGarbage();
    const reason = abandonReason(result);
    if (reason) {
      emit({ type: "abandoned", time: new Date(), reason });
      break;
    }
  }
  const summary = statistics.summary();
  emit({ type: "end", time: new Date(), summary, interrupted: stop.aborted, cutShort });
  return summary;
}

/**
 * Whether `result` is a handshake that failed on what the server speaks (not
 * on a client certificate it refused, nor a non-TLS answer): the probe can say
 * what it speaks instead.
 */
function needsExplaining(result: AttemptResult, options: PingOptions): boolean {
  return !options.noSsl && result.diagnosis?.cause === "tls" && result.failure?.phase === "tls" &&
    result.address !== undefined;
}

/**
 * Marks each result's session with whether the server asks for a client
 * certificate, as a Tentacle always does. Ping's TLS does not tell, so once
 * per certificate a TLS 1.2 session is followed by one probe of the server's
 * first flight, where the request is in the clear (after the attempt's
 * timing stopped, and through `gate`: a fleet's `/parallel` bounds it too).
 * Under TLS 1.3 the request is encrypted: nothing is marked.
 */
function clientCertificateMarker(
  options: PingOptions,
  stop: AbortSignal,
  gate: NonNullable<PingContext["gate"]>,
) {
  let known: { sha1: string; requested: boolean | null } | undefined;
  return async (result: AttemptResult): Promise<void> => {
    const session = result.tls;
    if (session?.protocol !== "TLSv1.2" || result.address === undefined) return;
    if (known?.sha1 !== session.sha1) {
      const address = options.proxy ? options.target.host : result.address;
      const requested = await gate(() =>
        probeClientCertificateRequest(address, options.target.port, {
          servername: options.target.host,
          timeoutMs: Math.min(options.timeoutMs, HANDSHAKE_PROBE_MS),
          signal: stop,
          proxy: options.proxy,
        })
      ).catch((error) => { // the gate rejects only when the run stops while it waits
        if (stop.aborted) return null;
        throw error;
      });
      known = { sha1: session.sha1, requested };
    }
    if (known.requested !== null) {
      result.tls = { ...session, clientCertificateRequested: known.requested };
    }
  };
}

/** Why the run cannot go on after `result`, if it cannot: every attempt would fail the same. */
function abandonReason(result: AttemptResult): string | undefined {
  switch (result.failure?.code) {
    case FAILURE_CODES.notPong:
      return "/reverse needs OctoPing pong on the other side, sending back what is asked";
    case FAILURE_CODES.pongRefused:
      return `pong will not send the data back: ${result.diagnosis!.hint}`;
  }
}

/**
 * Emits the attempt with the address it reached when that is new (for a host
 * name; through a proxy, the proxy's), then what else changed with it: the
 * certificate, who answered. Remembers only the last of each.
 */
export function changeTracker(options: PingOptions, emit: (event: PingEvent) => void) {
  const proxy = options.proxy !== undefined;
  const { host } = options.proxy ?? options.target;
  const byName = isIP(host) === 0;
  let address: string | undefined;
  let workingAddress: string | undefined;
  let certificate: string | undefined;
  let peer: string | undefined;
  return (result: AttemptResult) => {
    const time = new Date();
    // Through a proxy the Tentacle's name is the proxy's to resolve: no moves to see here.
    const moved = byName && !proxy && !result.ok && result.address !== undefined &&
      workingAddress !== undefined && result.address !== workingAddress;
    const reached = byName && result.address !== undefined && result.address !== address
      ? { time, host, proxy, address: result.address, previous: address }
      : undefined;
    address = reached?.address ?? address;
    emit({
      type: "attempt",
      result,
      dnsMoved: moved ? { from: workingAddress!, to: result.address! } : undefined,
      address: reached,
    });
    if (result.ok) workingAddress = result.address;
    if (result.tls && result.tls.sha1 !== certificate) {
      emit(certificateEvent(result.tls, time, certificate));
      certificate = result.tls.sha1;
    }
    if (result.ok) {
      const identity = identifyPeer(result);
      if (identity.description !== peer) {
        emit({ type: "peer", time, peer: identity });
        peer = identity.description;
      }
    }
  };
}

/** The certificate event for `session`, seen at `time`, with its warnings judged then. */
export function certificateEvent(
  session: TlsSession,
  time: Date,
  previous?: string,
): CertificateEvent {
  return {
    type: "certificate",
    time,
    session,
    previous,
    warnings: [
      ...certificateWarnings(session, time),
      ...(session.clientCertificateRequested === false ? [NOT_REQUESTED_WARNING] : []),
    ],
  };
}
