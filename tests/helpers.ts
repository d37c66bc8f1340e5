/**
 * Running OctoPing as users do - a separate process - and reading its output
 * line by line, with every wait bounded.
 *
 * @module
 */
import { fileURLToPath } from "node:url";

/** main.ts, run with the same Deno that runs the tests (no `deno` on PATH needed). */
export const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));

/** The longest a test waits for any one line or exit. */
export const WAIT_MS = 30_000;

/** Options for starting OctoPing. */
export interface SpawnOptions {
  stdin?: "null" | "piped";
  env?: Record<string, string>;
  /** Environment variables the child must not inherit (e.g. `NO_COLOR`). */
  unset?: string[];
}

/** Starts OctoPing with `args`, stdout and stderr piped. */
export function spawnOctoPing(args: string[], options: SpawnOptions = {}): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--quiet", MAIN, ...args],
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
export function runOctoPing(args: string[], options: SpawnOptions = {}): Promise<Finished> {
  return finish(spawnOctoPing(args, options));
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

  constructor(stream: ReadableStream<Uint8Array>) {
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
    return this.text();
  }

  /** All lines so far, joined. */
  text(): string {
    return this.seen.join("\n") + (this.#partial ? "\n" + this.#partial : "");
  }

  async #read(stream: ReadableStream<string>): Promise<void> {
    try {
      for await (const text of stream) {
        const parts = (this.#partial + text).split(/\r?\n/);
        this.#partial = parts.pop()!;
        this.seen.push(...parts);
        this.#changed();
      }
    } finally {
      if (this.#partial) this.seen.push(this.#partial);
      this.#partial = "";
      this.#ended = true;
      this.#changed();
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

/** A running OctoPing process with its output as lines. */
export class Running {
  readonly stdout: Lines;
  readonly stderr: Lines;
  readonly child: Deno.ChildProcess;

  constructor(args: string[], options: SpawnOptions = {}) {
    this.child = spawnOctoPing(args, options);
    this.stdout = new Lines(this.child.stdout);
    this.stderr = new Lines(this.child.stderr);
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
  const linux = Deno.build.os === "linux";
  Deno.test({
    name: needs ? `${name} [needs Linux, ${needs.what}]` : `${name} [needs Linux]`,
    ignore: !linux || (needs !== undefined && !needs.here),
    fn,
  });
}

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
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/hosts`, hosts);
    return await runTool("unshare", [
      "-m",
      "sh",
      "-c",
      'mount --bind "$0" /etc/hosts && exec "$@"',
      `${dir}/hosts`,
      Deno.execPath(),
      "run",
      "--allow-all",
      "--quiet",
      MAIN,
      ...args,
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** util-linux `script`, which gives a child a pseudo-terminal: see {@linkcode inTerminal}. */
export const SCRIPT = { what: "script (util-linux)", here: runs("script", ["--version"]) };

/** Runs OctoPing under a pseudo-terminal (util-linux `script`) and returns what it printed. */
export async function inTerminal(
  args: string[],
  env: Record<string, string> = {},
): Promise<string> {
  const command = [Deno.execPath(), "run", "--allow-all", "--quiet", MAIN, ...args]
    .map((part) => `'${part}'`).join(" ");
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
