/**
 * The logs `report` is given, with `*` and `?` in a file name expanded by
 * OctoPing itself: cmd.exe and PowerShell pass `report C:\logs\*.jsonl` on
 * as written.
 *
 * @module
 */
import { LogReadError } from "./lines.ts";

const WILDCARD = /[*?]/;

/**
 * Each of `patterns` as the files it names, in order, each file once. A
 * pattern that matches nothing, or has a wildcard in a folder's name, is bad input.
 */
export async function expandInputs(patterns: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const pattern of patterns) {
    if (!WILDCARD.test(pattern)) {
      files.push(pattern);
      continue;
    }
    const cut = Math.max(pattern.lastIndexOf("/"), pattern.lastIndexOf("\\"));
    const folder = cut < 0 ? "" : pattern.slice(0, cut + 1);
    const name = pattern.slice(cut + 1);
    if (WILDCARD.test(folder)) {
      throw new LogReadError(`${pattern}: * and ? work in a file's name only, not in a folder's`);
    }
    const matches = wildcard(name);
    const found: string[] = [];
    try {
      for await (const entry of Deno.readDir(folder || ".")) {
        if (entry.isFile && matches.test(entry.name)) found.push(folder + entry.name);
      }
    } catch (error) {
      throw new LogReadError(`cannot read the folder of ${pattern}: ${(error as Error).message}`);
    }
    if (found.length === 0) throw new LogReadError(`no file matches ${pattern}`);
    files.push(...found.sort());
  }
  return [...new Set(files)];
}

/** `*.jsonl` as a regular expression; any case on Windows, as its file names are. */
function wildcard(name: string): RegExp {
  const source = name.replace(/[.+^${}()|[\]\\]/g, "\\$&").replaceAll("*", ".*").replaceAll(
    "?",
    ".",
  );
  return new RegExp(`^${source}$`, Deno.build.os === "windows" ? "i" : "");
}
