/**
 * Reaching a Tentacle through an HTTP proxy, as Octopus can: the proxy's URL
 * (`/proxy=http://user:password@host:port`), and the tunnel Halibut opens
 * (`CONNECT host:port HTTP/1.0`, with Basic credentials when there are some),
 * through which TLS, or `/nossl`'s plain request, then runs. The proxy, not
 * this machine, resolves the Tentacle's name.
 *
 * The password is kept where no reporter can print it: a proxy reads and
 * serialises as `http://user:***@host:port`.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import net from "node:net";
import { joinHostPort } from "./address.ts";
import { concat, indexOfBlankLine, parseHead } from "./http.ts";
import { startsWithTlsRecord } from "./sniff.ts";

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
    return `Basic ${Buffer.from(`${this.user}:${this.#password}`, "utf8").toString("base64")}`;
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

/** Codes of the failures a proxy causes, beside the system's own (`ECONNREFUSED`). */
export const PROXY_FAILURES = {
  /** The proxy answered CONNECT with another status than 200. */
  status: "OCTOPING_PROXY_STATUS",
  /** What came back is not an HTTP answer. */
  notHttp: "OCTOPING_PROXY_NOT_HTTP",
  /** What came back is TLS: a TLS port, not an HTTP proxy's. */
  tls: "OCTOPING_PROXY_TLS",
  /** The proxy closed the connection before its answer was complete. */
  closed: "OCTOPING_PROXY_CLOSED",
  /** The proxy sent more after its 200, before anything went through the tunnel. */
  early: "OCTOPING_PROXY_EARLY",
  /** The proxy's answer went on past the cap without ending. */
  tooLong: "OCTOPING_PROXY_TOO_LONG",
} as const;

/**
 * Squid's own reasons (`X-Squid-Error`) for not reaching the target: a refused
 * or silent port, a name it cannot resolve, no route.
 */
const SQUID_UNREACHABLE =
  /^ERR_(CONNECT_FAIL|DNS_FAIL|CANNOT_FORWARD|READ_TIMEOUT|CONNECT_TIMEOUT)\b/;

/**
 * Whether a refusal says the proxy could not reach the target (the fault is
 * behind it): 502, 503 and 504 from any proxy, tinyproxy's `500 Unable to
 * connect`, and squid's own reasons.
 */
function couldNotReach(status: number, reason: string, squid: string | undefined): boolean {
  return status === 502 || status === 503 || status === 504 ||
    (status === 500 && /unable to connect/i.test(reason)) ||
    (squid !== undefined && SQUID_UNREACHABLE.test(squid));
}

/** The proxy would not open the tunnel: the message says how, with what it answered. */
export class ProxyError extends Error {
  override name = "ProxyError";
  /** One of {@linkcode PROXY_FAILURES}. */
  code: string;
  /** The status the proxy answered CONNECT with, when it was HTTP. */
  status?: number;
  /** The status's reason phrase, as the proxy wrote it (`Access violation`). */
  reason?: string;
  /** The authentication schemes a 407 offers (`Basic`, `NTLM`, `Negotiate`), as named. */
  schemes?: string[];
  /** The proxy says it could not reach the target: the fault is behind it. */
  unreachable?: boolean;

  constructor(
    code: string,
    message: string,
    answer: Pick<ProxyError, "status" | "reason" | "schemes" | "unreachable"> = {},
  ) {
    super(message);
    this.code = code;
    this.status = answer.status;
    this.reason = answer.reason;
    this.schemes = answer.schemes;
    this.unreachable = answer.unreachable;
  }
}

/**
 * The most of a proxy's answer to CONNECT that is read: a status line and
 * headers past this are not a proxy's.
 */
export const MAX_PROXY_ANSWER_BYTES = 16 * 1024;

/** How much of a strange answer the message quotes. */
const QUOTED_BYTES = 120;

/** Where a tunnel goes: the proxy resolves this name. */
export interface TunnelTarget {
  host: string;
  port: number;
}

