/**
 * `deno task bench`: OctoPing's speed and memory on loopback, each figure
 * beside a baseline doing the same work over the same loopback in the same
 * run (a shared machine is noisy; absolute figures drift, same-run ratios hold
 * better). Prints a Markdown table per run and, with `--runs`, the median of
 * every figure with its spread (min-max).
 *
 *   deno task bench              one full run (1 GiB TLS transfers, 4 GiB plain, 200 x 50 MB clients)
 *   deno task bench --runs=3     three full runs: medians and spreads, as docs/performance.md shows
 *   deno task bench --quick      smaller sizes, for a quick look
 *
 * Baselines: socat (OpenSSL and plain TCP, 256 KiB buffers, and a TCP relay
 * in tinyproxy's place), `openssl s_time` and `openssl s_server`. The bench
 * installs nothing; it names what is missing.
 *
 * @module
 */
import tls from "node:tls";
import { fileURLToPath } from "node:url";

// --- Options ---------------------------------------------------------------

/** What `deno task bench` was asked to do. */
interface Options {
  /** Smaller sizes and fewer attempts, for a quick look. */
  quick: boolean;
  /** How many full runs to make; the table shows each figure's median and spread. */
  runs: number;
}

/** Reads `--quick` and `--runs=N` (1 to 9); throws on anything else. */
function parseOptions(args: string[]): Options {
  const options: Options = { quick: false, runs: 1 };
  for (const arg of args) {
    const runs = /^--runs=(\d)$/.exec(arg);
    if (arg === "--quick") options.quick = true;
    else if (runs && Number(runs[1]) >= 1) options.runs = Number(runs[1]);
    else throw new Error(`unknown option ${arg}; use --quick and --runs=N (1 to 9)`);
  }
  return options;
}

const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));
const MB = 1_048_576;
const BUFFER = 256 * 1024;
/** A TLS phase this long or longer is a stall: pong must add no delay of its own. */
const STALL_MS = 30;

/** Sizes for one run: full, or `--quick`. */
function sizes(quick: boolean) {
  return {
    /** Size of each one-chunk transfer. */
    transferMB: quick ? 256 : 1024,
    /** Size of the plain TCP upload: large, so that start-up is a small part of it. */
    tcpTransferMB: quick ? 1024 : 4096,
    /** Attempts at /interval=0 over which ping's peak memory is taken. */
    memoryAttempts: quick ? 1000 : 3000,
    clients: quick ? 50 : 200,
    clientMB: quick ? 20 : 50,
    attempts: quick ? 300 : 1000,
    sTimeSeconds: quick ? 3 : 5,
    /** Attempts counted for stalls, after the first (which pays for start-up). */
    stallAttempts: quick ? 20 : 40,
    /** Targets of the fleet row, each pinged three times. */
    fleetTargets: quick ? 200 : 1000,
    /** Probes asked of the exporter (and of blackbox_exporter), 10 at a time. */
    exporterProbes: quick ? 1000 : 10_000,
  };
}

// --- Processes -------------------------------------------------------------

function missingTools(): string[] {
  return ["socat", "openssl", "sslscan", "tinyproxy"].filter((tool) => {
    try {
      const args = tool === "tinyproxy" ? ["-v"] : ["-V"];
      return !new Deno.Command(tool, { args, stdout: "null", stderr: "null" }).outputSync();
    } catch {
      return true;
    }
  });
}

/** Runs a command to the end; fails on a non-zero exit. Returns its wall time (ms) and stdout. */
async function run(command: string, args: string[]): Promise<{ ms: number; stdout: string }> {
  const started = performance.now();
  const output = await new Deno.Command(command, { args, stdout: "piped", stderr: "piped" })
    .output();
  const ms = performance.now() - started;
  const stdout = new TextDecoder().decode(output.stdout);
  if (!output.success) {
    const stderr = new TextDecoder().decode(output.stderr);
    throw new Error(`${command} ${args.join(" ")} failed:\n${stderr}${stdout}`);
  }
  return { ms, stdout };
}

