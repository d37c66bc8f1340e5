/**
 * Who answered: OctoPing's pong, an Octopus Tentacle or Server, or something
 * else. A connection that works to the wrong thing proves nothing, and SSL
 * offloading, proxies and firewalls that insert a web page are classic causes
 * of Tentacle trouble (Octopus reports them as "unknown identity 'HTTP/1.0'").
 *
 * @module
 */
import { HEADERS } from "../net/protocol.ts";
import type { ExchangeResult } from "./result.ts";

/** What kind of server answered: a Tentacle, an Octopus Server's polling port, or other. */
export type PeerKind = "pong" | "tentacle" | "server" | "other";

/** Who answered, in words. */
export interface PeerIdentity {
  kind: PeerKind;
  /** e.g. `OctoPing pong 0.1.0`, `an Octopus Tentacle (…)`. */
  description: string;
  /** For `other`: what it may mean. */
  hint?: string;
}

const MIDDLEBOX_HINT = "a proxy, load balancer or SSL-offloading device may stand between here " +
  "and the Tentacle, and Octopus does not work through them: Tentacle traffic must reach the " +
  "Tentacle untouched";

/** The pages Halibut serves to a request that is not from Octopus, and whose they are. */
const OCTOPUS_PAGES: [RegExp, Exclude<PeerKind, "pong" | "other">, string][] = [
  [/Octopus Tentacle configured successfully/, "tentacle", "an Octopus Tentacle"],
  [/Octopus Server configured successfully/, "server", "an Octopus Server's polling endpoint"],
  [/Hello!/, "tentacle", "a Halibut service (Octopus's communication library)"],
];

/**
 * Names who answered a successful exchange. The certificate comes first, for
 * every peer: one issued by a CA, or naming hosts, is not a Tentacle's —
 * unless pong vouches that it serves that very certificate (`pong /cert=`).
 */
export function identifyPeer(result: ExchangeResult): PeerIdentity {
  const pong = result.headers?.get(HEADERS.pong.toLowerCase());
  const session = result.tls;
  const pongsOwn = session !== undefined &&
    result.headers?.get(HEADERS.certificate.toLowerCase()) === session.sha1;
  if (session && !session.selfSigned && !pongsOwn) {
    return {
      kind: "other",
      description: `a server with a certificate issued by ${session.issuer}, not a Tentacle's ` +
        "self-signed one",
      hint: MIDDLEBOX_HINT,
    };
  }
  if (session?.altNames && !pongsOwn) {
    return {
      kind: "other",
      description: `a server with a certificate for ${session.altNames}, not a Tentacle's ` +
        "(Tentacle certificates name no host)",
      hint: MIDDLEBOX_HINT,
    };
  }
  if (pong) {
    const own = pongsOwn && !session.selfSigned
      ? ` (serving its /cert, issued by ${session.issuer})`
      : "";
    return { kind: "pong", description: `OctoPing ${pong}${own}` };
  }
  if (result.status === undefined) {
    return {
      kind: "other",
      description: "a server whose answer is not HTTP",
      hint: MIDDLEBOX_HINT,
    };
  }
  const contentType = result.headers?.get("content-type") ?? "";
  const halibutAnswer = result.httpVersion === "HTTP/1.0" && result.status === 200 &&
    /^text\/html; charset=utf-8$/i.test(contentType) && result.headers?.has("content-length");
  if (session && halibutAnswer && session.clientCertificateRequested === false) {
    return {
      kind: "other",
      description: "a server with Halibut's HTML answer that did not ask for a client " +
        `certificate (self-signed certificate ${session.subject}), so not a Tentacle or Octopus ` +
        "Server, which always ask",
      hint: MIDDLEBOX_HINT,
    };
  }
  if (session && halibutAnswer) {
    const [, kind, who] = OCTOPUS_PAGES.find(([page]) => page.test(result.answerStart ?? "")) ??
      [undefined, "tentacle", "an Octopus Tentacle or Server"];
    return {
      kind,
      description: `${who} (self-signed certificate ${session.subject}` +
        `${/^CN=Octopus (Tentacle|Portal)$/.test(session.subject) ? "" : ", not the usual name"}` +
        ", and Halibut's HTML answer)",
    };
  }
  const server = result.headers?.get("server");
  return {
    kind: "other",
    description: `a web server, not a Tentacle (${result.httpVersion} ${result.status}` +
      `${server ? `, Server: ${server}` : ""})`,
    hint: MIDDLEBOX_HINT,
  };
}
