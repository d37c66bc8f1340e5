/**
 * The JSON Lines reporters (`/format=json`): one object per event, each with a
 * `type`. Times are ISO 8601 UTC with milliseconds; durations are milliseconds
 * as numbers. The field names are documented in the README and stay stable.
 *
 * @module
 */
import type { CheckEvent } from "../check/result.ts";
import type { PingEvent } from "../ping/events.ts";
import type { PongEvent } from "../pong/server.ts";
import type { LineWriter } from "./console.ts";
import type { RunInfo } from "./run_info.ts";

/** Durations to the microsecond: enough, and short lines. */
const ms = (value: number) => Math.round(value * 1000) / 1000;

function start(run: RunInfo, extra: Record<string, unknown>) {
  return {
    type: "start",
    time: run.started.toISOString(),
    version: run.version,
    commandLine: run.commandLine,
    ...extra,
    machine: run.hostname,
    os: run.os,
    deno: run.deno,
  };
}

/** The `start` event of a command with a target (ping, check): its options and client certificate. */
function targetStart(
  run: RunInfo,
  command: string,
  event: { options: { target: unknown }; clientThumbprint?: string },
) {
  const { target, ...options } = event.options;
  return start(run, {
    command,
    target,
    options: jsonSafe(options),
    clientThumbprint: event.clientThumbprint ?? null,
  });
}

/** Makes a reporter that writes ping's events as JSON lines. */
export function pingJsonReporter(write: LineWriter, run: RunInfo): (event: PingEvent) => void {
  const out = (object: Record<string, unknown>) => write(JSON.stringify(object));
  return (event) => {
    switch (event.type) {
      case "start":
        out(targetStart(run, "ping", event));
        break;
      case "attempt": {
        const r = event.result;
        out({
          type: "attempt",
          time: r.time.toISOString(),
          seq: r.seq,
          ok: r.ok,
          ms: ms(r.ms),
          phases: Object.fromEntries(
            Object.entries(r.phases).map(([k, v]) => [k, v === null ? null : ms(v)]),
          ),
          bytesSent: r.bytesSent,
          bytesRead: r.bytesRead,
          status: r.status ?? null,
          address: r.address ?? null,
          cause: r.diagnosis?.cause ?? null,
          summary: r.diagnosis?.summary ?? null,
          phase: r.failure?.phase ?? null,
          message: r.failure?.message ?? null,
          hint: r.diagnosis?.hint ?? null,
          dnsMoved: event.dnsMoved ?? null,
        });
        break;
      }
      case "certificate": {
        const s = event.session;
        out({
          type: "certificate",
          time: event.time.toISOString(),
          subject: s.subject,
          issuer: s.issuer,
          selfSigned: s.selfSigned,
          sha1: s.sha1,
          sha256: s.sha256,
          validFrom: s.validFrom.toISOString(),
          validTo: s.validTo.toISOString(),
          keyType: s.keyType,
          keyBits: s.keyBits,
          keyCurve: s.keyCurve,
          signatureAlgorithm: s.signatureAlgorithm,
          protocol: s.protocol,
          cipher: s.cipher,
          previousSha1: event.previous ?? null,
        });
        break;
      }
      case "address":
        out({
          type: "address",
          time: event.time.toISOString(),
          host: event.host,
          proxy: event.proxy,
          address: event.address,
          previous: event.previous ?? null,
        });
        break;
      case "peer":
        out({
          type: "peer",
          time: event.time.toISOString(),
          kind: event.peer.kind,
          description: event.peer.description,
          hint: event.peer.hint ?? null,
        });
        break;
      case "note":
        out({
          type: "note",
          time: event.time.toISOString(),
          code: event.code,
          message: event.message,
        });
        break;
      case "abandoned":
        out({ type: "abandoned", time: event.time.toISOString(), reason: event.reason });
        break;
      case "progress":
        break; // a console nicety, not part of the record
      case "end":
        out({
          type: "summary",
          time: event.time.toISOString(),
          interrupted: event.interrupted,
          // Every field always there: absent figures are null, as the README promises.
          ...jsonSafe({
            ...event.summary,
            latency: event.summary.latency ?? null,
            longestFailureRun: event.summary.longestFailureRun ?? null,
            throughput: event.summary.throughput ?? null,
          }),
        });
        break;
    }
  };
}

/** Makes a reporter that writes pong's events as JSON lines. */
export function pongJsonReporter(write: LineWriter, run: RunInfo): (event: PongEvent) => void {
  const out = (object: Record<string, unknown>) => write(JSON.stringify(object));
  return (event) => {
    const time = event.time.toISOString();
    switch (event.type) {
      case "listening":
        out(
          start(run, {
            command: "pong",
            port: event.port,
            tls: event.tls,
            thumbprint: event.thumbprint ?? null,
          }),
        );
        break;
      case "accepted":
      case "acceptedMore":
        break; // the connection's own line says everything, once it ends
      case "answered":
        out({
          type: "connection",
          time,
          client: event.client,
          bytesRead: event.bytesRead,
          bytesSent: event.bytesSent,
          ms: ms(event.ms),
          outcome: "answered",
          message: null,
          clientCertificate: event.clientCertificate,
        });
        break;
      case "failed":
        out({
          type: "connection",
          time,
          client: event.client,
          bytesRead: event.bytesRead,
          bytesSent: event.bytesSent,
          ms: ms(event.ms),
          outcome: event.kind,
          message: event.reason,
          clientCertificate: event.clientCertificate,
        });
        break;
      case "failedMore":
        out({ type: "connectionsCounted", time, count: event.count, byOutcome: event.byKind });
        break;
      case "acceptFailed":
        out({ type: "acceptFailed", time, message: event.reason });
        break;
      case "stopped":
        out({ type: "summary", time, ...event.summary });
        break;
    }
  };
}

/**
 * Makes a reporter that writes check's events as JSON lines: the `start`
 * event, then the `check` object. Findings and notes come in it, not one by one.
 */
export function checkJsonReporter(write: LineWriter, run: RunInfo): (event: CheckEvent) => void {
  const out = (object: Record<string, unknown>) => write(JSON.stringify(object));
  return (event) => {
    switch (event.type) {
      case "start":
        out(targetStart(run, "check", event));
        break;
      case "finding":
      case "note":
        break; // in the check object
      case "check": {
        const r = event.result;
        out({
          type: "check",
          time: r.time.toISOString(),
          version: run.version,
          target: r.target,
          lookup: {
            addresses: r.lookup.addresses,
            ms: r.lookup.ms === null ? null : ms(r.lookup.ms),
          },
          addresses: r.addresses.map((a) => ({
            ...a,
            tcp: { ...a.tcp, ms: a.tcp.ms === null ? null : ms(a.tcp.ms) },
          })),
          findings: r.findings,
          verdict: r.verdict,
          interrupted: r.interrupted,
          notes: r.notes,
        });
        break;
      }
    }
  };
}

/** Dates as ISO strings, `Infinity` as null, fractions to 3 decimals, as JSON has them. */
function jsonSafe<T>(value: T): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(value, (_, v) => (v === Infinity ? null : typeof v === "number" ? ms(v) : v)),
  );
}
