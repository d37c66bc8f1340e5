/**
 * How soon a one-shot ping answers: `ping /count=1` against pong, whole
 * process, beside a bare `deno run` script that makes one `tls.connect` with a
 * fixed client certificate to the same pong and reads its answer.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { type Figure, octoping, run, startPong } from "./support.ts";
import { median } from "./table.ts";

const ONE_TLS_CONNECT = fileURLToPath(new URL("./one_tls_connect.ts", import.meta.url));

/** Runs of each side, interleaved (ping, bare, ping, bare, ...), so that load hits both alike. */
const RUNS = 10;

/**
 * `ping /count=1` against pong, median of 10 whole processes, against the bare
 * script's median of 10 with the bench's certificate (`cert.pem`, `key.pem` in
 * `dir`) as its client certificate; the ratio is the bare time over ping's.
 */
export async function oneShotPing(dir: string): Promise<Figure> {
  const pong = await startPong();
  const bareArgs = ["run", "-A", "--quiet", ONE_TLS_CONNECT, String(pong.port)];
  bareArgs.push(`${dir}/cert.pem`, `${dir}/key.pem`);
  const ours: number[] = [];
  const theirs: number[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      ours.push((await octoping(["ping", `/host=127.0.0.1:${pong.port}`, "/count=1"])).ms);
      theirs.push((await run(Deno.execPath(), bareArgs)).ms);
    }
  } finally {
    await pong.stop();
  }
  const [pingS, bareS] = [median(ours) / 1000, median(theirs) / 1000];
  return {
    what: "ping /count=1 of pong, whole process, median of 10",
    unit: " s",
    ours: pingS,
    baseline: { name: "bare tls.connect", value: bareS },
    ratio: bareS / pingS,
    goal: ">= 0.5 (within 2x)",
    digits: 2,
  };
}
