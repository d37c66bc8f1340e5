/**
 * The check engine: Octopus's troubleshooting checklist for a listening
 * Tentacle, run once. It resolves the name to every address, and at each
 * address connects, probes what TLS the server speaks, makes the exchange ping
 * makes and, given the Octopus Server's certificate, asks the Tentacle whether
 * it trusts it. Each step ends in findings judged by what Octopus would do;
 * the verdict is the worst of them. It emits typed events; reporters print.
 *
 * @module
 */
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import type { CheckOptions } from "../options/options.ts";
import { type Finding, verdictOf } from "../finding.ts";
import { capitalised } from "../format.ts";
import type { CertificateWithKey } from "../net/certificate.ts";
import { identify } from "../net/halibut.ts";
import { type TlsSession, tlsSession } from "../net/peer_certificate.ts";
import { certificateFindings, platformVerdict, probeFindings } from "../net/tls_probe/octopus.ts";
import { type ProbedCertificate, probeTls } from "../net/tls_probe/probe.ts";
import { diagnose } from "../connection/diagnosis.ts";
import { exchange } from "../connection/exchange.ts";
import { CutShort } from "../connection/exchange_error.ts";
import { type Diagnosis, FAILURE_CODES } from "../connection/failure.ts";
import { identifyPeer, type PeerIdentity, type PeerKind } from "../connection/identify.ts";
import type { ExchangeResult } from "../connection/result.ts";
import {
  type AddressCheck,
  type CheckEvent,
  type CheckResult,
  conclude,
  type TrustCheck,
} from "./result.ts";

/** What the check knows of the run around it. */
export interface CheckContext {
  /** Hears each finding, note and finally the result. */
  emit: (event: CheckEvent) => void;
  signal: AbortSignal;
  /** The certificate presented when the server asks; the Octopus Server's, with `/clientcert`. */
  clientCertificate?: CertificateWithKey;
}

/** Checks `options.target` once and returns the result (also emitted last). */
export async function runCheck(options: CheckOptions, context: CheckContext): Promise<CheckResult> {
  const { emit } = context;
  const { host } = options.target;
  const result: CheckResult = {
    type: "check",
    time: new Date(),
    target: options.target,
    lookup: { addresses: [], ms: null },
    addresses: [],
    findings: [],
    verdict: "ok",
    interrupted: false,
    about: options.noSsl ? "plain-tcp" : options.subscription ? "polling-tentacle" : "octopus",
    platforms: null,
    conclusion: { kind: "stopped" },
    notes: [],
  };
  const add = (finding: Finding) => {
    result.findings.push(finding);
    emit({ type: "finding", finding });
  };
  const note = (message: string) => {
    if (result.notes.includes(message)) return;
    result.notes.push(message);
    emit({ type: "note", message });
  };
  emit({
    type: "start",
    time: new Date(),
    options,
    clientThumbprint: context.clientCertificate?.thumbprint,
  });
  const checkEach = async (addresses: readonly (string | null)[]) => {
    const checked: Checked[] = [];
    for (const address of addresses) {
      if (context.signal.aborted) break;
      try {
        checked.push(await checkAddress(address, options, context, add, note));
      } catch (error) {
        if (!context.signal.aborted) throw error;
        if (error instanceof CutShort) {
          checked.push(cutShortAddress(address, error, options, context, add, note));
        }
      }
    }
    result.addresses = checked.map((c) => c.check);
    if (context.signal.aborted) return checked; // stopped: no judgement on what was not reached
    reachability(checked, options).forEach(add);
    return checked;
  };
  let checked: Checked[] = [];
  if (options.proxy) {
    // The proxy resolves the name and picks the address: one entry, reached by the name.
    note(
      `through the proxy ${options.proxy.url}, which resolves ${host}: its addresses are not ` +
        "checked one by one (run check on the proxy's side for that)",
    );
    checked = await checkEach([null]);
  } else {
    const resolved = await resolveAll(host, options);
    if ("failure" in resolved) {
      // With /ipv4 or /ipv6 the name may have other addresses: OctoPing's option, not Octopus's.
      const code = options.family ? "no-address-in-family" : "dns";
      add({ level: "blocking", code, ...resolved.failure });
    } else {
      result.lookup = resolved;
      if (resolved.ms !== null) {
        add({
          level: "ok",
          code: "name",
          message: `${host} resolves to ${resolved.addresses.join(", ")} (${
            resolved.ms.toFixed(0)
          } ms)`,
          hint: "",
        });
      }
      checked = await checkEach(resolved.addresses);
    }
  }
  if (options.clientCertificate === undefined && checked.some((c) => c.halibut)) {
    note(
      "the trust test was not run: give the Octopus Server's certificate with /clientcert " +
        "(a .pfx from 'Octopus.Server.exe export-certificate', or PEM with /clientkey) to " +
        "ask the Tentacle whether it trusts it",
    );
  }
  result.interrupted = context.signal.aborted;
  result.verdict = result.interrupted ? null : verdictOf(result.findings);
  result.platforms = result.interrupted ? null : platformVerdict(result.findings);
  result.conclusion = conclude(result);
  emit({ type: "check", result });
  return result;
}

