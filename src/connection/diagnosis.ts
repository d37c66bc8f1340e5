/**
 * Naming what went wrong: one cause per failed attempt, from the error's code
 * and the phase it happened in (never from the message text, which differs
 * between systems), with a hint of what it usually means for an Octopus
 * Server and its Tentacle and what to try next.
 *
 * @module
 */
import { joinHostPort } from "../net/address.ts";
import { MAX_PROXY_ANSWER_BYTES, PROXY_FAILURES } from "../net/proxy.ts";
import type { HttpProxy } from "../net/proxy_url.ts";
import { formatMB } from "../format.ts";
import {
  type Diagnosis,
  DURING,
  type Failure,
  FAILURE_CODES,
  type Interception,
  type Phase,
} from "./failure.ts";

/** What the diagnosis needs to know of the run besides the failure. */
export interface DiagnosisContext {
  /** The host as given to `/host`. */
  host: string;
  port: number;
  /** Whether the run sends data (`/datasize`). */
  dataMode: boolean;
  /** The most bytes one connection of the run moves in data mode (its largest chunk). */
  chunkBytes?: number;
  /** Pong has answered in this run (an earlier attempt, or an earlier chunk of this one). */
  pongAnswered?: boolean;
  /** The address family asked for (`/ipv4`, `/ipv6`), if any. */
  family?: 4 | 6;
  /** The proxy the run goes through (`/proxy`), if any. */
  proxy?: HttpProxy;
}

const DNS_CODES = new Set([
  "ENOTFOUND",
  "EAI_AGAIN",
  "EAI_FAIL",
  "EAI_NONAME",
  "ENODATA",
  "ESERVFAIL",
]);
const UNREACHABLE_CODES = new Set(["ENETUNREACH", "EHOSTUNREACH", "EHOSTDOWN", "ENETDOWN"]);
/**
 * The alerts a server sends about the client's certificate. Under TLS 1.3 they
 * come after the handshake, while sending or waiting for the answer.
 */
const CLIENT_CERTIFICATE_ALERT =
  /^ERR_SSL_(TLSV1|SSLV3|TLSV13)_ALERT_(UNKNOWN_CA|BAD_CERTIFICATE|CERTIFICATE_REQUIRED|UNSUPPORTED_CERTIFICATE|CERTIFICATE_UNKNOWN|CERTIFICATE_REVOKED|CERTIFICATE_EXPIRED|ACCESS_DENIED)$/;
const RESET_CODES = new Set(["ECONNRESET", "ECONNABORTED", "EPIPE"]);
/**
 * Certificate verification codes. Ping accepts any certificate
 * (`rejectUnauthorized: false`), so one of these failing a handshake means
 * this tool's TLS (rustls) refused the certificate itself: seen for RSA keys
 * under 2048 bits, DEPTH_ZERO_SELF_SIGNED_CERT when self-signed and
 * UNABLE_TO_VERIFY_LEAF_SIGNATURE when issued by a CA.
 */
const CERTIFICATE_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY",
  "CERT_SIGNATURE_FAILURE",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "INVALID_CA",
]);

const INTERCEPTED: Record<Interception, string> = {
  "server-certificate": "the server's certificate was replaced on the way (TLS inspection)",
  "client-certificate": "the client certificate did not reach pong as it was sent",
  "tls-ended": "TLS was ended on the way (SSL offloading or a TLS-terminating load balancer)",
};

