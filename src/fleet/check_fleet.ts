/**
 * Check over a fleet (`check /hosts=<file>`): each target checked once,
 * `/parallel` at a time, on the same scheduler as ping's fleet. Emits each
 * target's check events tagged with its target, and ends with every result.
 *
 * @module
 */
import { runCheck } from "../check/engine.ts";
import type { CheckEvent, CheckResult } from "../check/result.ts";
import type { CheckOptions, FleetOptions, FleetTarget } from "../options/options.ts";
import type { CertificateWithKey } from "../net/certificate.ts";
import { runFleet, Slots } from "./slots.ts";

/** A target and its check, once done (absent when the run was stopped first). */
export interface TargetCheck {
  target: FleetTarget;
  result?: CheckResult;
}

/** What a fleet's check reports as it runs. */
export type FleetCheckEvent =
  | {
    type: "start";
    time: Date;
    targets: readonly FleetTarget[];
    fleet: FleetOptions;
    options: Omit<CheckOptions, "target" | "thumbprint">;
    clientThumbprint?: string;
  }
  /** One target's own event. */
  | { type: "check"; target: FleetTarget; event: CheckEvent }
  | { type: "end"; time: Date; checks: readonly TargetCheck[]; interrupted: boolean };

/** Checks every target once, `/parallel` at a time, until done or `stop` aborts. */
export async function runCheckFleet(
  targets: readonly FleetTarget[],
  options: Omit<CheckOptions, "target" | "thumbprint">,
  fleet: FleetOptions,
  emit: (event: FleetCheckEvent) => void,
  stop: AbortSignal,
  clientCertificate?: CertificateWithKey,
): Promise<readonly TargetCheck[]> {
  emit({
    type: "start",
    time: new Date(),
    targets,
    fleet,
    options,
    clientThumbprint: clientCertificate?.thumbprint,
  });
  const checks = await runFleet(targets, new Slots(fleet.parallel), async (target, slots) => {
    const { host, port, thumbprint } = target;
    try {
      const result = await slots.run(
        () =>
          runCheck({ ...options, target: { host, port }, thumbprint }, {
            emit: (event) => emit({ type: "check", target, event }),
            signal: stop,
            clientCertificate,
          }),
        stop,
      );
      return { target, result };
    } catch (error) {
      if (stop.aborted) return { target }; // stopped while waiting its turn
      throw error;
    }
  });
  emit({ type: "end", time: new Date(), checks, interrupted: stop.aborted });
  return checks;
}
