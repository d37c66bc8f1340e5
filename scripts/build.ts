/**
 * `deno task build`: one executable per OS, archived for download, with
 * checksums. The version comes from deno.json.
 *
 *   deno task build                         all five targets
 *   deno task build --target=<triple> ...   a subset (repeatable)
 *   deno task build --standin               the whole pipeline offline, with stand-in runtimes
 *
 * `deno compile` needs a runtime (denort) per target from Deno's download
 * server, kept in `$DENO_DIR/dl/release/v<deno version>/denort-<target>.zip`.
 * Where that server cannot be reached, put the zip there first (a pre-seeded
 * DENO_DIR), or set DENORT_BIN to one local runtime file (one target per
 * build). `--standin` seeds a temporary DENO_DIR with the full `deno` of each
 * OS from npm instead: the pipeline runs end to end, but a full `deno`
 * carrying a payload runs as plain `deno`, not as OctoPing, so those archives
 * are labelled as not runnable.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { zipSync } from "fflate";
import denoJson from "../deno.json" with { type: "json" };

/** What each target becomes. */
const TARGETS: Record<string, { name: string; npm: string; exe: string; format: Format }> = {
  "x86_64-pc-windows-msvc": {
    name: "windows-x64",
    npm: "@deno/win32-x64",
    exe: "OctoPing.exe",
    format: "PE",
  },
  "x86_64-unknown-linux-gnu": {
    name: "linux-x64",
    npm: "@deno/linux-x64-glibc",
    exe: "OctoPing",
    format: "ELF",
  },
  "aarch64-unknown-linux-gnu": {
    name: "linux-arm64",
    npm: "@deno/linux-arm64-glibc",
    exe: "OctoPing",
    format: "ELF",
  },
  "x86_64-apple-darwin": {
    name: "macos-x64",
    npm: "@deno/darwin-x64",
    exe: "OctoPing",
    format: "Mach-O",
  },
  "aarch64-apple-darwin": {
    name: "macos-arm64",
    npm: "@deno/darwin-arm64",
    exe: "OctoPing",
    format: "Mach-O",
  },
};

/** The binary format an executable for the target must have. */
export type Format = "PE" | "ELF" | "Mach-O";

/**
 * The permissions baked in: exactly what OctoPing needs, and never a prompt
 * (a prompt on a server running unattended hangs the run).
 */
export const PERMISSIONS = [
  "--allow-net",
  "--allow-read", // certificate files, logs to report on
  "--allow-write", // log files and reports
  "--allow-sys=hostname,osRelease", // the log header
  // A PFX's password and a proxy's, kept out of the shell's history.
  "--allow-env=OCTOPING_CLIENT_PASSWORD,OCTOPING_PROXY_PASSWORD",
  "--no-prompt",
];
/**
 * V8 as OctoPing runs it: with `gc` exposed, so that pong can collect the young generation,
 * where the buffers of decrypted TLS data wait, in well under a millisecond (src/gc.ts).
 * The tests, the bench and the demo run main.ts with the same flags.
 */
export const V8_FLAGS = ["--v8-flags=--expose-gc"];
/** Windows only: QuickEdit is switched off through kernel32. */
const WINDOWS_PERMISSIONS = ["--allow-ffi"];

const ROOT = new URL("..", import.meta.url);
const DIST = new URL("dist/", ROOT);
const STANDIN_NOTE =
  `This archive was made by 'deno task build --standin' to check the build offline.
Its executable is the plain Deno ${Deno.version.deno} runtime carrying OctoPing as a payload:
it runs as 'deno', NOT as OctoPing. Do not ship it. Build with a real runtime (see docs/development.md).
`;

/** The build could not be done; the message says why and what to do. */
class BuildError extends Error {}

