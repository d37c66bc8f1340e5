/**
 * What a server speaks, found by sending it hand-built ClientHellos over
 * plain TCP and reading its first flight each time, never completing a
 * handshake: so it works where this tool's own TLS cannot (TLS 1.0, CBC
 * suites, 3DES), and with no certificate or key of our own.
 *
 * A probe makes at most 11 connections, one after another, each bounded by
 * `timeoutMs`, and stops at the first that times out or cannot connect (a
 * silent address costs one timeout, not eleven):
 *   1      TLS 1.3 alone, its three suites, its three groups (and, where the
 *          server takes the x25519 key share, its encrypted flight read on to
 *          its Certificate: see tls13_flight.ts);
 *   3      TLS 1.2, 1.1 and 1.0 alone, each with the broad offer;
 *   2      TLS 1.2 with each suite Octopus requires alone;
 *   2      TLS 1.3 with each of the other two suites alone;
 *   3      each group alone (over TLS 1.3, else the newest older version with ECDHE).
 *
 * @module
 */
import { X509Certificate } from "node:crypto";
import { isIP } from "node:net";
import { certificateAlgorithms } from "../certificate_algorithms.ts";
import { fingerprintHex } from "../peer_certificate.ts";
import { openTunnel } from "../proxy.ts";
import type { HttpProxy } from "../proxy_url.ts";
import { clientHello, type KeyShare } from "./client_hello.ts";
import {
  FlightReader,
  type ServerFlight,
  type ServerHello,
  TlsProbeError,
} from "./server_hello.ts";
import {
  type EncryptedFlight,
  EncryptedFlightReader,
  serverHandshakeKeys,
  sharedSecret,
} from "./tls13_flight.ts";
import {
  ECDHE_SUITES,
  type Group,
  GROUPS,
  LEGACY_SUITES,
  OCTOPUS_TLS12_SUITES,
  suiteName,
  TLS13_SUITES,
  TLS_VERSIONS,
  type TlsVersion,
} from "./suites.ts";

/** The server's certificate as the probe reads it from a TLS <= 1.2 Certificate message. */
export interface ProbedCertificate {
  /** e.g. `CN=Octopus Tentacle, O=Octopus`. */
  subject: string;
  issuer: string;
  /** Subject and issuer are the same: how Tentacle certificates are made. */
  selfSigned: boolean;
  /** SHA-1 thumbprint as Octopus shows it: 40 upper-case hex digits. */
  sha1: string;
  /** 64 upper-case hex digits. */
  sha256: string;
  /** `RSA`, `EC`, `Ed25519`, ...; null if the parser could not read the key. */
  keyType: string | null;
  /** RSA modulus or EC curve size; null where there is none or it could not be read. */
  keyBits: number | null;
  /** As OpenSSL names it: `sha256WithRSAEncryption`, `sha1WithRSAEncryption`, ... */
  signatureAlgorithm: string | null;
  /** ISO 8601. */
  validFrom: string;
  validTo: string;
}

/**
 * What the probe found, shaped as `check`'s JSON `tls` object. Whatever
 * could not be measured is null: all of it past the connection that stopped
 * the probe, and the certificate and client certificate request of a server
 * that speaks only TLS 1.3 (it encrypts them) and asked for another key
 * share than x25519, so that the probe could not read its encrypted flight.
 */
export interface TlsProbe {
  /** Whether the server accepts each version offered alone. */
  versions: Record<TlsVersion, boolean | null>;
  /**
   * IANA names of the suites seen accepted, per version: before 1.3 the one
   * chosen from the broad offer and each Octopus requires (TLS 1.2); for 1.3
   * which of its three. Empty for a version refused.
   */
  suites: Record<TlsVersion, string[] | null>;
  /** The suite the server picks from the broad offer (for 1.3: from its three), by IANA name. */
  chosen: Record<TlsVersion, string | null>;
  /** The groups accepted for key exchange, of x25519, secp256r1 and secp384r1. */
  groups: Group[] | null;
  /**
   * The server asked for a client certificate, as a Tentacle does: read in
   * clear up to TLS 1.2, and from the encrypted flight under TLS 1.3 only.
   */
  clientCertificateRequested: boolean | null;
  certificate: ProbedCertificate | null;
  /** How many TCP connections the probe made. */
  connections: number;
  /** Why the probe stopped early (`connection 2 timed out after 5000 ms`), or null if it ran through. */
  stopped: string | null;
}

