/**
 * What Octopus makes of what a server speaks: the TLS probe's findings and a
 * certificate's, judged by Octopus's minimum TLS requirements (TLS 1.2 with
 * ECDHE-RSA-AES128-GCM-SHA256 or ECDHE-RSA-AES256-GCM-SHA384, or TLS 1.3; the
 * P-256 curve; SHA-256 signatures) and by what a Tentacle always does (ask for
 * a client certificate). `check` lists these findings; ping words a failed
 * handshake with the blocking ones.
 *
 * @module
 */
import type { Finding } from "../../finding.ts";
import { listed } from "../../format.ts";
import {
  type CertificateJudgement,
  day,
  judgeCertificate,
  type JudgedCertificate,
  MIN_RSA_BITS,
  NOT_REQUESTED_HINT,
} from "../certificate_policy.ts";
import type { ProbedCertificate, TlsProbe } from "./probe.ts";
import {
  IANA_TO_OPENSSL,
  OCTOPUS_TLS12_SUITES,
  OCTOPUS_TLS13_SUITES,
  TLS_VERSIONS,
  type TlsVersion,
} from "./suites.ts";

/** Where Octopus's requirements are written down, for hints. */
const TLS_DOCS =
  "Octopus's docs: 'Minimum TLS requirements' and 'Troubleshooting Schannel and TLS'";

const ENABLE_TLS12 = "enable TLS 1.2 with ECDHE-RSA-AES128-GCM-SHA256 or " +
  "ECDHE-RSA-AES256-GCM-SHA384 on the Tentacle's machine (on Windows: the SCHANNEL registry " +
  "keys or IIS Crypto, then a restart), then check again";

/** `TLS 1.2` for `TLSv1.2`. */
export function versionLabel(version: TlsVersion): string {
  return version.replace("TLSv", "TLS ");
}

/** `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (ECDHE-RSA-AES128-GCM-SHA256)`: both names. */
export function suiteLabel(iana: string): string {
  const openssl = IANA_TO_OPENSSL.get(iana);
  return openssl && openssl !== iana ? `${iana} (${openssl})` : iana;
}

/** Whether the probe saw a suite Octopus accepts: TLS 1.2 with its two, or any of TLS 1.3's. */
export function speaksOctopusTls(probe: TlsProbe): boolean {
  const tls12 = probe.suites["TLSv1.2"] ?? [];
  const tls13 = probe.suites["TLSv1.3"] ?? [];
  return OCTOPUS_TLS12_SUITES.some((s) => tls12.includes(s.iana)) ||
    OCTOPUS_TLS13_SUITES.some((s) => tls13.includes(s.iana));
}

/**
 * The probe's findings for the server `where` names (`10.0.0.5`, `the server`):
 * versions and suites, curves, whether it asked for a client certificate.
 * Nothing for what the probe could not measure.
 */
