/**
 * The process's own streams, made once for every command: the console
 * (stdout, never stalling the network work), stderr, and the record of output
 * that could not be written.
 *
 * @module
 */
import { LINE_END, lineWriter, outputTo } from "../output/console.ts";
import { LostOutput } from "../output/lost_output.ts";
import { PROGRAM } from "../version.ts";

/** stderr, a line at a time: bad input, and what went wrong with the output. */
export const stderr = lineWriter(Deno.stderr);

/** Output that could not be written (stdout, the log file): each said once on stderr. */
export const lost = new LostOutput((message) => stderr(`${PROGRAM}: ${message}`));

/**
 * The console: written without ever stalling the network work. When stdout cannot be written
 * (a full disk under `> Output.txt`), the rest of the run goes to stderr, so that its end and
 * statistics still reach the person who ran it.
 */
export const output = outputTo(Deno.stdout, LINE_END, {
  tell: (error) =>
    lost.failed(
      "stdout",
      error,
      "the output (e.g. Output.txt)",
      `the rest of the run, statistics included, goes to stderr. ${stdoutAdvice(error)}`,
    ),
  fallback: Deno.stderr,
});

/** What to do when stdout fails: a closed pipe is not a full disk. */
function stdoutAdvice(error: unknown): string {
  return error instanceof Deno.errors.BrokenPipe
    ? "The program reading it stopped reading: send the output to a file (> Output.txt) to keep it all."
    : "Free some space (or fix what the error names) and run again.";
}
