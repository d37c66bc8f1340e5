/**
 * The smoke test of a built OctoPing, run where it runs (GitHub's runners for
 * the executables; the tests run it against `deno run -A main.ts`):
 *
 *   deno run -A scripts/smoke.ts [--out=<folder>] <command to run OctoPing...>
 *   deno run -A scripts/smoke.ts --out=smoke ./OctoPing
 *   deno run -A scripts/smoke.ts deno run -A main.ts
 *
 * It does what a user does: starts a pong that stops by itself (`/duration`),
 * pings it with the output redirected to a file by the OS's own shell
 * (`cmd /c "... > Output.txt"` on Windows, `sh -c` elsewhere), reads that file
 * as support would, and asks for usage and gives a bad option. Each step is a
 * line; the first that fails ends the run, named, with exit code 1. What each
 * run printed is kept in the `--out` folder (a new temporary one when not given).
 *
 * @module
 */
import { join, resolve } from "node:path";
import { type Finished, redirected, runLine, type ShellLine } from "./shell.ts";

/** How long pong listens: enough for every step below on a loaded machine. */
const PONG_SECONDS = 30;
/** The longest any one run of OctoPing may take before it is killed and the step fails. */
const RUN_MS = 120_000;
const IS_WINDOWS = Deno.build.os === "windows";
const LINE_END = IS_WINDOWS ? "\r\n" : "\n";

/** What the steps share: the command, where outputs go, and the pong they ping. */
interface Smoke {
  /** The command that runs OctoPing: an executable, or e.g. `deno run -A main.ts`. */
  command: string[];
  /** Where each run's output is written. */
  out: string;
  pong?: { child: Deno.ChildProcess; stdout: Collected; stderr: Collected; port: number };
}

/** One step: `run` returns a note for the report, or throws a {@linkcode StepFailed}. */
interface Step {
  name: string;
  run(smoke: Smoke): Promise<string>;
}

/** A step's check did not hold: the message says what was seen. */
class StepFailed extends Error {}

/**
 * The steps, in order: the first starts the pong the others may use, the last
 * waits for it to stop; a step between them adds one more check.
 */
const STEPS: Step[] = [
  { name: `pong /duration=${PONG_SECONDS} starts on a free port`, run: startPong },
  { name: "ping /count=5 /datasize=10 > Output.txt", run: pingToFile },
  { name: "check against pong: Octopus should be able to connect, exit 0", run: checkPong },
  { name: "/? prints usage, exit 0", run: usageRuns },
  { name: "a bad option: one line and the usage hint, exit 2", run: badOption },
  { name: "pong stops by itself with its statistics, exit 0", run: pongStops },
];

async function main(args: string[]): Promise<number> {
  const outArg = args[0]?.startsWith("--out=") ? args[0].slice(6) : undefined;
  const [program, ...rest] = outArg === undefined ? args : args.slice(1);
  if (program === undefined) {
    console.error(
      "smoke: give the command that runs OctoPing, e.g. ./OctoPing or: deno run -A main.ts",
    );
    return 2;
  }
  const out = outArg ?? await Deno.makeTempDir({ prefix: "octoping-smoke-" });
  await Deno.mkdir(out, { recursive: true });
  // A path in full, so that cmd and sh find it as the script does (cmd reads ./x as a switch).
  const command = [/[\\/]/.test(program) ? resolve(program) : program, ...rest];
  const smoke: Smoke = { command, out };
  console.log(
    `smoke: ${command.join(" ")} on ${Deno.build.os} ${Deno.build.arch}; output in ${out}`,
  );
  try {
    for (const [index, step] of STEPS.entries()) {
      const label = `step ${index + 1}/${STEPS.length}: ${step.name}`;
      try {
        const note = await step.run(smoke);
        console.log(`${label} ... ok${note ? ` (${note})` : ""}`);
      } catch (error) {
        const message = error instanceof StepFailed ? error.message : `${error}`;
        console.log(`${label} ... FAILED`);
        console.log(`smoke: FAILED at step ${index + 1}, ${step.name}: ${message}`);
        return 1;
      }
    }
  } finally {
    await stopPong(smoke);
  }
  console.log(`smoke: all ${STEPS.length} steps passed`);
  return 0;
}

