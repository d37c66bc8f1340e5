/**
 * `deno task build`: the stand-in build of all five targets offline (archive
 * layout, binary formats, checksums), the clear failure without a runtime, and
 * the Linux executable's end-to-end run where a real runtime is at hand.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { unzipSync } from "fflate";
import denoJson from "../deno.json" with { type: "json" };
import { freePort, linuxTest, Pong, runTool, tempDir } from "./support/helpers.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BUILD = `${ROOT}scripts/build.ts`;
const VERSION = denoJson.version;
/** Ten minutes: the stand-in build downloads each OS's deno from npm the first time. */
const BUILD_WAIT_MS = 600_000;

function build(args: string[], env?: Record<string, string>) {
  return runTool(Deno.execPath(), ["run", "--allow-all", BUILD, ...args], {
    env,
    cwd: ROOT,
    waitMs: BUILD_WAIT_MS,
  });
}

function formatOf(bytes: Uint8Array): string {
  if (bytes[0] === 0x4d && bytes[1] === 0x5a) {
    const pe = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0x3c, true);
    return new TextDecoder().decode(bytes.subarray(pe, pe + 4)) === "PE\0\0"
      ? "PE"
      : "MZ without PE";
  }
  if (bytes[0] === 0x7f && new TextDecoder().decode(bytes.subarray(1, 4)) === "ELF") return "ELF";
  const magic = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, false);
  if (magic === 0xcffaedfe || magic === 0xfeedfacf) return "Mach-O";
  return "unknown";
}

async function tarEntries(archive: string): Promise<Map<string, string>> {
  const list = await new Deno.Command("tar", { args: ["-tzvf", archive], stdout: "piped" })
    .output();
  const entries = new Map<string, string>();
  for (const line of new TextDecoder().decode(list.stdout).trim().split("\n")) {
    const fields = line.trim().split(/\s+/);
    entries.set(fields.at(-1)!, fields[0]);
  }
  return entries;
}

async function tarHead(archive: string, file: string): Promise<Uint8Array> {
  const out = await new Deno.Command("tar", { args: ["-xzOf", archive, file], stdout: "piped" })
    .output();
  return out.stdout.subarray(0, 4096);
}

linuxTest(
  "build --standin: five archives, each with its executable, README, LICENSE and STANDIN.txt",
  async () => {
    const run = await build(["--standin"]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^STAND-IN BUILD: .*not runnable as OctoPing/m);
    const dist = `${ROOT}dist`;
    const expected: [string, string, string][] = [
      [`OctoPing-${VERSION}-windows-x64.zip`, "OctoPing.exe", "PE"],
      [`OctoPing-${VERSION}-linux-x64.tar.gz`, "OctoPing", "ELF"],
      [`OctoPing-${VERSION}-linux-arm64.tar.gz`, "OctoPing", "ELF"],
      [`OctoPing-${VERSION}-macos-x64.tar.gz`, "OctoPing", "Mach-O"],
      [`OctoPing-${VERSION}-macos-arm64.tar.gz`, "OctoPing", "Mach-O"],
    ];
    for (const [archive, exe, format] of expected) {
      const path = `${dist}/${archive}`;
      if (archive.endsWith(".zip")) {
        const files = unzipSync(await Deno.readFile(path));
        assert.deepEqual(Object.keys(files).sort(), [
          "LICENSE",
          "OctoPing.exe",
          "README.md",
          "STANDIN.txt",
        ]);
        assert.equal(formatOf(files[exe]), format, archive);
        assert.match(new TextDecoder().decode(files["STANDIN.txt"]), /NOT as OctoPing/);
      } else {
        const entries = await tarEntries(path);
        assert.deepEqual([...entries.keys()].sort(), [
          "LICENSE",
          "OctoPing",
          "README.md",
          "STANDIN.txt",
        ]);
        assert.match(entries.get(exe)!, /^-rwxr-xr-x/, `${archive}: the executable bit is kept`);
        assert.equal(formatOf(await tarHead(path, exe)), format, archive);
      }
    }
    const sums = (await Deno.readTextFile(`${dist}/SHA256SUMS`)).trim().split("\n");
    assert.deepEqual(
      sums.map((line) => line.split("  ")[1]).sort(),
      expected.map(([a]) => a).sort(),
    );
    const check = await new Deno.Command("sha256sum", {
      args: ["-c", "SHA256SUMS"],
      cwd: dist,
      stdout: "piped",
    }).output();
    assert.ok(check.success, new TextDecoder().decode(check.stdout));
  },
);

linuxTest(
  "build without a reachable runtime: one clear message, exit 1, no backtrace",
  async () => {
    await using denoDir = await tempDir();
    // Deno's download server made unreachable wherever the test runs: HTTPS goes to a port
    // where nothing listens, except npm's registry, which the empty DENO_DIR still needs.
    const run = await build(["--target=x86_64-unknown-linux-gnu"], {
      DENO_DIR: denoDir.path,
      HTTPS_PROXY: `http://127.0.0.1:${freePort()}`,
      NO_PROXY: "registry.npmjs.org",
    });
    assert.equal(run.code, 1, run.stdout + run.stderr);
    // Deno's own lines (npm downloads into the empty DENO_DIR) come first; the build says one thing.
    const lines = run.stderr.trim().split("\n").filter((line) => !/Download/.test(line));
    assert.equal(lines.length, 1, run.stderr);
    assert.match(
      lines[0],
      /^build: deno compile could not get the runtime for x86_64-unknown-linux-gnu/,
    );
    assert.match(
      lines[0],
      new RegExp(
        `${denoDir.path}/dl/release/v${Deno.version.deno}/denort-x86_64-unknown-linux-gnu\\.zip`,
      ),
    );
    assert.match(lines[0], /DENORT_BIN/);
    assert.doesNotMatch(run.stderr, /backtrace|Caused by/i);
  },
);

/** Whether `deno compile` has a real Linux x64 runtime here: DENORT_BIN, or one in DENO_DIR. */
function realRuntime(): boolean {
  if (Deno.build.arch !== "x86_64") return false; // the OS is Linux wherever it counts: a linuxTest
  if (Deno.env.get("DENORT_BIN") !== undefined) return true;
  const info = new Deno.Command(Deno.execPath(), { args: ["info", "--json"], stdout: "piped" })
    .outputSync();
  const denoDir = JSON.parse(new TextDecoder().decode(info.stdout)).denoDir;
  try {
    Deno.statSync(
      `${denoDir}/dl/release/v${Deno.version.deno}/denort-x86_64-unknown-linux-gnu.zip`,
    );
    return true;
  } catch {
    return false;
  }
}

linuxTest(
  "the Linux executable pings its own pong",
  async () => {
    const run = await build(["--target=x86_64-unknown-linux-gnu"]);
    assert.equal(run.code, 0, run.stderr);
    await using dir = await tempDir();
    await new Deno.Command("tar", {
      args: ["-xzf", `${ROOT}dist/OctoPing-${VERSION}-linux-x64.tar.gz`, "-C", dir.path],
    }).output();
    await using pong = await Pong.start();
    const ping = await new Deno.Command(`${dir.path}/OctoPing`, {
      args: ["ping", `/host=127.0.0.1:${pong.port}`, "/count=2"],
      stdout: "piped",
    }).output();
    assert.equal(ping.code, 0);
    assert.match(new TextDecoder().decode(ping.stdout), /Connect: Success!/);
  },
  { what: "a real Deno runtime (DENORT_BIN, or denort in DENO_DIR)", here: realRuntime() },
);
