/**
 * The proxy's URL as `/proxy=` takes it (`http://user:password@host:port`),
 * parsed and shown with its password blanked. Apart from the tunnel itself
 * (`proxy.ts`), so that reading the command line loads no networking.
 *
 * The password is kept where no reporter can print it: a proxy reads and
 * serialises as `http://user:***@host:port`.
 *
 * @module
 */
import { joinHostPort } from "./address.ts";

/** Where the password comes from when the URL names a user but no password. */
export const PROXY_PASSWORD_VARIABLE = "OCTOPING_PROXY_PASSWORD";

/** The one form of proxy URL there is, for messages. */
const SUPPORTED = "http://[user[:password]@]host:port";

/** A proxy URL that cannot be used; the message never holds the password. */
export class ProxyUrlError extends Error {
  override name = "ProxyUrlError";
}

/** An HTTP proxy to reach the Tentacle through. Its password never leaves it but in the header. */
export class HttpProxy {
  /** The proxy's name or IP address (without brackets). */
  readonly host: string;
  readonly port: number;
  /** The user to authenticate as (Basic), percent-decoded; absent without credentials. */
  readonly user?: string;
  readonly #password: string;

  constructor(host: string, port: number, credentials?: { user: string; password: string }) {
    this.host = host;
    this.port = port;
    this.user = credentials?.user;
    this.#password = credentials?.password ?? "";
  }

  /** The URL with the password blanked: `http://user:***@host:port`. */
  get url(): string {
    const user = this.user === undefined ? "" : `${encodeURIComponent(this.user)}:***@`;
    return `http://${user}${joinHostPort(this.host, this.port)}`;
  }

  /** `Basic …` for `Proxy-Authorization`; undefined without credentials. */
  get authorization(): string | undefined {
    if (this.user === undefined) return undefined;
    const bytes = new TextEncoder().encode(`${this.user}:${this.#password}`);
    return `Basic ${btoa(String.fromCharCode(...bytes))}`;
  }

  /** What JSON and string conversion show: the URL with the password blanked. */
  toJSON(): string {
    return this.url;
  }

  toString(): string {
    return this.url;
  }
}

/**
 * Parses `/proxy`: `http://[user[:password]@]host:port`, the scheme optional,
 * user and password percent-decoded, a trailing `/` allowed. A user without a
 * password takes it from `passwordVariable()` ({@linkcode PROXY_PASSWORD_VARIABLE}).
 * Throws {@linkcode ProxyUrlError} naming what is supported.
 */
export function parseProxyUrl(text: string, passwordVariable: () => string | undefined): HttpProxy {
  const value = text.trim();
  const shown = `/proxy=${redactProxyUrl(value)}`;
  const bad = (why: string) => new ProxyUrlError(`${shown}: ${why}; expected ${SUPPORTED}`);
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value);
  const name = scheme?.[1].toLowerCase();
  if (name === "https") {
    throw new ProxyUrlError(
      `${shown}: a proxy spoken to in TLS (https://) is not supported: Octopus, and OctoPing, ` +
        `speak plain HTTP to the proxy (the Tentacle's TLS runs inside the tunnel); expected ` +
        SUPPORTED,
    );
  }
  if (name !== undefined && name !== "http") {
    throw bad(`${scheme![1]}:// proxies are not supported`);
  }
  let rest = scheme ? value.slice(scheme[0].length) : value;
  const at = rest.lastIndexOf("@");
  const userinfo = at < 0 ? undefined : rest.slice(0, at);
  rest = rest.slice(at + 1).replace(/\/$/, "");
  if (/[/?#]/.test(rest)) throw bad("a proxy URL has no path");
  const hostPort = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9._-]+))(?::(.*))?$/.exec(rest);
  if (!hostPort || (hostPort[1] !== undefined && !hostPort[1].includes(":"))) {
    throw bad("expected the proxy's name or IP address (an IPv6 one in brackets)");
  }
  const portText = hostPort[3];
  if (portText === undefined) throw bad("give the proxy's port, e.g. http://proxy:8080");
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 65535)) throw bad(`the port must be 1-65535 (got '${portText}')`);
  const host = hostPort[1] ?? hostPort[2];
  if (userinfo === undefined) return new HttpProxy(host, port);
  const colon = userinfo.indexOf(":");
  const decode = (part: string) => {
    try {
      return decodeURIComponent(part);
    } catch {
      throw bad("a % in the user or password must start %XX (write % itself as %25)");
    }
  };
  const user = decode(colon < 0 ? userinfo : userinfo.slice(0, colon));
  if (user === "") throw bad("no user before the @");
  const password = colon < 0 ? passwordVariable() : decode(userinfo.slice(colon + 1));
  if (password === undefined) {
    throw new ProxyUrlError(
      `${shown} names the user but no password: set the environment variable ` +
        `${PROXY_PASSWORD_VARIABLE} to it (which keeps it out of the shell's history), or ` +
        "write http://user:password@host:port",
    );
  }
  return new HttpProxy(host, port, { user, password });
}

/**
 * `text`, a proxy URL as typed, with any password blanked:
 * `http://user:***@host:port`. Leaves anything without one as it is.
 */
export function redactProxyUrl(text: string): string {
  const at = text.lastIndexOf("@");
  if (at < 0) return text;
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(text)?.[0] ?? "";
  const userinfo = text.slice(scheme.length, at);
  const colon = userinfo.indexOf(":");
  return colon < 0 ? text : `${scheme}${userinfo.slice(0, colon)}:***${text.slice(at)}`;
}
