/**
 * Real peers this project did not write, run as background processes on
 * loopback for one test: started, waited for until their port accepts, and
 * stopped.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { freePort } from "./helpers.ts";
import { selfSigned } from "./openssl.ts";
import { type PythonServer, pythonServer } from "./servers.ts";

/** Where `name` is on this machine, if it is there. */
export function which(name: string): string | undefined {
  for (const dir of ["/usr/sbin", "/usr/bin", "/usr/local/bin", "/bin", "/sbin"]) {
    try {
      if (Deno.statSync(`${dir}/${name}`).isFile) return `${dir}/${name}`;
    } catch { /* not here */ }
  }
}

/** A running peer process, stopped when its scope ends (`await using`) or by `stop()`. */
export interface Daemon extends AsyncDisposable {
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
  return { stop, [Symbol.asyncDispose]: stop };
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

/** tests/support/relay.py, a TCP relay to 127.0.0.1:`port` that slows, stalls, cuts or resets. */
const RELAY = fileURLToPath(new URL("./relay.py", import.meta.url));

/**
 * A relay to `port` with the faults `faults` names (`rate=51200`, `stall=150000`, ...): see
 * tests/support/relay.py.
 */
export function relay(port: number, ...faults: string[]): Promise<PythonServer> {
  return pythonServer(RELAY, String(port), ...faults);
}

/** A proxy started for one test, on 127.0.0.1. */
export interface ProxyDaemon extends Daemon {
  port: number;
}

/** Starts `command` with a config file that `config(port)` writes, in a directory of its own. */
async function startProxy(
  command: string,
  args: (file: string) => string[],
  config: (port: number, dir: string) => string[],
): Promise<ProxyDaemon> {
  const dir = await Deno.makeTempDir({ prefix: "octoping-proxy-" });
  await Deno.chmod(dir, 0o777); // squid started as root works as its own user
  const port = freePort();
  const file = `${dir}/proxy.conf`;
  await Deno.writeTextFile(file, config(port, dir).join("\n") + "\n");
  return inOwnDir(dir, port, () => startDaemon(which(command) ?? command, args(file), [port]));
}

/**
 * A daemon on `port` whose files live in `dir`: the directory goes when the
 * daemon stops, or at once when it fails to start.
 */
async function inOwnDir(
  dir: string,
  port: number,
  start: () => Promise<Daemon>,
): Promise<ProxyDaemon> {
  let daemon: Daemon;
  try {
    daemon = await start();
  } catch (error) {
    await Deno.remove(dir, { recursive: true });
    throw error;
  }
  const stop = async () => {
    await daemon.stop();
    await Deno.remove(dir, { recursive: true });
  };
  return { port, stop, [Symbol.asyncDispose]: stop };
}

/**
 * haproxy ending TLS in front of 127.0.0.1:`backend` (SSL offloading), in TCP mode, with a
 * certificate of its own: what a TLS-terminating load balancer does.
 */
export async function tlsOffloader(backend: number): Promise<ProxyDaemon> {
  const dir = await Deno.makeTempDir({ prefix: "octoping-haproxy-" });
  const { cert, key } = await selfSigned(dir, "offload");
  await Deno.writeTextFile(
    `${dir}/both.pem`,
    await Deno.readTextFile(cert) + await Deno.readTextFile(key),
  );
  const port = freePort();
  await Deno.writeTextFile(
    `${dir}/haproxy.cfg`,
    `defaults
  mode tcp
  timeout connect 5s
  timeout client 30s
  timeout server 30s
frontend tls
  bind 127.0.0.1:${port} ssl crt ${dir}/both.pem
  default_backend server
backend server
  server server 127.0.0.1:${backend}
`,
  );
  return inOwnDir(
    dir,
    port,
    () => startDaemon(which("haproxy") ?? "haproxy", ["-f", `${dir}/haproxy.cfg`, "-db"], [port]),
  );
}

/**
 * Debian's tinyproxy on loopback, in the foreground, with `extra` config
 * lines (`BasicAuth user password`, `ConnectPort 443`). Without a
 * `ConnectPort` line it tunnels to any port.
 */
export function tinyproxy(extra: string[] = []): Promise<ProxyDaemon> {
  return startProxy("tinyproxy", (file) => ["-d", "-c", file], (port) => [
    `Port ${port}`,
    "Listen 127.0.0.1",
    "Timeout 60",
    "MaxClients 100",
    "Allow 127.0.0.1",
    "LogLevel Warning",
    ...extra,
  ]);
}

/** Debian's squid on loopback, in the foreground, tunnelling to any port, caching nothing. */
export function squid(): Promise<ProxyDaemon> {
  return startProxy("squid", (file) => ["-N", "-f", file], (port, dir) => [
    `http_port 127.0.0.1:${port}`,
    "acl local src 127.0.0.1/32",
    "http_access allow local",
    "http_access deny all",
    `pid_filename ${dir}/squid.pid`,
    "cache_log /dev/stderr",
    "access_log none",
    "cache deny all",
    "pinger_enable off",
    `coredump_dir ${dir}`,
    "shutdown_lifetime 0 seconds",
  ]);
}

/**
 * mitmproxy's `mitmdump` on loopback, intercepting TLS with its own CA (made
 * in a directory of its own): in front of one server with `mode`
 * (`reverse:https://127.0.0.1:<port>`), or as an HTTP proxy without.
 */
export async function mitmdump(mode?: string): Promise<ProxyDaemon> {
  const dir = await Deno.makeTempDir({ prefix: "octoping-mitm-" });
  const port = freePort();
  return inOwnDir(dir, port, () =>
    startDaemon(which("mitmdump") ?? "mitmdump", [
      "--set",
      `confdir=${dir}`,
      ...(mode ? ["--mode", mode] : []),
      "--listen-host",
      "127.0.0.1",
      "-p",
      String(port),
      "--ssl-insecure",
      "-q",
    ], [port]));
}
