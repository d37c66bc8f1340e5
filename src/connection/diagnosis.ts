/**
 * Naming what went wrong: one cause per failed attempt, from the error's code
 * and the phase it happened in (never from the message text, which differs
 * between systems), with a hint of what it usually means for an Octopus
 * Server and its Tentacle and what to try next.
 *
 * The causes come in families, each in its own function: the proxy, TLS and
 * certificates, the transfer, the server's answer, and the route (name
 * lookup, connect, resets). Their codes do not overlap, so at most one family
 * names a failure.
 *
 * @module
 */
import type { HttpProxy } from "../net/proxy_url.ts";
import { PONG_COMMON_NAME } from "../net/protocol.ts";
import { formatCount, formatMB } from "../format.ts";
import {
  type Diagnosis,
  DNS_CODES,
  DURING,
  type Failure,
  FAILURE_CODES,
  type Phase,
  RESET_CODES,
  UNREACHABLE_CODES,
} from "./failure.ts";
import { proxyDiagnosis } from "./proxy_diagnosis.ts";
import { tlsDiagnosis } from "./tls_diagnosis.ts";

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
  /** The handshake presented pong's own certificate (`CN=OctoPing Pong`): the peer is pong. */
  pongCertificate?: boolean;
  /** The address family asked for (`/ipv4`, `/ipv6`), if any. */
  family?: 4 | 6;
  /** The proxy the run goes through (`/proxy`), if any. */
  proxy?: HttpProxy;
}

/** Names the cause of `failure`, with a hint. */
export function diagnose(failure: Failure, context: DiagnosisContext): Diagnosis {
  const target = `${context.host} port ${context.port}`;
  if (context.proxy && (failure.phase === "dns" || failure.phase === "proxy")) {
    return proxyDiagnosis(failure, context.proxy, target, context.port);
  }
  return tlsDiagnosis(failure) ?? transferDiagnosis(failure, context) ??
    answerDiagnosis(failure, context) ?? routeDiagnosis(failure, context, target) ??
    unexpectedDiagnosis(failure.phase);
}

/** A failure no family names: the system's own message is all there is. */
function unexpectedDiagnosis(phase: Phase): Diagnosis {
  return {
    cause: "other",
    summary: `unexpected failure ${DURING[phase]}`,
    hint: "the message above is the error as the system reported it",
  };
}

