/**
 * Running OctoPing as users do - a separate process - and reading its output
 * line by line, with every wait bounded.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { V8_FLAGS } from "../../scripts/build.ts";

/** main.ts, run with the same Deno that runs the tests (no `deno` on PATH needed). */
export const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));

/** The longest a test waits for any one line or exit. */
export const WAIT_MS = 30_000;

/** Options for starting OctoPing. */
export interface SpawnOptions {
  stdin?: "null" | "piped";
  env?: Record<string, string>;
  /** Environment variables the child must not inherit (e.g. `NO_COLOR`). */
  unset?: string[];
}

/** The command line that runs OctoPing with `args`, as every test runs it: the same Deno, main.ts. */
export function octoPingCommand(args: string[]): string[] {
  return [Deno.execPath(), "run", "--allow-all", ...V8_FLAGS, "--quiet", MAIN, ...args];
}

/** Starts OctoPing with `args`, stdout and stderr piped. */
export function spawnOctoPing(args: string[], options: SpawnOptions = {}): Deno.ChildProcess {
  const [program, ...rest] = octoPingCommand(args);
  return new Deno.Command(program, {
    args: rest,
    stdin: options.stdin ?? "null",
    stdout: "piped",
    stderr: "piped",
    clearEnv: options.unset !== undefined,
    env: { ...inherited(options.unset), ...options.env },
  }).spawn();
}

function inherited(unset: string[] | undefined): Record<string, string> | undefined {
  if (!unset) return undefined;
  return Object.fromEntries(
    Object.entries(Deno.env.toObject()).filter(([k]) => !unset.includes(k)),
  );
}

