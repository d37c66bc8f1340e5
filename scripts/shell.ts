/**
 * A command line typed the way a user types it, with its output redirected by
 * the OS's own shell: `cmd /c "... > Output.txt"` on Windows, `sh -c` elsewhere.
 *
 * @module
 */

/** An argv for `Deno.Command`, and whether Windows must pass its arguments as they are. */
export interface ShellLine {
  argv: string[];
  /** For `windowsRawArguments`: cmd reads its line itself. */
  raw: boolean;
}

/** `command` with its standard output redirected to `file` by the OS's shell. */
export function redirected(command: string[], file: string): ShellLine {
  if (Deno.build.os !== "windows") {
    const quote = (part: string) => `'${part.replaceAll("'", `'\\''`)}'`;
    return { argv: ["sh", "-c", `${command.map(quote).join(" ")} > ${quote(file)}`], raw: false };
  }
  const quote = (part: string) => {
    if (part.includes('"')) throw new Error(`cmd cannot quote ${part}`);
    return /[\s&|<>^()%!]/.test(part) ? `"${part}"` : part;
  };
  // /s: cmd strips the outer quotes and keeps the rest as it is; so the arguments go raw.
  const line = `${command.map(quote).join(" ")} > ${quote(file)}`;
  return { argv: ["cmd", "/d", "/s", "/c", `"${line}"`], raw: true };
}

/** What a finished command printed, and its exit code. */
export interface Finished {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `line` to the end, its output read; killed after `ms`. */
export async function runLine({ argv, raw }: ShellLine, ms: number): Promise<Finished> {
  const output = await new Deno.Command(argv[0], {
    args: argv.slice(1),
    windowsRawArguments: raw,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(ms),
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}
