/**
 * `deno task bench`: OctoPing's speed and memory on loopback, each figure
 * beside a baseline moved over the same loopback in the same run (this
 * machine is noisy; absolute times drift, ratios hold). Prints a table.
 *
 *   deno task bench            full run (1 GiB transfers, 200 x 50 MB clients)
 *   deno task bench --quick    smaller sizes, for a quick look
 *
 * Baselines: socat (OpenSSL and plain TCP, 256 KiB buffers) and
 * `openssl s_time -new`. The bench installs nothing; it names what is missing.
 *
 * @module
 */
import tls from "node:tls";
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));
const MB = 1_048_576;
const QUICK = Deno.args.includes("--quick");
/** Size of each one-chunk transfer. */
const TRANSFER_MB = QUICK ? 256 : 1024;
const CLIENTS = QUICK ? 50 : 200;
const CLIENT_MB = QUICK ? 20 : 50;
const ATTEMPTS = QUICK ? 300 : 1000;
const RUNS = QUICK ? 1 : 3;
const BUFFER = 256 * 1024;

interface Row {
  what: string;
  octoping: string;
  baseline: string;
  ratio?: number;
  goal: string;
}

function missingTools(): string[] {
  return ["socat", "openssl"].filter((tool) => {
    try {
      return !new Deno.Command(tool, { args: ["-V"], stdout: "null", stderr: "null" }).outputSync();
    } catch {
      return true;
    }
  });
}

/** Median of `runs` timings of `fn`, in ms. */
async function median(fn: () => Promise<number>, runs = RUNS): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await fn());
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

/** Wall time of a command run to the end, in ms; fails on a non-zero exit. */
async function timed(command: string, args: string[]): Promise<number> {
  const started = performance.now();
  const output = await new Deno.Command(command, { args, stdout: "null", stderr: "piped" })
    .output();
  const ms = performance.now() - started;
  if (!output.success) {
    throw new Error(
      `${command} ${args.join(" ")} failed: ${new TextDecoder().decode(output.stderr)}`,
    );
  }
  return ms;
}

const octoping = (args: string[]) =>
  timed(Deno.execPath(), ["run", "-A", "--quiet", MAIN, ...args]);
const shell = (script: string) => timed("bash", ["-c", script]);

/** A background process, with a way to stop it. */
function background(
  command: string,
  args: string[],
): { stop(): Promise<void>; pid: number; stdout: ReadableStream<Uint8Array> } {
  const child = new Deno.Command(command, { args, stdin: "null", stdout: "piped", stderr: "null" })
    .spawn();
  return {
    pid: child.pid,
    stdout: child.stdout,
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch { /* gone */ }
      await child.status;
    },
  };
}

/** Starts pong on a free port; returns its port and process. */
async function startPong(extra: string[] = []) {
  const pong = background(Deno.execPath(), [
    "run",
    "-A",
    "--quiet",
    MAIN,
    "pong",
    "/port=0",
    "/listen=127.0.0.1",
    ...extra,
  ]);
  const reader = pong.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!/port (\d+)/.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error("pong did not start");
    text += value;
  }
  // Keep draining pong's output so it never waits on a full pipe.
  (async () => {
    while (!(await reader.read()).done);
  })().catch(() => {});
  return { ...pong, port: Number(/port (\d+)/.exec(text)![1]) };
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 500; i++) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  throw new Error(`nothing listened on port ${port}`);
}

function peakRssMB(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(/^VmHWM:\s+(\d+) kB$/m.exec(status)![1]) / 1024;
}

const rate = (bytes: number, ms: number) => bytes / MB / (ms / 1000);
const mbps = (value: number) => `${value.toFixed(0)} MB/s`;

