/**
 * `deno task test:windows`: the Windows lane, on Linux. The Windows build of
 * Deno (`deno.exe`, the version in `.dvmrc`) runs under Debian's Wine 8.0 with
 * two gaps filled in a prefix of its own, and runs what Windows users run:
 *
 * 1. installs what it needs: Debian's `wine64` and `gcc-mingw-w64-x86-64-win32`
 *    (with `sudo` when not root), and `deno.exe` from npm (`@deno/win32-x64`);
 * 2. prepares a Wine prefix in `.wine/` (git-ignored), reused while Wine, the
 *    Deno version and the fixes below stay the same;
 * 3. prints `Deno.build.os`, `Deno.osRelease()` and the deno.exe version;
 * 4. runs `scripts/smoke.ts` (cmd's `> Output.txt` included) under deno.exe;
 * 5. runs every test under `deno.exe test`. A test marked Linux-only (its name
 *    says `[needs Linux`) ignores itself; any other ignored test fails the lane,
 *    a Windows-only one above all.
 *
 * It ends with `windows: N passed, N failed, N skipped` (the smoke run counts
 * as one test) and exits 1 on any failure, a failure to set up included.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { withoutVirtualAlloc2 } from "./windows/kernelbase.ts";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const LANE = join(ROOT, ".wine");
const PREFIX = join(LANE, "prefix");
const VERSION = Deno.readTextFileSync(join(ROOT, ".dvmrc")).trim();
const DENO_EXE = join(LANE, `deno-${VERSION}.exe`);
const SHIM_SOURCE = join(ROOT, "scripts", "windows", "bcryptprimitives.c");
const WINE_KERNELBASE = "/usr/lib/x86_64-linux-gnu/wine/x86_64-windows/kernelbase.dll";
/** Marks a finished prefix; it holds what the prefix was made from. */
const READY = join(PREFIX, "octoping-ready");

/** How long each kind of step may take before the lane fails. */
const MINUTE = 60_000;
const LIMITS = { install: 15 * MINUTE, setup: 5 * MINUTE, smoke: 10 * MINUTE, tests: 15 * MINUTE };
/** The whole lane, whatever each step's limit: well inside CI's 90 minutes with the Linux run. */
const LANE_ENDS = Date.now() + 45 * MINUTE;

/** Wine's settings for every command: this prefix, no debug chatter, no Mono or Gecko prompts. */
const WINE_ENV = {
  WINEPREFIX: PREFIX,
  WINEDEBUG: "-all",
  WINEDLLOVERRIDES: "mscoree,mshtml=",
  NO_COLOR: "1",
  // deno.exe's own cache of npm packages, apart from the Linux deno's.
  DENO_DIR: windowsPath(join(LANE, "deno-dir")),
};

/** A step that could not be done: the lane fails with this message. */
class LaneError extends Error {}

/** How a path on this machine reads to a Windows program under Wine (drive Z: is /). */
function windowsPath(path: string): string {
  return `Z:${path.replaceAll("/", "\\")}`;
}

/**
 * Runs `use` with a signal that aborts after `ms`, or at the lane's end if that
 * comes first. Then it also ends every Wine process: a program started under
 * Wine (a pong of a test) can hold the output pipe open after the one Deno
 * killed, and reading would wait on. The timer goes with the step.
 */
async function withinLimit<T>(ms: number, use: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort();
    void stopWine();
  }, Math.max(0, Math.min(ms, LANE_ENDS - Date.now())));
  try {
    return await use(controller.signal);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `argv` to the end within `ms`, its output shown as it comes; fails the lane if it fails. */
async function run(argv: string[], ms: number, options: { cwd?: string } = {}): Promise<void> {
  const { code } = await withinLimit(ms, (signal) =>
    new Deno.Command(argv[0], {
      args: argv.slice(1),
      cwd: options.cwd,
      env: WINE_ENV,
      stdin: "null",
      stdout: "inherit",
      stderr: "inherit",
      signal,
    }).output());
  if (code !== 0) throw new LaneError(`${argv.join(" ")} exited with ${code}`);
}

/** Runs `argv` within `ms` and returns what it printed on stdout, echoing it line by line. */
function runAndRead(argv: string[], ms: number): Promise<{ code: number; text: string }> {
  return withinLimit(ms, async (signal) => {
    const child = new Deno.Command(argv[0], {
      args: argv.slice(1),
      cwd: ROOT,
      env: WINE_ENV,
      stdin: "null",
      stdout: "piped",
      signal,
    }).spawn();
    let text = "";
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      text += chunk;
      const bytes = new TextEncoder().encode(chunk);
      for (let done = 0; done < bytes.length;) {
        done += await Deno.stdout.write(bytes.subarray(done));
      }
    }
    return { code: (await child.status).code, text };
  });
}