/** Names the cause of `failure`, with a hint. */
export function diagnose(failure: Failure, context: DiagnosisContext): Diagnosis {
  const { code, phase } = failure;
  const target = `${context.host} port ${context.port}`;
  if (context.proxy && (phase === "dns" || phase === "proxy")) {
    return proxyDiagnosis(failure, context.proxy, target, context.port);
  }
  if (code === FAILURE_CODES.thumbprint) {
    return {
      cause: "thumbprint",
      summary: "the certificate is not the expected one: its thumbprint differs",
      hint: "Octopus trusts a Tentacle by this thumbprint: compare it with the thumbprint on " +
        "the Tentacle's page in Octopus. A different one means another Tentacle instance, a " +
        "re-generated certificate, or a device in between presenting its own certificate",
    };
  }
  if (code === FAILURE_CODES.timeout || code === "ETIMEDOUT") {
    return {
      cause: "timeout",
      summary: `timeout ${DURING[phase]}`,
      hint: timeoutHint(phase, target),
    };
  }
  // The system takes a chunk's last megabytes before they leave, so a cut on the way can also
  // come after ping has handed over the whole request; pong never closes without answering.
  const cutBeforeAnswer = code === FAILURE_CODES.closed && phase === "response" &&
    context.dataMode && failure.bytesRead === 0;
  if ((code === FAILURE_CODES.answeredEarly || cutBeforeAnswer) && context.pongAnswered) {
    const sent = formatMB(failure.bytesSent ?? 0);
    return {
      cause: "closed",
      summary: cutBeforeAnswer
        ? `the connection dropped after ${sent} MB were sent, before pong answered`
        : `the connection dropped mid-transfer after ${sent} MB`,
      hint: "pong answered earlier in this run, so unless pong itself stopped (look at its " +
        "window), the network between here and pong cut this connection: a firewall, proxy, " +
        "VPN or WAN optimiser with a session, size or idle limit. This is the fault data mode " +
        "is for: look in those devices' logs at this time",
    };
  }
  if (code === FAILURE_CODES.answeredEarly) {
    return {
      cause: "closed",
      summary: "the server stopped taking the request before it was all sent",
      hint: context.dataMode
        ? "a Tentacle reads only the first 20,000 bytes of a request that is not from Octopus, " +
          "then answers and closes, so data mode against a Tentacle always ends like this: run " +
          "'OctoPing pong' on that machine (on another port) and send the data there"
        : "something between here and the server, or the server itself, cut the request short",
    };
  }
  if (code === FAILURE_CODES.closed) {
    return {
      cause: "closed",
      summary: `the server closed the connection ${DURING[phase]}`,
      hint: "the server accepted the connection and then hung up: is it overloaded, or " +
        "restarting? Check the Tentacle's log for the same time",
    };
  }
  if (code === FAILURE_CODES.incomplete) {
    return {
      cause: "incomplete",
      summary: "pong did not get every byte that was sent",
      hint: "the connection looked fine but data went missing between here and pong: a device " +
        "in between (WAN optimiser, proxy, inspecting firewall) that rewrites traffic",
    };
  }
  if (code === FAILURE_CODES.intercepted) {
    return {
      cause: "intercepted",
      summary: INTERCEPTED[failure.interception ?? "server-certificate"],
      hint: "TLS inspection, SSL offloading or a TLS-terminating load balancer sits between here " +
        "and pong. Octopus pins the certificates both ways and cannot work through it: have the " +
        "Tentacle's port excluded from it",
    };
  }
  if (code === FAILURE_CODES.speaksTls) {
    return {
      cause: "tls",
      summary: "the server speaks TLS on this port: drop /nossl",
      hint: "Tentacles, and pongs started without /nossl, speak TLS: /nossl is only for a pong " +
        "started with /nossl",
    };
  }
  if (code === FAILURE_CODES.pongRefused) {
    const chunk = formatMB(context.chunkBytes ?? 0);
    const limit = failure.pongMaxSend;
    return {
      cause: "rejected",
      summary: "pong refused to send the data back",
      hint: limit === undefined || limit === 0
        ? `start pong with /maxsend=${chunk} or more: pong sends nothing back unless told how ` +
          "much it may send (each chunk is one request)"
        : `start pong with /maxsend=${chunk} or more, or a /chunksize of ${formatMB(limit)} or ` +
          "less: each chunk is one request",
    };
  }
  if (code === FAILURE_CODES.rejected) {
    return {
      cause: "rejected",
      summary: `the server answered HTTP ${failure.status} instead of taking the data`,
      hint: "only pong takes data: a Tentacle or web server refuses a request this large. Run " +
        "'OctoPing pong' on that machine (on another port) and send the data there",
    };
  }
  if (code === FAILURE_CODES.notPong) {
    return {
      cause: "other",
      summary: "/reverse got no data back",
      hint: "run 'OctoPing pong' on the other machine: only pong sends data back, and it sends " +
        "at most its /maxsend per request",
    };
  }
  if (code === FAILURE_CODES.tooLarge) {
    return {
      cause: "other",
      summary: "the answer was too large",
      hint: "a Tentacle answers with a small page: something else answered on this port",
    };
  }
  if (code !== undefined && DNS_CODES.has(code) && context.family !== undefined) {
    return {
      cause: "dns",
      summary: `the name ${context.host} has no IPv${context.family} address`,
      hint: `drop /ipv${context.family} to use the addresses it has, or ask whoever runs the ` +
        "DNS server to add the record",
    };
  }
  if (code !== undefined && DNS_CODES.has(code)) {
    return {
      cause: "dns",
      summary: `the name ${context.host} does not resolve`,
      hint: `check the name, try the Tentacle's IP address instead, or ask whoever runs the ` +
        "DNS server why it has no record for it (nslookup shows what it answers)",
    };
  }
  if (code === "ECONNREFUSED") {
    return {
      cause: "refused",
      summary: `connection refused: nothing listens on ${target}, or a firewall rejects it`,
      hint: "is the Tentacle service running, and is it a listening Tentacle on this port? " +
        "(a polling Tentacle listens on no port) Check the port in the Tentacle Manager and the " +
        "firewalls on the way",
    };
  }
  if (code !== undefined && UNREACHABLE_CODES.has(code)) {
    return {
      cause: "unreachable",
      summary: "no route to the host: the network says it cannot be reached",
      hint: "check the address, the routes and VPN between here and the Tentacle " +
        "(tracert/traceroute shows where it stops)",
    };
  }
  if (code !== undefined && RESET_CODES.has(code)) {
    return {
      cause: "reset",
      summary: phase === "tls"
        ? "connection reset or closed during the TLS handshake"
        : `connection reset ${DURING[phase]}`,
      hint: phase === "tls"
        ? "a TLS-inspecting firewall or proxy between here and the Tentacle is the usual " +
          "suspect: it drops handshakes it does not like. Ask the network team for an exception " +
          "for this port"
        : "the server or a device between here and it (firewall, load balancer, proxy) " +
          "dropped the connection; check their idle and session limits",
    };
  }
  if (code !== undefined && CLIENT_CERTIFICATE_ALERT.test(code)) {
    return {
      cause: "tls",
      summary: "the server refused the client certificate",
      hint: "a Tentacle accepts any client certificate (it checks the thumbprint later, in " +
        "Octopus's own protocol), so what refused it is not a Tentacle: a device in between that " +
        "checks client certificates, or another service. Octopus's certificate would be refused " +
        "the same way",
    };
  }
  if (code !== undefined && CERTIFICATE_CODES.has(code)) {
    return {
      cause: "tls",
      summary: "this tool's TLS refused the server's certificate",
      hint: "any certificate is accepted here, but this tool's TLS (rustls) refuses some: the " +
        "usual reason is an RSA key under 2048 bits, which Octopus Server on Linux (OpenSSL 3) " +
        "and Octopus Cloud refuse too. Replace it: 'Tentacle.exe new-certificate', then update " +
        "the thumbprint in Octopus",
    };
  }
  if (code?.startsWith("ERR_SSL_") || code?.startsWith("ERR_TLS_")) return tlsDiagnosis(code);
  return {
    cause: "other",
    summary: `unexpected failure ${DURING[phase]}`,
    hint: "the message above is the error as the system reported it",
  };
}

