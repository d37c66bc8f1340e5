/**
 * Output a run could not write: stdout redirected to a full disk, a log file
 * whose disk filled up. Each target that fails is said once, in one line
 * naming it and why (its writer stops writing to it then, so that it is not
 * said again and a disk given space again leaves no silent gap); the run is
 * then incomplete, and exits 1.
 *
 * @module
 */

/** Whether any of a run's output could not be written, told as it happens. */
export class LostOutput {
  #any = false;
  #tell: (message: string) => void;

  /** `tell` puts a message where the person who ran OctoPing sees it: stderr. */
  constructor(tell: (message: string) => void) {
    this.#tell = tell;
  }

  /**
   * Says that writing to `target` failed with `error`, that `what` is
   * incomplete from then on, then `carryOn`: what the run does instead.
   */
  failed(target: string, error: unknown, what: string, carryOn: string): void {
    this.#any = true;
    const reason = error instanceof Error ? error.message : String(error);
    this.#tell(
      `writing to ${target} failed (${reason}): ${what} is incomplete from here on; ${carryOn}`,
    );
  }

  /** True once any output was lost: the run did not say everything, and exits 1. */
  get any(): boolean {
    return this.#any;
  }
}