/** The request or the answer cut short, or data lost on the way. */
function transferDiagnosis(failure: Failure, context: DiagnosisContext): Diagnosis | undefined {
  const { code, phase } = failure;
  // The system takes a chunk's last megabytes before they leave, so a cut on the way can also
  // come after ping has handed over the whole request; pong never closes without answering.
  const cutBeforeAnswer = code === FAILURE_CODES.closed && phase === "response" &&
    context.dataMode && failure.bytesRead === 0;
  const knownPong = pongEvidence(context);
  if ((code === FAILURE_CODES.answeredEarly || cutBeforeAnswer) && knownPong) {
    const sent = formatMB(failure.bytesSent ?? 0);
    // What pong said it had is what crossed the network; the rest may have sat in buffers.
    const arrived = failure.bytesConfirmed === undefined
      ? `${sent} MB were sent`
      : `pong had received ${formatCount(failure.bytesConfirmed)} bytes (${sent} MB were ` +
        "handed to the network)";
    return {
      cause: "closed",
      summary: cutBeforeAnswer
        ? `the connection dropped after ${arrived}, before pong answered`
        : `the connection dropped mid-transfer after ${arrived}`,
      // Pong reads every byte of a request, so a cut is never pong's 20,000-byte limit.
      hint: `${knownPong}, and pong reads the whole request, so unless pong itself stopped ` +
        "(look at its window), the network between here and pong cut this connection: a " +
        "firewall, proxy, VPN or WAN optimiser with a session, size or idle limit. This is the " +
        "fault data mode is for: look in those devices' logs at this time",
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
}

/** The server answered, but not with what was asked of it. */
function answerDiagnosis(failure: Failure, context: DiagnosisContext): Diagnosis | undefined {
  switch (failure.code) {
    case FAILURE_CODES.pongRefused: {
      const chunk = formatMB(context.chunkBytes ?? 0);
      const limit = failure.pongMaxSend;
      return {
        cause: "rejected",
        summary: "pong refused to send the data back",
        hint: limit === undefined || limit === 0
          ? `start pong with /maxsend=${chunk} or more: pong sends nothing back unless told how ` +
            "much it may send (each chunk is one request)"
          : `start pong with /maxsend=${chunk} or more, or a /chunksize of ${formatMB(limit)} ` +
            "or less: each chunk is one request",
      };
    }
    case FAILURE_CODES.rejected:
      return {
        cause: "rejected",
        summary: `the server answered HTTP ${failure.status} instead of taking the data`,
        hint: "only pong takes data: a Tentacle or web server refuses a request this large. Run " +
          "'OctoPing pong' on that machine (on another port) and send the data there",
      };
    case FAILURE_CODES.notPong:
      return {
        cause: "other",
        summary: "/reverse got no data back",
        hint: "run 'OctoPing pong' on the other machine: only pong sends data back, and it " +
          "sends at most its /maxsend per request",
      };
    case FAILURE_CODES.tooLarge:
      return {
        cause: "other",
        summary: "the answer was too large",
        hint: "a Tentacle answers with a small page: something else answered on this port",
      };
  }
}

/** The way to the server: its name, a port nobody listens on, no route, a reset, no answer. */
function routeDiagnosis(
  failure: Failure,
  context: DiagnosisContext,
  target: string,
): Diagnosis | undefined {
  const { code, phase } = failure;
  if (code === FAILURE_CODES.timeout || code === "ETIMEDOUT") {
    return {
      cause: "timeout",
      summary: `timeout ${DURING[phase]}`,
      hint: timeoutHint(phase, target, pongEvidence(context)),
    };
  }
  if (code !== undefined && DNS_CODES.has(code)) return dnsDiagnosis(context);
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
}

/** The name did not resolve, or has no address of the family asked for. */
function dnsDiagnosis(context: DiagnosisContext): Diagnosis {
  if (context.family !== undefined) {
    return {
      cause: "dns",
      summary: `the name ${context.host} has no IPv${context.family} address`,
      hint: `drop /ipv${context.family} to use the addresses it has, or ask whoever runs the ` +
        "DNS server to add the record",
    };
  }
  return {
    cause: "dns",
    summary: `the name ${context.host} does not resolve`,
    hint: `check the name, try the Tentacle's IP address instead, or ask whoever runs the ` +
      "DNS server why it has no record for it (nslookup shows what it answers)",
  };
}

/**
 * Why this run knows the peer is pong, in words that start a hint; undefined
 * when nothing shows it. An answer outweighs a certificate: pong's `/cert=`
 * can be any certificate, but only pong answers with pong's header.
 */
function pongEvidence(context: DiagnosisContext): string | undefined {
  if (context.pongAnswered) return "pong answered earlier in this run";
  if (context.pongCertificate) return `the certificate is pong's own (CN=${PONG_COMMON_NAME})`;
}

/**
 * What a timeout usually means in `phase`, and where to look. Where the run
 * shows the peer is pong, a stall is not "a server that is not a Tentacle":
 * the same pong, or the way to it, held this one connection.
 */
function timeoutHint(phase: Phase, target: string, knownPong?: string): string {
  if (knownPong && phase !== "dns") {
    const stalled = phase === "connect"
      ? "packets to it are now dropped on the way"
      : phase === "tls"
      ? "this connection was accepted but the TLS handshake stalled"
      : "this connection stalled after it was made";
    return `${knownPong}, so the address and port are right and ${stalled}: unless pong itself ` +
      "stopped (look at its window), a device between here and pong (firewall, proxy, " +
      "TLS inspection, VPN) holds some connections. Look in those devices' logs at this time";
  }
  switch (phase) {
    case "dns":
      return "the DNS server did not answer: check the DNS settings, or use the IP address";
    case "connect":
      return `nothing answered on ${target}: packets are dropped on the way, often by a ` +
        "firewall that drops rather than rejects; check the firewalls and that the address is right";
    case "tls":
      return "something accepted the connection but never spoke TLS: a proxy or " +
        "TLS-inspecting firewall between here and the Tentacle, or a server that is not a Tentacle";
    case "send":
      return "the data stopped moving before it all arrived: a link that stalls long transfers " +
        "(a firewall, VPN or WAN optimiser, heavy packet loss) between here and the server, or " +
        "a server that stopped reading. Look at those devices' logs at this time";
    default:
      return "the connection was made but the server stopped answering: is the Tentacle (or " +
        "its machine) overloaded? Check its CPU, memory and the Tentacle log";
  }
}
