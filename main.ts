/**
 * OctoPing: diagnoses connections between an Octopus Server and a listening
 * Tentacle. Parses the command line, runs the command, and turns its outcome
 * into the exit code: 0 all well, 1 failures (or a run-time problem such as a
 * port in use, or output that could not be written: stdout or the log file),
 * 2 bad input.
 *
 * @module
 */
import type {
  CheckOptions,
  FleetOptions,
  FleetTarget,
  PingOptions,
  PongOptions,
  RecordOptions,
  ReportOptions,
  Secrets,
} from "./src/options/options.ts";
import { parseArgs, UsageError } from "./src/options/parse.ts";
import { usage } from "./src/options/usage.ts";
import { disableQuickEdit } from "./src/console_mode.ts";
import type { FleetPingEvent } from "./src/fleet/ping_fleet.ts";
import type { LogReport } from "./src/logs/analyse.ts";
import type { FleetReport } from "./src/logs/fleet.ts";
import type { CertificateWithKey } from "./src/net/certificate.ts";
import type { PingEvent } from "./src/ping/events.ts";
import { LINE_END, lineWriter, outputTo, SINK_CAPACITY, styleFor } from "./src/output/console.ts";
import { LostOutput } from "./src/output/lost_output.ts";
import type { Record } from "./src/output/record.ts";
import { describeRun, headerLines, type RunInfo } from "./src/reporters/run_info.ts";
import { PROGRAM, VERSION } from "./src/version.ts";

// Each command imports what only it needs when it runs (certificates, the engines, the
// reporters, the log file's sink): `/?` and `--version` start in a fraction of the time.

const stderr = lineWriter(Deno.stderr);
/** Output that could not be written (stdout, the log file): each said once on stderr. */
const lost = new LostOutput((message) => stderr(`${PROGRAM}: ${message}`));
/**
 * The console: written without ever stalling the network work. When stdout cannot be written
 * (a full disk under `> Output.txt`), the rest of the run goes to stderr, so that its end and
 * statistics still reach the person who ran it.
 */
