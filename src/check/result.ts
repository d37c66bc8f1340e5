/**
 * What `check` finds, as typed results the check engine emits and reporters
 * read: per address, the TCP connection, what the TLS probe found, the full
 * exchange and the trust test; for the target, its findings and verdict.
 * What could not be measured is null.
 *
 * @module
 */
import type { CheckOptions, Target } from "../options/options.ts";
import type { Finding, FindingLevel } from "../finding.ts";
import type { TlsProbe } from "../net/tls_probe/probe.ts";
import type { PlatformVerdict } from "../net/tls_probe/octopus.ts";
import type { Cause } from "../connection/failure.ts";

/** The TCP connection to one address. */
export interface TcpCheck {
  ok: boolean;
  /** Time to connect; null when it failed. */
  ms: number | null;
  /** Why it failed, as ping names causes; null when it worked. */
  cause: Cause | null;
}

/** The full exchange with one address, as ping makes it. */
export interface ExchangeCheck {
  ok: boolean;
  /** Who answered, in words; null when nothing did. */
  peer: string | null;
  /** Why it failed; null when it worked. */
  cause: Cause | null;
  /** The failure in words; null when it worked. */
  message: string | null;
}

/** Whether the Tentacle trusts the certificate given with `/clientcert`. */
export interface TrustCheck {
  /** The test ran: a certificate was given and a Tentacle (or Octopus Server) answered. */
  tested: boolean;
  /** It identified itself (trusted), or hung up (not); null when not tested or unclear. */
  trusted: boolean | null;
  /** SHA-1 of the certificate tested; null when none was given. */
  thumbprint: string | null;
}

/** Everything checked at one address. */
export interface AddressCheck {
  /** The IP address; null where none was reached by address. */
  address: string | null;
  tcp: TcpCheck;
  /** The probe's findings; null with `/nossl`, or when TCP failed. */
  tls: TlsProbe | null;
  /** Null when TCP failed. */
  exchange: ExchangeCheck | null;
  trust: TrustCheck;
}

/** The outcome of checking one target. */
export interface CheckResult {
  type: "check";
  time: Date;
  target: Target;
  /** The name's lookup: the addresses in the system's order, and how long it took (null for an IP). */
  lookup: { addresses: string[]; ms: number | null };
  addresses: AddressCheck[];
  findings: Finding[];
  /** The worst finding's level; null when the check was stopped before the end. */
  verdict: FindingLevel | null;
  /** Stopped before the end (Ctrl+C): what was not reached is left out. */
  interrupted: boolean;
  /**
   * Whose connection the verdict is about: Octopus's; with /subscription this
   * polling Tentacle's; with /nossl only the plain TCP path, since Octopus
   * always uses TLS.
   */
  about: "octopus" | "polling-tentacle" | "plain-tcp";
  /**
   * Where what blocks (or, with nothing blocking, what warns) stops only some
   * Octopus Servers: which platforms cannot connect and which can; else null.
   */
  platforms: PlatformVerdict | null;
  /** What the verdict line says, decided with the verdict: reporters only word it. */
  conclusion: CheckConclusion;
  /** What the check did not do and why, with how to do it (`the trust test was not run: ...`). */
  notes: string[];
}

/**
 * The verdict's sentence, as a decision: stopped; could not check as asked;
 * blocked on some addresses while others work (Octopus fails on whichever it
 * picks); blocked on some Octopus Servers' platforms only (`platforms` says
 * which); with /nossl, whether the plain path works; blocked; or able to
 * connect. `code` names the finding that decides.
 */
export type CheckConclusion =
  | { kind: "stopped" }
  | { kind: "not-as-asked"; code: string }
  | { kind: "unreliable"; code: string; working: number; addresses: number }
  | { kind: "some-platforms"; code: string }
  | { kind: "plain-path"; works: boolean; code: string | null }
  | { kind: "cannot-connect"; code: string }
  | { kind: "can-connect"; warnings: number };

/** The conclusion of a finished (or stopped) check, from its findings and addresses. */
export function conclude(
  result: Pick<CheckResult, "interrupted" | "findings" | "addresses" | "platforms" | "about">,
): CheckConclusion {
  if (result.interrupted) return { kind: "stopped" };
  const first = result.findings.find((f) => f.level === "blocking");
  if (first && AS_ASKED_CODES.has(first.code)) return { kind: "not-as-asked", code: first.code };
  const working = result.addresses.filter((a) => a.exchange?.ok).length;
  const addresses = result.addresses.length;
  if (first && working > 0 && working < addresses) {
    return { kind: "unreliable", code: first.code, working, addresses };
  }
  if (result.platforms) return { kind: "some-platforms", code: result.platforms.code };
  if (result.about === "plain-tcp") {
    return { kind: "plain-path", works: !first, code: first?.code ?? null };
  }
  if (first) return { kind: "cannot-connect", code: first.code };
  const warnings = result.findings.filter((f) => f.level === "warning").length;
  return { kind: "can-connect", warnings };
}

/**
 * Blocking findings about how OctoPing was asked to check (`/nossl` against a
 * TLS port, `/ipv6` for a name with only IPv4 addresses), not about what
 * Octopus would do: the verdict says the check could not run as asked.
 */
export const AS_ASKED_CODES: ReadonlySet<string> = new Set([
  "nossl-on-tls",
  "no-address-in-family",
]);

/** What the check engine reports as it runs. */
export type CheckEvent =
  | {
    type: "start";
    time: Date;
    options: CheckOptions;
    /** SHA-1 of the client certificate presented; absent without TLS. */
    clientThumbprint?: string;
  }
  /** Each finding as soon as it is known. */
  | { type: "finding"; finding: Finding }
  /** Each note as soon as it is known. */
  | { type: "note"; message: string }
  /** The whole result, last. */
  | { type: "check"; result: CheckResult };