/** Every address of `host` in the system's order, or why there is none. */
async function resolveAll(
  host: string,
  options: CheckOptions,
): Promise<
  { addresses: string[]; ms: number | null } | { failure: { message: string; hint: string } }
> {
  if (isIP(host)) return { addresses: [host], ms: null };
  const started = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(Object.assign(new Error("no answer"), { code: FAILURE_CODES.timeout })),
        options.timeoutMs,
      );
    });
    const found = await Promise.race([
      lookup(host, { all: true, family: options.family ?? 0 }),
      timeout,
    ]);
    if (found.length === 0) throw Object.assign(new Error("no address"), { code: "ENOTFOUND" });
    return { addresses: found.map((a) => a.address), ms: performance.now() - started };
  } catch (error) {
    const { message, code } = error as { message: string; code?: string };
    const diagnosis = diagnose({ phase: "dns", message, code }, diagnosisContext(options));
    return { failure: { message: diagnosis.summary, hint: diagnosis.hint } };
  } finally {
    clearTimeout(timer);
  }
}

/** One address checked, with why TCP failed there, if it did. */
interface Checked {
  check: AddressCheck;
  tcpFailure?: Diagnosis;
  /** What Octopus expects answered there: a Tentacle (with /subscription, an Octopus Server). */
  halibut?: boolean;
}

/**
 * TCP, the TLS probe, the exchange and the trust test at one address; or,
 * with `address` null, through the proxy, each in a tunnel to the name. Each
 * step's findings are added as soon as it ends.
 */
async function checkAddress(
  address: string | null,
  options: CheckOptions,
  context: CheckContext,
  add: (finding: Finding) => void,
  note: (message: string) => void,
): Promise<Checked> {
  const at = await exchangeAt(address, options, context);
  const { check, one, diagnosis, peer, where } = at;
  if (!one.connected) {
    check.tcp.cause = diagnosis?.cause ?? "other";
    return { check, tcpFailure: diagnosis }; // one dead address of several only warns
  }
  add(tcpFinding(at));
  const probed = await probeStep(at);
  probed.forEach(add);
  if (check.tls?.stopped) {
    note(
      `the TLS probe of ${where} stopped early (${check.tls.stopped}): what it did not ` +
        "reach is left out",
    );
  }
  const judged = await certificateStep(at);
  judged.forEach(add);
  if (one.failure) {
    // A handshake the probe's findings already explain is not said twice.
    const explained = [...probed, ...judged].some((f) => f.level === "blocking");
    exchangeFailed(at, explained).forEach(add);
    return { check };
  }
  if (!peer) throw new Error("an exchange without a failure has a peer");
  answeredStep(at, peer).forEach(add);
  if (peer.kind === "pong" && !options.noSsl) {
    note("the trust test does not apply to pong: pong answers HTTP, not Octopus's protocol");
    return { check };
  }
  const halibut = peer.kind === expectedKind(options);
  if (options.clientCertificate && context.clientCertificate && halibut) {
    add(await testTrust(at, context.clientCertificate));
  }
  return { check, halibut };
}

/** One address being checked: where it is, the exchange made with it, and its record so far. */
interface AddressRun {
  address: string | null;
  /** Where to connect: the address, or through the proxy the name it resolves. */
  reach: string;
  /** Who the findings are about. */
  where: string;
  options: CheckOptions;
  context: CheckContext;
  /** The exchange ping makes, made here. */
  one: ExchangeResult;
  /** Why the exchange failed, when it did. */
  diagnosis?: Diagnosis;
  /** Who answered, when the exchange worked. */
  peer?: PeerIdentity;
  check: AddressCheck;
}

