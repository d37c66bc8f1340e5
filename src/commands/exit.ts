/**
 * How a command ends early: it throws an {@linkcode ExitError} carrying the
 * exit code and the one line to say, and main.ts turns it into both.
 *
 * @module
 */

/** An end of the run before its work: its message goes to stderr, its code is the exit code. */
export class ExitError extends Error {
  override name = "ExitError";

  /**
   * Ends the run with `code` (2 bad input, 1 a run-time failure), saying `message`;
   * `usageHint` adds the line that points to `/?`.
   */
  constructor(readonly code: number, message: string, readonly usageHint = false) {
    super(message);
  }
}

/** Bad input: one line naming the problem, the usage hint, exit code 2. */
export function badInput(message: string): ExitError {
  return new ExitError(2, message, true);
}

/** An error class, to name the errors that are bad input. */
// deno-lint-ignore no-explicit-any
type ErrorClass = new (...args: any[]) => Error;

/**
 * What `step` gives; the errors of the `kinds` named (a file that cannot be read, a hosts
 * file's mistake) thrown as bad input, with their message. Others pass as they are.
 */
export async function orBadInput<T>(
  step: () => Promise<T>,
  ...kinds: ErrorClass[]
): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (kinds.some((kind) => error instanceof kind)) throw badInput((error as Error).message);
    throw error;
  }
}
