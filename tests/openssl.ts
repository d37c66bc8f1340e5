/**
 * OpenSSL as a peer this project did not write: certificates made with
 * `openssl req`, and `openssl s_server` as a ping target.
 *
 * @module
 */
import assert from "node:assert/strict";
import { type Finished, freePort, Lines, runTool } from "./helpers.ts";

/** Runs `openssl` (or another tool) to the end with `stdin` as its input. */
export function tool(name: string, args: string[], stdin = ""): Promise<Finished> {
  return runTool(name, args, { stdin });
}

/** Runs `openssl args`, failing the test if it fails. */
export async function openssl(args: string[]): Promise<string> {
  const run = await tool("openssl", args);
  assert.equal(run.code, 0, `openssl ${args.join(" ")}: ${run.stderr}`);
  return run.stdout;
}

/** A self-signed RSA certificate for `/CN=<name>` in `dir`: returns the cert and key paths. */
export async function selfSigned(
  dir: string,
  name: string,
): Promise<{ cert: string; key: string }> {
  const [cert, key] = [`${dir}/${name}.pem`, `${dir}/${name}.key`];
  await openssl([
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    key,
    "-out",
    cert,
    "-days",
    "2",
    "-subj",
    `/CN=${name}`,
  ]);
  return { cert, key };
}

/** A running `openssl s_server`. */
export interface SServer {
  port: number;
  stop(): Promise<void>;
}

/** Starts `openssl s_server` with `cert`, `key` and `extra` options on a free port, once it accepts. */
export async function sServer(cert: string, key: string, extra: string[]): Promise<SServer> {
  const port = freePort();
  const server = new Deno.Command("openssl", {
    args: ["s_server", "-accept", `127.0.0.1:${port}`, "-cert", cert, "-key", key, ...extra],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const lines = new Lines(server.stdout);
  await lines.waitFor(/^ACCEPT/);
  return {
    port,
    async stop() {
      server.kill("SIGTERM");
      await server.status;
      await lines.rest().catch(() => {});
    },
  };
}
