/**
 * `deno task bench`: OctoPing's speed and memory on loopback, each figure
 * beside a baseline doing the same work over the same loopback in the same
 * run (a shared machine is noisy; absolute figures drift, same-run ratios hold
 * better). Prints a Markdown table per run and, with `--runs`, the median of
 * every figure with its spread (min-max).
 *
 *   deno task bench              one full run (1 GiB TLS transfers, 4 GiB plain, 200 x 50 MB clients)
 *   deno task bench --runs=3     three full runs: medians and spreads, as docs/performance.md shows
 *   deno task bench --quick      smaller sizes, for a quick look
 *
 * Baselines: socat (OpenSSL and plain TCP, 256 KiB buffers, and a TCP relay
 * in tinyproxy's place), `openssl s_time` and `openssl s_server`. The bench
 * installs nothing; it names what is missing.
 *
 * @module
 */
import { type Figure, missingTools, run, type Sizes, sizes } from "./bench/support.ts";
import { receivePath, throughProxy, transfer } from "./bench/transfers.ts";
import {
  attemptRate,
  concurrentClients,
  pingMemory,
  pingMemoryAttempts,
  stalls,
} from "./bench/load.ts";
import { pongMemory } from "./bench/pong_memory.ts";
import { checkTime, exporterRate, fleet } from "./bench/tools.ts";
import { oneShotPing } from "./bench/start.ts";
import { table } from "./bench/table.ts";

// --- Options ---------------------------------------------------------------

/** What `deno task bench` was asked to do. */
interface Options {
  /** Smaller sizes and fewer attempts, for a quick look. */
  quick: boolean;
  /** How many full runs to make; the table shows each figure's median and spread. */
  runs: number;
}

/** Reads `--quick` and `--runs=N` (1 to 9); throws on anything else. */
function parseOptions(args: string[]): Options {
  const options: Options = { quick: false, runs: 1 };
  for (const arg of args) {
    const runs = /^--runs=(\d)$/.exec(arg);
    if (arg === "--quick") options.quick = true;
    else if (runs && Number(runs[1]) >= 1) options.runs = Number(runs[1]);
    else throw new Error(`unknown option ${arg}; use --quick and --runs=N (1 to 9)`);
  }
  return options;
}

/** One full run: every measurement once, in a fixed order. */
async function benchRun(size: Sizes, dir: string): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const mode of ["tls", "tcp", "reverse"] as const) {
    figures.push(await transfer(size, dir, mode));
  }
  figures.push(await throughProxy(size, dir));
  for (const mode of ["tcp", "tls"] as const) {
    figures.push(...await receivePath(size, dir, mode));
  }
  figures.push(...await concurrentClients(size));
  figures.push(await pingMemory(size, "upload"));
  figures.push(await pingMemory(size, "reverse"));
  figures.push(await pingMemoryAttempts(size));
  figures.push(...await pongMemory(size));
  figures.push(await attemptRate(size));
  figures.push(await stalls(size, dir));
  figures.push(await oneShotPing(dir));
  figures.push(await checkTime());
  figures.push(...await fleet(size, dir));
  figures.push(...await exporterRate(size, dir));
  return figures;
}

async function main(): Promise<void> {
  let options: Options;
  try {
    options = parseOptions(Deno.args);
  } catch (error) {
    console.error(`bench: ${(error as Error).message}`);
    Deno.exit(2);
  }
  const missing = missingTools();
  if (missing.length > 0) {
    console.error(
      `bench: missing ${missing.join(" and ")}; install with: apt-get install -y ${
        missing.join(" ")
      }`,
    );
    Deno.exit(1);
  }
  const size = sizes(options.quick);
  const dir = await Deno.makeTempDir();
  try {
    // RSA 2048 with SHA-256, as a Tentacle's certificate.
    await run("openssl", [
      ..."req -x509 -newkey rsa:2048 -sha256 -nodes -days 2 -subj /CN=bench".split(" "),
      ...["-keyout", `${dir}/key.pem`, "-out", `${dir}/cert.pem`],
    ]);
    console.log(
      `OctoPing bench on ${navigator.hardwareConcurrency} cores, Deno ${Deno.version.deno}${
        options.quick ? " (--quick)" : ""
      }; ratios > 1 mean OctoPing is faster`,
    );
    const runs: Figure[][] = [];
    for (let i = 1; i <= options.runs; i++) {
      runs.push(await benchRun(size, dir));
      console.log(`\nrun ${i} of ${options.runs}, ${new Date().toISOString()}:\n`);
      console.log(table([runs.at(-1)!]));
    }
    if (options.runs > 1) {
      console.log(`\nmedian of ${options.runs} runs (min-max):\n`);
      console.log(table(runs));
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

await main();
