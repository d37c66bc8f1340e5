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
