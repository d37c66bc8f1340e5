/**
 * `OctoPing ping`: one Tentacle, or a fleet of them (`/hosts`), as text or
 * JSON; exit 1 when any attempt failed, when Ctrl+C cut an attempt short
 * before any finished (or output was lost), 0 otherwise.
 *
 * @module
 */
import { disableQuickEdit } from "../console_mode.ts";
import { type FleetPingEvent, runPingFleet } from "../fleet/ping_fleet.ts";
import type { FleetOptions, PingOptions, Secrets } from "../options/options.ts";
import { styleFor } from "../output/console.ts";
import { runPing } from "../ping/engine.ts";
import type { PingEvent } from "../ping/events.ts";
import { pingFleetTextReporter } from "../reporters/fleet_text.ts";
import { pingFleetJsonReporter, pingJsonReporter } from "../reporters/json.ts";
import { pingTextReporter } from "../reporters/ping_text.ts";
import type { RunInfo } from "../reporters/run_info.ts";
import { clientCertificateFor } from "./client_certificate.ts";
import { prepareFleet } from "./fleet.ts";
import { recordedRun } from "./run.ts";
import { lost } from "./stdio.ts";

/**
 * Pings `options.target` until the count is done or Ctrl+C; exit 1 if any attempt failed,
 * or Ctrl+C cut one short before any finished.
 */
export async function ping(
  options: PingOptions,
  run: RunInfo,
  notices: string[],
  secrets: Secrets,
): Promise<number> {
  disableQuickEdit();
  const clientCertificate = await clientCertificateFor(options, secrets, run);
  const failures = failureWatch();
  return await recordedRun(options.record, run, failures.exitCode, async (record, signal) => {
    const print = options.record.format === "json"
      ? pingJsonReporter(record.line, run)
      : pingTextReporter(record, styleFor(Deno.stdout));
    const report = (event: PingEvent) => {
      failures.see(event);
      print(event);
    };
    await runPing(options, report, signal, { clientCertificate });
    return failures.exitCode();
  }, notices);
}

/**
 * `ping /hosts=<file>`: every target at once, under `/parallel`; exit 1 if any failed, or
 * finished no attempt before Ctrl+C cut one short.
 */
export async function pingFleet(
  options: Omit<PingOptions, "target" | "thumbprint">,
  fleet: FleetOptions,
  run: RunInfo,
  notices: string[],
  secrets: Secrets,
): Promise<number> {
  disableQuickEdit();
  const { targets, clientCertificate } = await prepareFleet(options, fleet, run, secrets);
  const failures = failureWatch();
  return await recordedRun(options.record, run, failures.exitCode, async (record, signal) => {
    const screen = Deno.stdout.isTerminal() ? consoleSize() : undefined;
    const print = options.record.format === "json"
      ? pingFleetJsonReporter(record.line, run)
      : pingFleetTextReporter(record, styleFor(Deno.stdout), screen);
    const report = (event: FleetPingEvent) => {
      if (event.type === "ping") failures.see(event.event);
      print(event);
    };
    await runPingFleet(targets, options, fleet, report, signal, clientCertificate);
    return failures.exitCode();
  }, notices);
}

/**
 * Whether the run went wrong, as the events go by: an attempt failed, or Ctrl+C cut one
 * short before any finished (nothing was seen to work). The exit code, also of a run
 * stopped by a second Ctrl+C, is 1 then, or when output was lost. An attempt cut short
 * after others finished leaves the code to them: Ctrl+C can land in any, and it is named.
 */
function failureWatch(): { see(event: PingEvent): void; exitCode(): number } {
  let wrong = false;
  return {
    see(event) {
      if (event.type === "attempt" && !event.result.ok) wrong = true;
      if (event.type === "end" && event.cutShort && event.summary.attempts === 0) wrong = true;
    },
    exitCode: () => wrong || lost.any ? 1 : 0,
  };
}

/** The console's size; 24 x 80 where a terminal does not say (a pseudo-terminal given none). */
function consoleSize(): { rows: number; columns: number } {
  const { rows, columns } = Deno.consoleSize();
  return { rows: rows || 24, columns: columns || 80 };
}
