/**
 * The fleet's scheduler, for any engine: a job per target, every job at once,
 * and a cap (`/parallel`) on the work in flight across all of them. Ping asks
 * for a slot per attempt, so each target keeps its own schedule; check asks
 * for one per target.
 *
 * @module
 */

/**
 * At most `size` pieces of work at once; the rest wait their turn, first come
 * first served. The queue holds at most one waiter per job, so it is bounded
 * by the number of targets.
 */
export class Slots {
  readonly size: number;
  #free: number;
  #waiting: (() => void)[] = [];
  #onFirstWait?: () => void;
  /** Whether any work has had to wait for a slot. */
  waited = false;

  /** `onFirstWait` hears, once, the first time work has to wait. */
  constructor(size: number, onFirstWait?: () => void) {
    this.size = size;
    this.#free = size;
    this.#onFirstWait = onFirstWait;
  }

  /** Work in flight now. */
  get busy(): number {
    return this.size - this.#free;
  }

  /**
   * Runs `work` once a slot is free and frees it after. Rejects with the
   * signal's reason, without running `work`, if `signal` aborts first.
   */
  async run<T>(work: () => Promise<T>, signal: AbortSignal): Promise<T> {
    await this.#acquire(signal);
    try {
      return await work();
    } finally {
      this.#release();
    }
  }

  #acquire(signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    if (this.#free > 0) {
      this.#free--;
      return Promise.resolve();
    }
    if (!this.waited) {
      this.waited = true;
      this.#onFirstWait?.();
    }
    return new Promise((resolve, reject) => {
      const granted = () => {
        signal.removeEventListener("abort", aborted);
        resolve(); // the slot passes straight from the one who freed it
      };
      const aborted = () => {
        this.#waiting.splice(this.#waiting.indexOf(granted), 1);
        reject(signal.reason);
      };
      this.#waiting.push(granted);
      signal.addEventListener("abort", aborted, { once: true });
    });
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free++;
  }
}

/**
 * Runs `job` for every target at once, each given the `slots` they all
 * share, and returns their results in the targets' order.
 */
export function runFleet<Target, Result>(
  targets: readonly Target[],
  slots: Slots,
  job: (target: Target, slots: Slots) => Promise<Result>,
): Promise<Result[]> {
  return Promise.all(targets.map((target) => job(target, slots)));
}
