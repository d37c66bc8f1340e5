/**
 * The text reporter for check: one line per finding, marked as it weighs,
 * with what to do indented below, and a verdict last.
 *
 * ```
 * Checking MyServer port 10933 (each step waits at most 5 s)
 * [ OK ] MyServer resolves to 10.0.0.5 (2 ms)
 * [ OK ] 10.0.0.5 accepts connections on port 10933 (0.4 ms)
 * [FAIL] 10.0.0.5 speaks only TLS 1.0 (TLS_RSA_WITH_AES_256_CBC_SHA (AES256-SHA))
 *        Octopus needs TLS 1.2 or later with its suites and cannot connect: enable ...
 * Octopus cannot connect to MyServer:10933: 10.0.0.5 speaks only TLS 1.0 (...)
 * ```
 *
 * @module
 */
import { AS_ASKED_CODES, type CheckEvent, type CheckResult } from "../check/result.ts";
import type { FindingLevel } from "../finding.ts";
import type { LineWriter, Style } from "../output/console.ts";
import { capitalised, formatValue, listed, plural } from "../format.ts";
import { printable } from "../printable.ts";
import { type OctopusPlatform, PLATFORM_NAMES } from "../net/tls_probe/octopus.ts";

/** Each level's mark, all six characters wide. */
const MARKS: Record<FindingLevel, string> = {
  ok: "[ OK ]",
  warning: "[WARN]",
  blocking: "[FAIL]",
};

/** Below a finding: as wide as its mark and a space. */
const INDENT = " ".repeat(7);

/** Findings quote peers (a certificate's subject, a server's answer): long, but never unbounded. */
const FINDING_MAX = 600;

/** Makes a reporter that writes check's events as text lines. */
export function checkTextReporter(write: LineWriter, style: Style): (event: CheckEvent) => void {
  return (event) => {
    switch (event.type) {
      case "start": {
        const { target, timeoutMs, noSsl, proxy } = event.options;
        write(
          `Checking ${target.host} port ${target.port}${noSsl ? " without TLS (/nossl)" : ""} ` +
            (proxy ? `through the proxy ${printable(proxy.url)} ` : "") +
            `(each step waits at most ${formatValue(timeoutMs / 1000)} s)`,
        );
        break;
      }
      case "finding": {
        const { level, message, hint } = event.finding;
        const mark = level === "ok"
          ? style.good(MARKS.ok)
          : level === "blocking"
          ? style.bad(MARKS.blocking)
          : MARKS.warning;
        write(`${mark} ${printable(message, FINDING_MAX)}`);
        if (hint) write(INDENT + printable(hint, FINDING_MAX));
        break;
      }
      case "note":
        write(`Note: ${printable(event.message, FINDING_MAX)}`);
        break;
      case "check":
        write(verdictLine(event.result));
        break;
    }
  };
}

/** Who the verdict speaks of, as its subject. */
const SUBJECTS: Record<CheckResult["about"], string> = {
  octopus: "Octopus",
  "polling-tentacle": "this polling Tentacle",
  "plain-tcp": "the plain TCP path",
};

/**
 * The verdict in one line: whether Octopus (with /subscription the polling
 * Tentacle) can connect, and if not, the first reason; where that depends on
 * the Octopus Server's platform, which can and which cannot; with /nossl, only
 * whether the plain TCP path works. Or that the check was stopped, or could
 * not run as asked.
 */
export function verdictLine(result: CheckResult): string {
  if (result.interrupted) return "Check stopped before the end (Ctrl+C): no verdict";
  const { host, port } = result.target;
  const target = `${host.includes(":") ? `[${host}]` : host}:${port}`;
  const first = result.findings.find((f) => f.level === "blocking");
  if (first && AS_ASKED_CODES.has(first.code)) {
    return `OctoPing could not check ${target} as asked: ${printable(first.message, FINDING_MAX)}`;
  }
  const who = SUBJECTS[result.about];
  const working = result.addresses.filter((a) => a.exchange?.ok).length;
  if (first && working > 0 && working < result.addresses.length) {
    // Some addresses work: Octopus fails on whichever of the others it picks.
    return `${capitalised(who)} cannot connect reliably to ${target} (${working} of ` +
      `${result.addresses.length} addresses work): ${printable(first.message, FINDING_MAX)}`;
  }
  const { platforms } = result;
  if (platforms) {
    const names = (list: readonly OctopusPlatform[]) => listed(list.map((p) => PLATFORM_NAMES[p]));
    return `${capitalised(names(platforms.cannot))} cannot connect to ${target} (` +
      `${names(platforms.can)} can): ${printable(platforms.message, FINDING_MAX)}`;
  }
  if (result.about === "plain-tcp") {
    return `${capitalised(who)} to ${target} ${first ? "does not work" : "works"} (/nossl)` +
      (first ? `: ${printable(first.message, FINDING_MAX)}` : ": this says nothing of Octopus, " +
        "which always uses TLS; check without /nossl for that");
  }
  if (first) {
    return `${capitalised(who)} cannot connect to ${target}: ${
      printable(first.message, FINDING_MAX)
    }`;
  }
  const warnings = result.findings.filter((f) => f.level === "warning").length;
  return `${capitalised(who)} should be able to connect to ${target}` +
    (warnings > 0 ? ` (${plural(warnings, "warning")} above)` : "");
}