/** Halibut's request: `CONNECT host:port HTTP/1.0`, `Host`, and Basic credentials if given. */
export function connectRequest(proxy: HttpProxy, target: TunnelTarget): Uint8Array {
  const hostPort = joinHostPort(target.host, target.port);
  const authorization = proxy.authorization;
  return new TextEncoder().encode(
    `CONNECT ${hostPort} HTTP/1.0\r\nHost: ${hostPort}\r\n` +
      (authorization ? `Proxy-Authorization: ${authorization}\r\n` : "") + "\r\n",
  );
}

/**
 * Reads the proxy's answer to CONNECT as it comes, up to
 * {@linkcode MAX_PROXY_ANSWER_BYTES}. {@linkcode push} returns once the
 * tunnel is open, and throws {@linkcode ProxyError} as soon as it is clear it
 * will not be.
 */
export class ProxyAnswerReader {
  #received: Uint8Array = new Uint8Array(0);

  /** Takes the next chunk; true once a 200 has arrived whole. */
  push(chunk: Uint8Array): boolean {
    const room = MAX_PROXY_ANSWER_BYTES + 1 - this.#received.length;
    this.#received = concat([this.#received, chunk.subarray(0, room)]);
    const received = this.#received;
    const http = new TextEncoder().encode("HTTP/");
    if (http.some((byte, i) => i < received.length && received[i] !== byte)) {
      throw notHttp(received);
    }
    const end = indexOfBlankLine(received);
    if (end < 0) {
      if (received.length <= MAX_PROXY_ANSWER_BYTES) return false;
      throw new ProxyError(
        PROXY_FAILURES.tooLong,
        `the proxy's answer to CONNECT did not end within ${MAX_PROXY_ANSWER_BYTES} bytes: ` +
          quote(received),
      );
    }
    const head = parseHead(new TextDecoder().decode(received.subarray(0, end)));
    if (!head) throw notHttp(received);
    if (head.status !== 200) {
      // tinyproxy refuses wrong credentials with a 401 and WWW-Authenticate.
      const offered = head.headers.get("proxy-authenticate") ??
        (head.status === 401 ? head.headers.get("www-authenticate") : undefined);
      const schemes = offered === undefined ? undefined : authSchemes(offered);
      const offers = schemes ? ` (it offers ${schemes.join(", ") || "no scheme"})` : "";
      // Squid names its reason in a header of its own: ERR_CONNECT_FAIL 111 is a refusal.
      const squid = head.headers.get("x-squid-error");
      throw new ProxyError(
        PROXY_FAILURES.status,
        `the proxy answered CONNECT with ${head.version} ${head.status} ${head.reason}`.trim() +
          offers + (squid ? ` (squid: ${squid})` : ""),
        {
          status: head.status,
          reason: head.reason,
          schemes,
          unreachable: couldNotReach(head.status, head.reason, squid),
        },
      );
    }
    // Nothing may come before the client speaks (TLS's hello, or the request): a stray byte
    // would be a byte of the Tentacle's stream lost or forged, so it ends the attempt.
    if (end + 4 < received.length || chunk.length > room) {
      throw new ProxyError(
        PROXY_FAILURES.early,
        "the proxy sent more after its 200 answer, before anything went through the tunnel",
      );
    }
    return true;
  }

  /** The error for a connection that ended before the answer was whole. */
  closed(): ProxyError {
    const received = this.#received;
    return new ProxyError(
      PROXY_FAILURES.closed,
      received.length === 0
        ? "the proxy closed the connection without answering CONNECT"
        : `the proxy closed the connection in the middle of its answer: ${quote(received)}`,
    );
  }
}

function notHttp(received: Uint8Array): ProxyError {
  if (startsWithTlsRecord(received)) {
    return new ProxyError(
      PROXY_FAILURES.tls,
      "the proxy answered CONNECT in TLS: a TLS port (the Tentacle's own, or an https " +
        "proxy's) is at this address, not an HTTP proxy",
    );
  }
  return new ProxyError(
    PROXY_FAILURES.notHttp,
    `the proxy's answer to CONNECT is not HTTP: ${quote(received)}`,
  );
}

/** The first bytes of `bytes` as they came, one byte a character; the reporter escapes them. */
function quote(bytes: Uint8Array): string {
  const text = new TextDecoder("latin1").decode(bytes.subarray(0, QUOTED_BYTES));
  return `'${text}'${bytes.length > QUOTED_BYTES ? "..." : ""}`;
}