function found(command: string): boolean {
  try {
    return new Deno.Command("sh", { args: ["-c", `command -v ${command}`], stdout: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

/** Debian's Wine and the mingw compiler, when either is missing. */
async function installPackages(): Promise<void> {
  if (found("wine") && found("x86_64-w64-mingw32-gcc")) return;
  const sudo = Deno.uid() === 0 ? [] : ["sudo", "-E"];
  await run([...sudo, "apt-get", "update", "-qq"], LIMITS.install);
  await run([
    ...sudo,
    "env",
    "DEBIAN_FRONTEND=noninteractive",
    "apt-get",
    "install",
    "-y",
    "-qq",
    "wine64",
    "gcc-mingw-w64-x86-64-win32",
  ], LIMITS.install);
}

/** deno.exe of the pinned version, unpacked from its npm package once. */
async function fetchDenoExe(): Promise<void> {
  try {
    await Deno.stat(DENO_EXE);
    return;
  } catch { /* not yet: fetched below */ }
  await Deno.mkdir(LANE, { recursive: true });
  const work = await Deno.makeTempDir({ dir: LANE, prefix: "npm-" });
  try {
    await run(["npm", "pack", "-q", `@deno/win32-x64@${VERSION}`], LIMITS.setup, { cwd: work });
    const archive = join(work, `deno-win32-x64-${VERSION}.tgz`);
    await run(
      ["tar", "xzf", archive, "-C", work, "--strip-components=1", "package/deno.exe"],
      LIMITS.setup,
    );
    await Deno.rename(join(work, "deno.exe"), DENO_EXE);
  } finally {
    await Deno.remove(work, { recursive: true });
  }
}

/** What the prefix is made from: when any of it changes, the prefix is made again. */
async function prefixRecipe(): Promise<string> {
  const wine = await new Deno.Command("wine", { args: ["--version"], stdout: "piped" }).output();
  const sources = [SHIM_SOURCE, fileURLToPath(new URL("./windows/kernelbase.ts", import.meta.url))];
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode((await Promise.all(sources.map((f) => Deno.readTextFile(f)))).join()),
  );
  const hex = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
  return `${new TextDecoder().decode(wine.stdout).trim()} ${hex}\n`;
}

/** A Wine prefix with Windows 10's version and Wine 8.0's two gaps filled. */
async function preparePrefix(): Promise<"reused" | "made"> {
  const recipe = await prefixRecipe();
  if (await Deno.readTextFile(READY).catch(() => "") === recipe) return "reused";
  await Deno.remove(PREFIX, { recursive: true }).catch(() => {});
  await run(["wineboot", "-i"], LIMITS.setup);
  // Deno.osRelease() then reads 10.0.18362, as on Windows 10 (Wine's default is Windows 7).
  await run(["wine", "winecfg", "-v", "win10"], LIMITS.setup);
  const system32 = join(PREFIX, "drive_c", "windows", "system32");
  await run([
    "x86_64-w64-mingw32-gcc",
    "-O2",
    "-s",
    "-shared",
    "-o",
    join(system32, "bcryptprimitives.dll"),
    SHIM_SOURCE,
    "-ladvapi32",
  ], LIMITS.setup);
  const kernelbase = withoutVirtualAlloc2(await Deno.readFile(WINE_KERNELBASE));
  await Deno.writeFile(join(system32, "kernelbase.dll"), kernelbase);
  await run([
    "wine",
    "reg",
    "add",
    "HKCU\\Software\\Wine\\DllOverrides",
    "/v",
    "kernelbase",
    "/d",
    "native",
    "/f",
  ], LIMITS.setup);
  await Deno.writeTextFile(READY, recipe);
  return "made";
}

/** deno.exe's own account of where it runs; the lane fails unless that is Windows. */
async function describe(): Promise<void> {
  const { code, text } = await runAndRead([
    "wine",
    DENO_EXE,
    "eval",
    "console.log(`Deno.build.os: ${Deno.build.os}, Deno.osRelease(): ${Deno.osRelease()}, ` + " +
    "`deno.exe ${Deno.version.deno}`)",
  ], LIMITS.setup);
  if (code !== 0 || !text.includes("Deno.build.os: windows")) {
    throw new LaneError(`deno.exe does not run as Windows under Wine (exit ${code})`);
  }
}

/** deno.exe's cache filled from the npm registry first, so no run below prints a download. */
async function cacheDependencies(): Promise<void> {
  await run(["wine", DENO_EXE, "cache", "main.ts", "scripts/", "tests/"], LIMITS.setup, {
    cwd: ROOT,
  });
}

/** The smoke script under deno.exe, against `deno.exe run -A main.ts`: true when it passed. */
async function smoke(): Promise<boolean> {
  const out = await Deno.makeTempDir({ prefix: "octoping-smoke-wine-" });
  const { code } = await runAndRead([
    "wine",
    DENO_EXE,
    "run",
    "-A",
    "scripts/smoke.ts",
    `--out=${windowsPath(out)}`,
    windowsPath(DENO_EXE),
    "run",
    "-A",
    windowsPath(join(ROOT, "main.ts")),
  ], LIMITS.smoke);
  console.log(`smoke under Wine: exit ${code}; what each run printed is in ${out}`);
  return code === 0;
}

/** The counts of one `deno test` run, and the tests it ignored that should have run. */
interface TestCounts {
  passed: number;
  failed: number;
  skipped: number;
  unexpectedSkips: string[];
}

/** Reads `deno test`'s closing line and its ignored tests; a Linux-only test may be ignored. */
export function countTests(output: string): TestCounts {
  // deno-lint-ignore no-control-regex
  const plain = output.replace(/\x1b\[[0-9;]*m/g, "").replaceAll("\r", "");
  const summary = plain.match(/^(?:ok|FAILED) \| (\d+) passed.*\| (\d+) failed.*$/gm)?.at(-1);
  if (summary === undefined) throw new LaneError("deno test printed no closing line");
  const [, passed, failed] = /(\d+) passed.*\| (\d+) failed/.exec(summary)!;
  const skipped = Number(/(\d+) ignored/.exec(summary)?.[1] ?? 0);
  const ignored = [...plain.matchAll(/^(.*) \.\.\. ignored/gm)].map((m) => m[1].trim());
  if (ignored.length !== skipped) {
    // Were the lines that name them to change, no skip could be judged: fail instead.
    throw new LaneError(`deno test ignored ${skipped} tests but named ${ignored.length}`);
  }
  return {
    passed: Number(passed),
    failed: Number(failed),
    skipped,
    unexpectedSkips: ignored.filter((name) => !name.includes("[needs Linux")),
  };
}

/** Every test, under deno.exe test. */
async function tests(): Promise<TestCounts> {
  const { code, text } = await runAndRead(["wine", DENO_EXE, "test", "-A"], LIMITS.tests);
  const counts = countTests(text);
  // A run that failed without counting a failure (killed, crashed after its summary) still failed.
  return code !== 0 && counts.failed === 0 ? { ...counts, failed: 1 } : counts;
}

/** Ends the Wine server this lane started, so that no process outlives it. */
async function stopWine(): Promise<void> {
  await new Deno.Command("wineserver", { args: ["-k"], env: WINE_ENV, stderr: "null" })
    .output().catch(() => {});
}

async function main(): Promise<number> {
  if (Deno.build.os !== "linux") {
    console.error("test:windows runs the Windows deno under Wine, on Linux only");
    return 1;
  }
  try {
    const started = Date.now();
    await installPackages();
    await fetchDenoExe();
    const prefix = await preparePrefix();
    console.log(`windows lane: prefix ${prefix}, ready in ${Date.now() - started} ms`);
    await describe();
    await cacheDependencies();
    const smokePassed = await smoke();
    const counts = await tests();
    for (const name of counts.unexpectedSkips) {
      console.log(`SKIPPED UNDER WINE, BUT NOT MARKED LINUX-ONLY: ${name}`);
    }
    const passed = counts.passed + (smokePassed ? 1 : 0);
    const failed = counts.failed + (smokePassed ? 0 : 1);
    console.log(`windows: ${passed} passed, ${failed} failed, ${counts.skipped} skipped`);
    return failed === 0 && counts.unexpectedSkips.length === 0 ? 0 : 1;
  } catch (error) {
    console.log(`windows lane: FAILED: ${(error as Error).message}`);
    console.log("windows: 0 passed, 1 failed, 0 skipped");
    return 1;
  } finally {
    await stopWine();
  }
}

if (import.meta.main) {
  Deno.exit(await main());
}