/** The arguments that make `deno` run OctoPing with `args`. */
const octopingArgs = (args: string[]) => ["run", "-A", "--quiet", MAIN, ...args];

/** `deno run main.ts …`, the whole process: start-up included. */
const octoping = (args: string[]) => run(Deno.execPath(), octopingArgs(args));

/** A background process, with a way to stop it; its output is read only when asked for. */
function background(command: string, args: string[], stdout: "piped" | "null" = "null") {
  const child = new Deno.Command(command, { args, stdin: "null", stdout, stderr: "null" }).spawn();
  return {
    pid: child.pid,
    /** The output, when started with `"piped"`. */
    stdout: () => child.stdout,
    /** Waits for it to end on its own. */
    async ended() {
      await child.status;
    },
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch { /* gone */ }
      await child.status;
    },
  };
}

/** Reads a process's output until `pattern` appears, then keeps draining it so it never blocks. */
async function waitForOutput(stdout: ReadableStream<Uint8Array>, pattern: RegExp): Promise<void> {
  const reader = stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!pattern.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`no ${pattern} in output: ${text}`);
    text += value;
  }
  (async () => {
    while (!(await reader.read()).done);
  })().catch(() => {});
}

/**
 * Starts a server on a free port and waits until it accepts a connection.
 * Pong too: its "listening" line can wait for the next event before it is
 * written (seen with output to a file or pipe), so the bench connects rather than reads.
 */
async function startServer(
  command: string,
  args: (port: number) => string[],
  stdout: "piped" | "null" = "null",
) {
  const port = freePort();
  const server = background(command, args(port), stdout);
  await waitForPort(port);
  return { ...server, port };
}

