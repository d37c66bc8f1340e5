/**
 * Bounded waits: a pause that ends early on abort, and a watchdog that fires
 * when nothing has moved for too long.
 *
 * @module
 */

/** Waits `ms`, or less if `signal` aborts first (then resolves, never rejects). */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/**
 * Calls `onExpire` once if {@linkcode Watchdog.kick} is not called for `ms`.
 * Kicking is cheap (a timestamp), so it can be done on every chunk.
 */
export class Watchdog {
  #last = performance.now();
  #timer?: ReturnType<typeof setTimeout>;
  #ms: number;
  #onExpire: () => void;

  constructor(ms: number, onExpire: () => void) {
    this.#ms = ms;
    this.#onExpire = onExpire;
    this.#arm(ms);
  }

  /** Records progress: the deadline moves to `ms` from now, and `extraMs` beyond it. */
  kick(extraMs = 0): void {
    this.#last = performance.now() + extraMs;
  }

  /** Stops watching; `onExpire` will not be called. */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(ms: number): void {
    this.#timer = setTimeout(() => {
      const left = this.#last + this.#ms - performance.now();
      if (left > 1) return this.#arm(left);
      this.#timer = undefined;
      this.#onExpire();
    }, ms);
  }
}
