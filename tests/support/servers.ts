/**
 * Small servers of the tests' own, each behaving in one particular way a real
 * peer might, on 127.0.0.1.
 *
 * @module
 */
import { createSelfSignedCertificate } from "../../src/net/certificate.ts";
import { Lines } from "./helpers.ts";

/** A test server: its port, and how to stop it (or its scope's end, with `await using`). */
export interface TestServer extends AsyncDisposable {
  port: number;
  close(): Promise<void>;
}

type Handler = (conn: Deno.Conn) => Promise<void>;

/**
 * Serves every connection with `handler` on a free loopback port, TLS or
 * plain; with TLS, its certificate is for `CN=<commonName>` (pong's name unless given).
 */
export async function serveWith(
  handler: Handler,
  tls = false,
  commonName?: string,
): Promise<TestServer> {
  const certificate = tls ? await createSelfSignedCertificate(commonName) : undefined;
  const listener = certificate
    ? Deno.listenTls({
      hostname: "127.0.0.1",
      port: 0,
      cert: certificate.certPem,
      key: certificate.keyPem,
    })
    : Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.Conn>();
  const handlers = new Set<Promise<void>>();
  const loop = (async () => {
    for await (const conn of listener) {
      conns.add(conn);
      const handled = handler(conn).catch(() => {}).finally(() => conns.delete(conn));
      handlers.add(handled);
    }
  })().catch(() => {});
  const close = async () => {
    listener.close();
    for (const conn of conns) {
      try {
        conn.close();
      } catch { /* closed already */ }
    }
    await Promise.all([loop, ...handlers]);
  };
  return { port: (listener.addr as Deno.NetAddr).port, close, [Symbol.asyncDispose]: close };
}

/**
 * Reads until the request's blank line, or until `limit` bytes, whichever is first;
 * with `pauseMs`, pausing that long after each read of at most 64 KiB (a slow line).
 */
export async function readRequest(conn: Deno.Conn, limit = Infinity, pauseMs = 0): Promise<number> {
  const buffer = new Uint8Array(64 * 1024);
  let total = 0;
  let tail = "";
  while (total < limit) {
    if (total > 0 && pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    const n = await conn.read(buffer.subarray(0, Math.min(buffer.length, limit - total)));
    if (n === null) break;
    total += n;
    tail = (tail + new TextDecoder().decode(buffer.subarray(Math.max(0, n - 4), n))).slice(-4);
    if (tail === "\r\n\r\n") break;
  }
  return total;
}

/** Writes all of `text`. */
export async function writeText(conn: Deno.Conn, text: string): Promise<void> {
  await writeAll(conn, new TextEncoder().encode(text));
}

/** Keeps the connection open, reading and dropping whatever comes, until the peer or the test closes it. */
export async function holdOpen(conn: Deno.Conn): Promise<void> {
  const buffer = new Uint8Array(64 * 1024);
  while (await conn.read(buffer) !== null);
}

/**
 * A relay to `port` on 127.0.0.1 that loses one byte: byte number `drop`
 * (from 0) of what each client sends. What comes back is passed on whole.
 */
export function lossyRelay(port: number, drop: number): Promise<TestServer> {
  return serveWith(async (client) => {
    const server = await Deno.connect({ hostname: "127.0.0.1", port });
    const toServer = async () => {
      const buffer = new Uint8Array(64 * 1024);
      let offset = 0;
      for (let n = await client.read(buffer); n !== null; n = await client.read(buffer)) {
        const at = drop - offset;
        offset += n;
        if (at < 0 || at >= n) await writeAll(server, buffer.subarray(0, n));
        else {
          await writeAll(server, buffer.subarray(0, at));
          await writeAll(server, buffer.subarray(at + 1, n));
        }
      }
    };
    const toClient = async () => {
      const buffer = new Uint8Array(64 * 1024);
      for (let n = await server.read(buffer); n !== null; n = await server.read(buffer)) {
        await writeAll(client, buffer.subarray(0, n));
      }
    };
    try {
      // Whichever side ends first ends the relay: pong closes after its answer.
      await Promise.race([toServer(), toClient()]);
    } finally {
      server.close();
      client.close();
    }
  });
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let done = 0; done < bytes.length;) done += await conn.write(bytes.subarray(done));
}

/** A test server written in Python: its port, and how to stop it (or `await using`). */
export interface PythonServer extends AsyncDisposable {
  port: number;
  stop(): Promise<void>;
}

/** Starts `python3 script ...args`, which prints its port on its first line. */
export async function pythonServer(script: string, ...args: string[]): Promise<PythonServer> {
  const child = new Deno.Command("python3", {
    args: [script, ...args],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = new Lines(child.stdout);
  const port = Number(await lines.waitFor(/^\d+$/));
  const stop = async () => {
    await child.stdin.close().catch(() => {});
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
    await child.status;
    await lines.rest().catch(() => {});
  };
  return { port, stop, [Symbol.asyncDispose]: stop };
}

/** A listener that accepts and never says a word: the connections it holds, and how to stop it. */
export interface SilentListener extends AsyncDisposable {
  port: number;
  /** Every connection accepted so far, held open. */
  held: Deno.Conn[];
  close(): Promise<void>;
}

/** Listens on `hostname` at `port` (0: a free one), accepting every connection and answering none. */
export function silentListener(hostname = "127.0.0.1", port = 0): SilentListener {
  const listener = Deno.listen({ hostname, port });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) held.push(conn);
  })().catch(() => {});
  const close = async () => {
    listener.close();
    await accepting;
    for (const conn of held) {
      try {
        conn.close();
      } catch { /* closed already */ }
    }
  };
  return { port: (listener.addr as Deno.NetAddr).port, held, close, [Symbol.asyncDispose]: close };
}

/** Resolves once `silent` holds `count` connections (check them with `bounded`). */
export async function untilHeld(silent: SilentListener, count = 1): Promise<void> {
  while (silent.held.length < count) await new Promise((resolve) => setTimeout(resolve, 50));
}
