/**
 * Who answered: OctoPing's pong, an Octopus Tentacle or Server, or something
 * else. A connection that works to the wrong thing proves nothing, and SSL
 * offloading, proxies and firewalls that insert a web page are classic causes
 * of Tentacle trouble (Octopus reports them as "unknown identity 'HTTP/1.0'").
 *
 * @module
 */
import type { ExchangeResult } from "./result.ts";

/** What kind of server answered. */
export type PeerKind = "pong" | "tentacle" | "other";

/** Who answered, in words. */
export interface PeerIdentity {
  kind: PeerKind;
  /** e.g. `OctoPing pong 0.1.0`, `an Octopus Tentacle or Server (…)`. */
  description: string;
  /** For `other`: what it may mean. */
  hint?: string;
}

const MIDDLEBOX_HINT = "a proxy, load balancer or SSL-offloading device may stand between here " +
  "and the Tentacle, and Octopus does not work through them: Tentacle traffic must reach the " +
  "Tentacle untouched";

/** Names who answered a successful exchange. */
export function identifyPeer(result: ExchangeResult): PeerIdentity {
  const pong = result.headers?.get("x-octoping");
  if (pong) return { kind: "pong", description: `OctoPing ${pong}` };
  const session = result.tls;
  if (session && !session.selfSigned) {
    return {
      kind: "other",
      description: `a server with a certificate issued by ${session.issuer}, not a Tentacle's ` +
        "self-signed one",
      hint: MIDDLEBOX_HINT,
    };
  }
  if (session?.altNames) {
    return {
      kind: "other",
      description: `a server with a certificate for ${session.altNames}, not a Tentacle's ` +
        "(Tentacle certificates name no host)",
      hint: MIDDLEBOX_HINT,
    };
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
  if (session && halibutAnswer) {
    return {
      kind: "tentacle",
      description: `an Octopus Tentacle or Server (self-signed certificate ${session.subject}` +
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
