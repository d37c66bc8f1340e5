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
import type { CheckEvent, CheckResult } from "../check/result.ts";
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
  const { host, port } = result.target;
  const target = `${host.includes(":") ? `[${host}]` : host}:${port}`;
  const who = SUBJECTS[result.about];
  const deciding = (code: string) =>
    printable(result.findings.find((f) => f.code === code)?.message ?? code, FINDING_MAX);
  const conclusion = result.conclusion;
  switch (conclusion.kind) {
    case "stopped":
      return "Check stopped before the end (Ctrl+C): no verdict";
    case "not-as-asked":
      return `OctoPing could not check ${target} as asked: ${deciding(conclusion.code)}`;
    case "unreliable":
      return `${capitalised(who)} cannot connect reliably to ${target} (${conclusion.working} of ` +
        `${conclusion.addresses} addresses work): ${deciding(conclusion.code)}`;
    case "some-platforms": {
      const { cannot, can, message } = result.platforms!;
      const names = (list: readonly OctopusPlatform[]) =>
        listed(list.map((p) => PLATFORM_NAMES[p]));
      return `${capitalised(names(cannot))} cannot connect to ${target} (${names(can)} can): ` +
        printable(message, FINDING_MAX);
    }
    case "plain-path":
      return `${capitalised(who)} to ${target} ${conclusion.works ? "works" : "does not work"} ` +
        "(/nossl)" +
        (conclusion.code !== null
          ? `: ${deciding(conclusion.code)}`
          : ": this says nothing of Octopus, which always uses TLS; check without /nossl for that");
    case "cannot-connect":
      return `${capitalised(who)} cannot connect to ${target}: ${deciding(conclusion.code)}`;
    case "can-connect":
      return `${capitalised(who)} should be able to connect to ${target}` +
        (conclusion.warnings > 0 ? ` (${plural(conclusion.warnings, "warning")} above)` : "");
  }
}
