/**
 * Pong's memory over many back-to-back attempts: pong is left running on a
 * server for days, so its RSS after thousands of connections must stay small
 * and flat.
 *
 * @module
 */
import { type Figure, octopingArgs, type Sizes, startPong } from "./support.ts";

/** Pong's resident memory now (VmRSS), in MB. */
export function rssMB(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)![1]) / 1024;
}

/**
 * Pong's RSS after `pongAttempts - 1000` and after `pongAttempts` attempts of
 * one ping at /interval=0 (its JSON Lines give the count as it goes): the
 * first under a ceiling, the difference under 10 MB (no growth).
 */
export async function pongMemory(size: Sizes): Promise<Figure[]> {
  const total = size.pongAttempts;
  const early = total - 1000;
  const pong = await startPong();
  const ping = new Deno.Command(Deno.execPath(), {
    args: octopingArgs([
      "ping",
      `/host=127.0.0.1:${pong.port}`,
      `/count=${total}`,
      "/interval=0",
      "/format=json",
    ]),
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  let atEarly = 0;
  let partial = "";
  for await (const chunk of ping.stdout.pipeThrough(new TextDecoderStream())) {
    const lines = (partial + chunk).split("\n");
    partial = lines.pop()!;
    for (const line of lines) {
      if (atEarly || !line.startsWith('{"type":"attempt"')) continue;
      if (JSON.parse(line).seq >= early) atEarly = rssMB(pong.pid);
    }
  }
  if (!(await ping.status).success) throw new Error("pong's memory run: ping failed");
  const atEnd = rssMB(pong.pid);
  await pong.stop();
  return [
    {
      what: `pong's RSS after ${total} attempts at /interval=0`,
      unit: " MB",
      ours: atEnd,
      goal: "< 120 MB",
    },
    {
      what: `pong's RSS growth from attempt ${early} to ${total}`,
      unit: " MB",
      ours: atEnd - atEarly,
      goal: "< 10 MB",
    },
  ];
}
