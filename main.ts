/**
 * OctoPing: diagnoses connections between an Octopus Server and a listening
 * Tentacle. Parses the command line, runs the command, and turns its outcome
 * into the exit code: 0 all well, 1 failures (or a run-time problem such as a
 * port in use, or output that could not be written: stdout or the log file),
 * 2 bad input.
 *
 * @module
 */
import { parseArgs, UsageError } from "./src/options/parse.ts";
import { makesCertificate } from "./src/options/made_certificate.ts";
import { startRsaKeyPair } from "./src/net/rsa_key.ts";
import { usage } from "./src/options/usage.ts";
import { describeRun } from "./src/reporters/run_info.ts";
import { badInput, ExitError } from "./src/commands/exit.ts";
import { lost, output, stderr } from "./src/commands/stdio.ts";
import { PROGRAM, VERSION } from "./src/version.ts";

// Each command imports what only it needs when it runs (certificates, the engines, the
// reporters, the log file's sink): `/?` and `--version` start in a fraction of the time.

/**
 * Runs OctoPing with `args` and returns the exit code, once all its output is
 * written: output that could not be (stdout, the log file) makes a run that
 * went well exit 1, as it did not say everything.
 */
export async function main(args: readonly string[]): Promise<number> {
  let code;
  try {
    code = await runCommand(args);
  } catch (error) {
    code = exitCodeFor(error);
  }
  await output.flush();
  return code === 0 && lost.any ? 1 : code;
}

/** Runs the command `args` name, and returns its exit code. */
async function runCommand(args: readonly string[]): Promise<number> {
  const command = parseArgs(args);
  // Off the main thread, while the command's modules load: the key is not needed before.
  if (makesCertificate(command)) startRsaKeyPair();
  switch (command.kind) {
    case "help":
      output.line(usage());
      return 0;
    case "version":
      output.line(`${PROGRAM} ${VERSION}`);
      return 0;
    case "ping": {
      const run = describeRun("ping", args);
      const { ping } = await import("./src/commands/ping.ts");
      return await ping(command.options, run, command.notices, command.secrets);
    }
    case "pingFleet": {
      const run = describeRun("ping", args);
      const { pingFleet } = await import("./src/commands/ping.ts");
      const { options, fleet, notices, secrets } = command;
      return await pingFleet(options, fleet, run, notices, secrets);
    }
    case "pong": {
      const run = describeRun("pong", args);
      const { pong } = await import("./src/commands/pong.ts");
      return await pong(command.options, run);
    }
    case "check": {
      const run = describeRun("check", args);
      const { check } = await import("./src/commands/check.ts");
      return await check(command.options, run, command.secrets);
    }
    case "checkFleet": {
      const run = describeRun("check", args);
      const { checkFleet } = await import("./src/commands/check.ts");
      return await checkFleet(command.options, command.fleet, run, command.secrets);
    }
    case "exporter": {
      const run = describeRun("exporter", args);
      const { exporter } = await import("./src/commands/exporter.ts");
      return await exporter(command.options, run, command.secrets);
    }
    case "report": {
      const { report } = await import("./src/commands/report.ts");
      return await report(command.options);
    }
  }
}

/**
 * The one place an error becomes an exit code: bad input and a run's early end say their line
 * (and the usage hint where it helps); anything else is a bug, said in one line, exit 1.
 */
function exitCodeFor(error: unknown): number {
  const exit = error instanceof UsageError ? badInput(error.message) : error;
  if (!(exit instanceof ExitError)) {
    // A bug, not bad input: one line to report, no stack trace for the user to puzzle over.
    stderr(`${PROGRAM}: unexpected error: ${(error as Error)?.message ?? error}`);
    return 1;
  }
  stderr(`${PROGRAM}: ${exit.message}`);
  if (exit.usageHint) stderr(`Run '${PROGRAM} /?' for usage.`);
  return exit.code;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
