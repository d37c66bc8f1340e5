/**
 * Real peers this project did not write, run as background processes on
 * loopback for one test: started, waited for until their port accepts, and
 * stopped.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { type PythonServer, pythonServer } from "./servers.ts";

/** Where `name` is on this machine, if it is there. */
export function which(name: string): string | undefined {
  for (const dir of ["/usr/sbin", "/usr/bin", "/usr/local/bin", "/bin", "/sbin"]) {
    try {
      if (Deno.statSync(`${dir}/${name}`).isFile) return `${dir}/${name}`;
    } catch { /* not here */ }
  }
}

/** A running peer process. */
export interface Daemon {
  /** Stops it (SIGTERM) and waits for it to go. */
  stop(): Promise<void>;
}

/** How long a peer may take to start listening. */
const START_WAIT_MS = 20_000;

/** Starts `command` with `args` and waits until each of `ports` on 127.0.0.1 accepts. */
export async function startDaemon(
  command: string,
  args: string[],
  ports: number[],
): Promise<Daemon> {
  const child = new Deno.Command(command, {
    args,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch { /* gone */ }
    await child.status;
    await stderr;
  };
  try {
    for (const port of ports) await waitForPort(port, child.status);
  } catch (error) {
    await stop();
    throw new Error(`${command} did not start: ${(error as Error).message}\n${await stderr}`);
  }
  return { stop };
}

async function waitForPort(port: number, exited: Promise<Deno.CommandStatus>): Promise<void> {
  let gone = false;
  exited.then(() => gone = true);
  const deadline = Date.now() + START_WAIT_MS;
  while (Date.now() < deadline && !gone) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(gone ? "it exited" : `port ${port} did not accept within ${START_WAIT_MS} ms`);
}

/** tests/faults.py, a TCP server that misbehaves as `mode` says. */
const FAULTS = fileURLToPath(new URL("./faults.py", import.meta.url));

/** Starts tests/faults.py in `mode`; returns its port and a way to stop it. */
export function fault(mode: string): Promise<PythonServer> {
  return pythonServer(FAULTS, mode);
}
