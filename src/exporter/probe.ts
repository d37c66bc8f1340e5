/**
 * One probe: a single ping attempt, or a single check, with the full
 * diagnosis, within the scrape's time limit. What it finds is a typed
 * {@linkcode ProbeOutcome}; the metrics and the text lines are made from it.
 *
 * @module
 */
import { isIP } from "node:net";
import { runCheck } from "../check/engine.ts";
import type { CheckResult } from "../check/result.ts";
import type { Cause, Phase } from "../connection/failure.ts";
import { matchesThumbprint } from "../connection/judge.ts";
import type { PeerIdentity, PeerKind } from "../connection/identify.ts";
import type { PhaseTimings } from "../connection/result.ts";
import type { CertificateWithKey } from "../net/certificate.ts";
import type { TlsSession } from "../net/peer_certificate.ts";
import type { HttpProxy } from "../net/proxy_url.ts";
import { CHECK_DEFAULTS, PING_DEFAULTS, type PingOptions } from "../options/options.ts";
import { runPing } from "../ping/engine.ts";
import type { PingEvent } from "../ping/events.ts";
import type { ProbeRequest } from "./request.ts";

/** Why a probe failed, as ping names it, with its words and what to do. */
export interface ProbeFailure {
  cause: Cause;
  /** The phase it failed in; null for a check, whose findings say where. */
  phase: Phase | null;
  summary: string;
  hint: string;
}

/** What one probe found. */
export interface ProbeOutcome {
  request: ProbeRequest;
  time: Date;
  success: boolean;
  /** The whole probe, in seconds. */
  seconds: number;
  /** Each phase's time, for a ping probe that got as far as timing them. */
  phases?: PhaseTimings;
  /** The attempt worked as ping judges it, every phase finished (whoever answered). */
  attemptOk?: boolean;
  failure?: ProbeFailure;
  /** The server's certificate and TLS session, when a handshake was done. */
  session?: TlsSession;
  /** Whether the certificate is the one asked for; absent without a thumbprint, or a certificate. */
  thumbprintMatch?: boolean;
  /** Who answered, when that is known. */
  answeredBy?: PeerKind;
  /** The family of the address reached; absent through a proxy, which reached it instead. */
  ipProtocol?: 4 | 6;
  /** For `module=check`: its findings by level and its verdict. */
  check?: Pick<CheckResult, "findings" | "verdict">;
}

/** Why an Octopus Server's polling port answering is a failure for a listening Tentacle. */
const NOT_A_TENTACLE = "this port is an Octopus Server's, not a listening Tentacle's: check the " +
  "port in the Tentacle Manager and in Octopus's deployment target";

/** What every probe shares: the exporter's certificate and proxy. */
export interface ProbeContext {
  clientCertificate?: CertificateWithKey;
  proxy?: HttpProxy;
}

/** How long a probe may take: `deadline` aborts at the scrape's time limit, or on a stop. */
export interface ProbeLimit {
  deadline: AbortSignal;
  /** The time left until the deadline, in ms, as the probe starts. */
  budgetMs: number;
}

/** Runs `request` until done or its limit's deadline aborts. */
export async function runProbe(
  request: ProbeRequest,
  context: ProbeContext,
  limit: ProbeLimit,
): Promise<ProbeOutcome> {
  const started = performance.now();
  const outcome = request.module === "check"
    ? await checkProbe(request, context, limit)
    : await pingProbe(request, context, limit);
  return { ...outcome, request, seconds: (performance.now() - started) / 1000 };
}

type Found = Omit<ProbeOutcome, "request" | "seconds">;

/** One module's probe. */
type Prober = (request: ProbeRequest, context: ProbeContext, limit: ProbeLimit) => Promise<Found>;

/** `module=ping`: one attempt, as `ping /count=1`. */
const pingProbe: Prober = async (request, context, { deadline, budgetMs }) => {
  const { host, port } = request.target;
  const options: PingOptions = {
    target: { host, port },
    noSsl: request.noSsl,
    dataSize: request.dataSize,
    chunkSize: PING_DEFAULTS.chunkSize,
    count: 1,
    intervalMs: 0,
    // Ping's own timeout ends a silent phase with its cause before the deadline cuts it short.
    timeoutMs: budgetMs,
    proxy: context.proxy,
    thumbprint: request.thumbprint,
    reverse: false,
    record: { format: "text" },
  };
  const found: Found = { time: new Date(), success: false };
  let peer: PeerIdentity | undefined;
  const see = (event: PingEvent) => {
    if (event.type === "certificate") found.session = event.session;
    if (event.type === "peer") peer = event.peer;
    if (event.type === "attempt") {
      const { result } = event;
      found.success = result.ok;
      found.attemptOk = result.ok;
      found.phases = result.phases;
      found.session ??= result.tls;
      const family = result.address && !context.proxy ? isIP(result.address) : 0;
      if (family === 4 || family === 6) found.ipProtocol = family;
      if (result.diagnosis) {
        const { cause, summary, hint } = result.diagnosis;
        found.failure = { cause, phase: result.failure?.phase ?? null, summary, hint };
      }
    }
    if (event.type === "end" && event.cutShort) {
      const phase = event.cutShort.phase;
      found.failure = {
        cause: "timeout",
        phase,
        summary: `no answer within the scrape's time limit (${phase} phase)`,
        hint: "raise scrape_timeout, or look at what is slow with 'OctoPing ping' against it",
      };
    }
  };
  await runPing(options, see, deadline, { clientCertificate: context.clientCertificate });
  found.answeredBy = peer?.kind;
  if (found.success && peer && peer.kind !== "tentacle" && peer.kind !== "pong") {
    // Ping counts the connection; Octopus fails where no Tentacle answers.
    found.success = false;
    found.failure = {
      cause: "other",
      phase: "response",
      summary: `${peer.description} answered, so Octopus cannot connect here`,
      hint: peer.hint ?? NOT_A_TENTACLE,
    };
  }
  if (request.thumbprint && found.session) {
    found.thumbprintMatch = matchesThumbprint(found.session, request.thumbprint);
  }
  return found;
};

/** `module=check`: the checklist once; it fails when something blocks Octopus. */
const checkProbe: Prober = async (request, context, { deadline, budgetMs }) => {
  const { host, port } = request.target;
  const result = await runCheck({
    target: { host, port },
    noSsl: request.noSsl,
    timeoutMs: Math.min(CHECK_DEFAULTS.timeoutMs, budgetMs),
    proxy: context.proxy,
    thumbprint: request.thumbprint,
    record: { format: "text" },
  }, { emit: () => {}, signal: deadline, clientCertificate: context.clientCertificate });
  const blocking = result.findings.find((f) => f.level === "blocking");
  const cause = result.addresses.map((a) => a.exchange?.cause ?? a.tcp.cause).find(Boolean);
  return {
    time: result.time,
    success: result.verdict !== null && result.verdict !== "blocking",
    check: { findings: result.findings, verdict: result.verdict },
    failure: result.verdict === "blocking" || result.interrupted
      ? {
        cause: cause ?? (result.interrupted ? "timeout" : "other"),
        phase: null,
        summary: blocking?.message ?? "the check did not finish within the scrape's time limit",
        hint: blocking?.hint ?? "raise scrape_timeout: a check takes several steps",
      }
      : undefined,
  };
};