export function probeFindings(probe: TlsProbe, where: string): Finding[] {
  const accepted = TLS_VERSIONS.filter((v) => probe.versions[v] === true);
  const findings: Finding[] = [];
  // A probe stopped part-way never tried some suites: no "does not speak" from what is unknown.
  const complete = probe.stopped === null;
  if (accepted.length === 0) {
    if (complete) {
      findings.push({
        level: "blocking",
        code: "not-tls",
        message: `${where} accepts none of TLS 1.0 to 1.3`,
        hint: "a listening Tentacle speaks TLS: something else listens on this port (a web " +
          "server, another service, or a pong started with /nossl, which is checked with /nossl)",
      });
    }
  } else if (!speaksOctopusTls(probe) && complete) {
    const modern = accepted.filter((v) => v === "TLSv1.2" || v === "TLSv1.3");
    findings.push({
      level: "blocking",
      code: "no-modern-tls",
      message: modern.length === 0
        ? `${where} speaks only ${spoken(probe, accepted)}`
        : `${where} speaks ${spoken(probe, accepted)}, but none of the TLS 1.2 suites Octopus ` +
          "requires",
      hint: `Octopus needs TLS 1.2 or later with its suites and cannot connect: ${ENABLE_TLS12}. ` +
        TLS_DOCS,
    });
  } else if (speaksOctopusTls(probe)) {
    findings.push({
      level: "ok",
      code: "modern-tls",
      message: `${where} speaks ${octopusSpoken(probe)}, as Octopus needs`,
      hint: "",
    });
    const old = accepted.filter((v) => !isModern(v));
    if (old.length > 0) {
      findings.push({
        level: "warning",
        code: "old-tls-enabled",
        message: `${where} still accepts ${listed(old.map(versionLabel))} beside TLS 1.2 or later`,
        hint: "Octopus does not use them, and security scans flag them: disable them on the " +
          "Tentacle's machine when convenient. Connections are not affected",
      });
    }
    if (probe.groups !== null && !probe.groups.includes("secp256r1")) {
      findings.push({
        level: "warning",
        code: "no-p256",
        message: `${where} does not accept the P-256 curve (secp256r1) for key exchange` +
          (probe.groups.length > 0 ? `; it accepts ${listed(probe.groups)}` : ""),
        hint: "Octopus's minimum TLS requirements include P-256: an Octopus Server that offers " +
          "only P-256 cannot agree a key with it. Enable the curve (Windows: the ECC curve order " +
          "in group policy)",
      });
    }
  }
  if (accepted.length === 1 && accepted[0] === "TLSv1.3" && complete) {
    findings.push({
      level: "warning",
      code: "tls13-only",
      message: `${where} speaks only TLS 1.3: an Octopus Server on Windows before Windows ` +
        "Server 2022 has no TLS 1.3 and cannot connect",
      hint: "if an Octopus Server on Windows Server 2019 or older connects here, enable TLS " +
        "1.2 with ECDHE-RSA-AES128-GCM-SHA256 or ECDHE-RSA-AES256-GCM-SHA384 beside TLS 1.3 on " +
        "the Tentacle's machine. Octopus's docs: 'Minimum TLS requirements' (TLS 1.2 the " +
        "minimum, TLS 1.3 optional); Microsoft's: 'Protocols in TLS/SSL (Schannel SSP)'",
    });
  }
  if (probe.clientCertificateRequested === null && probe.versions["TLSv1.3"] && complete) {
    findings.push({
      level: "warning",
      code: "client-certificate-unseen",
      message: `could not see whether ${where} asks for a client certificate (TLS 1.3 hides it)`,
      hint: "a Tentacle always asks; a device that ends TLS in front of it (SSL offloading, a " +
        "load balancer) would not, and Octopus's certificate would never reach the Tentacle. " +
        "The exchange's answer below says who answered",
    });
  }
  if (probe.clientCertificateRequested === false) {
    findings.push({
      level: "warning",
      code: "client-certificate-not-requested",
      message: `${where} did not ask for a client certificate, which a Tentacle always does`,
      hint: NOT_REQUESTED_HINT,
    });
  }
  return findings;
}

/**
 * The certificate's findings, judged by `judgeCertificate` as ping's warnings
 * are: a weak key blocks; a SHA-1 signature, an expiry or a validity not yet
 * begun warns. `whose` begins each message: `the certificate 3C2A...`.
 */
export function certificateFindings(
  certificate: JudgedCertificate & Pick<ProbedCertificate, "sha1">,
  now: Date,
  whose = "the",
): Finding[] {
  const named = `${whose} certificate ${certificate.sha1}`;
  return judgeCertificate(certificate, now).map((code) => {
    const { level, message, hint } = CERTIFICATE_WORDS[code](certificate);
    return { level, code, message: `${named} ${message}`, hint };
  });
}

/** The platforms an Octopus Server runs on, as findings and verdicts name them. */
export const PLATFORM_NAMES = {
  windows: "a Windows Octopus Server",
  linux: "Octopus Server on Linux",
  cloud: "Octopus Cloud",
} as const;

/** A platform an Octopus Server runs on. */
export type OctopusPlatform = keyof typeof PLATFORM_NAMES;

/**
 * The findings whose effect depends on the Octopus Server's platform, and
 * the platforms that refuse the connection: .NET on Linux (OpenSSL) refuses
 * what Schannel on Windows accepts. docs/check.md has the same table.
 */
export const REFUSED_ON: Readonly<Record<string, readonly OctopusPlatform[]>> = {
  "weak-key": ["linux", "cloud"],
  "sha1-signature": ["linux", "cloud"],
};

/**
 * Where only some Octopus Servers cannot connect: the platforms that cannot,
 * those that can, and the finding that decides (the first of REFUSED_ON's).
 */
export interface PlatformVerdict {
  cannot: OctopusPlatform[];
  can: OctopusPlatform[];
  /** The code of the finding that decides, e.g. `weak-key`. */
  code: string;
  message: string;
}

