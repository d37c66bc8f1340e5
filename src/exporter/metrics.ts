/**
 * The metrics, in Prometheus's text format by prom-client: a registry per
 * probe, with blackbox_exporter's names where the meaning is the same (so
 * that its dashboards and alerts work) and OctoPing's own beside them; and
 * the exporter's own registry for `/metrics`.
 *
 * Every label value from a peer passes through {@linkcode printable}, as in
 * text output; prom-client then escapes it as the format requires.
 *
 * @module
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { CAUSES, type Phase } from "../connection/failure.ts";
import { printable } from "../printable.ts";
import type { ProbeOutcome } from "./probe.ts";

/** A probe's answer, or `/metrics`': the body and its content type. */
export interface Exposition {
  body: string;
  contentType: string;
}

/** The phases in the order an attempt goes through them. */
const PHASE_ORDER: readonly Phase[] = ["dns", "proxy", "connect", "tls", "send", "response"];

/**
 * Each phase's time, in seconds: of a failed attempt only the phases it finished (the
 * failing one's time is not what it would have taken); none that did not happen.
 */
function timedPhases(outcome: ProbeOutcome): [Record<string, string>, number][] {
  const phases = outcome.phases!;
  const failedAt = outcome.failure?.phase;
  const finished = (phase: Phase) =>
    outcome.attemptOk || failedAt == null ||
    PHASE_ORDER.indexOf(phase) < PHASE_ORDER.indexOf(failedAt);
  const times: [string, number | null, boolean][] = [
    ["dns", phases.dns, finished("dns")],
    ["proxy", phases.proxy, finished("proxy")],
    ["connect", phases.connect, finished("connect")],
    ["tls", outcome.request.noSsl ? null : phases.tls, finished("tls")],
    ["first_byte", phases.firstByte, outcome.attemptOk === true],
    ["transfer", phases.transfer, outcome.attemptOk === true],
  ];
  return times.filter(([, ms, done]) => ms !== null && done)
    .map(([phase, ms]) => [{ phase }, ms! / 1000]);
}

/** `TLSv1.2` as blackbox_exporter writes it: `TLS 1.2`. */
function tlsVersion(protocol: string): string {
  return protocol.replace(/^TLSv/, "TLS ");
}

/** A gauge in `registry`, set once per label set given. */
function gauge(
  registry: Registry,
  name: string,
  help: string,
  values: [Record<string, string>, number][],
): void {
  if (values.length === 0) return;
  const labelNames = Object.keys(values[0][0]);
  const metric = new Gauge({ name, help, labelNames, registers: [registry] });
  for (const [labels, value] of values) metric.set(labels, value);
}

/** One probe's metrics. */
export async function probeMetrics(outcome: ProbeOutcome): Promise<Exposition> {
  const registry = new Registry();
  const add = (name: string, help: string, values: [Record<string, string>, number][]) =>
    gauge(registry, name, help, values);
  add("probe_success", "Whether the probe succeeded", [[{}, outcome.success ? 1 : 0]]);
  add("probe_duration_seconds", "How long the probe took", [[{}, outcome.seconds]]);
  if (outcome.ipProtocol) {
    add("probe_ip_protocol", "IP protocol of the address reached", [[{}, outcome.ipProtocol]]);
  }
  const { phases, session, failure } = outcome;
  if (phases) {
    const timed = timedPhases(outcome);
    const dns = timed.find(([labels]) => labels.phase === "dns");
    if (dns) add("probe_dns_lookup_time_seconds", "Name lookup time", [[{}, dns[1]]]);
    add("octoping_phase_seconds", "Time spent in each phase of the attempt", timed);
  }
  if (session) {
    add("probe_ssl_earliest_cert_expiry", "When the server's certificate expires (Unix time)", [
      [{}, session.validTo.getTime() / 1000],
    ]);
    add("probe_tls_version_info", "The TLS version agreed", [[{
      version: printable(tlsVersion(session.protocol)),
    }, 1]]);
    add("octoping_certificate_info", "The server's certificate", [[{
      sha1: session.sha1,
      subject: printable(session.subject),
      key: printable(`${session.keyType}${session.keyBits ? ` ${session.keyBits}` : ""}`),
      signature: printable(session.signatureAlgorithm),
    }, 1]]);
  }
  if (outcome.thumbprintMatch !== undefined) {
    add("octoping_thumbprint_match", "Whether the certificate is the one the thumbprint names", [
      [{}, outcome.thumbprintMatch ? 1 : 0],
    ]);
  }
  if (outcome.answeredBy) {
    add("octoping_answered_by_info", "Who answered", [[{ kind: outcome.answeredBy }, 1]]);
  }
  if (failure) {
    add("octoping_failure_info", "Why the probe failed", [[{
      cause: failure.cause,
      phase: failure.phase ?? "",
    }, 1]]);
  }
  if (outcome.check) checkMetrics(outcome.check, add);
  return { body: await registry.metrics(), contentType: registry.contentType };
}

