/**
 * `OctoPing pong`: a listener standing in for a Tentacle, until Enter,
 * Ctrl+C or `/duration`; exit 1 if it could not listen (or output was lost).
 *
 * @module
 */
import { disableQuickEdit } from "../console_mode.ts";
import {
  CertificateFileError,
  type CertificateWithKey,
  createSelfSignedCertificate,
  loadCertificate,
} from "../net/certificate.ts";
import { ListenError } from "../net/listen.ts";
import type { PongOptions, RecordOptions } from "../options/options.ts";
import type { Record } from "../output/record.ts";
import { startPong } from "../pong/server.ts";
import { pongJsonReporter } from "../reporters/json.ts";
import { pongTextReporter } from "../reporters/pong_text.ts";
import type { RunInfo } from "../reporters/run_info.ts";
import { enterPressed } from "../shutdown.ts";
import { delay } from "../timers.ts";
import { PROGRAM } from "../version.ts";
import { orBadInput } from "./exit.ts";
import { recordedRun } from "./run.ts";
import { lost, output } from "./stdio.ts";

/** Serves until stopped; exit 1 when the port cannot be listened on. */
export async function pong(options: PongOptions, run: RunInfo): Promise<number> {
  disableQuickEdit();
  const certificate = await orBadInput(() => serverCertificate(options), CertificateFileError);
  const onSecondStop = () => lost.any ? 1 : 0;
  return await recordedRun(options.record, run, onSecondStop, async (record, signal) => {
    const interactive = Deno.stdin.isTerminal();
    const report = options.record.format === "json"
      ? pongJsonReporter(record.line, run)
      : pongTextReporter(record.line, interactive ? "enter" : "signal", options.durationMs);
    let server;
    try {
      server = await startPong(options, certificate, report);
    } catch (error) {
      if (!(error instanceof ListenError)) throw error;
      startupError(record, options.record.format, `${PROGRAM}: ${error.message}`);
      return 1;
    }
    const stopped = new Promise((resolve) => signal.addEventListener("abort", resolve));
    // /duration ends pong as Ctrl+C does; a timer cut short by a signal is cleared.
    const timeUp = options.durationMs === undefined
      ? new Promise<never>(() => {})
      : delay(options.durationMs, signal);
    await Promise.race([stopped, enterPressed(), timeUp]);
    await server.close();
    return 0;
  });
}

/** The certificate pong serves: the files given, or one made for this run; none without TLS. */
async function serverCertificate(options: PongOptions): Promise<CertificateWithKey | undefined> {
  if (options.noSsl) return undefined;
  if (options.certificateFiles) {
    return await loadCertificate(options.certificateFiles.cert, options.certificateFiles.key);
  }
  return await createSelfSignedCertificate();
}

/**
 * Why pong could not start: on stderr and in the log file, and in a redirected stdout too, so
 * that the Output.txt sent to support says why it ends after the header. Not in JSON, whose
 * lines are objects; not twice on a console, where stdout and stderr are the same screen.
 */
function startupError(record: Record, format: RecordOptions["format"], message: string): void {
  record.notice(message);
  if (format === "text" && !Deno.stdout.isTerminal()) output.line(message);
}