/** Upload (or with `reverse`, download) TRANSFER_MB in one chunk: OctoPing vs socat. */
async function transfer(dir: string, mode: "tls" | "tcp" | "reverse"): Promise<Row> {
  const bytes = TRANSFER_MB * MB;
  // Pong sends nothing back unless /maxsend says how much it may.
  const pong = await startPong(
    mode === "tcp" ? ["/nossl"] : mode === "reverse" ? [`/maxsend=${TRANSFER_MB}`] : [],
  );
  const pingArgs = [
    "ping",
    `/host=127.0.0.1:${pong.port}`,
    `/datasize=${TRANSFER_MB}`,
    `/chunksize=${TRANSFER_MB}`,
    "/count=1",
  ];
  if (mode === "tcp") pingArgs.push("/nossl");
  if (mode === "reverse") pingArgs.push("/reverse");
  const ours = await median(() => octoping(pingArgs));
  await pong.stop();

  const port = freePort();
  const tlsListen =
    `OPENSSL-LISTEN:${port},reuseaddr,fork,cert=${dir}/cert.pem,key=${dir}/key.pem,verify=0`;
  const tlsConnect = `OPENSSL:127.0.0.1:${port},verify=0`;
  const listen = mode === "tcp" ? `TCP-LISTEN:${port},reuseaddr,fork` : tlsListen;
  const connect = mode === "tcp" ? `TCP:127.0.0.1:${port}` : tlsConnect;
  const source = `head -c ${bytes} /dev/zero`;
  const server = mode === "reverse"
    ? background("socat", ["-U", `-b${BUFFER}`, listen, `SYSTEM:${source}`])
    : background("socat", ["-u", `-b${BUFFER}`, listen, "OPEN:/dev/null,wronly"]);
  await waitForPort(port);
  const theirs = await median(() =>
    mode === "reverse"
      ? shell(`socat -u -b${BUFFER} ${connect} - > /dev/null`)
      : shell(`${source} | socat -u -b${BUFFER} - ${connect}`)
  );
  await server.stop();
  const what = {
    tls: `TLS upload, ${TRANSFER_MB} MB in one chunk`,
    tcp: `TCP upload (/nossl), ${TRANSFER_MB} MB`,
    reverse: `TLS download (/reverse), ${TRANSFER_MB} MB`,
  }[mode];
  return {
    what,
    octoping: `${mbps(rate(bytes, ours))} (${(ours / 1000).toFixed(2)} s)`,
    baseline: `socat ${mbps(rate(bytes, theirs))} (${(theirs / 1000).toFixed(2)} s)`,
    ratio: theirs / ours,
    goal: mode === "tcp" ? ">= 0.8" : ">= 1.0",
  };
}

/** CLIENTS TLS clients at once, each uploading CLIENT_MB in one request; aggregate MB/s. */
async function loadClients(port: number): Promise<number> {
  const payload = new Uint8Array(MB).fill(65);
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const socket = tls.connect(
        { host: "127.0.0.1", port, rejectUnauthorized: false },
        async () => {
          socket.write(`GET / HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n`);
          for (let i = 0; i < CLIENT_MB; i++) {
            if (!socket.write(payload)) await new Promise((r) => socket.once("drain", r));
          }
          socket.write("\r\n\r\n");
        },
      );
      socket.on("data", () => {});
      socket.on("end", () => {
        socket.destroy();
        resolve();
      });
      socket.on("error", reject);
    });
  const started = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, one));
  return rate(CLIENTS * CLIENT_MB * MB, performance.now() - started);
}

async function concurrentClients(dir: string): Promise<Row[]> {
  const pong = await startPong(["/maxconn=10000"]);
  const ours = await loadClients(pong.port);
  const pongPeak = peakRssMB(pong.pid);
  await pong.stop();
  // socat answers nothing: this baseline server reads the request, answers and closes.
  const port = freePort();
  const reply = `${dir}/reply.sh`;
  await Deno.writeTextFile(
    reply,
    `#!/bin/sh\nsed -n '/^\\r\\{0,1\\}$/q' >/dev/null; printf 'HTTP/1.0 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok'\n`,
  );
  await Deno.chmod(reply, 0o755);
  const server = background("socat", [
    `-b${BUFFER}`,
    `OPENSSL-LISTEN:${port},reuseaddr,fork,backlog=512,cert=${dir}/cert.pem,key=${dir}/key.pem,verify=0`,
    `EXEC:${reply}`,
  ]);
  await waitForPort(port);
  const theirs = await loadClients(port);
  await server.stop();
  return [
    {
      what: `pong, ${CLIENTS} TLS clients x ${CLIENT_MB} MB at once`,
      octoping: mbps(ours),
      baseline: `socat fork + sed ${mbps(theirs)}`,
      ratio: ours / theirs,
      goal: "(aggregate)",
    },
    {
      what: "pong's peak RSS under that load",
      octoping: `${pongPeak.toFixed(0)} MB`,
      baseline: "",
      goal: "< 250 MB",
    },
  ];
}

