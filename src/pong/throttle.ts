/**
 * Keeps pong's log readable under a flood: the first few bad connections of
 * each interval are reported one by one, the rest are counted and reported in
 * one line when the interval ends. Nothing is queued but the counts.
 *
 * @module
 */

/** Reports `item`s one by one up to `limit` per `intervalMs`, then as counts by kind. */
export class Throttle<T extends { kind: string }> {
  #limit: number;
  #intervalMs: number;
  #report: (item: T) => void;
  #reportCounts: (count: number, byKind: Record<string, number>) => void;
  #reported = 0;
  #held = new Map<string, number>();
  #timer?: ReturnType<typeof setTimeout>;

  constructor(
    limit: number,
    intervalMs: number,
    report: (item: T) => void,
    reportCounts: (count: number, byKind: Record<string, number>) => void,
  ) {
    this.#limit = limit;
    this.#intervalMs = intervalMs;
    this.#report = report;
    this.#reportCounts = reportCounts;
  }

  /** Reports `item` now, or counts it for the line at the end of the interval. */
  add(item: T): void {
    this.#timer ??= setTimeout(() => this.flush(), this.#intervalMs);
    if (this.#reported < this.#limit) {
      this.#reported++;
      this.#report(item);
    } else {
      this.#held.set(item.kind, (this.#held.get(item.kind) ?? 0) + 1);
    }
  }

  /** Ends the interval: reports what was counted, if anything. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#reported = 0;
    if (this.#held.size === 0) return;
    const byKind = Object.fromEntries(this.#held);
    this.#held.clear();
    this.#reportCounts(Object.values(byKind).reduce((a, b) => a + b, 0), byKind);
  }
}