/** What Octopus expects to answer: a Tentacle, or with /subscription an Octopus Server. */
function expectedKind(options: CheckOptions): PeerKind {
  return options.subscription ? "server" : "tentacle";
}

/** Makes the exchange ping makes with `address` (or through the proxy), and starts its record. */
async function exchangeAt(
  address: string | null,
  options: CheckOptions,
  context: CheckContext,
): Promise<AddressRun> {
  const { host } = options.target;
  const one = await exchange({
    target: options.target,
    address: address ?? undefined,
    proxy: options.proxy,
    tls: !options.noSsl,
    thumbprint: options.thumbprint,
    clientCertificate: context.clientCertificate,
    payloadBytes: 0,
    reverseBytes: 0,
    timeoutMs: options.timeoutMs,
    signal: context.signal,
  });
  return {
    address,
    reach: address ?? host,
    where: whereIs(address, options),
    options,
    context,
    one,
    diagnosis: one.failure && diagnose(one.failure, diagnosisContext(options, address)),
    peer: one.failure ? undefined : identifyPeer(one),
    check: addressRecord(address, options, context),
  };
}

/** Who the findings about `address` are about: the address, or through the proxy the name. */
function whereIs(address: string | null, options: CheckOptions): string {
  return address ?? `${options.target.host} (through the proxy)`;
}

/** The record of `address` before anything is known of it. */
function addressRecord(
  address: string | null,
  options: CheckOptions,
  context: CheckContext,
): AddressCheck {
  const trust: TrustCheck = {
    tested: false,
    trusted: null,
    thumbprint: options.clientCertificate ? context.clientCertificate?.thumbprint ?? null : null,
  };
  return { address, tcp: { ok: false, ms: null, cause: null }, tls: null, exchange: null, trust };
}

/**
 * The exchange with `address` that Ctrl+C cut short: the connection it had made, if any,
 * as the finding it is, and a note of where it stopped. Nothing it had not reached is judged.
 */
function cutShortAddress(
  address: string | null,
  cut: CutShort,
  options: CheckOptions,
  context: CheckContext,
  add: (finding: Finding) => void,
  note: (message: string) => void,
): Checked {
  const check = addressRecord(address, options, context);
  if (cut.reached.connected) add(tcpFinding({ address, options, one: cut.reached, check }));
  note(
    `the exchange with ${whereIs(address, options)} was ${cut.message}: what it had not ` +
      "reached is not judged",
  );
  return { check };
}

/** The connection was made: how long it took (through a proxy, the tunnel: connect and CONNECT). */
function tcpFinding(
  { address, options, one, check }: Pick<AddressRun, "address" | "options" | "one" | "check">,
): Finding {
  const { host, port } = options.target;
  const connectMs = one.phases.connect ?? one.phases.proxy ?? 0;
  check.tcp = { ok: true, ms: connectMs, cause: null };
  return {
    level: "ok",
    code: "tcp",
    message: address
      ? `${address} accepts connections on port ${port} (${connectMs.toFixed(1)} ms)`
      : `the proxy opened a tunnel to ${host} port ${port} (${connectMs.toFixed(1)} ms)`,
    hint: "",
  };
}

/** What the TLS probe finds: versions, suites, curves, whether a client certificate is asked for. */
async function probeStep(
  { reach, where, options, context, one, peer, check }: AddressRun,
): Promise<Finding[]> {
  // A timeout before TLS was up: the probe would only wait again (one timeout per address).
  const silent = one.failure?.code === FAILURE_CODES.timeout && !one.secured;
  if (options.noSsl || silent) return [];
  check.tls = await probeTls(reach, options.target.port, {
    servername: options.target.host,
    timeoutMs: options.timeoutMs,
    signal: context.signal,
    proxy: options.proxy,
  });
  return probeFindings(check.tls, where).map((f) =>
    // Answered as a Tentacle, yet no client certificate asked for: Octopus's never reaches it.
    f.code === "client-certificate-not-requested" && peer?.kind === expectedKind(options)
      ? { ...f, level: "blocking" as const, hint: HALIBUT_WITHOUT_REQUEST }
      : f
  );
}