/** How to probe. */
export interface ProbeOptions {
  /** The DNS name to send as SNI; ignored if it is an IP address. */
  servername?: string;
  /** The longest one connection may take, from connect to the end of the flight. */
  timeoutMs: number;
  /** Stops the probe (the result says `aborted`). */
  signal?: AbortSignal;
  /** The HTTP proxy to reach the server through: each connection is a CONNECT tunnel of its own. */
  proxy?: HttpProxy;
}

/** A connection that ends the probe: a timeout, a failed connect, or an abort. */
class Stop extends Error {}

/** The versions before 1.3, newest first. */
const OLDER = ["TLSv1.2", "TLSv1.1", "TLSv1.0"] as const;

/**
 * One exchange: the flight (and for TLS 1.3, when asked, what its encrypted
 * part showed), or why the server gave none (an alert, a close, not TLS).
 */
type Answer =
  | { flight: ServerFlight; encrypted?: EncryptedFlight; refusal?: undefined }
  | { refusal: string };

/** How to read a TLS 1.3 flight's encrypted part, given its clear part; undefined when it can't be. */
type EncryptedReading = (flight: ServerFlight) => Promise<EncryptedFlightReader | undefined>;

/**
 * Probes the TLS server at `address` (an IP address; through a proxy, the
 * name the proxy resolves) and `port`. Never rejects.
 */
export async function probeTls(
  address: string,
  port: number,
  options: ProbeOptions,
): Promise<TlsProbe> {
  const probe: TlsProbe = {
    versions: perVersion(null),
    suites: perVersion(null),
    chosen: perVersion(null),
    groups: null,
    clientCertificateRequested: null,
    certificate: null,
    connections: 0,
    stopped: null,
  };
  const servername = sniName(options);
  const shares = await keyShares();
  const ask = async (hello: Uint8Array, encrypted?: EncryptedReading): Promise<Answer> => {
    probe.connections++;
    return await exchange(address, port, hello, probe.connections, options, encrypted);
  };
  const hello = (version: TlsVersion, suites: readonly number[], groups = GROUPS) =>
    clientHello({
      version,
      suites,
      groups,
      keyShares: version === "TLSv1.3" ? groups.map((group) => shares[group]).slice(0, 1) : [],
      servername,
    });
  try {
    // TLS 1.3: a HelloRetryRequest for another group than x25519 still means yes.
    const tls13Suites = TLS13_SUITES.map((s) => s.id);
    const first = hello("TLSv1.3", tls13Suites);
    const tls13Answer = await ask(first, (flight) => encryptedReader(first, flight, shares.x25519));
    const tls13 = agreed(tls13Answer, "TLSv1.3", tls13Suites);
    probe.versions["TLSv1.3"] = tls13 !== undefined;
    let flight: ServerFlight | undefined; // the newest version's before 1.3, for the certificate
    for (const version of OLDER) {
      const suites = LEGACY_SUITES.map((s) => s.id);
      const answer = await ask(hello(version, suites));
      const server = agreed(answer, version, suites);
      probe.versions[version] = server !== undefined;
      probe.chosen[version] = server ? suiteName(server.suite) : null;
      probe.suites[version] = server ? [suiteName(server.suite)] : [];
      if (server) flight ??= (answer as { flight: ServerFlight }).flight;
    }
    // Read in clear before TLS 1.3; under TLS 1.3 only where its encrypted part could be read.
    const seen = flight ?? (tls13Answer.refusal === undefined ? tls13Answer.encrypted : undefined);
    if (seen) {
      probe.clientCertificateRequested = seen.certificateRequested;
      probe.certificate = seen.certificate ? await probedCertificate(seen.certificate) : null;
    }
    if (probe.versions["TLSv1.2"]) {
      for (const suite of OCTOPUS_TLS12_SUITES) {
        if (probe.suites["TLSv1.2"]!.includes(suite.iana)) continue;
        const answer = await ask(hello("TLSv1.2", [suite.id]));
        if (agreed(answer, "TLSv1.2", [suite.id])) probe.suites["TLSv1.2"]!.push(suite.iana);
      }
    }
    probe.chosen["TLSv1.3"] = tls13 ? suiteName(tls13.suite) : null;
    probe.suites["TLSv1.3"] = [];
    for (const suite of tls13 ? TLS13_SUITES : []) {
      const yes = suite.id === tls13!.suite ||
        agreed(await ask(hello("TLSv1.3", [suite.id])), "TLSv1.3", [suite.id]) !== undefined;
      if (yes) probe.suites["TLSv1.3"].push(suite.iana);
    }
    // Each group offered alone (with its key share in TLS 1.3): a ServerHello means yes, an alert no.
    const version = tls13 ? "TLSv1.3" : OLDER.find((v) => probe.versions[v]);
    if (version) {
      const suites = tls13 ? tls13Suites : ECDHE_SUITES.map((s) => s.id);
      probe.groups = [];
      for (const group of GROUPS) {
        const server = agreed(await ask(hello(version, suites, [group])), version, suites);
        if (server) probe.groups.push(group);
      }
    }
  } catch (error) {
    if (!(error instanceof Stop)) throw error;
    probe.stopped = error.message;
  }
  return probe;
}