async function startPong(smoke: Smoke): Promise<string> {
  const child = new Deno.Command(smoke.command[0], {
    args: [
      ...smoke.command.slice(1),
      "pong",
      "/port=0",
      "/listen=127.0.0.1",
      `/duration=${PONG_SECONDS}`,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(PONG_SECONDS * 1000 + RUN_MS), // killed if it outstays its time
  }).spawn();
  const stdout = collect(child.stdout);
  const stderr = collect(child.stderr);
  smoke.pong = { child, stdout, stderr, port: 0 };
  const banner = await waitForLine(stdout, /listening on port (\d+)/, "pong's listening line");
  smoke.pong.port = Number(/port (\d+)/.exec(banner)![1]);
  return `port ${smoke.pong.port}`;
}

async function pingToFile(smoke: Smoke): Promise<string> {
  const port = smoke.pong!.port;
  const file = join(smoke.out, "Output.txt");
  const args = ["ping", "/host=127.0.0.1", `/port=${port}`, "/count=5", "/datasize=10"];
  const run = await runCommand(redirected([...smoke.command, ...args], file));
  const bytes = await Deno.readFile(file).catch(() => new Uint8Array()); // none: said below
  const text = new TextDecoder().decode(bytes);
  const lines = text.split(LINE_END);
  const expect = (ok: boolean, what: string) => {
    if (!ok) throw new StepFailed(`${what}; Output.txt holds:\n${text}${run.stderr}`);
  };
  expect(run.code === 0, `exit code ${run.code}, expected 0`);
  expect(run.stderr === "", `it printed on stderr: ${run.stderr.trim()}`);
  expect(bytes.every((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127)), "not ASCII");
  expect(text.endsWith(LINE_END), "its last line is not ended");
  lines.pop();
  expect(
    lines.every((line) => !line.includes(IS_WINDOWS ? "\n" : "\r")),
    IS_WINDOWS ? "a line does not end with CRLF" : "a line ends with CR",
  );
  expect(/^# OctoPing \S+ ping$/.test(lines[0]), "the header's first line is not there");
  expect(
    lines.some((line) => line.includes(`pinging 127.0.0.1 on port ${port} with TLS`)),
    "no 'pinging ... with TLS' line",
  );
  const successes = lines.filter((line) => / Connect: Success! /.test(line));
  expect(successes.length === 5, `${successes.length} successes, expected 5`);
  expect(
    lines.includes("5 attempts: 5 succeeded, 0 failed (0% failed)"),
    "no '5 attempts: 5 succeeded' summary",
  );
  return `${lines.length} lines, ${successes.length} successes`;
}

async function checkPong(smoke: Smoke): Promise<string> {
  const port = smoke.pong!.port;
  const run = await runCommand([...smoke.command, "check", "/host=127.0.0.1", `/port=${port}`]);
  await Deno.writeTextFile(join(smoke.out, "check.txt"), run.stdout + run.stderr);
  const lines = run.stdout.trimEnd().split(LINE_END);
  const verdict = `Octopus should be able to connect to 127.0.0.1:${port}`;
  if (run.code !== 0 || lines.at(-1) !== verdict || run.stderr !== "") {
    throw new StepFailed(
      `exit code ${run.code}, expected 0 and '${verdict}'; it printed:\n` +
        run.stdout + run.stderr,
    );
  }
  const found = lines.filter((line) => line.startsWith("[ OK ]")).length;
  return `${found} findings, all OK`;
}

async function usageRuns(smoke: Smoke): Promise<string> {
  const run = await runCommand([...smoke.command, "/?"]);
  await Deno.writeTextFile(join(smoke.out, "usage.txt"), run.stdout + run.stderr);
  if (run.code !== 0) throw new StepFailed(`exit code ${run.code}, expected 0`);
  if (!/^Usage:$/m.test(run.stdout) || !run.stdout.includes("pong [/port=<port>]")) {
    throw new StepFailed(`no usage printed:\n${run.stdout}${run.stderr}`);
  }
  return `${run.stdout.split("\n").length} lines`;
}

async function badOption(smoke: Smoke): Promise<string> {
  const run = await runCommand([...smoke.command, "ping", "/host=127.0.0.1", "/bogus=1"]);
  await Deno.writeTextFile(join(smoke.out, "bad-option.txt"), run.stdout + run.stderr);
  const lines = run.stderr.trimEnd().split(/\r?\n/);
  if (run.code !== 2) throw new StepFailed(`exit code ${run.code}, expected 2`);
  if (run.stdout !== "") throw new StepFailed(`it ran: ${run.stdout}`);
  if (
    lines.length !== 2 || !lines[0].startsWith("OctoPing: unknown option '/bogus=1'") ||
    lines[1] !== "Run 'OctoPing /?' for usage."
  ) {
    throw new StepFailed(
      `expected the problem in one line, then the usage hint; got:\n${run.stderr}`,
    );
  }
  return "exit 2";
}

async function pongStops(smoke: Smoke): Promise<string> {
  const pong = smoke.pong!;
  const summary = await waitForLine(
    pong.stdout,
    /^[\d,]+ connections?, at most /,
    "pong's statistics",
    (PONG_SECONDS * 1000) + RUN_MS,
  );
  const status = await pong.child.status;
  await Promise.all([pong.stdout.done, pong.stderr.done]);
  smoke.pong = undefined;
  await Deno.writeTextFile(join(smoke.out, "pong.txt"), pong.stdout.text() + pong.stderr.text());
  if (status.code !== 0) throw new StepFailed(`pong's exit code ${status.code}, expected 0`);
  if (!/^Stopped\.\r?$/m.test(pong.stdout.text())) throw new StepFailed("no 'Stopped.' line");
  if (pong.stderr.text() !== "") {
    throw new StepFailed(`pong printed on stderr: ${pong.stderr.text()}`);
  }
  const read = Number(/; ([\d,.]+) MB read/.exec(summary)?.[1].replaceAll(",", "") ?? NaN);
  if (!(read >= 50)) throw new StepFailed(`pong read ${read} MB, expected 5 x 10 MB: ${summary}`);
  return summary;
}

/** Ends a pong a failed step left running, and keeps what it printed. */
async function stopPong(smoke: Smoke): Promise<void> {
  const pong = smoke.pong;
  if (!pong) return;
  try {
    pong.child.kill();
  } catch {
    // gone already
  }
  await pong.child.status;
  await Deno.writeTextFile(join(smoke.out, "pong.txt"), pong.stdout.text() + pong.stderr.text());
}

/** Runs `command` to the end, killed after {@linkcode RUN_MS}. */
function runCommand(command: string[] | ShellLine): Promise<Finished> {
  return runLine(Array.isArray(command) ? { argv: command, raw: false } : command, RUN_MS);
}

/** A stream read to its end in the background (a child whose pipe nobody reads would stall). */
interface Collected {
  text(): string;
  done: Promise<void>;
}

function collect(stream: ReadableStream<Uint8Array>): Collected {
  let text = "";
  const done = (async () => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) text += chunk;
  })();
  return { text: () => text, done };
}

/** The first line of `output` matching `pattern`, waited for up to `ms`. */
async function waitForLine(
  output: Collected,
  pattern: RegExp,
  what: string,
  ms = RUN_MS,
): Promise<string> {
  const deadline = Date.now() + ms;
  let ended = false;
  output.done.then(() => ended = true, () => ended = true);
  for (;;) {
    const endedBefore = ended; // read first: the line may come with the end
    const line = output.text().split(/\r?\n/).find((line) => pattern.test(line));
    if (line !== undefined) return line;
    if (endedBefore || Date.now() > deadline) {
      throw new StepFailed(
        `${endedBefore ? "the output ended" : `waited ${ms} ms`} without ${what}; it printed:\n` +
          output.text(),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
