/**
 * Pong under load, ping's memory, attempts per second and stalls.
 *
 * @module
 */
import tls from "node:tls";
import {
  background,
  type Figure,
  MB,
  octoping,
  octopingArgs,
  peakRssMB,
  rate,
  rateFigure,
  run,
  type Sizes,
  startPong,
  startServer,
  waitForOutput,
} from "./support.ts";

/** A TLS phase this long or longer is a stall: pong must add no delay of its own. */
const STALL_MS = 30;

/**
 * `clients` TLS clients at once, each uploading `clientMB` in one request
 * line. Returns the aggregate MB/s of the clients answered, and how many
 * were not (closed or reset before pong's answer).
 */
async function loadClients(size: Sizes, port: number) {
  const payload = new Uint8Array(MB).fill(65);
  const one = () =>
    new Promise<boolean>((resolve) => {
      const socket = tls.connect(
        { host: "127.0.0.1", port, rejectUnauthorized: false },
        async () => {
          socket.write(`GET / HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n`);
          for (let i = 0; i < size.clientMB && !socket.destroyed; i++) {
            if (!socket.write(payload)) await new Promise((r) => socket.once("drain", r));
          }
          socket.write("\r\n\r\n");
        },
      );
      let answered = false;
      socket.on("data", () => answered = true);
      socket.on("end", () => {
        socket.destroy();
        resolve(answered);
      });
      socket.on("error", () => resolve(false));
    });
  const started = performance.now();
  const answered = (await Promise.all(Array.from({ length: size.clients }, one)))
    .filter(Boolean).length;
  return {
    rate: rate(answered * size.clientMB * MB, performance.now() - started),
    failed: size.clients - answered,
  };
}

/**
 * Pong under many clients: its aggregate rate and peak memory. No ratio: no
 * baseline here reads a request as pong does (streaming to the blank line);
 * socat needs a helper process per connection, which measured the helper.
 */
export async function concurrentClients(size: Sizes): Promise<Figure[]> {
  const pong = await startPong(["/maxconn=10000"], "piped");
  const output = new Response(pong.stdout()).text();
  const { rate, failed } = await loadClients(size, pong.port);
  const peak = peakRssMB(pong.pid);
  await pong.stop();
  // Pong's own count says why (one handshake is the bench's readiness probe).
  const endedBadly = /^ended badly: .*$/m.exec(await output)?.[0];
  if (failed > 0) console.error(`bench: ${failed} clients not answered; pong: ${endedBadly}`);
  return [
    {
      what: `pong, ${size.clients} TLS clients x ${size.clientMB} MB at once, aggregate`,
      unit: " MB/s",
      ours: rate,
      goal: "",
    },
    { what: "clients not answered under that load", unit: "", ours: failed, goal: "0" },
    { what: "pong's peak RSS under that load", unit: " MB", ours: peak, goal: "< 250 MB" },
  ];
}

/**
 * Ping's peak RSS over `memoryAttempts` attempts at /interval=0 against pong:
 * VmHWM read every 100 ms until ping exits (it only grows; the last read wins).
 */