/**
 * Whether the server at `address` and `port` asks for a client certificate
 * under TLS 1.2, from one connection read to the end of its first flight (a
 * CertificateRequest is in the clear there; TLS 1.3 encrypts it). Null when
 * the server does not take TLS 1.2 from the broad offer, or the connection
 * fails. Never rejects.
 */
export async function probeClientCertificateRequest(
  address: string,
  port: number,
  options: ProbeOptions,
): Promise<boolean | null> {
  const suites = LEGACY_SUITES.map((s) => s.id);
  const hello = clientHello({
    version: "TLSv1.2",
    suites,
    groups: GROUPS,
    keyShares: [],
    servername: sniName(options),
  });
  try {
    const answer = await exchange(address, port, hello, 1, options);
    if (answer.refusal !== undefined || !agreed(answer, "TLSv1.2", suites)) return null;
    return answer.flight.certificateRequested;
  } catch (error) {
    if (error instanceof Stop) return null;
    throw error;
  }
}

/** The name to send as SNI: `servername`, unless it is an IP address. */
function sniName({ servername }: ProbeOptions): string | undefined {
  return servername && !isIP(servername) ? servername : undefined;
}

/** The server's hello if it agreed to `version` and one of `suites`, with no alert. */
function agreed(
  answer: Answer,
  version: TlsVersion,
  suites: readonly number[],
): ServerHello | undefined {
  if (answer.refusal !== undefined || answer.flight.alert) return undefined;
  const hello = answer.flight.hello;
  return hello?.version === version && suites.includes(hello.suite) ? hello : undefined;
}

/** One connection: sends `hello`, reads the server's flight, closes. */
async function exchange(
  address: string,
  port: number,
  hello: Uint8Array,
  number: number,
  { timeoutMs, signal, proxy }: ProbeOptions,
  encrypted?: EncryptedReading,
): Promise<Answer> {
  if (signal?.aborted) throw new Stop("aborted");
  const stop = new AbortController();
  let why = "";
  const end = (reason: string) => {
    why ||= reason;
    stop.abort();
  };
  const timer = setTimeout(
    () => end(`connection ${number} timed out after ${timeoutMs} ms`),
    timeoutMs,
  );
  const onAbort = () => end("aborted");
  signal?.addEventListener("abort", onAbort);
  let conn: Deno.TcpConn | undefined;
  try {
    conn = proxy
      ? await openTunnel(proxy, { host: address, port }, { signal: stop.signal })
      : await Deno.connect({ hostname: address, port, signal: stop.signal });
    stop.signal.addEventListener("abort", () => conn!.close());
    await writeAll(conn, hello);
    const reader = new FlightReader();
    const buffer = new Uint8Array(16 * 1024);
    for (;;) {
      const count = await conn.read(buffer);
      const flight = count === null ? reader.end() : reader.push(buffer.subarray(0, count));
      if (flight) return { flight, encrypted: await readEncrypted(conn, flight, encrypted) };
    }
  } catch (error) {
    if (why) throw new Stop(why);
    if (error instanceof TlsProbeError) return { refusal: error.message };
    if (!conn) throw new Stop(`connection ${number} failed: ${(error as Error).message}`);
    // A reset after the hello is how some servers refuse a version.
    return { refusal: (error as Error).message };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
    if (!stop.signal.aborted) conn?.close();
  }
}

