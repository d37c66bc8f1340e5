/**
 * The house's floors: each folder of `src/` imports only from the folders
 * below it, so that the engines never depend on what prints them.
 */
import assert from "node:assert/strict";
import { posix, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * The floors, lowest first. `src` is the ground floor: the files directly
 * in `src/` (units, number formats, timers, the sanitiser, the version).
 * docs/development.md describes each.
 */
const FLOORS = [
  "src",
  "src/output",
  "src/net",
  "src/options",
  "src/connection",
  "src/stats",
  "src/pong",
  "src/ping",
  "src/check",
  "src/fleet",
  "src/exporter",
  "src/logs",
  "src/reporters",
  "src/report",
  "src/commands",
  ".",
];

/** Every TypeScript file under `dir`, as paths relative to the root. */
async function sources(dir: string): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(resolve(ROOT, dir))) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) found.push(...await sources(path));
    else if (entry.name.endsWith(".ts")) found.push(path);
  }
  return found;
}

/** The relative modules a file imports, as paths relative to the root. */
async function importsOf(file: string): Promise<string[]> {
  const text = await Deno.readTextFile(resolve(ROOT, file));
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)];
  // Forward slashes throughout, as FLOORS has them, on Windows too.
  return specifiers.map((match) => posix.normalize(posix.join(posix.dirname(file), match[1])));
}

/** The floor a module sits on: its folder, or its parent folder for `net/tls_probe/`. */
function floorOf(file: string): string {
  const folder = posix.dirname(file);
  return FLOORS.includes(folder) ? folder : posix.dirname(folder);
}

/** Every import that goes sideways or up, as "from -> to". */
async function importsUpward(): Promise<string[]> {
  const files = [...await sources("src"), "main.ts"];
  const upward: string[] = [];
  for (const file of files) {
    const from = FLOORS.indexOf(floorOf(file));
    if (from < 0) {
      upward.push(`${file} is on no floor: add its folder to FLOORS`);
      continue;
    }
    for (const target of await importsOf(file)) {
      if (target === "deno.json") continue;
      const to = FLOORS.indexOf(floorOf(target));
      const sameFloor = floorOf(target) === floorOf(file);
      if (!sameFloor && !(to >= 0 && to < from)) upward.push(`${file} -> ${target}`);
    }
  }
  return upward;
}

Deno.test("each folder of src/ imports only from the floors below it", async () => {
  assert.deepEqual(await importsUpward(), []);
});
