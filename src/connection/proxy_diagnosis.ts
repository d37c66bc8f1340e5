/**
 * The proxy family of causes: why the tunnel through `/proxy` did not open,
 * from its name, its port, or its answer to CONNECT. Past the tunnel,
 * failures are named as without a proxy.
 *
 * @module
 */
import { joinHostPort } from "../net/address.ts";
import { MAX_PROXY_ANSWER_BYTES, PROXY_FAILURES } from "../net/proxy.ts";
import type { HttpProxy } from "../net/proxy_url.ts";
import { type Diagnosis, type Failure, FAILURE_CODES, UNREACHABLE_CODES } from "./failure.ts";

/** Schemes of proxy authentication OctoPing, like Halibut, does not speak. */
const WINDOWS_SCHEMES = /^(NTLM|Negotiate|Kerberos)$/i;

const CHECK_PROXY = "check /proxy against the proxy Octopus is configured with (host and port)";

/** The tunnel to the target, and the proxy it goes through, as the texts name them. */
interface Tunnel {
  proxy: HttpProxy;
  /** `the proxy host:port`. */
  at: string;
  /** `host port 10933`: the target. */
  target: string;
  port: number;
}

/** Names why the tunnel through `proxy` to `target` (on `port`) did not open. */
export function proxyDiagnosis(
  failure: Failure,
  proxy: HttpProxy,
  target: string,
  port: number,
): Diagnosis {
  if (failure.phase === "dns") return proxyNameDiagnosis(failure, proxy);
  const tunnel = { proxy, at: `the proxy ${joinHostPort(proxy.host, proxy.port)}`, target, port };
  if (failure.code === PROXY_FAILURES.status) return refusalDiagnosis(failure, tunnel);
  return connectAnswerDiagnosis(failure, tunnel.at) ?? proxyConnectionDiagnosis(failure, tunnel.at);
}

function proxyCause(summary: string, hint: string): Diagnosis {
  return { cause: "proxy", summary, hint };
}

/** The proxy's own name did not resolve. */
function proxyNameDiagnosis(failure: Failure, proxy: HttpProxy): Diagnosis {
  return failure.code === FAILURE_CODES.timeout
    ? proxyCause(
      `timeout while looking up the proxy's name ${proxy.host}`,
      "the DNS server did not answer: check the DNS settings, or give the proxy's IP address",
    )
    : proxyCause(
      `the proxy's name ${proxy.host} does not resolve`,
      `${CHECK_PROXY}, or give its IP address`,
    );
}

/** The proxy answered CONNECT in HTTP, with another status than 200. */
function refusalDiagnosis(failure: Failure, { proxy, at, target, port }: Tunnel): Diagnosis {
  const status = failure.proxy?.status;
  /** The answer as the proxy wrote it: `HTTP 403 Access violation`. */
  const answered = `HTTP ${status} ${failure.proxy?.reason ?? ""}`.trim();
  // 401 too: tinyproxy's answer to wrong credentials.
  if (status === 407 || status === 401) return credentialsDiagnosis(failure, proxy, at);
  if (status === 403 || status === 405) {
    return proxyCause(
      `${at} refuses CONNECT to ${target} (${answered})`,
      "many proxies allow CONNECT to port 443 only: ask whoever runs the proxy to allow " +
        `CONNECT to the Tentacle's port ${port} (and to this host)`,
    );
  }
  if (failure.proxy?.unreachable) {
    return proxyCause(
      `${at} could not reach ${target} (${answered})`,
      "the fault is behind the proxy, between it and the Tentacle: run the same test from the " +
        "proxy's side (on the proxy's machine or its network, without /proxy); the proxy's log " +
        "says why it could not connect",
    );
  }
  return proxyCause(
    `${at} would not open the tunnel (${answered})`,
    "Octopus needs the proxy to answer CONNECT with 200, and the proxy's log says why it did " +
      "not. An answer saying it could not connect means the fault is behind the proxy: run " +
      "the same test from the proxy's side",
  );
}