/**
 * What the encrypted part of a TLS 1.3 flight shows, read on from `conn`;
 * undefined when not asked for, or when it cannot be read (another group
 * asked for, a record that does not decrypt, a close, a timeout).
 */
async function readEncrypted(
  conn: Deno.Conn,
  flight: ServerFlight,
  encrypted: EncryptedReading | undefined,
): Promise<EncryptedFlight | undefined> {
  const reader = encrypted && await encrypted(flight);
  if (!reader) return undefined;
  try {
    let read = reader.push(flight.following ?? new Uint8Array());
    const buffer = new Uint8Array(16 * 1024);
    while (!read) {
      const count = await conn.read(buffer);
      if (count === null) return undefined;
      read = reader.push(buffer.subarray(0, count));
    }
    return read;
  } catch {
    return undefined; // what TLS 1.3 hides stays unknown; the rest of the answer stands
  }
}

/** A reader for the encrypted part of `flight`, the answer to `hello` sent with `share`. */
async function encryptedReader(
  hello: Uint8Array,
  flight: ServerFlight,
  share: OwnKeyShare,
): Promise<EncryptedFlightReader | undefined> {
  const server = flight.hello;
  if (!server || server.version !== "TLSv1.3" || server.retry || !flight.serverHelloMessage) {
    return undefined;
  }
  const secret = await sharedSecret(share.privateKey, server);
  const keys = secret &&
    serverHandshakeKeys(hello.subarray(5), flight.serverHelloMessage, server.suite, secret);
  return keys ? new EncryptedFlightReader(keys) : undefined;
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length;) at += await conn.write(bytes.subarray(at));
}

/** A key share the probe sends, with its private key to read a TLS 1.3 flight. */
interface OwnKeyShare extends KeyShare {
  privateKey: CryptoKey;
}

/** Throwaway key pairs, one per group: the probe never completes a handshake. */
async function keyShares(): Promise<Record<Group, OwnKeyShare>> {
  const generate = async (group: Group, algorithm: EcKeyGenParams | Algorithm) => {
    const pair = await crypto.subtle.generateKey(algorithm, true, ["deriveBits"]) as CryptoKeyPair;
    const key = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
    return { group, key, privateKey: pair.privateKey };
  };
  // Real keys, not random bytes: OpenSSL checks a P-256 or P-384 point is on its curve.
  return {
    x25519: await generate("x25519", { name: "X25519" }),
    secp256r1: await generate("secp256r1", { name: "ECDH", namedCurve: "P-256" }),
    secp384r1: await generate("secp384r1", { name: "ECDH", namedCurve: "P-384" }),
  };
}

/** A certificate's fields from its DER; null if it is not a certificate. */
async function probedCertificate(der: Uint8Array): Promise<ProbedCertificate | null> {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(der);
  } catch {
    return null;
  }
  const algorithms = await certificateAlgorithms(der).catch(() => null);
  const subject = distinguishedName(certificate.subject);
  const issuer = distinguishedName(certificate.issuer);
  return {
    subject,
    issuer,
    selfSigned: subject === issuer,
    sha1: fingerprintHex(certificate.fingerprint),
    sha256: fingerprintHex(certificate.fingerprint256),
    keyType: algorithms?.keyType ?? null,
    keyBits: algorithms?.keyBits ?? null,
    signatureAlgorithm: algorithms?.signatureAlgorithm ?? null,
    validFrom: new Date(certificate.validFrom).toISOString(),
    validTo: new Date(certificate.validTo).toISOString(),
  };
}

/** `CN=x, O=y` from X509Certificate's one-per-line form, as ping shows names. */
function distinguishedName(name: string): string {
  return name.split("\n").filter(Boolean).join(", ");
}

function perVersion<T>(value: T): Record<TlsVersion, T> {
  return Object.fromEntries(TLS_VERSIONS.map((v) => [v, value])) as Record<TlsVersion, T>;
}