/**
 * The schemes a `Proxy-Authenticate` value offers: `Basic realm="x", NTLM`
 * gives Basic and NTLM. Each challenge starts with a token not followed by
 * `=` (parameters are `name=value`); quoted strings are skipped.
 */
export function authSchemes(value: string): string[] {
  const unquoted = value.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const schemes: string[] = [];
  for (const part of unquoted.split(",")) {
    const scheme = /^\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?:\s+[^=\s]|\s*$)/.exec(part)?.[1];
    if (scheme && !schemes.some((s) => s.toLowerCase() === scheme.toLowerCase())) {
      schemes.push(scheme);
    }
  }
  return schemes;
}

/** What {@linkcode connectTunnel} needs. */
export interface TunnelRequest {
  proxy: HttpProxy;
  /**
   * The proxy's IP address, its name resolved by a caller that times the
   * lookup; or its name, which the connect then resolves.
   */
  address: string;
  target: TunnelTarget;
  /** Aborting ends the wait, and the connection, with the signal's reason. */
  signal: AbortSignal;
  /** Hears that the TCP connection to the proxy is made, before CONNECT is sent. */
  onConnected?: () => void;
}

/**
 * Connects to the proxy and asks it for a tunnel to the target. Resolves with
 * the socket, now the tunnel, paused and with no listeners of its own:
 * hand it to `tls.connect({ socket })`, or resume it to read. Rejects with
 * the socket's error (`ECONNREFUSED`), a {@linkcode ProxyError}, or the
 * signal's reason; the socket is then destroyed. Bounded only by `signal`.
 */
export function connectTunnel(request: TunnelRequest): Promise<net.Socket> {
  const { proxy, address, target, signal, onConnected } = request;
  const socket = net.connect({ host: address, port: proxy.port, noDelay: true });
  const reader = new ProxyAnswerReader();
  return new Promise<net.Socket>((resolve, reject) => {
    const done = (error?: unknown) => {
      signal.removeEventListener("abort", onAbort);
      socket.off("connect", onConnect).off("data", onData).off("error", done)
        .off("end", onEnd).off("close", onEnd);
      socket.pause();
      if (error === undefined) return resolve(socket);
      socket.destroy();
      reject(error);
    };
    const onAbort = () => done(signal.reason);
    const onConnect = () => {
      onConnected?.();
      socket.write(connectRequest(proxy, target));
    };
    const onData = (chunk: Uint8Array) => {
      try {
        if (reader.push(chunk)) done();
      } catch (error) {
        done(error);
      }
    };
    const onEnd = () => done(reader.closed());
    if (signal.aborted) return done(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    socket.once("connect", onConnect).on("data", onData).once("error", done)
      .once("end", onEnd).once("close", onEnd);
  });
}

/** How {@linkcode openTunnel} is bounded. */
export interface OpenTunnelOptions {
  /** Aborting ends the wait, and the connection, with the signal's reason. */
  signal: AbortSignal;
}

/**
 * A tunnel as a `Deno.Conn`, for code that reads and writes raw bytes (the
 * TLS probe): connects to the proxy by name and asks it for a tunnel to the
 * target. Rejects as {@linkcode connectTunnel} does.
 */
export async function openTunnel(
  proxy: HttpProxy,
  target: TunnelTarget,
  { signal }: OpenTunnelOptions,
): Promise<Deno.TcpConn> {
  const conn = await Deno.connect({ hostname: proxy.host, port: proxy.port, signal });
  const close = () => conn.close();
  signal.addEventListener("abort", close, { once: true });
  try {
    const request = connectRequest(proxy, target);
    for (let at = 0; at < request.length;) at += await conn.write(request.subarray(at));
    const reader = new ProxyAnswerReader();
    const buffer = new Uint8Array(4096);
    for (;;) {
      const count = await conn.read(buffer);
      if (count === null) throw reader.closed();
      if (reader.push(buffer.subarray(0, count))) return conn;
    }
  } catch (error) {
    if (!signal.aborted) conn.close();
    throw signal.aborted ? signal.reason : error;
  } finally {
    signal.removeEventListener("abort", close);
  }
}
