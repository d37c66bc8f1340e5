/**
 * Why a TLS handshake failed, in the server's own terms. This tool's TLS
 * (rustls) speaks only TLS 1.2+ with AEAD suites, so against an old server it
 * can only say "no common ground"; the probe, which speaks any version with
 * hand-built hellos, says what the server does speak: `the server speaks only
 * TLS 1.0 with TLS_RSA_WITH_AES_256_CBC_SHA (AES256-SHA)`, or `the server's
 * certificate ... has a 1024-bit RSA key`, with Octopus's own hint.
 *
 * @module
 */
import type { HttpProxy } from "../net/proxy_url.ts";
import { certificateFindings, probeFindings } from "../net/tls_probe/octopus.ts";
import { probeTls } from "../net/tls_probe/probe.ts";

/** The longest the probe may take, all its connections together. */
export const HANDSHAKE_PROBE_MS = 10_000;

/** What replaces a failed handshake's diagnosis: what the server speaks, and what to do. */
export interface HandshakeExplanation {
  summary: string;
  hint: string;
}

/** The findings that explain a failed handshake; others (warnings) do not. */
const EXPLAINING = new Set(["no-modern-tls", "weak-key"]);

/**
 * Probes the server at `address` (through `proxy`, the name it resolves) and
 * `port` and returns the first finding that explains why a handshake fails,
 * if one does. Never rejects.
 */
export async function explainHandshake(
  address: string,
  port: number,
  servername: string,
  timeoutMs: number,
  signal: AbortSignal,
  proxy?: HttpProxy,
): Promise<HandshakeExplanation | undefined> {
  const probe = await probeTls(address, port, {
    servername,
    timeoutMs: Math.min(timeoutMs, HANDSHAKE_PROBE_MS),
    signal: AbortSignal.any([signal, AbortSignal.timeout(HANDSHAKE_PROBE_MS)]),
    proxy,
  });
  const findings = [
    ...probeFindings(probe, "the server"),
    ...(probe.certificate
      ? certificateFindings(probe.certificate, new Date(), "the server's")
      : []),
  ];
  const found = findings.find((f) => f.level === "blocking" && EXPLAINING.has(f.code));
  return found && { summary: found.message, hint: found.hint };
}