/** The proxy wants credentials: none were given, they were wrong, or not of a scheme spoken. */
function credentialsDiagnosis(failure: Failure, proxy: HttpProxy, at: string): Diagnosis {
  const schemes = failure.proxy?.schemes ?? [];
  const offered = schemes.length > 0 ? schemes.join(", ") : "no scheme it names";
  if (schemes.length > 0 && !schemes.some((s) => /^basic$/i.test(s))) {
    const windows = schemes.every((s) => WINDOWS_SCHEMES.test(s));
    return proxyCause(
      `${at} wants credentials, and offers only ${offered}`,
      (windows
        ? "NTLM and Negotiate (Windows sign-in) are not spoken by OctoPing, nor by Halibut, " +
          "which sends only Basic credentials to a proxy: "
        : "only Basic credentials are supported, as Halibut sends only those: ") +
        "ask whoever runs the proxy to allow Basic for this machine, or to let it through " +
        "without credentials",
    );
  }
  return proxyCause(
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

/** What answered CONNECT is no HTTP proxy, or one misbehaving; undefined for no such answer. */
function connectAnswerDiagnosis(failure: Failure, at: string): Diagnosis | undefined {
  switch (failure.code) {
    case PROXY_FAILURES.tls:
      return proxyCause(
        `${at} answered CONNECT in TLS: a TLS port is there (the Tentacle's own, or an https ` +
          "proxy's), not an HTTP proxy",
        `${CHECK_PROXY}: Octopus speaks plain HTTP to its proxy, and the Tentacle's address goes ` +
          "in /host",
      );
    case PROXY_FAILURES.notHttp:
      return proxyCause(
        `${at} did not answer CONNECT in HTTP`,
        `${CHECK_PROXY}: something else answers there`,
      );
    case PROXY_FAILURES.early:
      return proxyCause(
        `${at} sent more after its 200 answer, before the tunnel was used`,
        "Octopus speaks first through the tunnel (its TLS hello), so nothing may come before: " +
          `something else answers there, or the proxy is misbehaving. ${CHECK_PROXY}`,
      );
    case PROXY_FAILURES.tooLong:
      return proxyCause(
        `${at} sent an answer to CONNECT longer than ${MAX_PROXY_ANSWER_BYTES} bytes`,
        `${CHECK_PROXY}: something else answers there`,
      );
    case PROXY_FAILURES.closed:
      return proxyCause(
        `${at} closed the connection without opening the tunnel`,
        `is this an HTTP proxy, and does it accept this machine? ${CHECK_PROXY}; the proxy's ` +
          "log says why it hung up",
      );
  }
}

/** The connection to the proxy, or its answer, did not come. */
function proxyConnectionDiagnosis(failure: Failure, at: string): Diagnosis {
  const { code } = failure;
  if (code === FAILURE_CODES.timeout) {
    return failure.proxy?.connected
      ? proxyCause(
        `${at} did not answer CONNECT`,
        "the proxy took the connection but never answered: it may still be trying to reach the " +
          "Tentacle (try a longer /timeout), or this port is not an HTTP proxy's",
      )
      : proxyCause(
        `timeout connecting to ${at}`,
        `nothing answered: packets to the proxy are dropped on the way. ${CHECK_PROXY}, and the ` +
          "firewalls between here and the proxy",
      );
  }
  if (code === "ECONNREFUSED") {
    return proxyCause(
      `connection refused by ${at}: nothing listens there, or a firewall rejects it`,
      `is the proxy running? Also ${CHECK_PROXY}`,
    );
  }
  if (code !== undefined && UNREACHABLE_CODES.has(code)) {
    return proxyCause(`no route to ${at}`, `${CHECK_PROXY}, and the routes to it`);
  }
  return proxyCause(
    failure.proxy?.connected
      ? `${at} dropped the connection before opening the tunnel`
      : `cannot connect to ${at}`,
    `the message above is the error as the system reported it; ${CHECK_PROXY}`,
  );
}