/** What a finished run printed, and its exit code. */
export interface Finished {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs OctoPing to the end (bounded by {@linkcode WAIT_MS}). */
export async function runOctoPing(args: string[], options: SpawnOptions = {}): Promise<Finished> {
  return ownLineEnds(await finish(spawnOctoPing(args, options)), args.join(" "));
}

/** The line end OctoPing writes on this OS: CRLF on Windows, LF elsewhere. */
export const LINE_END = Deno.build.os === "windows" ? "\r\n" : "\n";

/**
 * `text`, which OctoPing wrote, with LF line ends, after checking that every
 * line ended with {@linkcode LINE_END}: a bare LF on Windows, or a CR anywhere
 * else, fails the test that read it. So the same assertions hold on both OSes,
 * and every one of them is also a check of the line ends.
 */
export function fromLineEnds(text: string, what: string): string {
  const stray = Deno.build.os === "windows" ? /(?<!\r)\n|\r(?!\n)/.exec(text) : /\r/.exec(text);
  if (stray) {
    const near = JSON.stringify(text.slice(Math.max(0, stray.index - 60), stray.index + 2));
    throw new Error(`${what}: a line does not end with ${JSON.stringify(LINE_END)}, near ${near}`);
  }
  if (text !== "" && !text.endsWith(LINE_END)) {
    throw new Error(`${what}: the last line is not ended, ${JSON.stringify(text.slice(-60))}`);
  }
  return text.replaceAll(LINE_END, "\n");
}

/** `run`, with its stdout and stderr read by {@linkcode fromLineEnds}. */
export function ownLineEnds(run: Finished, what: string): Finished {
  return {
    code: run.code,
    stdout: fromLineEnds(run.stdout, `${what}: stdout`),
    stderr: fromLineEnds(run.stderr, `${what}: stderr`),
  };
}

/** A temporary folder of a test's own, removed with all it holds when its scope ends. */
export interface TempDir extends AsyncDisposable {
  /** Where the folder is. */
  readonly path: string;
}

/** Makes a {@linkcode TempDir}: `await using dir = await tempDir();` then `dir.path`. */
export async function tempDir(options?: Deno.MakeTempOptions): Promise<TempDir> {
  const path = await Deno.makeTempDir(options);
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}

/** Runs `OctoPing ping` against 127.0.0.1 at `port` with `options`. */
export function pingLoopback(port: number, ...options: string[]): Promise<Finished> {
  return runOctoPing(["ping", "/host=127.0.0.1", `/port=${port}`, ...options]);
}

/** Runs a tool to the end (bounded by `waitMs`), with `stdin` as its input. */
export async function runTool(
  command: string,
  args: string[],
  options: { stdin?: string; env?: Record<string, string>; cwd?: string; waitMs?: number } = {},
): Promise<Finished> {
  const child = new Deno.Command(command, {
    args,
    env: options.env,
    cwd: options.cwd,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(options.stdin ?? ""));
  await writer.close();
  return await finish(child, options.waitMs);
}

/** Waits (bounded: killed after `waitMs`) for `child` to end and decodes what it printed. */
async function finish(child: Deno.ChildProcess, waitMs = WAIT_MS): Promise<Finished> {
  const timer = setTimeout(() => child.kill("SIGKILL"), waitMs);
  try {
    const output = await child.output();
    const decoder = new TextDecoder();
    return {
      code: output.code,
      stdout: decoder.decode(output.stdout),
      stderr: decoder.decode(output.stderr),
    };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Reads a stream as lines from the start, all the time (a child whose output
 * nobody reads would block on a full pipe), keeping every line, so tests can
 * wait for one.
 */
export class Lines {
  /** Every complete line read so far. */
  readonly seen: string[] = [];
  #partial = "";
  #ended = false;
  #changed: () => void = () => {};
  #pump: Promise<void>;
  #ownLineEnds: boolean;
  /** A line that did not end with {@linkcode LINE_END}, when the stream is OctoPing's. */
  #strayLineEnd?: Error;

  /**
   * Reads `stream`. With `ownLineEnds` (OctoPing's output), a line that does not
   * end with {@linkcode LINE_END} fails the next wait, as {@linkcode fromLineEnds} does.
   */
  constructor(stream: ReadableStream<Uint8Array>, ownLineEnds = false) {
    this.#ownLineEnds = ownLineEnds;
    this.#pump = this.#read(stream.pipeThrough(new TextDecoderStream()));
  }

  /** Waits for a line matching `pattern` (earlier lines count too); fails after `ms`. */
  async waitFor(pattern: RegExp, ms = WAIT_MS): Promise<string> {
    return (await this.waitForCount(pattern, 1, ms))[0];
  }

  /** Waits until `count` lines match `pattern` and returns them; fails after `ms`. */
  async waitForCount(pattern: RegExp, count: number, ms = WAIT_MS): Promise<string[]> {
    const deadline = Date.now() + ms;
    for (;;) {
      if (this.#strayLineEnd) throw this.#strayLineEnd;
      const matching = this.seen.filter((line) => pattern.test(line));
      if (matching.length >= count) return matching.slice(0, count);
      if (this.#ended) {
        throw new Error(`stream ended before ${count} × ${pattern}; saw:\n${this.text()}`);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${count} × ${pattern} in ${ms} ms; saw:\n${this.text()}`);
      await this.#nextChange(left);
    }
  }

  /** Waits (bounded) for the end of the stream, then returns all text. */
  async rest(ms = WAIT_MS): Promise<string> {
    await bounded(this.#pump, `the end of the output; saw:\n${this.text()}`, ms);
    if (this.#strayLineEnd) throw this.#strayLineEnd;
    return this.text();
  }

  /** All lines so far, joined. */
  text(): string {
    return this.seen.join("\n") + (this.#partial ? "\n" + this.#partial : "");
  }

  async #read(stream: ReadableStream<string>): Promise<void> {
    try {
      for await (const text of stream) {
        const parts = (this.#partial + text).split("\n");
        this.#partial = parts.pop()!;
        this.seen.push(...parts.map((line) => this.#line(line)));
        this.#changed();
      }
    } finally {
      if (this.#partial) this.seen.push(this.#partial);
      this.#partial = "";
      this.#ended = true;
      this.#changed();
    }
  }

  /** `line` (its LF taken off) without its CR, noting a line end that is not OctoPing's. */
  #line(line: string): string {
    if (!this.#ownLineEnds) return line.replace(/\r$/, "");
    try {
      return fromLineEnds(line + "\n", "a line").slice(0, -1);
    } catch (error) {
      this.#strayLineEnd ??= error as Error;
      return line.replace(/\r$/, "");
    }
  }

  #nextChange(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#changed = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

/** A running OctoPing process with its output as lines, stopped when its scope ends. */
export class Running implements AsyncDisposable {
  readonly stdout: Lines;
  readonly stderr: Lines;
  readonly child: Deno.ChildProcess;

  constructor(args: string[], options: SpawnOptions = {}) {
    this.child = spawnOctoPing(args, options);
    this.stdout = new Lines(this.child.stdout, true);
    this.stderr = new Lines(this.child.stderr, true);
  }

  /** Sends `signal` and waits (bounded) for the exit code. */
  async stop(signal: Deno.Signal = "SIGTERM"): Promise<number> {
    try {
      this.child.kill(signal);
    } catch {
      // already gone
    }
    return await this.exited();
  }

  /** Stops it as {@linkcode Running.stop} does, when a test's `await using` scope ends. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** Waits for the process to end on its own (bounded) and returns its exit code. */
  async exited(ms = WAIT_MS): Promise<number> {
    const timer = setTimeout(() => this.child.kill("SIGKILL"), ms);
    try {
      await Promise.all([this.stdout.rest(ms), this.stderr.rest(ms)]);
      return (await this.child.status).code;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** A pong started on a free port, ready once it has printed its banner. */
export class Pong extends Running {
  port = 0;
  thumbprint?: string;

  /** Starts `OctoPing pong /port=0` with `extra` options and waits for its banner. */
  static async start(extra: string[] = [], options: SpawnOptions = {}): Promise<Pong> {
    const pong = new Pong(["pong", "/port=0", ...extra], options);
    const banner = await pong.stdout.waitFor(/listening on port \d+/);
    pong.port = Number(/port (\d+)/.exec(banner)![1]);
    pong.thumbprint = /thumbprint ([0-9A-F]{40})/.exec(banner)?.[1];
    return pong;
  }

  /** Runs `OctoPing ping` against this pong on 127.0.0.1 with `options`. */
  ping(...options: string[]): Promise<Finished> {
    return pingLoopback(this.port, ...options);
  }

  /** Waits until pong has answered `count` requests; returns the bytes it read for each. */
  async answered(count: number): Promise<number[]> {
    const lines = await this.stdout.waitForCount(/: [\d,]+ bytes read, [\d,]+ bytes sent, /, count);
    return lines.map((line) => Number(/ ([\d,]+) bytes read/.exec(line)![1].replaceAll(",", "")));
  }
}

/** `promise`, or a failure naming `what` after `ms`. */
export async function bounded<T>(promise: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`waited ${ms} ms for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Whether `command args` runs and succeeds here. Synchronous, so that a test
 * can be ignored when it is defined rather than pass without running.
 */
export function runs(command: string, args = ["--version"]): boolean {
  try {
    return new Deno.Command(command, { args, stdin: "null", stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

/**
 * A test that needs Linux or its tools (/proc, /dev/full, signals sent to a
 * child, python3 fault servers, openssl, curl, tar, sha256sum): elsewhere it
 * shows as ignored, with the reason in its name. `needs` names a further
 * condition (e.g. "script (util-linux)") and whether it holds here: when it
 * does not, the test is ignored too, and says what it needs.
 */
export function linuxTest(
  name: string,
  fn: () => Promise<void> | void,
  needs?: { what: string; here: boolean },
): void {
  Deno.test({ ...linuxOnly(name, needs), fn });
}

/** The name and `ignore` of a {@linkcode linuxTest}, for `Deno.test`'s object form. */
export function linuxOnly(
  name: string,
  needs?: { what: string; here: boolean },
): { name: string; ignore: boolean } {
  return {
    name: needs ? `${name} [needs Linux, ${needs.what}]` : `${name} [needs Linux]`,
    ignore: Deno.build.os !== "linux" || (needs !== undefined && !needs.here),
  };
}

/** What marks a test that runs on Windows alone: CI's Linux run allows these as its skips. */
export const WINDOWS_ONLY = "[Windows only]";

/**
 * A test of what only Windows does (cmd's redirection, CRLF, drive-letter
 * paths): elsewhere it shows as ignored, its name ending in {@linkcode WINDOWS_ONLY}.
 */
export function windowsTest(name: string, fn: () => Promise<void> | void): void {
  Deno.test({ name: `${name} ${WINDOWS_ONLY}`, ignore: Deno.build.os !== "windows", fn });
}

/**
 * The exit code of an OctoPing a test stopped with {@linkcode Running.stop}:
 * 0 after SIGTERM where signals exist. Windows has no signal a test can send
 * to a child: Deno's kill() there ends the process outright (exit 1), so a
 * graceful stop is tested on Linux only.
 */
export const EXIT_WHEN_STOPPED = Deno.build.os === "windows" ? 1 : 0;

/** Whether a private mount namespace can be made here (root, or unprivileged namespaces). */
export const PRIVATE_HOSTS = {
  what: "unshare -m (util-linux) and the right to mount",
  here: runs("unshare", ["-m", "mount", "--bind", "/etc/hosts", "/etc/hosts"]),
};

/**
 * Runs OctoPing with `args` in a private mount namespace whose /etc/hosts is
 * `hosts` (a file's text): names resolve as it says, without touching the machine.
 */
export async function runWithHosts(hosts: string, args: string[]): Promise<Finished> {
  await using dir = await tempDir();
  await Deno.writeTextFile(`${dir.path}/hosts`, hosts);
  return await runTool("unshare", [
    "-m",
    "sh",
    "-c",
    'mount --bind "$0" /etc/hosts && exec "$@"',
    `${dir.path}/hosts`,
    ...octoPingCommand(args),
  ]);
}

/** util-linux `script`, which gives a child a pseudo-terminal: see {@linkcode inTerminal}. */
export const SCRIPT = { what: "script (util-linux)", here: runs("script", ["--version"]) };

/** Runs OctoPing under a pseudo-terminal (util-linux `script`) and returns what it printed. */
export async function inTerminal(
  args: string[],
  env: Record<string, string> = {},
): Promise<string> {
  const command = octoPingCommand(args).map((part) => `'${part}'`).join(" ");
  const output = await new Deno.Command("script", {
    args: ["-qec", command, "/dev/null"],
    stdin: "null",
    stdout: "piped",
    clearEnv: true,
    env: { ...inherited(["NO_COLOR"]), ...env },
  }).output();
  return new TextDecoder().decode(output.stdout);
}

/** The lines of a text run's output after its header (the first lines, each starting `# `). */
export function afterHeader(stdout: string): string[] {
  const lines = stdout.trimEnd().split(/\r?\n/);
  const first = lines.findIndex((line) => !line.startsWith("# "));
  return first < 0 ? [] : lines.slice(first);
}

/** A port nothing listens on: bound, read, and released. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}
