/**
 * Ping over a fleet (`ping /hosts=<file>`): every target runs at once on its
 * own schedule, `/count` attempts each `/interval` after its previous one
 * ended, with at most `/parallel` connections in flight over all of them.
 * Emits each target's ping events tagged with its run, and ends with every
 * target's figures.
 *
 * @module
 */
import type { FleetOptions, FleetTarget, PingOptions } from "../options/options.ts";
import type { CertificateWithKey } from "../net/certificate.ts";
import { runPing } from "../ping/engine.ts";
import type { AttemptCutShort, PingEvent } from "../ping/events.ts";
import type { Cause } from "../connection/failure.ts";
import { COMPACT_DIGITS, RunStatistics, type RunSummary } from "../stats/run_statistics.ts";
import { runFleet, Slots } from "./slots.ts";

/** One target's run: what the live table and the summaries read while it goes. */
export class TargetRun {
  readonly target: FleetTarget;
  /** Compact: a fleet keeps one per target. */
  readonly statistics = new RunStatistics(COMPACT_DIGITS);
  /** The cause of its latest failure. */
  lastCause?: Cause;
  /** Its figures, once it has ended. */
  summary?: RunSummary;
  /** The attempt Ctrl+C cut short, once it has ended; null when none was under way. */
  cutShort?: AttemptCutShort | null;
  #lastEnd?: number;
  #gaps = 0;
  #gapMs = 0;

  constructor(target: FleetTarget) {
    this.target = target;
  }

  /**
   * The average time from the end of one attempt to the start of the next:
   * `/interval`, plus any wait for a free slot. Undefined before a second attempt.
   */
  get effectiveIntervalMs(): number | undefined {
    return this.#gaps > 0 ? this.#gapMs / this.#gaps : undefined;
  }

  /** Runs `attempt` under `slots`, timing the gap since the previous one. */
  async timed<T>(slots: Slots, attempt: () => Promise<T>, stop: AbortSignal): Promise<T> {
    return await slots.run(async () => {
      const now = performance.now();
      if (this.#lastEnd !== undefined) {
        this.#gaps++;
        this.#gapMs += now - this.#lastEnd;
      }
      try {
        return await attempt();
      } finally {
        this.#lastEnd = performance.now();
      }
    }, stop);
  }
}

/** What a fleet's ping reports as it runs. */
export type FleetPingEvent =
  | {
    type: "start";
    time: Date;
    runs: readonly TargetRun[];
    fleet: FleetOptions;
    options: Omit<PingOptions, "target" | "thumbprint">;
    clientThumbprint?: string;
  }
  /** One target's own event. */
  | { type: "ping"; run: TargetRun; event: PingEvent }
  /** Said once: `/parallel` is making targets wait, so their attempts start late. */
  | { type: "waiting"; time: Date; parallel: number }
  | { type: "end"; time: Date; runs: readonly TargetRun[]; interrupted: boolean };

/** Pings every target until each has made `/count` attempts or `stop` aborts. */
export async function runPingFleet(
  targets: readonly FleetTarget[],
  options: Omit<PingOptions, "target" | "thumbprint">,
  fleet: FleetOptions,
  emit: (event: FleetPingEvent) => void,
  stop: AbortSignal,
  clientCertificate?: CertificateWithKey,
): Promise<readonly TargetRun[]> {
  const runs = targets.map((target) => new TargetRun(target));
  const slots = new Slots(
    fleet.parallel,
    () => emit({ type: "waiting", time: new Date(), parallel: fleet.parallel }),
  );
  emit({
    type: "start",
    time: new Date(),
    runs,
    fleet,
    options,
    clientThumbprint: clientCertificate?.thumbprint,
  });
  await runFleet(runs, slots, async (run) => {
    const { host, port, thumbprint } = run.target;
    const tell = (event: PingEvent) => {
      if (event.type === "attempt" && !event.result.ok) {
        run.lastCause = event.result.diagnosis?.cause ?? "other";
      }
      if (event.type === "end") run.cutShort = event.cutShort;
      emit({ type: "ping", run, event });
    };
    run.summary = await runPing({ ...options, target: { host, port }, thumbprint }, tell, stop, {
      clientCertificate,
      gate: (attempt) => run.timed(slots, attempt, stop),
      statistics: run.statistics,
    });
  });
  emit({ type: "end", time: new Date(), runs, interrupted: stop.aborted });
  return runs;
}