/** Schemes of proxy authentication OctoPing, like Halibut, does not speak. */
const WINDOWS_SCHEMES = /^(NTLM|Negotiate|Kerberos)$/i;

/**
 * Why the tunnel through `proxy` did not open: its name, its port, its
 * answer to CONNECT. Past the tunnel, failures are named as without a proxy.
 */
function proxyDiagnosis(
  failure: Failure,
  proxy: HttpProxy,
  target: string,
  port: number,
): Diagnosis {
  const { code } = failure;
  const at = `the proxy ${joinHostPort(proxy.host, proxy.port)}`;
  const diagnosis = (summary: string, hint: string): Diagnosis => ({
    cause: "proxy",
    summary,
    hint,
  });
  const checkProxy = "check /proxy against the proxy Octopus is configured with (host and port)";
  if (failure.phase === "dns") {
    return code === FAILURE_CODES.timeout
      ? diagnosis(
        `timeout while looking up the proxy's name ${proxy.host}`,
        "the DNS server did not answer: check the DNS settings, or give the proxy's IP address",
      )
      : diagnosis(
        `the proxy's name ${proxy.host} does not resolve`,
        `${checkProxy}, or give its IP address`,
      );
  }
  const status = failure.proxy?.status;
  /** The answer as the proxy wrote it: `HTTP 403 Access violation`. */
  const answered = `HTTP ${status} ${failure.proxy?.reason ?? ""}`.trim();
  // 401 too: tinyproxy's answer to wrong credentials.
  if (code === PROXY_FAILURES.status && (status === 407 || status === 401)) {
    const schemes = failure.proxy?.schemes ?? [];
    const offered = schemes.length > 0 ? schemes.join(", ") : "no scheme it names";
    if (schemes.length > 0 && !schemes.some((s) => /^basic$/i.test(s))) {
      const windows = schemes.every((s) => WINDOWS_SCHEMES.test(s));
      return diagnosis(
        `${at} wants credentials, and offers only ${offered}`,
        (windows
          ? "NTLM and Negotiate (Windows sign-in) are not spoken by OctoPing, nor by Halibut, " +
            "which sends only Basic credentials to a proxy: "
          : "only Basic credentials are supported, as Halibut sends only those: ") +
          "ask whoever runs the proxy to allow Basic for this machine, or to let it through " +
          "without credentials",
      );
    }
    return diagnosis(
      proxy.user === undefined
        ? `${at} wants credentials (it offers ${offered})`
        : `${at} refused the credentials of ${proxy.user} (it offers ${offered})`,
      proxy.user === undefined
        ? "give the user Octopus's proxy settings use: /proxy=http://user@host:port, with the " +
          "password in the environment variable OCTOPING_PROXY_PASSWORD (only Basic is supported)"
        : "check the user and password against Octopus's proxy settings (only Basic is " +
          "supported; a % in them is written %25 in the URL)",
    );
  }
  if (code === PROXY_FAILURES.status && (status === 403 || status === 405)) {
    return diagnosis(
      `${at} refuses CONNECT to ${target} (${answered})`,
      "many proxies allow CONNECT to port 443 only: ask whoever runs the proxy to allow " +
        `CONNECT to the Tentacle's port ${port} (and to this host)`,
    );
  }
  if (code === PROXY_FAILURES.status && failure.proxy?.unreachable) {
    return diagnosis(
      `${at} could not reach ${target} (${answered})`,
      "the fault is behind the proxy, between it and the Tentacle: run the same test from the " +
        "proxy's side (on the proxy's machine or its network, without /proxy); the proxy's log " +
        "says why it could not connect",
    );
  }
  if (code === PROXY_FAILURES.status) {
    return diagnosis(
      `${at} would not open the tunnel (${answered})`,
      "Octopus needs the proxy to answer CONNECT with 200, and the proxy's log says why it did " +
        "not. An answer saying it could not connect means the fault is behind the proxy: run " +
        "the same test from the proxy's side",
    );
  }
  if (code === PROXY_FAILURES.tls) {
    return diagnosis(
      `${at} answered CONNECT in TLS: a TLS port is there (the Tentacle's own, or an https ` +
        "proxy's), not an HTTP proxy",
      `${checkProxy}: Octopus speaks plain HTTP to its proxy, and the Tentacle's address goes ` +
        "in /host",
    );
  }
  if (code === PROXY_FAILURES.notHttp) {
    return diagnosis(
      `${at} did not answer CONNECT in HTTP`,
      `${checkProxy}: something else answers there`,
    );
  }
  if (code === PROXY_FAILURES.early) {
    return diagnosis(
      `${at} sent more after its 200 answer, before the tunnel was used`,
      "Octopus speaks first through the tunnel (its TLS hello), so nothing may come before: " +
        `something else answers there, or the proxy is misbehaving. ${checkProxy}`,
    );
  }
  if (code === PROXY_FAILURES.tooLong) {
    return diagnosis(
      `${at} sent an answer to CONNECT longer than ${MAX_PROXY_ANSWER_BYTES} bytes`,
      `${checkProxy}: something else answers there`,
    );
  }
  if (code === PROXY_FAILURES.closed) {
    return diagnosis(
      `${at} closed the connection without opening the tunnel`,
      `is this an HTTP proxy, and does it accept this machine? ${checkProxy}; the proxy's log ` +
        "says why it hung up",
    );
  }
  if (code === FAILURE_CODES.timeout) {
    return failure.proxy?.connected
      ? diagnosis(
        `${at} did not answer CONNECT`,
        "the proxy took the connection but never answered: it may still be trying to reach the " +
          "Tentacle (try a longer /timeout), or this port is not an HTTP proxy's",
      )
      : diagnosis(
        `timeout connecting to ${at}`,
        `nothing answered: packets to the proxy are dropped on the way. ${checkProxy}, and the ` +
          "firewalls between here and the proxy",
      );
  }
  if (code === "ECONNREFUSED") {
    return diagnosis(
      `connection refused by ${at}: nothing listens there, or a firewall rejects it`,
      `is the proxy running? Also ${checkProxy}`,
    );
  }
  if (code !== undefined && UNREACHABLE_CODES.has(code)) {
    return diagnosis(`no route to ${at}`, `${checkProxy}, and the routes to it`);
  }
  return diagnosis(
    failure.proxy?.connected
      ? `${at} dropped the connection before opening the tunnel`
      : `cannot connect to ${at}`,
    `the message above is the error as the system reported it; ${checkProxy}`,
  );
}

