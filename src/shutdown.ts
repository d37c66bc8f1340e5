/**
 * Stopping a run the way people do: Ctrl+C, Ctrl+Break on Windows, SIGTERM
 * from a service manager, or Enter in pong's console window.
 *
 * @module
 */

/**
 * Ctrl+C everywhere; Ctrl+Break on Windows; SIGTERM from service managers.
 * Windows supports only some signals, and which depends on the Deno release:
 * each is added under a guard, so one missing never stops the run.
 */
const SIGNALS: Deno.Signal[] = Deno.build.os === "windows"
  ? ["SIGINT", "SIGBREAK", "SIGTERM"]
  : ["SIGINT", "SIGTERM"];

/** A signal that aborts on the first stop request; a second one quits at once. */
export interface Stopper {
  signal: AbortSignal;
  /** Stops listening for signals. */
  dispose(): void;
}

/**
 * Listens for Ctrl+C (SIGINT), SIGTERM and, on Windows, Ctrl+Break (SIGBREAK).
 * A second one exits at once with the code `exitCode` gives at that moment.
 */
export function stopOnSignals(exitCode: () => number): Stopper {
  const controller = new AbortController();
  const handler = () => {
    if (controller.signal.aborted) Deno.exit(exitCode());
    controller.abort(new DOMException("stopped by the user", "AbortError"));
  };
  const added: Deno.Signal[] = [];
  for (const signal of SIGNALS) {
    try {
      Deno.addSignalListener(signal, handler);
      added.push(signal);
    } catch {
      // Not every signal exists on every OS and Deno release; one missing must not stop the run.
    }
  }
  return {
    signal: controller.signal,
    dispose() {
      for (const signal of added) Deno.removeSignalListener(signal, handler);
    },
  };
}

/**
 * Resolves when Enter is pressed on a console. Never resolves when stdin is not
 * a terminal (a service, `nohup`, `</dev/null`): then only a signal stops pong.
 */
export async function enterPressed(): Promise<void> {
  if (!Deno.stdin.isTerminal()) return await new Promise<never>(() => {});
  const buffer = new Uint8Array(256);
  for (;;) {
    const n = await Deno.stdin.read(buffer);
    if (n === null) return await new Promise<never>(() => {});
    if (buffer.subarray(0, n).includes(10) || buffer.subarray(0, n).includes(13)) return;
  }
}
