/**
 * A finding: one thing `check` found about a Tentacle, judged by what Octopus
 * does with it. Shared by the check engine, the TLS probe's judge and ping
 * (which words a failed handshake with the probe's findings); it imports
 * nothing, so any part can use it.
 *
 * @module
 */

/** How a finding weighs: `blocking` means Octopus cannot connect (or not every time). */
export type FindingLevel = "ok" | "warning" | "blocking";

/** One finding, with a stable code for scripts and the words for people. */
export interface Finding {
  level: FindingLevel;
  /** Stable, documented in docs/check.md: `no-modern-tls`, `weak-key`, ... */
  code: string;
  /** What was found, e.g. `127.0.0.1 speaks only TLS 1.0 (TLS_RSA_WITH_AES_256_CBC_SHA)`. */
  message: string;
  /** What it means for Octopus and what to do; empty when there is nothing to do. */
  hint: string;
}

/** The verdict of a list of findings: its worst level. */
export function verdictOf(findings: readonly Finding[]): FindingLevel {
  if (findings.some((f) => f.level === "blocking")) return "blocking";
  return findings.some((f) => f.level === "warning") ? "warning" : "ok";
}