async function pingMemory(): Promise<Row> {
  const pong = await startPong();
  const ping = background(Deno.execPath(), [
    "run",
    "-A",
    "--quiet",
    MAIN,
    "ping",
    `/host=127.0.0.1:${pong.port}`,
    `/datasize=${TRANSFER_MB}`,
    `/chunksize=${TRANSFER_MB}`,
    "/count=2",
    "/interval=3000",
  ]);
  const reader = ping.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("Success!") && !text.includes("Failed!")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  const peak = peakRssMB(ping.pid);
  await ping.stop();
  await pong.stop();
  return {
    what: `ping's peak RSS, one ${TRANSFER_MB} MB chunk`,
    octoping: `${peak.toFixed(0)} MB`,
    baseline: "",
    goal: "< 150 MB",
  };
}

async function attemptRate(): Promise<Row> {
  const pong = await startPong();
  const args = (
    count: number,
  ) => ["ping", `/host=127.0.0.1:${pong.port}`, `/count=${count}`, "/interval=0"];
  // Start-up cancels out: (N - 1) attempts in the difference between N and 1.
  const one = await median(() => octoping(args(1)));
  const many = await median(() => octoping(args(ATTEMPTS)));
  const ours = (ATTEMPTS - 1) / ((many - one) / 1000);
  const output = await new Deno.Command("openssl", {
    args: ["s_time", "-connect", `127.0.0.1:${pong.port}`, "-new", "-time", QUICK ? "3" : "5"],
    stdout: "piped",
    stderr: "null",
  }).output();
  await pong.stop();
  const text = new TextDecoder().decode(output.stdout);
  const match = /(\d+) connections in (\d+) real seconds/.exec(text);
  const theirs = match ? Number(match[1]) / Number(match[2]) : NaN;
  return {
    what: "attempts per second, /interval=0, new connection each",
    octoping: `${ours.toFixed(0)}/s`,
    baseline: `openssl s_time -new ${theirs.toFixed(0)}/s`,
    ratio: ours / theirs,
    goal: ">= 0.5",
  };
}

function print(rows: Row[]): void {
  const header = ["measure", "OctoPing", "baseline", "ratio", "goal"];
  const cells = rows.map((
    row,
  ) => [
    row.what,
    row.octoping,
    row.baseline,
    row.ratio === undefined ? "" : row.ratio.toFixed(2),
    row.goal,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (cols: string[]) => `| ${cols.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  console.log(line(header));
  console.log(line(widths.map((w) => "-".repeat(w))));
  for (const row of cells) console.log(line(row));
}

const missing = missingTools();
if (missing.length > 0) {
  console.error(
    `bench: missing ${missing.join(" and ")}; install with: apt-get install -y ${
      missing.join(" ")
    }`,
  );
  Deno.exit(1);
}
const dir = await Deno.makeTempDir();
try {
  await timed("openssl", [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-keyout",
    `${dir}/key.pem`,
    "-out",
    `${dir}/cert.pem`,
    "-days",
    "2",
    "-subj",
    "/CN=bench",
  ]);
  console.log(
    `OctoPing bench on ${navigator.hardwareConcurrency} cores, Deno ${Deno.version.deno}${
      QUICK ? " (--quick)" : ""
    }; ratios > 1 mean OctoPing is faster`,
  );
  const rows: Row[] = [];
  for (const mode of ["tls", "tcp", "reverse"] as const) rows.push(await transfer(dir, mode));
  rows.push(...await concurrentClients(dir));
  rows.push(await pingMemory());
  rows.push(await attemptRate());
  print(rows);
} finally {
  await Deno.remove(dir, { recursive: true });
}
