/**
 * The one logging layer all output goes through, on LogTape: every line
 * reaches the console and, with `/logfile`, the log file — flushed line by
 * line, so a run that is interrupted leaves its record complete up to that
 * point. The console keeps its colors; the file gets plain text.
 *
 * The sinks are small functions of our own rather than @logtape/file's: that
 * sink fsyncs every short record (a disk round trip per attempt) and has no
 * way to tell the run, once, that the disk filled up: a failed write here is
 * told to the run's {@linkcode LostOutput}, as one to stdout is.
 *
 * @module
 */
import { configure, getLogger, type LogRecord, reset } from "@logtape/logtape";
import { asLines, LINE_END, type Output } from "./console.ts";
import type { LostOutput } from "./lost_output.ts";

/** A log file that cannot be opened at the start: bad input. */
export class LogFileError extends Error {
  override name = "LogFileError";
}

/** Where a run's lines go. */
export interface Record extends Output {
  /** Waits (bounded) until everything is written. */
  flush(): Promise<void>;
  /** A message for the person at the console (stderr) that the log file keeps too. */
  notice(text: string): void;
  /** A line for the log file alone (a fleet's attempts, while the console shows a table). */
  fileLine(text: string): void;
}

const CATEGORY = "octoping";
// Escape sequences (colors, status redraws) are for the console only.
// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;

/**
 * Opens the record: the console, plus the file at `logfile` when given
 * (appended to, created if missing; throws {@linkcode LogFileError} when it
 * cannot be opened). `lost` hears when writing the file fails later, and the
 * file is written no more. File lines are plain ASCII ending in `lineEnd`.
 */
export async function openRecord(
  console: Output & { flush(): Promise<void> },
  logfile: string | undefined,
  lost: LostOutput,
  stderr: (text: string) => void,
  lineEnd = LINE_END,
): Promise<Record> {
  let file: Deno.FsFile | undefined;
  if (logfile) {
    try {
      file = Deno.openSync(logfile, { create: true, append: true });
    } catch (error) {
      throw new LogFileError(`cannot open the log file ${logfile}: ${(error as Error).message}`);
    }
  }
  const encoder = new TextEncoder();
  const toFile = (text: string) => {
    if (!file || logfile === undefined) return;
    const bytes = encoder.encode(asLines(text.replace(ANSI, ""), lineEnd));
    try {
      for (let done = 0; done < bytes.length;) done += file.writeSync(bytes.subarray(done));
    } catch (error) {
      file.close();
      file = undefined;
      lost.failed(logfile, error, "the log file", "the console carries on");
    }
  };
  const lineOf = (record: LogRecord) => String(record.properties.line);
  await reset();
  await configure({
    sinks: {
      console: (record) => console.line(lineOf(record)),
      file: (record) => toFile(lineOf(record)),
    },
    loggers: [
      { category: CATEGORY, lowestLevel: "info", sinks: file ? ["console", "file"] : ["console"] },
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: [] },
    ],
  });
  const logger = getLogger(CATEGORY);
  return {
    line: (text) => logger.info("{line}", { line: text }),
    status: console.status,
    board: console.board,
    fileLine: toFile,
    notice(text) {
      stderr(text);
      toFile(text);
    },
    async flush() {
      await console.flush();
      file?.close();
      file = undefined;
    },
  };
}