async function main(args: string[]): Promise<number> {
  const standin = args.includes("--standin");
  const chosen = args.filter((arg) => arg.startsWith("--target=")).map((arg) => arg.slice(9));
  const unknown = args.filter((arg) => arg !== "--standin" && !arg.startsWith("--target="));
  if (unknown.length > 0 || chosen.some((target) => !(target in TARGETS))) {
    console.error(
      `build: unknown ${
        unknown.length ? `argument ${unknown[0]}` : `target ${chosen.find((t) => !(t in TARGETS))}`
      }; ` +
        `targets: ${Object.keys(TARGETS).join(", ")}`,
    );
    return 2;
  }
  const targets = chosen.length > 0 ? chosen : Object.keys(TARGETS);
  if (Deno.env.get("DENORT_BIN") && !standin && targets.length !== 1) {
    console.error(
      "build: DENORT_BIN is one runtime file, so it serves one target: add --target=<triple> " +
        "for the OS it was built for",
    );
    return 2;
  }
  const version = denoJson.version;
  await Deno.mkdir(DIST, { recursive: true });
  const work = await Deno.makeTempDir({ prefix: "octoping-build-" });
  try {
    const denoDir = standin ? await seedStandins(work, targets) : undefined;
    const archives: string[] = [];
    for (const target of targets) {
      const executable = await compile(target, work, denoDir);
      archives.push(await archive(target, executable, version, standin));
    }
    const sums = await checksums(archives);
    for (const name of archives) console.log(`dist/${name}`);
    console.log(
      `dist/SHA256SUMS (${sums} archives; check with: cd dist && sha256sum -c SHA256SUMS)`,
    );
    if (standin) {
      console.log(
        "STAND-IN BUILD: these archives carry the plain deno runtime, not runnable as OctoPing " +
          "(each holds STANDIN.txt). They check the pipeline only.",
      );
    }
    return 0;
  } catch (error) {
    if (!(error instanceof BuildError)) throw error;
    console.error(`build: ${error.message}`);
    return 1;
  } finally {
    await Deno.remove(work, { recursive: true });
  }
}

/** A temporary DENO_DIR holding, per target, that OS's full `deno` zipped as its denort. */
async function seedStandins(work: string, targets: string[]): Promise<string> {
  const denoDir = `${work}/deno_dir`;
  const release = `${denoDir}/dl/release/v${Deno.version.deno}`;
  await Deno.mkdir(release, { recursive: true });
  const cache = `${cacheHome()}/octoping/standin`;
  await Deno.mkdir(cache, { recursive: true });
  for (const target of targets) {
    const { npm, exe } = TARGETS[target];
    const tarball = `${cache}/${npm.replace("@deno/", "deno-")}-${Deno.version.deno}.tgz`;
    if (!await exists(tarball)) {
      await run("npm", [
        "pack",
        `${npm}@${Deno.version.deno}`,
        "--silent",
        "--pack-destination",
        cache,
      ]);
    }
    const unpacked = `${work}/${target}-npm`;
    await Deno.mkdir(unpacked);
    await run("tar", ["-xzf", tarball, "-C", unpacked]);
    const binary = exe.endsWith(".exe") ? "deno.exe" : "deno";
    const runtime = await Deno.readFile(`${unpacked}/package/${binary}`);
    const name = exe.endsWith(".exe") ? "denort.exe" : "denort";
    await Deno.writeFile(`${release}/denort-${target}.zip`, zipSync({ [name]: runtime }));
    await Deno.remove(unpacked, { recursive: true });
  }
  return denoDir;
}

/** Compiles main.ts for `target`; returns the executable's path. */
/**
 * `--exclude` for what `deno compile` cannot embed and the executable never reads: bintrees
 * (under prom-client's tdigest) ships tests with a 2 MB data file, and embedding it overflows
 * deno compile's stack (2.9.6; the package's code alone compiles). The path is in the npm
 * cache of the DENO_DIR in `env`, where it need not exist yet.
 */
async function unembeddable(env: Record<string, string>): Promise<string[]> {
  const info = await new Deno.Command(Deno.execPath(), {
    clearEnv: true,
    args: ["info", "--json"],
    env,
    stdout: "piped",
    stderr: "null",
  }).output();
  const npmCache: string = JSON.parse(new TextDecoder().decode(info.stdout)).npmCache;
  const lock = JSON.parse(await Deno.readTextFile(new URL("deno.lock", ROOT)));
  return Object.keys(lock.npm ?? {})
    .filter((name) => name.startsWith("bintrees@"))
    .map((name) => `--exclude=${npmCache}/registry.npmjs.org/bintrees/${name.slice(9)}/test`);
}

