/**
 * The table that ends `check /hosts=<file>`: a row per target, blocking
 * first, then warnings; and the line naming the targets Octopus cannot reach.
 *
 * ```
 * target  answering/resolved  TLS       verdict   first blocking finding
 * db01                   0/1  -         blocking  tcp-refused: ...
 * web01                  2/2  1.2, 1.3  ok        -
 * ```
 *
 * @module
 */
import type { CheckResult } from "../check/result.ts";
import type { TargetCheck } from "../fleet/check_fleet.ts";
import { columns } from "./fleet_table.ts";
import { formatCount, plural } from "../format.ts";
import { printable } from "../printable.ts";

const CHECK_COLUMNS = ["target", "answering/resolved", "TLS", "verdict", "first blocking finding"];
/** A finding in the table is cut here; the lines above the table hold it whole. */
const FINDING_MAX = 100;
const RANK = { blocking: 0, warning: 1, ok: 2 } as const;

/** Blocking first, then warnings, then ok, then targets the run stopped before; then by name. */
export function worstCheckFirst(a: TargetCheck, b: TargetCheck): number {
  return rank(a) - rank(b) || a.target.name.localeCompare(b.target.name);
}

function rank({ result }: TargetCheck): number {
  return result?.verdict ? RANK[result.verdict] : 3;
}

/** The table of `checks`, already in order. */
export function checkTableLines(checks: readonly TargetCheck[]): string[] {
  return columns(
    CHECK_COLUMNS,
    checks.map(({ target, result }) => {
      if (!result?.verdict) {
        return [target.name, "-", "-", "not checked", "the run was stopped first"];
      }
      const blocking = result.findings.find((finding) => finding.level === "blocking");
      return [
        target.name,
        `${formatCount(answering(result))}/${formatCount(resolved(result))}`,
        versions(result),
        result.verdict,
        blocking ? printable(`${blocking.code}: ${blocking.message}`, FINDING_MAX) : "-",
      ];
    }),
    [2, 3], // TLS versions and the verdict are words
  );
}

/**
 * The addresses that answered: the exchange got an answer, or the probe saw a
 * TLS version accepted. A port that accepts and never speaks does not count.
 */
function answering(result: CheckResult): number {
  return result.addresses.filter(({ exchange, tls }) =>
    exchange?.ok || Object.values(tls?.versions ?? {}).some((yes) => yes)
  ).length;
}

function resolved(result: CheckResult): number {
  return Math.max(result.lookup.addresses.length, result.addresses.length);
}

/** The TLS versions any address accepted, oldest first: `1.2, 1.3`; `-` for none. */
function versions(result: CheckResult): string {
  const seen = new Set<string>();
  for (const { tls } of result.addresses) {
    for (const [version, yes] of Object.entries(tls?.versions ?? {})) {
      if (yes) seen.add(version.replace(/^TLSv/, ""));
    }
  }
  return seen.size === 0 ? "-" : [...seen].sort().join(", ");
}

/** The run's last line: the targets whose verdict blocks, or that none does. */
export function blockingLine(checks: readonly TargetCheck[]): string {
  const blocking = checks.filter(({ result }) => result?.verdict === "blocking");
  const unchecked = checks.filter(({ result }) => !result?.verdict).length;
  const notChecked = unchecked > 0 ? ` (${plural(unchecked, "target")} not checked)` : "";
  // With /nossl every target's verdict is about the plain TCP path, never about Octopus.
  const plain = checks.some(({ result }) => result?.about === "plain-tcp");
  if (blocking.length === 0) {
    const warnings = checks.filter(({ result }) => result?.verdict === "warning").length;
    return `no target blocks: ${
      plain ? "the plain TCP path works to" : "Octopus should be able to connect to"
    } ${plural(checks.length - unchecked, "target")}${
      warnings > 0 ? ` (${formatCount(warnings)} with warnings)` : ""
    }${notChecked}`;
  }
  return `blocking: ${blocking.map(({ target }) => printable(target.name)).join(", ")} - ` +
    `${plain ? "the plain TCP path fails to" : "Octopus cannot connect to"} ` +
    `${formatCount(blocking.length)} of ` +
    `${plural(checks.length, "target")}${notChecked}`;
}
