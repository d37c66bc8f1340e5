/**
 * `OctoPing check`: one Tentacle, or a fleet of them (`/hosts`), checked once,
 * as text or JSON; exit 1 when any check blocks, or the run was stopped.
 *
 * @module
 */
import { runCheck } from "../check/engine.ts";
import { disableQuickEdit } from "../console_mode.ts";
import { runCheckFleet } from "../fleet/check_fleet.ts";
import type { CheckOptions, FleetOptions, Secrets } from "../options/options.ts";
import { styleFor } from "../output/console.ts";
import { checkTextReporter } from "../reporters/check_text.ts";
import { checkFleetTextReporter } from "../reporters/fleet_text.ts";
import { checkFleetJsonReporter, checkJsonReporter } from "../reporters/json.ts";
import type { RunInfo } from "../reporters/run_info.ts";
import { clientCertificateFor } from "./client_certificate.ts";
import { prepareFleet } from "./fleet.ts";
import { recordedRun } from "./run.ts";

/** A check ends with 1 whatever a second Ctrl+C cuts short: it did not finish. */
const STOPPED = () => 1;

/** Checks `options.target` once; exit 1 if anything blocks it. */
export async function check(
  options: CheckOptions,
  run: RunInfo,
  secrets: Secrets,
): Promise<number> {
  const clientCertificate = await clientCertificateFor(options, secrets, run);
  return await recordedRun(options.record, run, STOPPED, async (record, signal) => {
    const report = options.record.format === "json"
      ? checkJsonReporter(record.line, run)
      : checkTextReporter(record.line, styleFor(Deno.stdout));
    const result = await runCheck(options, { emit: report, signal, clientCertificate });
    return result.verdict === "blocking" || signal.aborted ? 1 : 0;
  });
}

/** `check /hosts=<file>`: each target once, `/parallel` at a time; exit 1 if any blocks. */
export async function checkFleet(
  options: Omit<CheckOptions, "target" | "thumbprint">,
  fleet: FleetOptions,
  run: RunInfo,
  secrets: Secrets,
): Promise<number> {
  disableQuickEdit();
  const { targets, clientCertificate } = await prepareFleet(options, fleet, run, secrets);
  return await recordedRun(options.record, run, STOPPED, async (record, signal) => {
    const print = options.record.format === "json"
      ? checkFleetJsonReporter(record.line, run)
      : checkFleetTextReporter(record, styleFor(Deno.stdout), Deno.stdout.isTerminal());
    const checks = await runCheckFleet(targets, options, fleet, print, signal, clientCertificate);
    const blocks = checks.some(({ result }) => result?.verdict === "blocking");
    return blocks || signal.aborted ? 1 : 0;
  });
}
