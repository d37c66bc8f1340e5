/**
 * Reading a log file line by line, streaming, in the encoding it was written
 * in: UTF-8 (with or without a byte-order mark) or UTF-16LE with its BOM (what
 * `>` writes in Windows PowerShell 5.1).
 *
 * @module
 */

/** A log file that cannot be read: bad input. */
export class LogReadError extends Error {
  override name = "LogReadError";
}

/** Yields the lines of the file at `path` (without line endings), with their numbers from 1. */
export async function* readLines(path: string): AsyncGenerator<[string, number]> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (error) {
    throw new LogReadError(`cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    const start = new Uint8Array(2);
    const got = await file.read(start) ?? 0;
    const utf16 = got === 2 && start[0] === 0xff && start[1] === 0xfe;
    await file.seek(0, Deno.SeekMode.Start);
    const text = file.readable.pipeThrough(new TextDecoderStream(utf16 ? "utf-16le" : "utf-8"));
    let partial = "";
    let number = 0;
    for await (const piece of text) {
      const parts = (partial + piece).split("\n");
      partial = parts.pop()!;
      for (const line of parts) yield [line.replace(/\r$/, ""), ++number];
    }
    if (partial) yield [partial.replace(/\r$/, ""), ++number];
  } catch (error) {
    if (error instanceof LogReadError) throw error;
    throw new LogReadError(`cannot read ${path}: ${(error as Error).message}`);
  }
}
