/**
 * The exporter's HTTP server: `GET /probe` probes a target once and answers
 * with its metrics, `GET /metrics` gives the exporter's own, and `GET /` says
 * what it is, with each target's last probe. Probes wait for one of
 * `/parallel` slots; one still waiting when its scrape's time is up is
 * answered 503. Emits typed events; the reporter prints.
 *
 * @module
 */
import type { Cause } from "../connection/failure.ts";
import { Slots } from "../fleet/slots.ts";
import { collectGarbage } from "../gc.ts";
import type { CertificateWithKey } from "../net/certificate.ts";
import { joinHostPort } from "../net/address.ts";
import { listenError } from "../net/listen.ts";
import type { ExporterOptions, FleetTarget } from "../options/options.ts";
import { printable } from "../printable.ts";
import type { ExporterEvent, ExporterTally } from "./events.ts";
import { ExporterMetrics, probeMetrics } from "./metrics.ts";
import { landingPage } from "./page.ts";
import { type ProbeOutcome, runProbe } from "./probe.ts";
import { ProbeRefusal, readProbeRequest } from "./request.ts";

/** Probes between two garbage collections, as ping's attempts (see src/gc.ts). */
const COLLECT_EVERY = 200;
/** A scrape's time limit when Prometheus sends none, as blackbox_exporter assumes. */
export const DEFAULT_SCRAPE_TIMEOUT_MS = 10_000;
/** Kept back from the scrape's time limit, as blackbox_exporter's default timeout_offset. */
const SCRAPE_MARGIN_MS = 500;
/** The header Prometheus sends each scrape's time limit in. */
const SCRAPE_TIMEOUT_HEADER = "X-Prometheus-Scrape-Timeout-Seconds";

/** What the exporter runs with besides its options. */
export interface ExporterContext {
  /** The allow-list (`/hosts`); any target when absent. */
  targets?: readonly FleetTarget[];
  clientCertificate?: CertificateWithKey;
  emit: (event: ExporterEvent) => void;
  /** Aborted by Ctrl+C or `/duration`. */
  signal: AbortSignal;
  /** How often the summary is said: each minute. */
  summaryMs: number;
}

/** A fresh, empty tally. */
function newTally(): ExporterTally {
  return { probes: 0, failures: {}, refused: {} };
}

/**
 * Serves until `context.signal` aborts, and returns the whole run's tally.
 * Throws a ListenError when it cannot listen.
 */
export async function runExporter(
  options: ExporterOptions,
  context: ExporterContext,
): Promise<ExporterTally> {
  const slots = new Slots(options.parallel);
  const metrics = new ExporterMetrics();
  const latest = new Map<string, ProbeOutcome>();
  const seenCauses = new Set<Cause>();
  const total = newTally();
  let minute = newTally();
  const count = (update: (tally: ExporterTally) => void) => [total, minute].forEach(update);
  const probe = async (request: Request): Promise<Response> => {
    const answer = await answerProbe(request, options, context, slots);
    if (answer instanceof Response) {
      const status = answer.status as 400 | 403 | 503;
      metrics.refused(status);
      count((tally) => tally.refused[status] = (tally.refused[status] ?? 0) + 1);
      return answer;
    }
    const { outcome, exposition } = answer;
    metrics.probed(outcome);
    latest.set(outcome.request.target.name, outcome);
    count((tally) => tally.probes++);
    if (total.probes % COLLECT_EVERY === 0) collectGarbage(); // each probe's TLS memory
    const cause = outcome.failure?.cause;
    if (!outcome.success && cause) {
      count((tally) => tally.failures[cause] = (tally.failures[cause] ?? 0) + 1);
      context.emit({ type: "failure", outcome, firstOfCause: !seenCauses.has(cause) });
      seenCauses.add(cause);
    }
    return new Response(exposition.body, { headers: { "content-type": exposition.contentType } });
  };
  const handler = async (request: Request): Promise<Response> => {
    const path = new URL(request.url).pathname;
    if (request.method !== "GET" && request.method !== "HEAD") {
      return plain(405, "only GET is served");
    }
    if (path === "/probe") return await probe(request);
    if (path === "/metrics") {
      const { body, contentType } = await metrics.exposition();
      return new Response(body, { headers: { "content-type": contentType } });
    }
    if (path === "/") {
      const page = landingPage(options, context.targets?.length, [...latest.values()]);
      return new Response(page, { headers: { "content-type": "text/html; charset=utf-8" } });
    }
    return plain(404, `no page ${printable(path)}: try /probe?target=<host>, /metrics or /`);
  };
  const server = serve(options, handler, context.signal);
  const address = server.addr as Deno.NetAddr;
  context.emit({
    type: "start",
    time: new Date(),
    options,
    url: `http://${joinHostPort(address.hostname, address.port)}/`,
    allowed: context.targets?.length,
    clientThumbprint: context.clientCertificate?.thumbprint,
  });
  const summaries = setInterval(() => {
    context.emit({ type: "minute", time: new Date(), tally: minute });
    minute = newTally();
  }, context.summaryMs);
  try {
    await server.finished;
  } finally {
    clearInterval(summaries);
  }
  context.emit({ type: "end", time: new Date(), tally: total });
  return total;
}

