/**
 * Writing lines to the console as they happen, with colors only where a person
 * is watching.
 *
 * @module
 */

/** Turns parts of a line green or red, or leaves them alone. */
export interface Style {
  good(text: string): string;
  bad(text: string): string;
}

/** Colors off: for files, pipes and `NO_COLOR`. */
export const PLAIN: Style = { good: (text) => text, bad: (text) => text };

// Two ANSI codes do not warrant a dependency; @std/fmt is on JSR, which we cannot reach.
const ANSI: Style = {
  good: (text) => `\x1b[32m${text}\x1b[39m`,
  bad: (text) => `\x1b[31m${text}\x1b[39m`,
};

/** Colors when `stream` is a terminal and `NO_COLOR` is not set; otherwise plain text. */
export function styleFor(stream: { isTerminal(): boolean }): Style {
  return stream.isTerminal() && !Deno.noColor ? ANSI : PLAIN;
}

/** Something that takes whole lines. */
export type LineWriter = (line: string) => void;

/** Where a reporter writes: whole lines, and on a terminal one line it keeps rewriting. */
export interface Output {
  line: LineWriter;
  /** Replaces the status line (progress); "" clears it. Absent where output is not a terminal. */
  status?: (text: string) => void;
}

const encoder = new TextEncoder();

/**
 * A writer that puts each line out at once (so `tail -f` of a redirected file
 * follows along). When the stream goes away (a closed pipe) it falls silent
 * rather than crashing the run.
 */
export function lineWriter(stream: { writeSync(p: Uint8Array): number }): LineWriter {
  return rawWriter(stream, "\n");
}

/** Output to `stream`, with a status line when it is a terminal. */
export function outputTo(
  stream: { writeSync(p: Uint8Array): number; isTerminal(): boolean },
): Output {
  const write = rawWriter(stream, "");
  if (!stream.isTerminal()) return { line: (text) => write(text + "\n") };
  let showing = false;
  // Carriage return and erase-line: the status line is redrawn in place.
  const clear = () => showing && write("\r\x1b[2K");
  return {
    line: (text) => {
      clear();
      showing = false;
      write(text + "\n");
    },
    status: (text) => {
      clear();
      showing = text !== "";
      if (showing) write(text);
    },
  };
}

function rawWriter(stream: { writeSync(p: Uint8Array): number }, end: string): LineWriter {
  let broken = false;
  return (text) => {
    if (broken) return;
    const bytes = encoder.encode(text + end);
    try {
      for (let done = 0; done < bytes.length;) done += stream.writeSync(bytes.subarray(done));
    } catch {
      broken = true;
    }
  };
}
