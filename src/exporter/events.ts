/**
 * What the exporter reports as it runs: typed events that its reporter turns
 * into lines; nothing here prints.
 *
 * @module
 */
import type { Cause } from "../connection/failure.ts";
import type { ExporterOptions } from "../options/options.ts";
import type { ProbeOutcome } from "./probe.ts";

/** Probes and refusals over a stretch of time. */
export interface ExporterTally {
  probes: number;
  /** Failed probes, by cause. */
  failures: Partial<Record<Cause, number>>;
  /** Requests answered 400, 403 or 503, by status. */
  refused: Partial<Record<400 | 403 | 503, number>>;
}

/** What the exporter reports as it runs. */
export type ExporterEvent =
  | {
    type: "start";
    time: Date;
    options: ExporterOptions;
    /** Where Prometheus reaches it: `http://127.0.0.1:9933/`. */
    url: string;
    /** The allow-list's size; undefined when any target may be probed. */
    allowed?: number;
    /** SHA-1 of the client certificate every probe presents. */
    clientThumbprint?: string;
  }
  /** A probe that failed; `firstOfCause` when no probe before it failed for its cause. */
  | { type: "failure"; outcome: ProbeOutcome; firstOfCause: boolean }
  /** Every minute: what the minute saw. */
  | { type: "minute"; time: Date; tally: ExporterTally }
  /** The exporter stopped (Ctrl+C or `/duration`): the whole run's tally. */
  | { type: "end"; time: Date; tally: ExporterTally };
