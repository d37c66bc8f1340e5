/**
 * Pong's counting and its events about connections: the figures over the
 * whole run, and the connections accepted and ended badly, listed one by one
 * up to a limit per interval and counted beyond it, so that a flood leaves a
 * readable log.
 *
 * @module
 */
import type { FailedConnection, PongEvent, PongSummary } from "./events.ts";
import type { Outcome } from "./connection.ts";
import { Throttle } from "./throttle.ts";

/** Connections (accepted, or ended badly) listed one by one per interval before the rest are counted. */
const FAILURES_LISTED = 20;
const FAILURE_INTERVAL_MS = 1000;

/** Counts pong's connections and emits their events, throttled under a flood. */
export class PongTally {
  readonly #emit: (event: PongEvent) => void;
  readonly #summary: PongSummary = {
    connections: 0,
    peakConcurrent: 0,
    bytesRead: 0,
    bytesSent: 0,
    failures: {},
  };
  readonly #accepted: Throttle<{ kind: string; client: string }>;
  readonly #failures: Throttle<FailedConnection>;
  readonly #acceptFailures: Throttle<{ kind: string; reason: string }>;

  constructor(emit: (event: PongEvent) => void) {
    this.#emit = emit;
    this.#accepted = new Throttle<{ kind: string; client: string }>(
      FAILURES_LISTED,
      FAILURE_INTERVAL_MS,
      ({ client }) => emit({ type: "accepted", time: new Date(), client }),
      (count) => emit({ type: "acceptedMore", time: new Date(), count }),
    );
    this.#failures = new Throttle<FailedConnection>(
      FAILURES_LISTED,
      FAILURE_INTERVAL_MS,
      (failure) => emit({ type: "failed", ...failure }),
      (count, byKind) => emit({ type: "failedMore", time: new Date(), count, byKind }),
    );
    this.#acceptFailures = new Throttle<{ kind: string; reason: string }>(
      1,
      FAILURE_INTERVAL_MS,
      ({ reason }) => emit({ type: "acceptFailed", time: new Date(), reason }),
      (count) =>
        emit({
          type: "acceptFailed",
          time: new Date(),
          reason: `${count} more times in the last second`,
        }),
    );
  }

  /** A connection came in, whether or not it is let in. */
  arrived(): void {
    this.#summary.connections++;
  }

  /** A connection was let in; `open` counts the connections open now, this one included. */
  accepted(client: string, open: number): void {
    this.#summary.peakConcurrent = Math.max(this.#summary.peakConcurrent, open);
    this.#accepted.add({ kind: "accepted", client });
  }

  /** A connection ended badly. */
  failed(failure: FailedConnection): void {
    this.#summary.failures[failure.kind] = (this.#summary.failures[failure.kind] ?? 0) + 1;
    this.#failures.add(failure);
  }

  /** A connection that was let in has ended. */
  ended(outcome: Outcome): void {
    this.#summary.bytesRead += outcome.bytesRead;
    this.#summary.bytesSent += outcome.bytesSent;
    if (outcome.type === "answered") this.#emit(outcome);
    else if (outcome.type === "failed") this.failed(outcome);
  }

  /** Accepting a connection failed (out of file descriptors and the like). */
  acceptFailed(reason: string): void {
    this.#acceptFailures.add({ kind: "accept", reason });
  }

  /** Pong has stopped: what was counted but not yet listed, then the summary. */
  stopped(): void {
    this.#accepted.flush();
    this.#failures.flush();
    this.#acceptFailures.flush();
    this.#emit({ type: "stopped", time: new Date(), summary: this.#summary });
  }
}
