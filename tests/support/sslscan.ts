/**
 * sslscan (Debian package `sslscan`) as a second opinion on a TLS server:
 * what it reports in its XML output, for tests to cross-check the probe with.
 *
 * @module
 */
import assert from "node:assert/strict";
import { runTool } from "./helpers.ts";

/** What sslscan found on one server. */
export interface SslscanReport {
  /** The TLS versions it found enabled: `TLSv1.0` ... `TLSv1.3`. */
  versions: string[];
  /** The suites it found accepted, as `TLSv1.2 49199` (version and suite number). */
  suites: Set<string>;
  /** The groups it found accepted (any version), by number. */
  groups: Set<number>;
  /** The certificate's signature algorithm (OpenSSL's name), key type and size. */
  certificate: { signatureAlgorithm: string; keyType: string; keyBits: number } | null;
}

/** Runs `sslscan --xml=-` against 127.0.0.1 at `port` and reads its report. */
export async function sslscan(port: number): Promise<SslscanReport> {
  const run = await runTool("sslscan", ["--no-colour", "--xml=-", `127.0.0.1:${port}`]);
  assert.equal(run.code, 0, `sslscan: ${run.stderr}`);
  const xml = run.stdout;
  const attributes = (tag: string) =>
    [...xml.matchAll(new RegExp(`<${tag} ([^>]*)/>`, "g"))].map((match) =>
      Object.fromEntries([...match[1].matchAll(/(\S+)="([^"]*)"/g)].map(([, k, v]) => [k, v]))
    );
  assert.match(xml, /<protocol type="tls"/, `sslscan did not reach the server:\n${xml}`);
  const key = attributes("pk")[0];
  const signature = /<signature-algorithm>([^<]+)</.exec(xml)?.[1];
  return {
    versions: attributes("protocol")
      .filter((p) => p.type === "tls" && p.enabled === "1")
      .map((p) => `TLSv${p.version}`),
    suites: new Set(attributes("cipher").map((c) => `${c.sslversion} ${Number(c.id)}`)),
    groups: new Set(attributes("group").map((g) => Number(g.id))),
    certificate: key && signature
      ? { signatureAlgorithm: signature, keyType: key.type, keyBits: Number(key.bits) }
      : null,
  };
}
