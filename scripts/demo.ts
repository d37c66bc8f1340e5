/**
 * `deno task demo`: OctoPing's main job on an embedded default. Starts a pong
 * on a free loopback port, pings it five times, then stops the pong. Exits
 * with ping's exit code.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { V8_FLAGS } from "./build.ts";

const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));
const BANNER_WAIT_MS = 30_000;

function octoping(args: string[], stdout: "piped" | "inherit"): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    // The machine's name and OS release go into each run's header, as in the built executable.
    args: [
      "run",
      "--allow-net",
      "--allow-sys=hostname,osRelease",
      ...V8_FLAGS,
      "--quiet",
      MAIN,
      ...args,
    ],
    stdin: "null",
    stdout,
    stderr: "inherit",
  }).spawn();
}

/** Reads pong's output until its banner names the port; echoes what it reads. */
async function portFromBanner(stream: ReadableStream<Uint8Array>): Promise<number> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error("pong ended before it was listening");
    text += value;
    const port = /listening on port (\d+).*\n/.exec(text);
    if (port) {
      console.log(`[pong] ${port[0].trim()}`);
      reader.releaseLock();
      stream.cancel().catch(() => {}); // pong's per-connection lines are not part of the demo
      return Number(port[1]);
    }
  }
}

const pong = octoping(["pong", "/port=0", "/listen=127.0.0.1"], "piped");
let code = 1;
try {
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error("pong did not start in time")), BANNER_WAIT_MS)
  );
  const port = await Promise.race([portFromBanner(pong.stdout), timeout]);
  const ping = octoping(["ping", `/host=127.0.0.1`, `/port=${port}`, "/count=5"], "inherit");
  code = (await ping.status).code;
} catch (error) {
  console.error(`demo: ${(error as Error).message}`);
} finally {
  pong.kill("SIGTERM");
  await pong.status;
}
Deno.exit(code);
