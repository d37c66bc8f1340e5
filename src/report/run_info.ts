/**
 * What a record says about the run itself: the tool's version, the command
 * line, when and where it ran — so a file sent to support explains itself.
 *
 * @module
 */
import { PROGRAM, VERSION } from "../version.ts";

/** The run, as its record's header (text) or `start` object (JSON) describes it. */
export interface RunInfo {
  version: string;
  /** The full command line, quoted where an argument has spaces. */
  commandLine: string;
  started: Date;
  /** The machine's name. */
  hostname: string;
  /** e.g. `linux 6.1.0 (x86_64)`. */
  os: string;
  deno: string;
}

/**
 * Describes this run of OctoPing with `args`. The machine's name and OS
 * release are asked for only `withMachine` (a record that needs them): asking
 * needs a permission that a plain console run does without.
 */
export function describeRun(args: readonly string[], withMachine: boolean): RunInfo {
  const quoted = args.map((arg) => /[\s"]/.test(arg) ? `"${arg.replaceAll('"', '\\"')}"` : arg);
  return {
    version: VERSION,
    commandLine: [PROGRAM, ...quoted].join(" "),
    started: new Date(),
    hostname: withMachine ? ask(() => Deno.hostname()) : "unknown",
    os: `${Deno.build.os} ${withMachine ? ask(() => Deno.osRelease()) : ""} (${Deno.build.arch})`,
    deno: Deno.version.deno,
  };
}

/** The text log file's first lines. */
export function headerLines(run: RunInfo): string[] {
  return [
    `# ${PROGRAM} ${run.version} log`,
    `# command line: ${run.commandLine}`,
    `# started: ${run.started.toISOString()}`,
    `# machine: ${run.hostname}, ${run.os}, Deno ${run.deno}`,
  ];
}

function ask(question: () => string): string {
  try {
    return question();
  } catch {
    return "unknown"; // not permitted or not supported: the record still starts
  }
}