/**
 * The certificate, from the handshake or else the probe, judged as ping
 * judges it; and, when nothing in it blocks, which certificate it is.
 */
async function certificateStep({ where, one, check }: AddressRun): Promise<Finding[]> {
  const session = one.tls ? await tlsSession(one.tls) : undefined;
  if (check.tls && !check.tls.certificate && session) {
    check.tls.certificate = probedFrom(session); // TLS 1.3 kept it from the probe (a retry)
  }
  const certificate = session ?? check.tls?.certificate ?? undefined;
  if (!certificate) return [];
  const judged = certificateFindings(certificate, new Date());
  if (judged.some((f) => f.level === "blocking") || !session) return judged;
  const presented: Finding = {
    level: "ok",
    code: "certificate",
    message: `${where} presents the certificate ${session.sha1} (${session.subject}, ` +
      `${session.keyType}${session.keyBits ? ` ${session.keyBits}-bit` : ""}, ` +
      `${session.signatureAlgorithm})`,
    hint: "",
  };
  return [presented, ...judged];
}

/** The exchange failed: why, unless the probe's blocking findings already say (`explained`). */
function exchangeFailed(
  { where, one, diagnosis, check }: AddressRun,
  explained: boolean,
): Finding[] {
  const { cause, summary, hint } = diagnosis!;
  check.exchange = { ok: false, peer: null, cause, message: summary };
  if (explained && one.failure!.phase === "tls") return [];
  return [exchangeFinding(one.failure!.code, where, summary, hint)];
}

/** The exchange worked: who answered, and whether the certificate is the one expected. */
function answeredStep({ where, options, check }: AddressRun, peer: PeerIdentity): Finding[] {
  check.exchange = { ok: true, peer: peer.description, cause: null, message: null };
  const findings: Finding[] = [
    peer.kind === "pong" || peer.kind === expectedKind(options)
      ? {
        level: "ok",
        code: "answered",
        message: `${where} is answered by ${peer.description}`,
        hint: "",
      }
      : unexpectedPeer(where, peer.kind, peer.description, peer.hint, options),
  ];
  if (options.thumbprint) {
    findings.push({
      level: "ok",
      code: "thumbprint-matches",
      message: `${where} presents the expected certificate`,
      hint: "",
    });
  }
  return findings;
}

/**
 * Asks as Octopus does whether the Tentacle (or, with /subscription, the
 * Server) trusts `certificate`, at the address (or through the proxy, the
 * name); records the answer in the address's trust check.
 */
async function testTrust(
  { reach, where, options, context, check }: AddressRun,
  certificate: CertificateWithKey,
): Promise<Finding> {
  const { trust } = check;
  const answer = await identify({
    address: reach,
    proxy: options.proxy,
    port: options.target.port,
    servername: options.target.host,
    certificate,
    subscription: options.subscription,
    timeoutMs: options.timeoutMs,
    signal: context.signal,
  });
  const who = options.subscription ? "the Octopus Server" : "the Tentacle";
  const thumbprint = certificate.thumbprint;
  if (answer.kind === "server") {
    trust.tested = true;
    trust.trusted = true;
    return {
      level: "ok",
      code: "trusted",
      message: `${where}: ${who} trusts the certificate ${thumbprint} (it answered ` +
        `${answer.line})`,
      hint: "",
    };
  }
  if (answer.kind === "closed") {
    trust.tested = true;
    trust.trusted = false;
    return {
      level: "blocking",
      code: "not-trusted",
      message: `${where}: ${who} does not trust the certificate ${thumbprint}: it hung up ` +
        "without a word",
      hint: options.subscription
        ? `register this polling Tentacle's thumbprint ${thumbprint} with the Octopus Server ` +
          "(the Tentacle's page in Octopus), or compare it with the one shown there"
        : `trust it with 'Tentacle.exe configure --trust=${thumbprint}', or compare the ` +
          "thumbprint in Tentacle Manager with the Octopus Server's",
    };
  }
  return {
    level: "warning",
    code: "trust-unknown",
    message: `${where}: the trust test got no answer Octopus would understand (` +
      `${answer.kind === "other" ? firstLine(answer.text) : answer.message})`,
    hint: "the exchange worked but Octopus's protocol did not: a device in between, or a " +
      "service that is not a Tentacle, may be answering",
  };
}