/** Starts the HTTP server; its failure to listen in words the user can act on. */
function serve(
  options: ExporterOptions,
  handler: (request: Request) => Promise<Response>,
  signal: AbortSignal,
): Deno.HttpServer<Deno.NetAddr> {
  try {
    return Deno.serve({
      hostname: options.address,
      port: options.port,
      signal,
      onListen: () => {}, // the start event says where, in the run's own words
    }, handler);
  } catch (error) {
    throw listenError(error, options.port, options.address);
  }
}

/** One line of text with `status`. */
function plain(status: number, line: string): Response {
  return new Response(`${line}\n`, { status, headers: { "content-type": "text/plain" } });
}

/**
 * Reads the probe's request, waits for a slot within the scrape's time limit and probes:
 * its outcome and metrics, or the refusal (400, 403, 503) to answer with.
 */
async function answerProbe(
  request: Request,
  options: ExporterOptions,
  context: ExporterContext,
  slots: Slots,
) {
  let probeRequest, limitMs;
  try {
    const params = new URL(request.url).searchParams;
    probeRequest = readProbeRequest(params, context.targets, options.maxDataSize);
    limitMs = scrapeLimitMs(request.headers.get(SCRAPE_TIMEOUT_HEADER));
  } catch (error) {
    if (error instanceof ProbeRefusal) return plain(error.status, printable(error.message));
    throw error;
  }
  const started = performance.now();
  const deadline = AbortSignal.any([context.signal, AbortSignal.timeout(limitMs)]);
  try {
    return await slots.run(async () => {
      const budgetMs = Math.max(1, limitMs - (performance.now() - started));
      const { clientCertificate } = context;
      const shared = { clientCertificate, proxy: options.proxy };
      const outcome = await runProbe(probeRequest, shared, { deadline, budgetMs });
      return { outcome, exposition: await probeMetrics(outcome) };
    }, deadline);
  } catch (error) {
    if (!deadline.aborted) throw error;
    return plain(
      503,
      `all ${options.parallel} probe slots stayed busy for the scrape's ${limitMs / 1000} s: ` +
        "raise /parallel, or scrape less at once",
    );
  }
}

/** The time a probe may take: the scrape's limit less a margin, else 10 s. */
function scrapeLimitMs(header: string | null): number {
  if (header === null) return DEFAULT_SCRAPE_TIMEOUT_MS;
  const seconds = Number(header);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new ProbeRefusal(400, `${SCRAPE_TIMEOUT_HEADER}: ${header} is not a number of seconds`);
  }
  return Math.max(100, seconds * 1000 - SCRAPE_MARGIN_MS);
}
