/**
 * Windows console QuickEdit: when someone selects text in a console window,
 * the console blocks the process's writes — and a pong left in that window
 * stops answering, which looks exactly like a network fault. OctoPing switches
 * QuickEdit off for its own console at start.
 *
 * @module
 */

const STD_INPUT_HANDLE = -10;
const ENABLE_QUICK_EDIT_MODE = 0x0040;
/** Must be set for a change to ENABLE_QUICK_EDIT_MODE to take effect. */
const ENABLE_EXTENDED_FLAGS = 0x0080;

/** Switches QuickEdit off for this console, on Windows; elsewhere, or without a console, does nothing. */
export function disableQuickEdit(): void {
  if (Deno.build.os !== "windows") return;
  try {
    const kernel32 = Deno.dlopen("kernel32.dll", {
      GetStdHandle: { parameters: ["i32"], result: "pointer" },
      GetConsoleMode: { parameters: ["pointer", "buffer"], result: "i32" },
      SetConsoleMode: { parameters: ["pointer", "u32"], result: "i32" },
    });
    try {
      const input = kernel32.symbols.GetStdHandle(STD_INPUT_HANDLE);
      const mode = new Uint32Array(1);
      if (kernel32.symbols.GetConsoleMode(input, mode) !== 0) {
        kernel32.symbols.SetConsoleMode(
          input,
          (mode[0] & ~ENABLE_QUICK_EDIT_MODE) | ENABLE_EXTENDED_FLAGS,
        );
      }
    } finally {
      kernel32.close();
    }
  } catch {
    // No console (a service, a pipe) or FFI not permitted: there is no QuickEdit to switch off.
  }
}
