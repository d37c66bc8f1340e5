/**
 * check beside sslscan, a fleet of targets, and the exporter beside
 * blackbox_exporter.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import {
  background,
  type Figure,
  octoping,
  octopingArgs,
  peakRssMB,
  rateFigure,
  run,
  type Sizes,
  startPong,
  startServer,
} from "./support.ts";

/**
 * How long `check` of pong takes, whole process (start-up, the exchange, the
 * TLS probe's connections), beside `sslscan` scanning the same pong: both send
 * hand-built hellos for versions, suites and groups.
 */
export async function checkTime(): Promise<Figure> {
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

const FLEET_SERVER = fileURLToPath(new URL("../../tests/support/fleet_server.ts", import.meta.url));

/**
 * `ping /hosts` over many Tentacle-like loopback listeners (one process, the
 * tests' fleet server), 3 attempts each at /interval=0 and the default
 * /parallel: the whole process's time and peak RSS (VmHWM, read as it runs).
 */
export async function fleet(size: Sizes, dir: string): Promise<Figure[]> {
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
export async function exporterRate(size: Sizes, dir: string): Promise<Figure[]> {
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
export function runsHere(command: string): boolean {
  try {
    return new Deno.Command(command, { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}
