/**
 * The JSON Lines reporters (`/format=json`): one object per event, each with a
 * `type`. Times are ISO 8601 UTC with milliseconds; durations are milliseconds
 * as numbers. The field names are documented in docs/json.md and stay stable.
 *
 * @module
 */
import type { CheckEvent } from "../check/result.ts";
import type { FleetOptions } from "../options/options.ts";
import type { FleetCheckEvent } from "../fleet/check_fleet.ts";
import type { FleetPingEvent, TargetRun } from "../fleet/ping_fleet.ts";
import type { AddressReached, CertificateEvent, PingEvent } from "../ping/events.ts";
import type { PongEvent } from "../pong/events.ts";
import type { LineWriter } from "../output/console.ts";
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

/** Makes a reporter that writes ping's events as JSON lines; `tag` adds to each object. */
export function pingJsonReporter(
  write: LineWriter,
  run: RunInfo,
  tag = (object: Record<string, unknown>) => object,
): (event: PingEvent) => void {
  return (event) => {
    // Progress is a console nicety, not part of the record.
    if (event.type === "progress") return;
    write(JSON.stringify(tag(pingObject(event, run))));
    // The address an attempt reached has its own line, after the attempt's.
    if (event.type === "attempt" && event.address) {
      write(JSON.stringify(tag(addressObject(event.address))));
    }
  };
}

/** A ping event as its JSON object. */
function pingObject(
  event: Exclude<PingEvent, { type: "progress" }>,
  run: RunInfo,
): Record<string, unknown> {
  switch (event.type) {
    case "start":
      return targetStart(run, "ping", event);
    case "attempt":
      return attemptObject(event);
    case "certificate":
      return certificateObject(event);
    case "peer":
      return {
        type: "peer",
        time: event.time.toISOString(),
        kind: event.peer.kind,
        description: event.peer.description,
        hint: event.peer.hint ?? null,
      };
    case "note":
      return {
        type: "note",
        time: event.time.toISOString(),
        code: event.code,
        message: event.message,
      };
    case "abandoned":
      return { type: "abandoned", time: event.time.toISOString(), reason: event.reason };
    case "end":
      return {
        type: "summary",
        time: event.time.toISOString(),
        interrupted: event.interrupted,
        // Every field always there: absent figures are null, as docs/json.md promises.
        ...jsonSafe({
          ...event.summary,
          latency: event.summary.latency ?? null,
          longestFailureRun: event.summary.longestFailureRun ?? null,
          throughput: event.summary.throughput ?? null,
          cutShort: event.cutShort,
        }),
      };
  }
}

/** The address a name reached: on the first attempt, and when it changes. */
function addressObject(reached: AddressReached): Record<string, unknown> {
  return {
    type: "address",
    time: reached.time.toISOString(),
    host: reached.host,
    proxy: reached.proxy,
    address: reached.address,
    previous: reached.previous ?? null,
  };
}

/** An attempt: its timings, bytes, and for a failure its phase, cause and hint. */
function attemptObject(event: PingEvent & { type: "attempt" }): Record<string, unknown> {
  const r = event.result;
  return {
    type: "attempt",
    time: r.time.toISOString(),
    seq: r.seq,
    ok: r.ok,
    ms: ms(r.ms),
    phases: Object.fromEntries(
      Object.entries(r.phases).map(([k, v]) => [k, v === null ? null : ms(v)]),
    ),
    bytesSent: r.bytesSent,
    bytesConfirmed: r.bytesConfirmed ?? null,
    bytesRead: r.bytesRead,
    status: r.status ?? null,
    address: r.address ?? null,
    cause: r.diagnosis?.cause ?? null,
    summary: r.diagnosis?.summary ?? null,
    phase: r.failure?.phase ?? null,
    message: r.failure?.message ?? null,
    hint: r.diagnosis?.hint ?? null,
    dnsMoved: event.dnsMoved ?? null,
  };
}

/** The server's certificate, with the warnings the engine judged it by. */
function certificateObject(event: CertificateEvent): Record<string, unknown> {
  const s = event.session;
  return {
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
    warnings: event.warnings.map(({ code, text }) => ({ code, text })),
  };
}

/**
 * Makes a reporter that writes a fleet's ping as JSON lines: one `start` for
 * the run, each target's events with its `target` (a `summary` also with its
 * `effectiveIntervalMs`), and a closing `fleet` object naming the failing targets.
 */
