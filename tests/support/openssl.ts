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

/** How `openssl req` makes a test certificate. */
export interface CertificateSpec {
  /** `-newkey`'s argument: `rsa:1024`, `ec`, `ed25519`, ... (default `rsa:2048`). */
  newkey?: string;
  /** `-pkeyopt` options for the key, e.g. `ec_paramgen_curve:P-256`. */
  keyOptions?: string[];
  /** The signature's digest: `sha1`, `md5`, ... (default: OpenSSL's, SHA-256). */
  digest?: string;
  /** `-sigopt` options for the signature, e.g. `rsa_padding_mode:pss`. */
  signatureOptions?: string[];
  /** The subject, UTF-8 allowed (default `/CN=<name>`). */
  subject?: string;
}

/** A self-signed certificate for `/CN=<name>` in `dir` (RSA 2048 unless `spec` says so). */
export async function selfSigned(
  dir: string,
  name: string,
  { newkey = "rsa:2048", keyOptions = [], digest, signatureOptions = [], subject = `/CN=${name}` }:
    CertificateSpec = {},
): Promise<{ cert: string; key: string }> {
  const [cert, key] = [`${dir}/${name}.pem`, `${dir}/${name}.key`];
  await openssl([
    "req",
    "-x509",
    "-newkey",
    newkey,
    ...keyOptions.flatMap((option) => ["-pkeyopt", option]),
    ...(digest ? [`-${digest}`] : []),
    ...signatureOptions.flatMap((option) => ["-sigopt", option]),
    "-nodes",
    "-utf8",
    "-keyout",
    key,
    "-out",
    cert,
    "-days",
    "2",
    "-subj",
    subject,
  ]);
  return { cert, key };
}

/** A running `openssl s_server`, stopped by `stop()` or its scope's end. */
export interface SServer extends AsyncDisposable {
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
  const stop = async () => {
    server.kill("SIGTERM");
    await server.status;
    await lines.rest().catch(() => {});
  };
  return { port, stop, [Symbol.asyncDispose]: stop };
}
