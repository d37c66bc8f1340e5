/**
 * The wiring every command that runs repeats: open the run's record (the
 * console, and the log file if asked for), listen for Ctrl+C, run, and flush
 * the record whatever happens.
 *
 * @module
 */
import type { RecordOptions } from "../options/options.ts";
import { LINE_END } from "../output/console.ts";
import { LogFileError, openRecord, type Record } from "../output/record.ts";
import { headerLines, type RunInfo } from "../reporters/run_info.ts";
import { stopOnSignals } from "../shutdown.ts";
import { PROGRAM } from "../version.ts";
import { orBadInput } from "./exit.ts";
import { lost, output, stderr } from "./stdio.ts";

/** What a run does once its record is open: its exit code, `signal` aborted by Ctrl+C. */
export type RunBody = (record: Record, signal: AbortSignal) => Promise<number>;

/**
 * Opens the run's record (bad input, exit 2, if it can't), says `notices` there, and runs
 * `body` while Ctrl+C aborts its signal; a second Ctrl+C exits at once with `onSecondStop()`.
 * The record is flushed whatever happens: a second Ctrl+C then still exits with the run's code.
 */
export async function recordedRun(
  options: RecordOptions,
  run: RunInfo,
  onSecondStop: () => number,
  body: RunBody,
  notices: readonly string[] = [],
): Promise<number> {
  const record = await openRunRecord(options, run);
  notices.forEach((notice) => record.notice(`${PROGRAM}: ${notice}`));
  const stopper = stopOnSignals(onSecondStop);
  try {
    return await body(record, stopper.signal);
  } finally {
    await record.flush();
    stopper.dispose();
  }
}

/** The run's record: the console, and the log file if asked for, the header first in text. */
async function openRunRecord(options: RecordOptions, run: RunInfo): Promise<Record> {
  if (options.format === "json") {
    output.sink.droppedNotice = (count) =>
      JSON.stringify({ type: "dropped", time: new Date().toISOString(), lines: count }) + LINE_END;
  }
  const console = options.format === "json" ? { ...output, status: undefined } : output;
  const record = await orBadInput(
    () => openRecord(console, options.logfile, lost, stderr),
    LogFileError,
  );
  // JSON's `start` event carries the same; text gets the header on the console and in the file.
  if (options.format === "text") headerLines(run).forEach((line) => record.line(line));
  return record;
}
