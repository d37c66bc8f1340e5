/**
 * Running `OctoPing check` in JSON against loopback servers, and reading its
 * `check` object: shared by the tests of check's verdicts.
 *
 * @module
 */
import assert from "node:assert/strict";
import { SUITES, TLS_VERSIONS } from "../../src/net/tls_probe/suites.ts";
import { which } from "./daemons.ts";
import { type Finished, runOctoPing } from "./helpers.ts";
import { type CertificateSpec, selfSigned, sServer } from "./openssl.ts";
import { sslscan, type SslscanReport } from "./sslscan.ts";

/** The peers the openssl-backed check tests need. */
export const PEERS = {
  what: "openssl and sslscan",
  here: !!which("openssl") && !!which("sslscan"),
};

/** A finding as JSON has it. */
export interface JsonFinding {
  level: string;
  code: string;
  message: string;
  hint: string;
}

/** The `check` object of a JSON run. */
export function checkObject(run: Finished) {
  const objects = run.stdout.trim().split("\n").map((line) => JSON.parse(line));
  assert.deepEqual(objects.map((o) => o.type), ["start", "check"], run.stdout + run.stderr);
  return objects[1];
}

/** The codes of the findings at `level`, in order. */
export function codes(findings: JsonFinding[], level: string): string[] {
  return findings.filter((f) => f.level === level).map((f) => f.code);
}

/** `check` in JSON against 127.0.0.1 at `port`. */
export async function checkJson(port: number, ...extra: string[]) {
  const run = await runOctoPing([
    "check",
    "/host=127.0.0.1",
    `/port=${port}`,
    "/format=json",
    ...extra,
  ]);
  return { run, check: checkObject(run) };
}

/**
 * Checks `openssl s_server -www` with `options` (and a certificate as `spec`
 * says), and scans it with sslscan: the versions check finds are exactly
 * sslscan's, and every suite it reports accepted is among sslscan's. With
 * `text`, check also runs as text, for its lines.
 */
export async function checkOpenssl(
  options: string[],
  spec: CertificateSpec = {},
  { text = false } = {},
): Promise<
  { run: Finished; check: ReturnType<typeof checkObject>; scan: SslscanReport; text?: Finished }
> {
  const dir = await Deno.makeTempDir();
  try {
    const { cert, key } = await selfSigned(dir, "checked", spec);
    const server = await sServer(cert, key, ["-www", ...options]);
    try {
      const result = await checkJson(server.port);
      const scan = await sslscan(server.port);
      const lines = text
        ? await runOctoPing(["check", `/host=127.0.0.1:${server.port}`])
        : undefined;
      const tls = result.check.addresses[0].tls;
      assert.deepEqual(TLS_VERSIONS.filter((v) => tls.versions[v]), scan.versions);
      for (const version of TLS_VERSIONS) {
        for (const name of tls.suites[version] ?? []) {
          const id = SUITES.find((s) => s.iana === name)!.id;
          assert.ok(
            scan.suites.has(`${version} ${id}`),
            `sslscan does not list ${version} ${name}`,
          );
        }
      }
      return { ...result, scan, text: lines };
    } finally {
      await server.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