function timeoutHint(phase: Phase, target: string): string {
  switch (phase) {
    case "dns":
      return "the DNS server did not answer: check the DNS settings, or use the IP address";
    case "connect":
      return `nothing answered on ${target}: packets are dropped on the way, often by a ` +
        "firewall that drops rather than rejects; check the firewalls and that the address is right";
    case "tls":
      return "something accepted the connection but never spoke TLS: a proxy or " +
        "TLS-inspecting firewall between here and the Tentacle, or a server that is not a Tentacle";
    default:
      return "the connection was made but the server stopped answering: is the Tentacle (or " +
        "its machine) overloaded? Check its CPU, memory and the Tentacle log";
  }
}

function tlsDiagnosis(code: string): Diagnosis {
  if (code === "ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION" || code.includes("UNSUPPORTED_PROTOCOL")) {
    return {
      cause: "tls",
      summary: "the server speaks only TLS 1.0 or 1.1",
      hint: "Octopus requires TLS 1.2 or later and cannot connect to it either: enable TLS 1.2 " +
        "on the Tentacle's machine (see Octopus's docs on minimum TLS requirements and Schannel). " +
        "'OctoPing check' shows what it speaks. (The original TentaclePong speaks only TLS 1.0: " +
        "use OctoPing pong)",
    };
  }
  if (code === "ERR_SSL_WRONG_VERSION_NUMBER") {
    return {
      cause: "tls",
      summary: "the server does not speak TLS on this port (a pong started with /nossl?): " +
        "add /nossl",
      hint: "a pong started with /nossl is pinged with /nossl. Anything else here is not a " +
        "Tentacle (a web server, another service), or a device in between answers instead",
    };
  }
  if (code === "ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE" || code.includes("NO_SHARED_CIPHER")) {
    return {
      cause: "tls",
      summary: "no TLS cipher suite in common with the server",
      hint: "OctoPing offers what Octopus requires (TLS 1.2 with ECDHE and AES-GCM, or TLS 1.3), " +
        "so Octopus cannot connect either: enable ECDHE-RSA-AES128-GCM-SHA256 or " +
        "ECDHE-RSA-AES256-GCM-SHA384 on the Tentacle's machine (see Octopus's docs on minimum TLS " +
        "requirements and Schannel). 'OctoPing check' shows what it speaks",
    };
  }
  return {
    cause: "tls",
    summary: "the TLS handshake failed",
    hint: "the server, or a device in between, refused the handshake; if only this tool " +
      "fails, it may be about this tool's TLS (TLS 1.2+ with modern ciphers only)",
  };
}