export function pingFleetJsonReporter(
  write: LineWriter,
  run: RunInfo,
): (event: FleetPingEvent) => void {
  const out = (object: Record<string, unknown>) => write(JSON.stringify(object));
  const reporters = new Map<TargetRun, (event: PingEvent) => void>();
  const reporter = (target: TargetRun) => {
    let report = reporters.get(target);
    if (!report) {
      const { host, port, name } = target.target;
      report = pingJsonReporter(write, run, ({ type, ...rest }) => ({
        type,
        target: { host, port, name },
        ...rest,
        ...(type === "summary"
          ? { effectiveIntervalMs: nullable(target.effectiveIntervalMs) }
          : {}),
      }));
      reporters.set(target, report);
    }
    return report;
  };
  return (event) => {
    switch (event.type) {
      case "start":
        out(fleetStart(run, "ping", event.runs.length, event));
        break;
      case "ping":
        if (event.event.type === "start") break; // the run's own start says it all
        reporter(event.run)(event.event);
        if (event.event.type === "end") reporters.delete(event.run);
        break;
      case "waiting":
        out({
          type: "note",
          time: event.time.toISOString(),
          code: "waiting",
          message: `/parallel=${event.parallel} keeps targets waiting for a connection: ` +
            "attempts start later than /interval says",
        });
        break;
      case "end": {
        const failing = event.runs.filter((target) => target.statistics.failed > 0);
        out(fleetEnd(event, event.runs.length, failing.map((target) => target.target.name)));
        break;
      }
    }
  };
}

/**
 * Makes a reporter that writes a fleet's check as JSON lines: one `start` for
 * the run, a `check` object per target with its `target`, and a closing
 * `fleet` object naming the targets whose verdict blocks.
 */
export function checkFleetJsonReporter(
  write: LineWriter,
  run: RunInfo,
): (event: FleetCheckEvent) => void {
  const out = (object: Record<string, unknown>) => write(JSON.stringify(object));
  return (event) => {
    switch (event.type) {
      case "start":
        out(fleetStart(run, "check", event.targets.length, event));
        break;
      case "check": {
        if (event.event.type !== "check") break; // the start and findings are in the check object
        const { host, port, name } = event.target;
        checkJsonReporter(write, run, (object) => ({ ...object, target: { host, port, name } }))(
          event.event,
        );
        break;
      }
      case "end": {
        const blocking = event.checks.filter(({ result }) => result?.verdict === "blocking");
        out(fleetEnd(event, event.checks.length, blocking.map(({ target }) => target.name)));
        break;
      }
    }
  };
}

/** A fleet's `start`: the hosts file, how many targets, `/parallel`, and the shared options. */
function fleetStart(
  run: RunInfo,
  command: string,
  targets: number,
  event: { fleet: FleetOptions; options: object; clientThumbprint?: string },
) {
  return start(run, {
    command,
    hosts: event.fleet.hosts,
    targets,
    parallel: event.fleet.parallel,
    defaultPort: event.fleet.defaultPort,
    options: jsonSafe(event.options),
    clientThumbprint: event.clientThumbprint ?? null,
  });
}

/** A fleet's closing `fleet` object: how many targets, and the names of those that failed. */
function fleetEnd(event: { time: Date; interrupted: boolean }, targets: number, failing: string[]) {
  return {
    type: "fleet",
    time: event.time.toISOString(),
    interrupted: event.interrupted,
    targets,
    failed: failing.length,
    failing,
  };
}

/** Pong's line for one connection that ended: answered, or failed with why. */
function connectionObject(
  event: Extract<PongEvent, { type: "answered" | "failed" }>,
  outcome: string,
  message: string | null,
): Record<string, unknown> {
  return {
    type: "connection",
    time: event.time.toISOString(),
    client: event.client,
    bytesRead: event.bytesRead,
    bytesSent: event.bytesSent,
    ms: ms(event.ms),
    outcome,
    message,
    clientCertificate: event.clientCertificate,
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
        out(connectionObject(event, "answered", null));
        break;
      case "failed":
        out(connectionObject(event, event.kind, event.reason));
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
export function checkJsonReporter(
  write: LineWriter,
  run: RunInfo,
  tag = (object: Record<string, unknown>) => object,
): (event: CheckEvent) => void {
  const out = (object: Record<string, unknown>) => write(JSON.stringify(tag(object)));
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
          about: r.about,
          platforms: r.platforms,
          conclusion: r.conclusion,
          interrupted: r.interrupted,
          notes: r.notes,
        });
        break;
      }
    }
  };
}

function nullable(value: number | undefined): number | null {
  return value === undefined ? null : ms(value);
}

/** Dates as ISO strings, `Infinity` as null, fractions to 3 decimals, as JSON has them. */
function jsonSafe<T>(value: T): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(value, (_, v) => (v === Infinity ? null : typeof v === "number" ? ms(v) : v)),
  );
}
