/**
 * Reaching a Tentacle through an HTTP proxy, as Octopus can: the proxy's URL
 * (`/proxy=http://user:password@host:port`), and the tunnel Halibut opens
 * (`CONNECT host:port HTTP/1.0`, with Basic credentials when there are some),
 * through which TLS, or `/nossl`'s plain request, then runs. The proxy, not
 * this machine, resolves the Tentacle's name.
 * The URL and the proxy it names are in `proxy_url.ts`.
 *
 * @module
 */
import net from "node:net";
import { joinHostPort } from "./address.ts";
import type { HttpProxy } from "./proxy_url.ts";
import { concat, indexOfBlankLine, parseHead } from "./http.ts";
import { startsWithTlsRecord } from "./sniff.ts";

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