/** Starts pong on a free port. */
function startPong(extra: string[] = [], stdout: "piped" | "null" = "null") {
  const args = (port: number) =>
    octopingArgs(["pong", `/port=${port}`, "/listen=127.0.0.1", ...extra]);
  return startServer(Deno.execPath(), args, stdout);
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 1500; i++) {
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

// --- Measurements ----------------------------------------------------------

/** One figure of one run: OctoPing's value, and its baseline's from the same run. */
interface Figure {
  what: string;
  /** Shown after each value: " MB/s", "/s", " MB", or "". */
  unit: string;
  ours: number;
  /** The baseline's name and value; absent where no baseline does the same work. */
  baseline?: { name: string; value: number };
  /** OctoPing's rate over the baseline's (> 1: OctoPing is faster); absent where it would mislead. */
  ratio?: number;
  goal: string;
  /** Decimals shown (default 0). */
  digits?: number;
}

/** A rate against a baseline's from the same run, with their ratio. */
function rateFigure(
  what: string,
  unit: string,
  [ours, theirs]: [number, number],
  name: string,
  goal: string,
): Figure {
  return { what, unit, ours, baseline: { name, value: theirs }, ratio: ours / theirs, goal };
}

const rate = (bytes: number, ms: number) => bytes / MB / (ms / 1000);

type Sizes = ReturnType<typeof sizes>;

/** Upload (or with `reverse`, download) one chunk: OctoPing against socat, whole processes. */
async function transfer(size: Sizes, dir: string, mode: "tls" | "tcp" | "reverse") {
  const mb = mode === "tcp" ? size.tcpTransferMB : size.transferMB;
  const bytes = mb * MB;
  // Pong sends nothing back unless /maxsend says how much it may.
  const pong = await startPong(
    mode === "tcp" ? ["/nossl"] : mode === "reverse" ? [`/maxsend=${mb}`] : [],
  );
  const pingArgs = [
    "ping",
    `/host=127.0.0.1:${pong.port}`,
    `/datasize=${mb}`,
    `/chunksize=${mb}`,
    "/count=1",
    ...(mode === "tcp" ? ["/nossl"] : mode === "reverse" ? ["/reverse"] : []),
  ];
  const ours = (await octoping(pingArgs)).ms;
  await pong.stop();

  // Both socat ends read or write the bytes themselves: no `head` in a pipe.
  const zeros = `FILE:/dev/zero,readbytes=${bytes}`;
  const server = await startServer(
    "socat",
    (port) =>
      mode === "tcp"
        ? ["-u", `-b${BUFFER}`, `TCP-LISTEN:${port},reuseaddr,fork`, "OPEN:/dev/null,wronly"]
        : [
          mode === "reverse" ? "-U" : "-u",
          `-b${BUFFER}`,
          `OPENSSL-LISTEN:${port},reuseaddr,fork,cert=${dir}/cert.pem,key=${dir}/key.pem,verify=0`,
          mode === "reverse" ? zeros : "OPEN:/dev/null,wronly",
        ],
  );
  const connect = mode === "tcp"
    ? `TCP:127.0.0.1:${server.port}`
    : `OPENSSL:127.0.0.1:${server.port},verify=0`;
  const theirs = mode === "reverse"
    ? (await run("socat", ["-u", `-b${BUFFER}`, connect, "OPEN:/dev/null,wronly"])).ms
    : (await run("socat", ["-u", `-b${BUFFER}`, zeros, connect])).ms;
  await server.stop();
  const what = {
    tls: `TLS upload, ${mb} MB in one chunk`,
    tcp: `TCP upload (/nossl), ${mb} MB`,
    reverse: `TLS download (/reverse), ${mb} MB`,
  }[mode];
  return rateFigure(
    `${what}, whole process`,
    " MB/s",
    [rate(bytes, ours), rate(bytes, theirs)],
    "socat",
    mode === "tcp" ? ">= 0.8" : ">= 1.0",
  );
}

/**
 * A TLS upload through tinyproxy's CONNECT tunnel (`/proxy`), beside the
 * same upload through a socat TCP relay in the proxy's place: what the
 * proxy's copying costs. For information: the proxy is not OctoPing's.
 */
async function throughProxy(size: Sizes, dir: string): Promise<Figure> {
  const bytes = size.transferMB * MB;
  const pong = await startPong();
  const upload = async (port: number, extra: string[] = []) =>
    (await octoping([
      "ping",
      `/host=127.0.0.1:${port}`,
      `/datasize=${size.transferMB}`,
      `/chunksize=${size.transferMB}`,
      "/count=1",
      ...extra,
    ])).ms;
  const config = `${dir}/tinyproxy.conf`;
  const proxy = await startServer("tinyproxy", (port) => {
    Deno.writeTextFileSync(config, `Port ${port}\nListen 127.0.0.1\nAllow 127.0.0.1\n`);
    return ["-d", "-c", config];
  });
  const ours = await upload(pong.port, [`/proxy=127.0.0.1:${proxy.port}`]);
  await proxy.stop();
  const relay = await startServer("socat", (port) => [
    `-b${BUFFER}`,
    `TCP-LISTEN:${port},reuseaddr,fork`,
    `TCP:127.0.0.1:${pong.port}`,
  ]);
  const theirs = await upload(relay.port);
  await relay.stop();
  await pong.stop();
  return rateFigure(
    `TLS upload through tinyproxy (/proxy), ${size.transferMB} MB in one chunk, whole process`,
    " MB/s",
    [rate(bytes, ours), rate(bytes, theirs)],
    "through a socat TCP relay",
    "",
  );
}

/**
 * Pong's receive path alone: the same socat sender, with the same request
 * (head, `transferMB` of payload, blank line) from a file, to pong and to a
 * socat sink, each started beforehand. The sender waits for the far end to
 * close, so both times end when the last byte was read.
 */
async function receivePath(size: Sizes, dir: string, mode: "tls" | "tcp"): Promise<Figure> {
  const request = `${dir}/request`;
  const bytes = size.transferMB * MB + await writeRequest(request, size.transferMB);
  const send = async (port: number) => {
    const to = mode === "tcp" ? `TCP:127.0.0.1:${port}` : `OPENSSL:127.0.0.1:${port},verify=0`;
    return (await run("socat", [
      `-b${BUFFER}`,
      `OPEN:${request},rdonly!!OPEN:/dev/null,wronly`,
      to,
    ]))
      .ms;
  };
  const pong = await startPong(mode === "tcp" ? ["/nossl"] : []);
  const ours = await send(pong.port);
  await pong.stop();
  const sink = await startServer("socat", (port) => [
    "-u",
    `-b${BUFFER}`,
    mode === "tcp"
      ? `TCP-LISTEN:${port},reuseaddr,fork`
      : `OPENSSL-LISTEN:${port},reuseaddr,fork,cert=${dir}/cert.pem,key=${dir}/key.pem,verify=0`,
    "OPEN:/dev/null,wronly",
  ]);
  const theirs = await send(sink.port);
  await sink.stop();
  await Deno.remove(request);
  return rateFigure(
    `pong's receive path, ${
      mode === "tcp" ? "plain TCP" : "TLS"
    }: socat -> pong, ${size.transferMB} MB`,
    " MB/s",
    [rate(bytes, ours), rate(bytes, theirs)],
    "socat -> socat sink",
    mode === "tcp" ? ">= 0.8" : ">= 1.0",
  );
}

/** Writes a request pong reads to its end: a head, `mb` MB of payload with no LF, a blank line. */
async function writeRequest(path: string, mb: number): Promise<number> {
  const head = new TextEncoder().encode("GET / HTTP/1.1\r\nHost: bench\r\n");
  const tail = new TextEncoder().encode("\r\n\r\n");
  const payload = new Uint8Array(MB).fill(65);
  using file = await Deno.open(path, { write: true, create: true, truncate: true });
  const writeAll = async (bytes: Uint8Array) => {
    for (let done = 0; done < bytes.length;) done += await file.write(bytes.subarray(done));
  };
  await writeAll(head);
  for (let i = 0; i < mb; i++) await writeAll(payload);
  await writeAll(tail);
  return head.length + tail.length;
}

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
async function concurrentClients(size: Sizes): Promise<Figure[]> {
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
async function pingMemoryAttempts(size: Sizes): Promise<Figure> {
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
    goal: "< 150 MB",
  };
}

async function pingMemory(size: Sizes): Promise<Figure> {
  const pong = await startPong();
  const ping = background(
    Deno.execPath(),
    octopingArgs([
      "ping",
      `/host=127.0.0.1:${pong.port}`,
      `/datasize=${size.transferMB}`,
      `/chunksize=${size.transferMB}`,
      "/count=2",
      "/interval=3000",
    ]),
    "piped",
  );
  await waitForOutput(ping.stdout(), /Success!|Failed!/);
  const peak = peakRssMB(ping.pid);
  await ping.stop();
  await pong.stop();
  return {
    what: `ping's peak RSS, one ${size.transferMB} MB chunk`,
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
async function attemptRate(size: Sizes): Promise<Figure> {
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
async function stalls(size: Sizes, dir: string): Promise<Figure> {
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

/**
 * How long `check` of pong takes, whole process (start-up, the exchange, the
 * TLS probe's connections), beside `sslscan` scanning the same pong: both send
 * hand-built hellos for versions, suites and groups.
 */
async function checkTime(): Promise<Figure> {
  const pong = await startPong();
  const ours = (await octoping(["check", `/host=127.0.0.1:${pong.port}`])).ms / 1000;
  const theirs = (await run("sslscan", ["--no-colour", `127.0.0.1:${pong.port}`])).ms / 1000;
  await pong.stop();
  return {
    what: "check of pong, whole process",
    unit: " s",
    ours,
    baseline: { name: "sslscan", value: theirs },
    ratio: theirs / ours,
    goal: "< 5 s",
    digits: 1,
  };
}

const FLEET_SERVER = fileURLToPath(new URL("../tests/support/fleet_server.ts", import.meta.url));

/**
 * `ping /hosts` over many Tentacle-like loopback listeners (one process, the
 * tests' fleet server), 3 attempts each at /interval=0 and the default
 * /parallel: the whole process's time and peak RSS (VmHWM, read as it runs).
 */
async function fleet(size: Sizes, dir: string): Promise<Figure[]> {
  // Its stdin kept open: the server serves until that closes.
  const server = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", FLEET_SERVER, `tentacle=${size.fleetTargets}`],
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const reader = server.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the fleet server said nothing: ${text}`);
    text += value;
  }
  const ports: number[] = JSON.parse(text.split("\n")[0]).tentacle;
  const hosts = `${dir}/fleet-hosts.txt`;
  await Deno.writeTextFile(hosts, ports.map((port, i) => `127.0.0.1:${port} T${i + 1}`).join("\n"));
  const started = performance.now();
  const ping = background(
    Deno.execPath(),
    octopingArgs([
      "ping",
      `/hosts=${hosts}`,
      "/count=3",
      "/interval=0",
    ]),
  );
  let peak = 0;
  const watching = setInterval(() => {
    try {
      peak = Math.max(peak, peakRssMB(ping.pid));
    } catch { /* ended */ }
  }, 50);
  await ping.ended();
  clearInterval(watching);
  const seconds = (performance.now() - started) / 1000;
  await reader.cancel();
  await server.stdin.close();
  await server.status;
  const what = `ping /hosts, ${size.fleetTargets} targets x 3 attempts, whole process`;
  return [
    { what, unit: " s", ours: seconds, goal: "", digits: 1 },
    { what: "ping /hosts's peak RSS over that run", unit: " MB", ours: peak, goal: "< 300 MB" },
  ];
}

/** Probes asked at once: the exporter's default /parallel. */
const PROBES_AT_ONCE = 10;

/** Asks `url` `count` times, `PROBES_AT_ONCE` at a time; probes a second. Fails on any non-200. */
async function probeRate(url: string, count: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: PROBES_AT_ONCE }, async () => {
    while (next++ < count) {
      const response = await fetch(url);
      const body = await response.text();
      if (!response.ok || !body.includes("probe_success 1")) {
        throw new Error(`${url}: HTTP ${response.status}\n${body}`);
      }
    }
  }));
  return count / ((performance.now() - started) / 1000);
}

/**
 * `OctoPing exporter` against one pong, Prometheus's way (HTTP GET /probe, one ping attempt
 * each), beside Debian's blackbox_exporter (tcp with TLS) against the same pong when it is
 * installed; and the exporter's RSS (VmRSS) once every probe is answered.
 */
async function exporterRate(size: Sizes, dir: string): Promise<Figure[]> {
  const pong = await startPong();
  const target = `127.0.0.1:${pong.port}`;
  const exporter = await startServer(
    Deno.execPath(),
    (port) => octopingArgs(["exporter", `/port=${port}`]),
  );
  const ours = await probeRate(
    `http://127.0.0.1:${exporter.port}/probe?target=${target}`,
    size.exporterProbes,
  );
  const status = Deno.readTextFileSync(`/proc/${exporter.pid}/status`);
  const rss = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)![1]) / 1024;
  await exporter.stop();
  let blackbox: number | undefined;
  if (runsHere("prometheus-blackbox-exporter")) {
    await Deno.writeTextFile(
      `${dir}/blackbox.yml`,
      "modules:\n  tls:\n    prober: tcp\n    tcp:\n      tls: true\n" +
        "      tls_config:\n        insecure_skip_verify: true\n",
    );
    const server = await startServer("prometheus-blackbox-exporter", (port) => [
      `--config.file=${dir}/blackbox.yml`,
      `--web.listen-address=127.0.0.1:${port}`,
    ]);
    blackbox = await probeRate(
      `http://127.0.0.1:${server.port}/probe?module=tls&target=${target}`,
      size.exporterProbes,
    );
    await server.stop();
  }
  await pong.stop();
  const what = `exporter probes/s against pong, ${PROBES_AT_ONCE} at a time`;
  return [
    blackbox === undefined
      ? { what: `${what} (no blackbox_exporter here)`, unit: "/s", ours, goal: "" }
      : rateFigure(what, "/s", [ours, blackbox], "blackbox_exporter tcp+tls", ""),
    {
      what: `exporter RSS after ${size.exporterProbes.toLocaleString("en-US")} probes`,
      unit: " MB",
      ours: rss,
      goal: "",
    },
  ];
}

/** Whether `command --version` runs here. */
function runsHere(command: string): boolean {
  try {
    return new Deno.Command(command, { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

/** One full run: every measurement once, in a fixed order. */
async function benchRun(size: Sizes, dir: string): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const mode of ["tls", "tcp", "reverse"] as const) {
    figures.push(await transfer(size, dir, mode));
  }
  figures.push(await throughProxy(size, dir));
  for (const mode of ["tcp", "tls"] as const) {
    figures.push(await receivePath(size, dir, mode));
  }
  figures.push(...await concurrentClients(size));
  figures.push(await pingMemory(size));
  figures.push(await pingMemoryAttempts(size));
  figures.push(await attemptRate(size));
  figures.push(await stalls(size, dir));
  figures.push(await checkTime());
  figures.push(...await fleet(size, dir));
  figures.push(...await exporterRate(size, dir));
  return figures;
}

// --- Table -----------------------------------------------------------------

/** The median of `values`, and with more than one, their spread: `938 MB/s (884-990)`. */
function summarize(values: number[], unit = "", digits = 0): string {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  const median = sorted.length % 2
    ? sorted[Math.floor(middle)]
    : (sorted[middle - 1] + sorted[middle]) / 2;
  const text = `${median.toFixed(digits)}${unit}`;
  if (sorted.length === 1) return text;
  return `${text} (${sorted[0].toFixed(digits)}-${sorted.at(-1)!.toFixed(digits)})`;
}

/** A Markdown table of the runs given: each figure's median and spread over them. */
function table(runs: Figure[][]): string {
  const header = ["measure", "OctoPing", "baseline", "ratio", "goal"];
  const cells = runs[0].map((first, i) => {
    const each = runs.map((figures) => figures[i]);
    const baseline = first.baseline &&
      `${first.baseline.name} ${
        summarize(each.map((f) => f.baseline!.value), first.unit, first.digits)
      }`;
    const ratio = first.ratio !== undefined && summarize(each.map((f) => f.ratio!), "", 2);
    return [
      first.what,
      summarize(each.map((f) => f.ours), first.unit, first.digits),
      baseline || "",
      ratio || "",
      first.goal,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (cols: string[]) => `| ${cols.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  return [header, widths.map((w) => "-".repeat(w)), ...cells].map(line).join("\n");
}

async function main(): Promise<void> {
  let options: Options;
  try {
    options = parseOptions(Deno.args);
  } catch (error) {
    console.error(`bench: ${(error as Error).message}`);
    Deno.exit(2);
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
  const size = sizes(options.quick);
  const dir = await Deno.makeTempDir();
  try {
    // RSA 2048 with SHA-256, as a Tentacle's certificate.
    await run("openssl", [
      ..."req -x509 -newkey rsa:2048 -sha256 -nodes -days 2 -subj /CN=bench".split(" "),
      ...["-keyout", `${dir}/key.pem`, "-out", `${dir}/cert.pem`],
    ]);
    console.log(
      `OctoPing bench on ${navigator.hardwareConcurrency} cores, Deno ${Deno.version.deno}${
        options.quick ? " (--quick)" : ""
      }; ratios > 1 mean OctoPing is faster`,
    );
    const runs: Figure[][] = [];
    for (let i = 1; i <= options.runs; i++) {
      runs.push(await benchRun(size, dir));
      console.log(`\nrun ${i} of ${options.runs}, ${new Date().toISOString()}:\n`);
      console.log(table([runs.at(-1)!]));
    }
    if (options.runs > 1) {
      console.log(`\nmedian of ${options.runs} runs (min-max):\n`);
      console.log(table(runs));
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

await main();
