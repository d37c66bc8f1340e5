/**
 * What every bench measurement shares: the sizes of a run, the processes it
 * starts and times, and the figures it returns.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { V8_FLAGS } from "../build.ts";

export const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));
export const MB = 1_048_576;
export const BUFFER = 256 * 1024;

/** Sizes for one run: full, or `--quick`. */
export function sizes(quick: boolean) {
  return {
    /** Size of each one-chunk transfer. */
    transferMB: quick ? 256 : 1024,
    /** Size of the plain TCP upload: large, so that start-up is a small part of it. */
    tcpTransferMB: quick ? 1024 : 4096,
    /** Attempts at /interval=0 over which ping's peak memory is taken. */
    memoryAttempts: quick ? 1000 : 3000,
    /** Attempts at /interval=0 after which pong's RSS is read (and 1,000 before). */
    pongAttempts: quick ? 2000 : 4500,
    clients: quick ? 50 : 200,
    clientMB: quick ? 20 : 50,
    attempts: quick ? 300 : 1000,
    sTimeSeconds: quick ? 3 : 5,
    /** Attempts counted for stalls, after the first (which pays for start-up). */
    stallAttempts: quick ? 20 : 40,
    /** Targets of the fleet row, each pinged three times. */
    fleetTargets: quick ? 200 : 1000,
    /** Probes asked of the exporter (and of blackbox_exporter), 10 at a time. */
    exporterProbes: quick ? 1000 : 10_000,
  };
}

export function missingTools(): string[] {
  return ["socat", "openssl", "sslscan", "tinyproxy"].filter((tool) => {
    try {
      const args = tool === "tinyproxy" ? ["-v"] : ["-V"];
      return !new Deno.Command(tool, { args, stdout: "null", stderr: "null" }).outputSync();
    } catch {
      return true;
    }
  });
}

/** Runs a command to the end; fails on a non-zero exit. Returns its wall time (ms) and stdout. */
export async function run(
  command: string,
  args: string[],
): Promise<{ ms: number; stdout: string }> {
  const started = performance.now();
  const output = await new Deno.Command(command, { args, stdout: "piped", stderr: "piped" })
    .output();
  const ms = performance.now() - started;
  const stdout = new TextDecoder().decode(output.stdout);
  if (!output.success) {
    const stderr = new TextDecoder().decode(output.stderr);
    throw new Error(`${command} ${args.join(" ")} failed:\n${stderr}${stdout}`);
  }
  return { ms, stdout };
}

/** The arguments that make `deno` run OctoPing with `args`. */
export const octopingArgs = (args: string[]) => [
  "run",
  "-A",
  ...V8_FLAGS,
  "--quiet",
  MAIN,
  ...args,
];

/** `deno run main.ts …`, the whole process: start-up included. */
export const octoping = (args: string[]) => run(Deno.execPath(), octopingArgs(args));

/** A background process, with a way to stop it; its output is read only when asked for. */
export function background(command: string, args: string[], stdout: "piped" | "null" = "null") {
  const child = new Deno.Command(command, { args, stdin: "null", stdout, stderr: "null" }).spawn();
  return {
    pid: child.pid,
    /** The output, when started with `"piped"`. */
    stdout: () => child.stdout,
    /** Waits for it to end on its own. */
    async ended() {
      await child.status;
    },
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch { /* gone */ }
      await child.status;
    },
  };
}

/** Reads a process's output until `pattern` appears, then keeps draining it so it never blocks. */
export async function waitForOutput(
  stdout: ReadableStream<Uint8Array>,
  pattern: RegExp,
): Promise<void> {
  const reader = stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!pattern.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`no ${pattern} in output: ${text}`);
    text += value;
  }
  (async () => {
    while (!(await reader.read()).done);
  })().catch(() => {});
}

/**
 * Starts a server on a free port and waits until it accepts a connection.
 * Pong too: its "listening" line can wait for the next event before it is
 * written (seen with output to a file or pipe), so the bench connects rather than reads.
 */
export async function startServer(
  command: string,
  args: (port: number) => string[],
  stdout: "piped" | "null" = "null",
) {
  const port = freePort();
  const server = background(command, args(port), stdout);
  await waitForPort(port);
  return { ...server, port };
}

/** Starts pong on a free port. */
export function startPong(extra: string[] = [], stdout: "piped" | "null" = "null") {
  const args = (port: number) =>
    octopingArgs(["pong", `/port=${port}`, "/listen=127.0.0.1", ...extra]);
  return startServer(Deno.execPath(), args, stdout);
}

export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

export async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 1500; i++) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  throw new Error(`nothing listened on port ${port}`);
}

export function peakRssMB(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(/^VmHWM:\s+(\d+) kB$/m.exec(status)![1]) / 1024;
}

/** One figure of one run: OctoPing's value, and its baseline's from the same run. */
export interface Figure {
  what: string;
  /** Shown after each value: " MB/s", "/s", " MB", or "". */
  unit: string;
  ours: number;
  /** The baseline's name and value; absent where no baseline does the same work. */
  baseline?: { name: string; value: number };
  /** OctoPing's rate over the baseline's (> 1: OctoPing is faster); absent where it would mislead. */
  ratio?: number;
  /** The bare-API script doing the same work in the same run: the runtime's ceiling. */
  ceiling?: { name: string; value: number };
  /** OctoPing's rate over the ceiling's. */
  ratioToCeiling?: number;
  goal: string;
  /** Decimals shown (default 0). */
  digits?: number;
}

/** A rate against a baseline's from the same run, with their ratio. */
export function rateFigure(
  what: string,
  unit: string,
  [ours, theirs]: [number, number],
  name: string,
  goal: string,
): Figure {
  return { what, unit, ours, baseline: { name, value: theirs }, ratio: ours / theirs, goal };
}

export const rate = (bytes: number, ms: number) => bytes / MB / (ms / 1000);

export type Sizes = ReturnType<typeof sizes>;