/**
 * The verdict by platform of `findings`: null when one of them blocks every
 * Octopus Server, or none depends on the platform; else which platforms
 * refuse (all that any platform-bound finding names) and which do not.
 */
export function platformVerdict(findings: readonly Finding[]): PlatformVerdict | null {
  const bound = (f: Finding) => f.code in REFUSED_ON;
  if (findings.some((f) => f.level === "blocking" && !bound(f))) return null;
  const refusing = findings.filter((f) => f.level !== "ok" && bound(f));
  if (refusing.length === 0) return null;
  const first = refusing.find((f) => f.level === "blocking") ?? refusing[0];
  const all = Object.keys(PLATFORM_NAMES) as OctopusPlatform[];
  const cannot = all.filter((p) => refusing.some((f) => REFUSED_ON[f.code].includes(p)));
  return {
    cannot,
    can: all.filter((p) => !cannot.includes(p)),
    code: first.code,
    message: first.message,
  };
}

const REPLACE = "replace it with 'Tentacle.exe new-certificate', then update the thumbprint " +
  "in Octopus";

/** Why a certificate's dates do not block, in each date finding's hint. */
const BY_THUMBPRINT = "does not block: Octopus trusts a Tentacle by its thumbprint, not by dates";

/** Each judgement as a finding: its level, what follows the certificate's name, and the hint. */
const CERTIFICATE_WORDS: Record<
  CertificateJudgement,
  (certificate: JudgedCertificate) => Omit<Finding, "code">
> = {
  "weak-key": ({ keyBits }) => ({
    level: "blocking",
    message: `has a ${keyBits}-bit RSA key`,
    hint: `Octopus Server on Linux, Octopus Cloud and this tool refuse RSA keys under ` +
      `${MIN_RSA_BITS} bits: ${REPLACE}`,
  }),
  "sha1-signature": ({ signatureAlgorithm }) => ({
    level: "warning",
    message: `is signed with SHA-1 (${signatureAlgorithm})`,
    hint: "Windows Octopus Servers accept it; Octopus Server on Linux and Octopus Cloud refuse " +
      `it ("Attempted to read past the end of the stream"): ${REPLACE}`,
  }),
  expired: ({ validTo }) => ({
    level: "warning",
    message: `expired on ${day(validTo)}`,
    hint: `this ${BY_THUMBPRINT}. A new certificate has a new thumbprint, to be updated in Octopus`,
  }),
  "not-yet-valid": ({ validFrom }) => ({
    level: "warning",
    message: `is not valid until ${day(validFrom)}`,
    hint: `is this machine's clock or the server's wrong? This ${BY_THUMBPRINT}`,
  }),
};

/**
 * What the server speaks of Octopus's list: TLS 1.2 with the suites it accepts
 * (and the one it prefers, when that is not one of them), TLS 1.3 with its pick.
 */
function octopusSpoken(probe: TlsProbe): string {
  const parts: string[] = [];
  const tls12 = OCTOPUS_TLS12_SUITES.filter((s) => probe.suites["TLSv1.2"]?.includes(s.iana));
  if (tls12.length > 0) {
    const chosen = probe.chosen["TLSv1.2"];
    const prefers = chosen && !tls12.some((s) => s.iana === chosen)
      ? ` (it prefers ${suiteLabel(chosen)})`
      : "";
    parts.push(`TLS 1.2 with ${listed(tls12.map((s) => suiteLabel(s.iana)))}${prefers}`);
  }
  const tls13 = probe.suites["TLSv1.3"] ?? [];
  if (probe.versions["TLSv1.3"] && tls13.length > 0) parts.push(`TLS 1.3 with ${listed(tls13)}`);
  return parts.join("; ");
}

function isModern(version: TlsVersion): boolean {
  return version === "TLSv1.2" || version === "TLSv1.3";
}

/**
 * `TLS 1.0 (picking TLS_RSA_WITH_AES_256_CBC_SHA (AES256-SHA) of the suites
 * offered) and TLS 1.1 (...)`: each version's pick from the broad offer, named
 * as a pick since the probe does not try each suite of these versions alone.
 */
function spoken(probe: TlsProbe, versions: readonly TlsVersion[]): string {
  return listed(versions.map((v) => {
    const chosen = probe.chosen[v];
    return chosen
      ? `${versionLabel(v)} (picking ${suiteLabel(chosen)} of the suites offered)`
      : versionLabel(v);
  }));
}
