/**
 * `OctoPing exporter`: serves Prometheus until Ctrl+C or `/duration`; exit 1
 * when it could not listen (or output was lost), 2 for a hosts file or
 * certificate it could not read.
 *
 * @module
 */
import { runExporter } from "../exporter/server.ts";
import { ListenError } from "../net/listen.ts";
import { readHostsFile } from "../options/hosts_file.ts";
import { type ExporterOptions, type Secrets, TENTACLE_PORT } from "../options/options.ts";
import { exporterTextReporter } from "../reporters/exporter_text.ts";
import type { RunInfo } from "../reporters/run_info.ts";
import { PROGRAM } from "../version.ts";
import { clientCertificateFor } from "./client_certificate.ts";
import { recordedRun } from "./run.ts";
import { lost } from "./stdio.ts";

/** The summary line's period. */
const MINUTE_MS = 60_000;

/** Serves until stopped; exit 1 when the port cannot be listened on. */
export async function exporter(
  options: ExporterOptions,
  run: RunInfo,
  secrets: Secrets,
): Promise<number> {
  // A line without a port is a Tentacle's: the exporter's /port is its own.
  const targets = options.hosts === undefined
    ? undefined
    : await readHostsFile(options.hosts, { defaultPort: TENTACLE_PORT, tls: true });
  const clientCertificate = await clientCertificateFor(
    { noSsl: false, clientCertificate: options.clientCertificate },
    secrets,
    run,
  );
  const onSecondStop = () => lost.any ? 1 : 0;
  return await recordedRun(options.record, run, onSecondStop, async (record, signal) => {
    const stop = options.durationMs === undefined
      ? signal
      : AbortSignal.any([signal, AbortSignal.timeout(options.durationMs)]);
    try {
      await runExporter(options, {
        targets,
        clientCertificate,
        emit: exporterTextReporter(record.line),
        signal: stop,
        summaryMs: MINUTE_MS,
      });
    } catch (error) {
      if (!(error instanceof ListenError)) throw error;
      record.notice(`${PROGRAM}: ${error.message}`);
      return 1;
    }
    return lost.any ? 1 : 0;
  });
}