export async function pingMemoryAttempts(size: Sizes): Promise<Figure> {
  const pong = await startPong();
  const ping = new Deno.Command(Deno.execPath(), {
    args: octopingArgs([
      "ping",
      `/host=127.0.0.1:${pong.port}`,
      `/count=${size.memoryAttempts}`,
      "/interval=0",
    ]),
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  let peak = 0;
  let exited = false;
  const status = ping.status.finally(() => exited = true);
  while (!exited) {
    try {
      peak = peakRssMB(ping.pid);
    } catch { /* exited between the check and the read */ }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (!(await status).success) throw new Error("ping's memory run failed");
  await pong.stop();
  return {
    what: `ping's peak RSS, ${size.memoryAttempts} attempts at /interval=0`,
    unit: " MB",
    ours: peak,
    goal: "< 100 MB",
  };
}

/** Ping's peak RSS over one chunk of `transferMB`, sent, or with `reverse` received. */
export async function pingMemory(size: Sizes, mode: "upload" | "reverse"): Promise<Figure> {
  const reverse = mode === "reverse";
  const pong = await startPong(reverse ? [`/maxsend=${size.transferMB}`] : []);
  const ping = background(
    Deno.execPath(),
    octopingArgs([
      "ping",
      `/host=127.0.0.1:${pong.port}`,
      `/datasize=${size.transferMB}`,
      `/chunksize=${size.transferMB}`,
      "/count=2",
      "/interval=3000",
      ...(reverse ? ["/reverse"] : []),
    ]),
    "piped",
  );
  await waitForOutput(ping.stdout(), /Success!|Failed!/);
  const peak = peakRssMB(ping.pid);
  await ping.stop();
  await pong.stop();
  return {
    what: `ping's peak RSS, one ${size.transferMB} MB chunk${
      reverse ? " received (/reverse)" : ""
    }`,
    unit: " MB",
    ours: peak,
    goal: "< 150 MB",
  };
}

/**
 * New connections per second against the same pong, each a TLS handshake plus
 * `GET /` and its ~10 KB answer: ping at /interval=0 against `openssl s_time
 * -new -www /`. Ping's start-up cancels out ((N - 1) attempts in the difference
 * between N and 1); s_time is timed here, its start-up (~0.05 s in 3 to 5 s) included.
 */
export async function attemptRate(size: Sizes): Promise<Figure> {
  const pong = await startPong();
  const args = (count: number) => [
    "ping",
    `/host=127.0.0.1:${pong.port}`,
    `/count=${count}`,
    "/interval=0",
  ];
  const one = (await octoping(args(1))).ms;
  const many = (await octoping(args(size.attempts))).ms;
  const ours = (size.attempts - 1) / ((many - one) / 1000);
  const sTime = await run("openssl", [
    "s_time",
    "-connect",
    `127.0.0.1:${pong.port}`,
    "-new",
    "-www",
    "/",
    "-time",
    String(size.sTimeSeconds),
  ]);
  await pong.stop();
  const connections = Number(/(\d+) connections in [\d.]+s/.exec(sTime.stdout)?.[1]);
  return rateFigure(
    "attempts/s, /interval=0: new connection, handshake + GET / each",
    "/s",
    [ours, connections / (sTime.ms / 1000)],
    "openssl s_time -new -www /",
    ">= 0.5",
  );
}

/** Attempts (after the first) whose TLS phase took STALL_MS or more, from ping's JSON Lines. */
async function countStalls(size: Sizes, port: number): Promise<number> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: octopingArgs([
      "ping",
      `/host=127.0.0.1:${port}`,
      `/count=${size.stallAttempts + 1}`,
      "/format=json",
    ]),
    stdout: "piped",
    stderr: "null",
  }).output();
  const tlsMs = new TextDecoder().decode(output.stdout).split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line))
    .filter((event) => event.type === "attempt" && event.seq > 1)
    .map((event) => event.phases?.tls)
    .filter((ms) => typeof ms === "number");
  if (tlsMs.length !== size.stallAttempts) {
    throw new Error(`stalls: ${tlsMs.length} of ${size.stallAttempts} attempts had a TLS phase`);
  }
  return tlsMs.filter((ms) => ms >= STALL_MS).length;
}

/** Pong's stalls in the TLS phase at ping's default interval (500 ms), beside `openssl s_server`'s. */
export async function stalls(size: Sizes, dir: string): Promise<Figure> {
  const pong = await startPong();
  const ours = await countStalls(size, pong.port);
  await pong.stop();
  const server = await startServer("openssl", (port) => [
    "s_server",
    "-quiet",
    "-www",
    "-accept",
    `127.0.0.1:${port}`,
    "-cert",
    `${dir}/cert.pem`,
    "-key",
    `${dir}/key.pem`,
  ]);
  const theirs = await countStalls(size, server.port);
  await server.stop();
  return {
    what:
      `TLS phases >= ${STALL_MS} ms in ${size.stallAttempts} attempts after the first, /interval=500`,
    unit: "",
    ours,
    baseline: { name: "openssl s_server", value: theirs },
    goal: "<= 1 in 40",
  };
}