async function compile(target: string, work: string, denoDir?: string): Promise<string> {
  const output = `${work}/${target}/${TARGETS[target].exe}`;
  const permissions = target.includes("windows")
    ? [...PERMISSIONS, ...WINDOWS_PERMISSIONS]
    : PERMISSIONS;
  const env: Record<string, string> = { ...Deno.env.toObject() };
  if (denoDir) {
    env.DENO_DIR = denoDir;
    delete env.DENORT_BIN; // one file for every target would beat the stand-ins
  }
  const result = await new Deno.Command(Deno.execPath(), {
    clearEnv: true,
    args: [
      "compile",
      "--quiet",
      "--target",
      target,
      ...permissions,
      ...V8_FLAGS,
      ...await unembeddable(env),
      "--output",
      output,
      fileURLToPath(new URL("main.ts", ROOT)), // a URL's pathname is /D:/... on Windows
    ],
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (result.success) return output;
  const stderr = new TextDecoder().decode(result.stderr);
  if (/denort|base binary|error sending request|dl\.deno\.land/i.test(stderr)) {
    const denoDirNow = denoDir ?? await currentDenoDir();
    throw new BuildError(
      `deno compile could not get the runtime for ${target} from Deno's download server. ` +
        `Put denort-${target}.zip (from a machine that can reach it, or a Deno release) at ` +
        `${denoDirNow}/dl/release/v${Deno.version.deno}/denort-${target}.zip (a pre-seeded DENO_DIR), ` +
        `or set DENORT_BIN to one local runtime file and build that one target with --target=${target}. ` +
        `'deno task build --standin' checks the rest of the pipeline offline.`,
    );
  }
  throw new BuildError(`deno compile failed for ${target}: ${stderr.trim().split("\n")[0]}`);
}

/** Packs the executable with README.md and LICENSE (and STANDIN.txt) into dist/; returns its name. */
async function archive(
  target: string,
  executable: string,
  version: string,
  standin: boolean,
): Promise<string> {
  const { name, exe } = TARGETS[target];
  const base = `OctoPing-${version}-${name}`;
  const docs: [string, Uint8Array][] = [
    ["README.md", await Deno.readFile(new URL("README.md", ROOT))],
    ["LICENSE", await Deno.readFile(new URL("LICENSE", ROOT))],
  ];
  if (standin) docs.push(["STANDIN.txt", new TextEncoder().encode(STANDIN_NOTE)]);
  if (exe.endsWith(".exe")) {
    const files: Record<string, Uint8Array> = { [exe]: await Deno.readFile(executable) };
    for (const [file, bytes] of docs) files[file] = bytes;
    await Deno.writeFile(new URL(`${base}.zip`, DIST), zipSync(files, { level: 9 }));
    return `${base}.zip`;
  }
  const folder = executable.slice(0, executable.lastIndexOf("/"));
  for (const [file, bytes] of docs) await Deno.writeFile(`${folder}/${file}`, bytes);
  await Deno.chmod(executable, 0o755);
  const archiveName = `${base}.tar.gz`;
  await run("tar", [
    "-czf",
    fileURLToPath(new URL(archiveName, DIST)),
    "-C",
    folder,
    exe,
    ...docs.map(([file]) => file),
  ]);
  return archiveName;
}

/** Writes dist/SHA256SUMS for the archives, in the form `sha256sum -c` reads. */
async function checksums(archives: string[]): Promise<number> {
  const lines = [];
  for (const name of archives) {
    const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(new URL(name, DIST)));
    lines.push(`${new Uint8Array(digest).toHex()}  ${name}`);
  }
  await Deno.writeTextFile(new URL("SHA256SUMS", DIST), lines.join("\n") + "\n");
  return lines.length;
}

async function run(command: string, args: string[]): Promise<void> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(command, { args, stdout: "piped", stderr: "piped" }).output();
  } catch (error) {
    throw new BuildError(
      `${command} is needed for this step and could not run: ${(error as Error).message}`,
    );
  }
  if (!output.success) {
    throw new BuildError(
      `${command} ${args.join(" ")} failed: ${new TextDecoder().decode(output.stderr).trim()}`,
    );
  }
}

async function currentDenoDir(): Promise<string> {
  const info = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json"],
    stdout: "piped",
  }).output();
  return JSON.parse(new TextDecoder().decode(info.stdout)).denoDir;
}

function cacheHome(): string {
  return Deno.env.get("XDG_CACHE_HOME") ??
    `${Deno.env.get("HOME") ?? Deno.env.get("LOCALAPPDATA") ?? "."}/.cache`;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    console.error(`build: unexpected error: ${(error as Error)?.message ?? error}`);
    Deno.exit(1);
  }
}
