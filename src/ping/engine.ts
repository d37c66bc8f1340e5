/**
 * The ping engine: attempts one after another — until `/count` is reached or
 * the run is stopped — each `/interval` ms after the previous one ended. It
 * emits typed events; reporters print them.
 *
 * @module
 */
import type { PingOptions } from "../cli/options.ts";
import { delay } from "../timers.ts";
import { runAttempt } from "./attempt.ts";
import type { PingEvent } from "./result.ts";

/** Totals of a finished run. */
export interface PingTotals {
  succeeded: number;
  failed: number;
}

/**
 * Runs ping until `/count` attempts are done or `stop` aborts. An attempt cut
 * short by `stop` is not counted.
 */
export async function runPing(
  options: PingOptions,
  emit: (event: PingEvent) => void,
  stop: AbortSignal,
): Promise<PingTotals> {
  const totals: PingTotals = { succeeded: 0, failed: 0 };
  emit({ type: "start", time: new Date(), options });
  for (let seq = 1; seq <= options.count && !stop.aborted; seq++) {
    if (seq > 1) await delay(options.intervalMs, stop);
    if (stop.aborted) break;
    try {
      const result = await runAttempt(options, seq, stop);
      if (result.ok) totals.succeeded++;
      else totals.failed++;
      emit({ type: "attempt", result });
    } catch (error) {
      if (!stop.aborted) throw error;
    }
  }
  emit({ type: "end", time: new Date(), ...totals, interrupted: stop.aborted });
  return totals;
}