/** Why the blocking `client-certificate-not-requested` blocks: Halibut insists on one. */
const HALIBUT_WITHOUT_REQUEST = "Octopus presents its certificate only when asked, and a " +
  "Tentacle refuses a connection without one, so Octopus cannot connect: what answers here is " +
  "not the Tentacle itself (SSL offloading, a load balancer, or another service)";

/** A completed handshake's certificate, as the probe would have read it. */
function probedFrom(session: TlsSession): ProbedCertificate {
  return {
    subject: session.subject,
    issuer: session.issuer,
    selfSigned: session.selfSigned,
    sha1: session.sha1,
    sha256: session.sha256,
    keyType: session.keyType,
    keyBits: session.keyBits,
    signatureAlgorithm: session.signatureAlgorithm,
    validFrom: session.validFrom.toISOString(),
    validTo: session.validTo.toISOString(),
  };
}

/** A failed exchange, by what failed. */
function exchangeFinding(
  code: string | undefined,
  address: string,
  summary: string,
  hint: string,
): Finding {
  const finding = (code: string): Finding => ({
    level: "blocking",
    code,
    message: `${address}: ${summary}`,
    hint,
  });
  switch (code) {
    case FAILURE_CODES.thumbprint:
      return finding("thumbprint");
    case FAILURE_CODES.intercepted:
      return finding("intercepted");
    case FAILURE_CODES.speaksTls:
      return finding("nossl-on-tls");
    default:
      return finding("exchange-failed");
  }
}

/** Something other than what Octopus expects at this port answered. */
function unexpectedPeer(
  address: string,
  kind: string,
  description: string,
  hint: string | undefined,
  options: CheckOptions,
): Finding {
  if (options.subscription) {
    return {
      level: "blocking",
      code: "not-an-octopus-server",
      message: `${address} is answered by ${description}, not an Octopus Server's polling endpoint`,
      hint: hint ?? "a polling Tentacle connects to the Octopus Server's polling port (10943 " +
          "by default): check the port",
    };
  }
  return {
    level: "blocking",
    code: "not-a-tentacle",
    message: `${address} is answered by ${description}${
      kind === "server" ? ", not a Tentacle" : ""
    }`,
    hint: kind === "server"
      ? "this is an Octopus Server's polling port: a listening Tentacle is checked on its own " +
        "port (10933 by default); a polling Tentacle's trust, with /subscription=poll://<id>/"
      : hint ?? "",
  };
}

/** The findings about the addresses as a whole: none answering blocks; some not, warns. */
function reachability(checked: readonly Checked[], options: CheckOptions): Finding[] {
  const { host, port } = options.target;
  const dead = checked.filter((c) => !c.check.tcp.ok);
  if (dead.length === 0) return [];
  const why = (c: Checked) => c.tcpFailure ?? { summary: "no connection", hint: "" };
  if (dead.length === checked.length) {
    const first = why(dead[0]);
    return [{
      level: "blocking",
      // Through a proxy that would not open the tunnel, the proxy is what to look at.
      code: dead[0].tcpFailure?.cause === "proxy" ? "proxy" : "unreachable",
      message: checked.length === 1
        ? `${dead[0].check.address ?? host}: ${first.summary}`
        : `none of ${host}'s ${checked.length} addresses answers on port ${port}: ${first.summary}`,
      hint: first.hint,
    }];
  }
  return dead.map((c) => ({
    level: "warning",
    code: "some-addresses-fail",
    message: `one of ${host}'s addresses, ${c.check.address}, does not answer ` +
      `(${why(c).summary}): Octopus may pick it`,
    hint: "Octopus connects to whichever address the name gives it: remove the dead address " +
      `from DNS, or make it answer. ${capitalised(why(c).hint)}`,
  }));
}

/** What `diagnose` needs: per address, the address is the host its words name. */
function diagnosisContext(options: CheckOptions, address?: string | null) {
  return {
    host: address ?? options.target.host,
    port: options.target.port,
    dataMode: false,
    family: options.family,
    proxy: options.proxy,
  };
}

function firstLine(text: string): string {
  return text.split(/\r?\n/)[0].slice(0, 80);
}