const output = outputTo(Deno.stdout, LINE_END, {
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

/**
 * Runs OctoPing with `args` and returns the exit code, once all its output is
 * written: output that could not be (stdout, the log file) makes a run that
 * went well exit 1, as it did not say everything.
 */
export async function main(args: readonly string[]): Promise<number> {
  const code = await runCommand(args);
  await output.flush();
  return code === 0 && lost.any ? 1 : code;
}

/** Runs the command `args` name, and returns its exit code. */
async function runCommand(args: readonly string[]): Promise<number> {
  let command;
  try {
    command = parseArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return usageError(error.message);
  }
  switch (command.kind) {
    case "help":
      output.line(usage());
      return 0;
    case "version":
      output.line(`${PROGRAM} ${VERSION}`);
      return 0;
    case "ping":
      disableQuickEdit();
      return await ping(
        command.options,
        describeRun("ping", args),
        command.notices,
        command.secrets,
      );
    case "pingFleet":
      disableQuickEdit();
      return await pingFleet(
        command.options,
        command.fleet,
        describeRun("ping", args),
        command.notices,
        command.secrets,
      );
    case "pong":
      disableQuickEdit();
      return await pong(command.options, describeRun("pong", args));
    case "checkFleet":
      disableQuickEdit();
      return await checkFleet(
        command.options,
        command.fleet,
        describeRun("check", args),
        command.secrets,
      );
    case "check":
      return await check(command.options, describeRun("check", args), command.secrets);
    case "report":
      return await report(command.options);
  }
}

async function check(options: CheckOptions, run: RunInfo, secrets: Secrets): Promise<number> {
  const [{ runCheck }, { checkJsonReporter }, { checkTextReporter }, { stopOnSignals }] =
    await Promise.all([
      import("./src/check/engine.ts"),
      import("./src/reporters/json.ts"),
      import("./src/reporters/check_text.ts"),
      import("./src/shutdown.ts"),
    ]);
  const clientCertificate = await clientCertificateFor(options, secrets, run);
  if (typeof clientCertificate === "number") return clientCertificate;
  const record = await openRunRecord(options.record, run);
  if (typeof record === "number") return record;
  const stopper = stopOnSignals(() => 1);
  try {
    const report = options.record.format === "json"
      ? checkJsonReporter(record.line, run)
      : checkTextReporter(record.line, styleFor(Deno.stdout));
    const result = await runCheck(options, {
      emit: report,
      signal: stopper.signal,
      clientCertificate,
    });
    return result.verdict === "blocking" || stopper.signal.aborted ? 1 : 0;
  } finally {
    await record.flush();
    stopper.dispose();
  }
}

async function ping(
  options: PingOptions,
  run: RunInfo,
  notices: string[],
  secrets: Secrets,
): Promise<number> {
  const [{ runPing }, { pingJsonReporter }, { pingTextReporter }, { stopOnSignals }] = await Promise
    .all([
      import("./src/ping/engine.ts"),
      import("./src/reporters/json.ts"),
      import("./src/reporters/ping_text.ts"),
      import("./src/shutdown.ts"),
    ]);
  const clientCertificate = await clientCertificateFor(options, secrets, run);
  if (typeof clientCertificate === "number") return clientCertificate;
  const record = await openRunRecord(options.record, run);
  if (typeof record === "number") return record;
  notices.forEach((notice) => record.notice(`${PROGRAM}: ${notice}`));
  let anyFailed = false;
  const stopper = stopOnSignals(() => anyFailed || lost.any ? 1 : 0);
  try {
    const print = options.record.format === "json"
      ? pingJsonReporter(record.line, run)
      : pingTextReporter(record, styleFor(Deno.stdout));
    const report = (event: PingEvent) => {
      if (event.type === "attempt" && !event.result.ok) anyFailed = true;
      print(event);
    };
    const summary = await runPing(options, report, stopper.signal, { clientCertificate });
    return summary.failed > 0 ? 1 : 0;
  } finally {
    await record.flush(); // a second Ctrl+C here still exits with the run's code
    stopper.dispose();
  }
}

/** `ping /hosts=<file>`: every target at once, under `/parallel`; exit 1 if any failed. */
async function pingFleet(
  options: Omit<PingOptions, "target" | "thumbprint">,
  fleet: FleetOptions,
  run: RunInfo,
  notices: string[],
  secrets: Secrets,
): Promise<number> {
  const [
    { runPingFleet },
    { pingFleetJsonReporter },
    { pingFleetTextReporter },
    { stopOnSignals },
  ] = await Promise.all([
    import("./src/fleet/ping_fleet.ts"),
    import("./src/reporters/json.ts"),
    import("./src/reporters/fleet_text.ts"),
    import("./src/shutdown.ts"),
  ]);
  const ready = await prepareFleet(options, fleet, run, secrets);
  if (typeof ready === "number") return ready;
  const { targets, clientCertificate, record } = ready;
  notices.forEach((notice) => record.notice(`${PROGRAM}: ${notice}`));
  let anyFailed = false;
  const stopper = stopOnSignals(() => anyFailed || lost.any ? 1 : 0);
  try {
    const screen = Deno.stdout.isTerminal() ? consoleSize() : undefined;
    const print = options.record.format === "json"
      ? pingFleetJsonReporter(record.line, run)
      : pingFleetTextReporter(record, styleFor(Deno.stdout), screen);
    const report = (event: FleetPingEvent) => {
      if (event.type === "ping" && event.event.type === "attempt" && !event.event.result.ok) {
        anyFailed = true;
      }
      print(event);
    };
    await runPingFleet(targets, options, fleet, report, stopper.signal, clientCertificate);
    return anyFailed ? 1 : 0;
  } finally {
    await record.flush(); // a second Ctrl+C here still exits with the run's code
    stopper.dispose();
  }
}

/** The console's size; 24 x 80 where a terminal does not say (a pseudo-terminal given none). */
function consoleSize(): { rows: number; columns: number } {
  const { rows, columns } = Deno.consoleSize();
  return { rows: rows || 24, columns: columns || 80 };
}

/** `check /hosts=<file>`: each target once, `/parallel` at a time; exit 1 if any blocks. */
async function checkFleet(
  options: Omit<CheckOptions, "target" | "thumbprint">,
  fleet: FleetOptions,
  run: RunInfo,
  secrets: Secrets,
): Promise<number> {
  const [
    { runCheckFleet },
    { checkFleetJsonReporter },
    { checkFleetTextReporter },
    { stopOnSignals },
  ] = await Promise.all([
    import("./src/fleet/check_fleet.ts"),
    import("./src/reporters/json.ts"),
    import("./src/reporters/fleet_text.ts"),
    import("./src/shutdown.ts"),
  ]);
  const ready = await prepareFleet(options, fleet, run, secrets);
  if (typeof ready === "number") return ready;
  const { targets, clientCertificate, record } = ready;
  const stopper = stopOnSignals(() => 1);
  try {
    const print = options.record.format === "json"
      ? checkFleetJsonReporter(record.line, run)
      : checkFleetTextReporter(record, styleFor(Deno.stdout), Deno.stdout.isTerminal());
    const checks = await runCheckFleet(
      targets,
      options,
      fleet,
      print,
      stopper.signal,
      clientCertificate,
    );
    const blocks = checks.some(({ result }) => result?.verdict === "blocking");
    return blocks || stopper.signal.aborted ? 1 : 0;
  } finally {
    await record.flush();
    stopper.dispose();
  }
}

/** A target's last lines (its statistics), and its row in the final table, with room to spare. */
const LINES_PER_TARGET = 12;

/**
 * What a fleet needs before it starts: its targets, the client certificate
 * and the record; or exit code 2 for a bad hosts file or certificate, with nothing run.
 */
async function prepareFleet(
  options: Pick<PingOptions, "noSsl" | "clientCertificate" | "family" | "record">,
  fleet: FleetOptions,
  run: RunInfo,
  secrets: Secrets,
): Promise<
  { targets: FleetTarget[]; clientCertificate?: CertificateWithKey; record: Record } | number
> {
  const [{ readHostsFile }, { CertificateFileError }] = await Promise.all([
    import("./src/options/hosts_file.ts"),
    import("./src/net/certificate.ts"),
  ]);
  let targets;
  let clientCertificate: CertificateWithKey | undefined;
  try {
    targets = await readHostsFile(fleet.hosts, {
      defaultPort: fleet.defaultPort,
      family: options.family,
      tls: !options.noSsl,
    });
    clientCertificate = await loadClientCertificate(options, secrets);
  } catch (error) {
    if (!(error instanceof UsageError || error instanceof CertificateFileError)) throw error;
    return usageError(error.message);
  }
  if (clientCertificate) {
    run.clientCertificate = {
      thumbprint: clientCertificate.thumbprint,
      file: options.clientCertificate?.cert,
    };
  }
  // Every target may end at once, each with its statistics, and then the table has a row each.
  output.sink.capacity = SINK_CAPACITY + LINES_PER_TARGET * targets.length;
  const record = await openRunRecord(options.record, run);
  if (typeof record === "number") return record;
  return { targets, clientCertificate, record };
}

/**
 * The client certificate of a ping or check, named in the run's header; or
 * exit code 2 when its files cannot be read.
 */
async function clientCertificateFor(
  options: PingOptions | CheckOptions,
  secrets: Secrets,
  run: RunInfo,
): Promise<CertificateWithKey | undefined | number> {
  const { CertificateFileError } = await import("./src/net/certificate.ts");
  let certificate: CertificateWithKey | undefined;
  try {
    certificate = await loadClientCertificate(options, secrets);
  } catch (error) {
    if (!(error instanceof CertificateFileError)) throw error;
    return usageError(error.message);
  }
  if (certificate) {
    run.clientCertificate = {
      thumbprint: certificate.thumbprint,
      file: options.clientCertificate?.cert,
    };
  }
  return certificate;
}

/**
 * The certificate ping presents when a server asks, as Octopus presents its
 * own: the files given, or one made for this run. None without TLS.
 */
async function loadClientCertificate(
  options: Pick<PingOptions | CheckOptions, "noSsl" | "clientCertificate">,
  secrets: Secrets,
): Promise<CertificateWithKey | undefined> {
  const files = options.clientCertificate;
  if (options.noSsl) return undefined;
  const { createSelfSignedCertificate, loadCertificate, loadPfx } = await import(
    "./src/net/certificate.ts"
  );
  if (!files) return createSelfSignedCertificate("OctoPing");
  if (files.key !== undefined) return loadCertificate(files.cert, files.key);
  const password = secrets.clientPassword ?? Deno.env.get(CLIENT_PASSWORD_VARIABLE) ?? "";
  return loadPfx(files.cert, password);
}

/** Where a PFX's password can come from, to keep it out of the shell's history. */
const CLIENT_PASSWORD_VARIABLE = "OCTOPING_CLIENT_PASSWORD";

async function pong(options: PongOptions, run: RunInfo): Promise<number> {
  const [
    { CertificateFileError, createSelfSignedCertificate, loadCertificate },
    { ListenError },
    { startPong },
    { pongJsonReporter },
    { pongTextReporter },
    { enterPressed, stopOnSignals },
    { delay },
  ] = await Promise.all([
    import("./src/net/certificate.ts"),
    import("./src/net/listen.ts"),
    import("./src/pong/server.ts"),
    import("./src/reporters/json.ts"),
    import("./src/reporters/pong_text.ts"),
    import("./src/shutdown.ts"),
    import("./src/timers.ts"),
  ]);
  let certificate: CertificateWithKey | undefined;
  try {
    certificate = options.noSsl
      ? undefined
      : options.certificateFiles
      ? await loadCertificate(options.certificateFiles.cert, options.certificateFiles.key)
      : await createSelfSignedCertificate();
  } catch (error) {
    if (!(error instanceof CertificateFileError)) throw error;
    return usageError(error.message);
  }
  const record = await openRunRecord(options.record, run);
  if (typeof record === "number") return record;
  const stopper = stopOnSignals(() => lost.any ? 1 : 0);
  try {
    const interactive = Deno.stdin.isTerminal();
    const report = options.record.format === "json"
      ? pongJsonReporter(record.line, run)
      : pongTextReporter(record.line, interactive ? "enter" : "signal", options.durationMs);
    let server;
    try {
      server = await startPong(options, certificate, report);
    } catch (error) {
      if (!(error instanceof ListenError)) throw error;
      startupError(record, options.record.format, `${PROGRAM}: ${error.message}`);
      return 1;
    }
    const stopped = new Promise((resolve) => stopper.signal.addEventListener("abort", resolve));
    // /duration ends pong as Ctrl+C does; a timer cut short by a signal is cleared.
    const timeUp = options.durationMs === undefined
      ? new Promise<never>(() => {})
      : delay(options.durationMs, stopper.signal);
    await Promise.race([stopped, enterPressed(), timeUp]);
    await server.close();
    return 0;
  } finally {
    await record.flush(); // a second Ctrl+C here still exits with the run's code
    stopper.dispose();
  }
}

/**
 * Why pong could not start: on stderr and in the log file, and in a redirected stdout too, so
 * that the Output.txt sent to support says why it ends after the header. Not in JSON, whose
 * lines are objects; not twice on a console, where stdout and stderr are the same screen.
 */
function startupError(record: Record, format: RecordOptions["format"], message: string): void {
  record.notice(message);
  if (format === "text" && !Deno.stdout.isTerminal()) output.line(message);
}

async function report(options: ReportOptions): Promise<number> {
  const [
    { expandInputs },
    { analyse, summarise },
    { LogReadError },
    { logReportLines, nothingToReport },
  ] = await Promise.all([
    import("./src/logs/inputs.ts"),
    import("./src/logs/analyse.ts"),
    import("./src/logs/lines.ts"),
    import("./src/report/log_text.ts"),
  ]);
  try {
    const inputs = await expandInputs(options.inputs);
    if (options.output === undefined) {
      if (inputs.length > 1) return await fleetReport(inputs, undefined);
      const log = await summarise(inputs[0]);
      if (holdsFleet(log)) return await fleetReport(inputs, undefined);
      const nothing = nothingToReport(log, inputs[0]);
      if (nothing) return badLog(nothing);
      printAll(logReportLines(log));
      return 0;
    }
    for (const input of inputs) {
      if (await sameFile(input, options.output)) {
        throw new ReportWriteError(
          `/out=${options.output} is the log being read: name another file for the report`,
        );
      }
    }
    if (inputs.length > 1) return await fleetReport(inputs, options.output);
    return await writeReport(options.output, async () => {
      const analysis = await analyse(inputs[0]);
      if (holdsFleet(analysis)) return await fleetPage(inputs);
      const nothing = nothingToReport(analysis, inputs[0]);
      if (nothing !== undefined) return { nothing };
      const { reportPage } = await import("./src/report/html.ts");
      return reportPage(analysis, inputs[0]);
    });
  } catch (error) {
    if (error instanceof LogReadError || error instanceof ReportWriteError) {
      return usageError(error.message);
    }
    if (error instanceof ReportLostError) {
      stderr(`${PROGRAM}: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

/** Whether `log` holds a fleet's run (`ping /hosts`): then it is reported by target. */
function holdsFleet(log: LogReport): boolean {
  return log.runs.some(({ run }) => run.fleet !== undefined);
}

/** `report` over several logs, or a fleet's: by target, as text or, with /out, the page. */
async function fleetReport(inputs: string[], out: string | undefined): Promise<number> {
  const { fleetReportLines } = await import("./src/report/log_text.ts");
  if (out !== undefined) return await writeReport(out, () => fleetPage(inputs));
  const fleet = await readFleet(inputs, false);
  if ("nothing" in fleet) return badLog(fleet.nothing);
  printAll(fleetReportLines(fleet));
  return 0;
}

async function fleetPage(inputs: string[]): Promise<string | { nothing: string }> {
  const { fleetReportPage } = await import("./src/report/fleet_html.ts");
  const fleet = await readFleet(inputs, true);
  return "nothing" in fleet ? fleet : fleetReportPage(fleet);
}

/** Every target in `inputs`, or why there is none: bad input only when no log has attempts. */
async function readFleet(
  inputs: string[],
  charts: boolean,
): Promise<FleetReport | { nothing: string }> {
  const [{ reportFleet }, { noAttempts, worstTargetFirst }] = await Promise.all([
    import("./src/logs/fleet.ts"),
    import("./src/report/log_text.ts"),
  ]);
  const fleet = await reportFleet(inputs, charts, noAttempts, worstTargetFirst);
  if (fleet.targets.length > 0) return fleet;
  return { nothing: fleet.skipped.map(({ why }) => why).join("; ") };
}

/**
 * Writes the page `make` gives to `out`, beside it first and renamed into place once whole:
 * an unwritable /out fails before a week of log is read, and /out is never left half-written.
 */
async function writeReport(
  out: string,
  make: () => Promise<string | { nothing: string }>,
): Promise<number> {
  const { LogReadError } = await import("./src/logs/lines.ts");
  const partial = `${out}.partial-${Deno.pid}`;
  const file = await openForWriting(partial, out);
  let made: string | { nothing: string };
  try {
    made = await make();
    if (typeof made === "string") {
      const page = new TextEncoder().encode(made);
      for (let done = 0; done < page.length;) done += await file.write(page.subarray(done));
    }
    file.close();
    if (typeof made === "string") await Deno.rename(partial, out);
    else await Deno.remove(partial);
  } catch (error) {
    try {
      file.close();
    } catch { /* closed already */ }
    await Deno.remove(partial).catch(() => {});
    if (error instanceof LogReadError) throw error;
    throw new ReportLostError(
      `cannot write the report to ${out}: ${(error as Error).message}: nothing was written`,
    );
  }
  if (typeof made !== "string") return badLog(made.nothing);
  output.line(`${PROGRAM}: wrote the report to ${out}`);
  return 0;
}

/** A report's lines, every one: the console's queue is made room for them, none is dropped. */
function printAll(lines: string[]): void {
  output.sink.capacity = SINK_CAPACITY + lines.length;
  lines.forEach((line) => output.line(line));
}

/** A log that holds nothing to report: bad input, said plainly (usage would not help). */
function badLog(message: string): number {
  stderr(`${PROGRAM}: ${message}`);
  return 2;
}

/** /out that cannot be opened for writing (or is the log itself): bad input. */
class ReportWriteError extends Error {}

/** A page that could not be written to its end (a full disk): a run-time failure, exit 1. */
class ReportLostError extends Error {}

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

async function openForWriting(path: string, shownAs: string): Promise<Deno.FsFile> {
  try {
    return await Deno.open(path, { write: true, createNew: true });
  } catch (error) {
    throw new ReportWriteError(
      `cannot write the report to ${shownAs}: ${(error as Error).message}`,
    );
  }
}

/** The run's record (console, and the log file if asked for), or exit code 2 if it can't open. */
async function openRunRecord(options: RecordOptions, run: RunInfo): Promise<Record | number> {
  const { LogFileError, openRecord } = await import("./src/output/record.ts");
  if (options.format === "json") {
    output.sink.droppedNotice = (count) =>
      JSON.stringify({ type: "dropped", time: new Date().toISOString(), lines: count }) + LINE_END;
  }
  const console = options.format === "json" ? { ...output, status: undefined } : output;
  let record;
  try {
    record = await openRecord(
      console,
      options.logfile,
      lost,
      stderr,
    );
  } catch (error) {
    if (!(error instanceof LogFileError)) throw error;
    return usageError(error.message);
  }
  // JSON's `start` event carries the same; text gets the header on the console and in the file.
  if (options.format === "text") headerLines(run).forEach((line) => record.line(line));
  return record;
}

/** Bad input: one line naming the problem, the usage hint, exit code 2. */
function usageError(message: string): number {
  stderr(`${PROGRAM}: ${message}`);
  stderr(`Run '${PROGRAM} /?' for usage.`);
  return 2;
}

if (import.meta.main) {
  let code = 1;
  try {
    code = await main(Deno.args);
  } catch (error) {
    // A bug, not bad input: one line to report, no stack trace for the user to puzzle over.
    stderr(`${PROGRAM}: unexpected error: ${(error as Error)?.message ?? error}`);
  }
  await output.flush();
  Deno.exit(code);
}
