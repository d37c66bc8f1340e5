/**
 * Writing lines to the console as they happen, with colors only where a person
 * is watching: plain ASCII, each line ending as the OS's own tools end theirs.
 *
 * @module
 */
import { asciiOnly } from "../printable.ts";

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
  /**
   * Replaces the lines last drawn with `lines` (a live table), redrawn in
   * place; [] clears them. Each must fit the console's width. Absent where
   * output is not a terminal.
   */
  board?: (lines: string[]) => void;
}

const encoder = new TextEncoder();

/**
 * How text lines end: CRLF on Windows, as Windows tools write them (Notepad
 * before Windows 10 1809 shows an LF-only file as one long line), LF elsewhere.
 */
export const LINE_END = Deno.build.os === "windows" ? "\r\n" : "\n";

/**
 * `text` as the bytes of whole lines: plain ASCII, each of its lines (a text
 * such as the usage may hold several) ended with `lineEnd`.
 */
export function asLines(text: string, lineEnd = LINE_END): string {
  return asciiOnly(text).replace(/\r?\n/g, lineEnd) + lineEnd;
}

/**
 * A writer that puts each line out at once (so `tail -f` of a redirected file
 * follows along). When the stream goes away (a closed pipe) it falls silent
 * rather than crashing the run.
 */
export function lineWriter(
  stream: { writeSync(p: Uint8Array): number },
  lineEnd = LINE_END,
): LineWriter {
  let broken = false;
  return (text) => {
    if (broken) return;
    const bytes = encoder.encode(asLines(text, lineEnd));
    try {
      for (let done = 0; done < bytes.length;) done += stream.writeSync(bytes.subarray(done));
    } catch {
      broken = true;
    }
  };
}

/**
 * Output to `stream`, with a status line when it is a terminal. Lines go out
 * through a {@linkcode ConsoleSink}, so a console that stops reading never
 * stalls the network work; `ifFails` says what happens when writing fails.
 */
export function outputTo(
  stream: Writable & { isTerminal(): boolean },
  lineEnd = LINE_END,
  ifFails?: IfFails,
): Output & { flush(): Promise<void>; sink: ConsoleSink } {
  const sink = new ConsoleSink(stream, ifFails);
  const flush = () => sink.flush();
  const whole = (text: string) => asLines(text, lineEnd);
  if (!stream.isTerminal()) return { line: (text) => sink.write(whole(text)), flush, sink };
  /** Lines of the status line or board on screen now; the last has no line end. */
  let showing = 0;
  // Carriage return and erase the line; for a board, up to its first line and erase to the end.
  const clear = () => {
    if (showing === 1) sink.write("\r\x1b[2K");
    if (showing > 1) sink.write(`\r\x1b[${showing - 1}A\x1b[J`);
    showing = 0;
  };
  const board = (lines: string[]) => {
    if (sink.busy) return; // ephemeral: never queue it behind real lines
    clear();
    showing = lines.length;
    if (showing > 0) sink.write(lines.map(asciiOnly).join(lineEnd));
  };
  return {
    line: (text) => {
      clear();
      sink.write(whole(text));
    },
    status: (text) => board(text === "" ? [] : [text]),
    board,
    flush,
    sink,
  };
}

/** Where a {@linkcode ConsoleSink} writes. */
export interface Writable {
  write(p: Uint8Array): Promise<number>;
}

/** What a {@linkcode ConsoleSink} does when writing to its stream fails. */
export interface IfFails {
  /** Hears the first failure, to say it. */
  tell(error: unknown): void;
  /** Takes the rest of the text (stderr for stdout); when it fails too, the rest is dropped. */
  fallback: Writable;
}

const LF = 0x0a;

/** The most text waiting for a slow console before more is dropped (and counted), by default. */
export const SINK_CAPACITY = 1000;
/** The longest {@linkcode ConsoleSink.flush} waits for a console that does not read. */
const FLUSH_WAIT_MS = 5000;

/**
 * Writes text without blocking the event loop: a console window with a
 * selection in it (Windows QuickEdit) or a pipe nobody reads blocks writes,
 * and with synchronous writes a pong would stop serving. At most
 * {@linkcode ConsoleSink.capacity} pieces wait; past that they are dropped, and the
 * output says how many. A stream that fails (a full disk, a closed pipe) is
 * told to `ifFails`, whose fallback takes the rest; without one the sink falls
 * silent rather than crash the run.
 */
export class ConsoleSink {
  #stream: Writable;
  #ifFails?: IfFails;
  #queue: string[] = [];
  #dropped = 0;
  #pumping?: Promise<void>;
  #broken = false;
  /**
   * The most pieces waiting before more are dropped. Raised where a burst is
   * known and bounded: a fleet's targets ending together, its final table, a report.
   */
  capacity = SINK_CAPACITY;
  /** How a run of dropped lines is told: a text line, or a JSON object in JSON mode. */
  droppedNotice = (count: number) =>
    `... ${count} lines dropped: the console did not keep up${LINE_END}`;

  constructor(stream: Writable, ifFails?: IfFails) {
    this.#stream = stream;
    this.#ifFails = ifFails;
  }

  /** True while earlier text is still being written. */
  get busy(): boolean {
    return this.#pumping !== undefined;
  }

  /** Queues `text` (a whole line with its newline, or a status redraw). */
  write(text: string): void {
    if (this.#broken) return;
    if (this.#queue.length >= this.capacity) {
      this.#dropped++;
      return;
    }
    this.#queue.push(text);
    this.#pumping ??= this.#pump();
  }

  /** Waits (bounded) until everything queued is written. */
  async flush(): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const gaveUp = new Promise<void>((resolve) => timer = setTimeout(resolve, FLUSH_WAIT_MS));
    while (this.#pumping) {
      await Promise.race([
        this.#pumping,
        gaveUp.then(() => this.#broken = true),
      ]);
    }
    clearTimeout(timer);
  }

  /** Called with something queued, so it always awaits a write before it can end. */
  async #pump(): Promise<void> {
    try {
      while (this.#queue.length > 0 && !this.#broken) {
        let text = this.#queue.splice(0).join("");
        if (this.#dropped > 0) {
          text = this.droppedNotice(this.#dropped) + text;
          this.#dropped = 0;
        }
        await this.#put(encoder.encode(text));
      }
    } finally {
      // Idle in the same step as the queue was seen empty: a line queued a moment later (with
      // a `.finally()` there were a few microtasks between) starts a new pump, not no pump.
      this.#pumping = undefined;
    }
  }

  /** Writes `bytes` whole; where the stream fails, the fallback writes them from the cut line on. */
  async #put(bytes: Uint8Array): Promise<void> {
    let done = 0;
    try {
      while (done < bytes.length) done += await this.#stream.write(bytes.subarray(done));
    } catch (error) {
      this.#failed(error);
      // A disk that fills up takes part of a line: the fallback starts that line again, whole.
      const cut = done === 0 ? 0 : bytes.lastIndexOf(LF, done - 1) + 1;
      if (!this.#broken) await this.#put(bytes.subarray(cut));
    }
  }

  /** The stream failed: the fallback takes over, once; if it fails too, the sink falls silent. */
  #failed(error: unknown): void {
    if (!this.#ifFails || this.#stream === this.#ifFails.fallback) {
      this.#broken = true;
      return;
    }
    this.#ifFails.tell(error);
    this.#stream = this.#ifFails.fallback;
  }
}