/** `module=check`: its findings by level and its verdict. */
function checkMetrics(
  check: NonNullable<ProbeOutcome["check"]>,
  add: (name: string, help: string, values: [Record<string, string>, number][]) => void,
): void {
  const levels = ["ok", "warning", "blocking"] as const;
  add(
    "octoping_check_findings",
    "The check's findings, by level",
    levels.map((level) => [{ level }, check.findings.filter((f) => f.level === level).length]),
  );
  if (check.verdict !== null) {
    add("octoping_check_verdict", "The check's verdict", [[{ verdict: check.verdict }, 1]]);
  }
}

/**
 * prom-client's process metrics that read /proc/self, which the executable's
 * permissions do not allow (Deno asks for --allow-all there): they would say 0.
 */
const UNREADABLE_HERE = [
  "process_resident_memory_bytes",
  "process_virtual_memory_bytes",
  "process_heap_bytes",
  "process_open_fds",
  "process_max_fds",
];

/** The exporter's own metrics: probes by result and cause, their durations, the process. */
export class ExporterMetrics {
  readonly #registry = new Registry();
  readonly #probes = new Counter({
    name: "octoping_exporter_probes_total",
    help: "Probes made, by module, result and cause",
    labelNames: ["module", "result", "cause"],
    registers: [this.#registry],
  });
  readonly #durations = new Histogram({
    name: "octoping_exporter_probe_duration_seconds",
    help: "How long probes took",
    labelNames: ["module"],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.#registry],
  });
  readonly #refused = new Counter({
    name: "octoping_exporter_requests_refused_total",
    help: "Probe requests answered without a probe, by HTTP status",
    labelNames: ["status"],
    registers: [this.#registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.#registry });
    for (const name of UNREADABLE_HERE) this.#registry.removeSingleMetric(name);
    new Gauge({
      name: "process_resident_memory_bytes",
      help: "Resident memory size in bytes.",
      registers: [this.#registry],
      collect() {
        this.set(Deno.memoryUsage().rss);
      },
    });
    for (const cause of CAUSES) this.#probes.inc({ module: "ping", result: "failure", cause }, 0);
    this.#probes.inc({ module: "ping", result: "success", cause: "" }, 0);
  }

  /** Counts a probe made. */
  probed(outcome: ProbeOutcome): void {
    const module = outcome.request.module;
    const result = outcome.success ? "success" : "failure";
    this.#probes.inc({ module, result, cause: outcome.failure?.cause ?? "" });
    this.#durations.observe({ module }, outcome.seconds);
  }

  /** Counts a request refused with `status`. */
  refused(status: number): void {
    this.#refused.inc({ status: String(status) });
  }

  /** The exposition for `/metrics`. */
  async exposition(): Promise<Exposition> {
    return { body: await this.#registry.metrics(), contentType: this.#registry.contentType };
  }
}
