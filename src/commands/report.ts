/**
 * `OctoPing report`: a log read back, as statistics on stdout or, with
 * `/out`, an HTML page; several logs, or a fleet's, by target.
 *
 * @module
 */
import { analyse, type LogReport, summarise } from "../logs/analyse.ts";
import { type FleetReport, reportFleet } from "../logs/fleet.ts";
import { expandInputs } from "../logs/inputs.ts";
import { LogReadError } from "../logs/lines.ts";
import type { ReportOptions } from "../options/options.ts";
import { SINK_CAPACITY } from "../output/console.ts";
import {
  fleetReportLines,
  logReportLines,
  noAttempts,
  nothingToReport,
  worstTargetFirst,
} from "../report/log_text.ts";
import { PROGRAM } from "../version.ts";
import { badInput, ExitError, orBadInput } from "./exit.ts";
import { output } from "./stdio.ts";

/** Reports the logs `options` name; a log that cannot be read is bad input (exit 2). */
export async function report(options: ReportOptions): Promise<number> {
  return await orBadInput(() => reportLogs(options), LogReadError);
}

async function reportLogs(options: ReportOptions): Promise<number> {
  const inputs = await expandInputs(options.inputs);
  const out = options.output;
  if (out === undefined) {
    printAll(await reportLines(inputs));
    return 0;
  }
  for (const input of inputs) {
    if (await sameFile(input, out)) {
      throw badInput(`/out=${out} is the log being read: name another file for the report`);
    }
  }
  await writeReport(out, () => reportPage(inputs));
  output.line(`${PROGRAM}: wrote the report to ${out}`);
  return 0;
}

/** The statistics of one log, or by target for several logs or a fleet's. */
async function reportLines(inputs: string[]): Promise<string[]> {
  if (inputs.length === 1) {
    const log = await summarise(inputs[0]);
    if (!holdsFleet(log)) return logReportLines(withAttempts(log, inputs[0]));
  }
  return fleetReportLines(await readFleet(inputs, false));
}

/** The HTML page of one log, or by target for several logs or a fleet's. */
async function reportPage(inputs: string[]): Promise<string> {
  if (inputs.length === 1) {
    const analysis = await analyse(inputs[0]);
    if (!holdsFleet(analysis)) {
      withAttempts(analysis, inputs[0]);
      const { reportPage } = await import("../report/html.ts");
      return reportPage(analysis, inputs[0]);
    }
  }
  const { fleetReportPage } = await import("../report/fleet_html.ts");
  return fleetReportPage(await readFleet(inputs, true));
}

/** Whether `log` holds a fleet's run (`ping /hosts`): then it is reported by target. */
function holdsFleet(log: LogReport): boolean {
  return log.runs.some(({ run }) => run.fleet !== undefined);
}

/** `log`, when it has attempts to report; one with none is bad input, said plainly. */
function withAttempts<T extends LogReport>(log: T, source: string): T {
  const nothing = nothingToReport(log, source);
  if (nothing) throw nothingToSay(nothing);
  return log;
}

/** Every target in `inputs`: bad input only when no log has attempts. */
async function readFleet(inputs: string[], charts: boolean): Promise<FleetReport> {
  const fleet = await reportFleet(inputs, charts, noAttempts, worstTargetFirst);
  if (fleet.targets.length > 0) return fleet;
  throw nothingToSay(fleet.skipped.map(({ why }) => why).join("; "));
}

/** Logs that hold nothing to report: bad input, without the usage hint (it would not help). */
function nothingToSay(message: string): ExitError {
  return new ExitError(2, message);
}

/**
 * Writes the page `make` gives to `out`, beside it first and renamed into place once whole:
 * an unwritable /out fails before a week of log is read, and /out is never left half-written.
 * A page that could not be written to its end (a full disk) is a run-time failure, exit 1.
 */
async function writeReport(out: string, make: () => Promise<string>): Promise<void> {
  const partial = `${out}.partial-${Deno.pid}`;
  const file = await openForWriting(partial, out);
  try {
    const page = new TextEncoder().encode(await make());
    for (let done = 0; done < page.length;) done += await file.write(page.subarray(done));
    file.close();
    await Deno.rename(partial, out);
  } catch (error) {
    try {
      file.close();
    } catch { /* closed already */ }
    await Deno.remove(partial).catch(() => {});
    if (error instanceof LogReadError || error instanceof ExitError) throw error;
    throw new ExitError(
      1,
      `cannot write the report to ${out}: ${(error as Error).message}: nothing was written`,
    );
  }
}

/** A report's lines, every one: the console's queue is made room for them, none is dropped. */
function printAll(lines: string[]): void {
  output.sink.capacity = SINK_CAPACITY + lines.length;
  lines.forEach((line) => output.line(line));
}

/**
 * Whether `output` names the file `input` is: the same real path (`./run.jsonl`, a symlink), or
 * the same device and inode (a hard link) where the OS tells them. A missing `output` is no file.
 */
async function sameFile(input: string, output: string): Promise<boolean> {
  const [inPath, outPath] = await Promise.all([input, output].map(realPath));
  if (inPath === undefined || outPath === undefined) return false;
  if (inPath === outPath) return true;
  const [a, b] = await Promise.all([Deno.stat(inPath), Deno.stat(outPath)]);
  return a.dev === b.dev && a.ino !== null && a.ino === b.ino;
}

async function realPath(path: string): Promise<string | undefined> {
  try {
    return await Deno.realPath(path);
  } catch {
    return undefined; // not there (yet): reading or writing it says what is wrong
  }
}

/** /out that cannot be opened for writing: bad input. */
async function openForWriting(path: string, shownAs: string): Promise<Deno.FsFile> {
  try {
    return await Deno.open(path, { write: true, createNew: true });
  } catch (error) {
    throw badInput(`cannot write the report to ${shownAs}: ${(error as Error).message}`);
  }
}
