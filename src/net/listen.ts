/**
 * Listening on every interface, IPv4 and IPv6, on one port.
 *
 * On Linux and macOS `::` is dual-stack, so the IPv4 bind that follows it
 * fails with AddrInUse and that is expected; on Windows `::` is IPv6-only and
 * both binds are needed.
 *
 * @module
 */

/** A certificate and key, PEM, for a TLS listener. */
export interface TlsIdentity {
  certPem: string;
  keyPem: string;
}

/** The listeners for one port. */
export interface Listening {
  listeners: Deno.Listener[];
  /** The port bound: the one asked for, or the one the system chose for 0. */
  port: number;
}

/** Listening failed in a way the user can act on (port in use, not permitted). */
export class ListenError extends Error {
  override name = "ListenError";
}

/** Listens on `::` and `0.0.0.0` at `port` (0 = any free port), with TLS when `tls` is given. */
export function listenEverywhere(port: number, tls?: TlsIdentity): Listening {
  const listeners: Deno.Listener[] = [];
  try {
    const v6 = tryListen("::", port, tls);
    if (v6) listeners.push(v6);
    const bound = v6 ? (v6.addr as Deno.NetAddr).port : port;
    const v4 = tryListen("0.0.0.0", bound, tls, v6 !== undefined && Deno.build.os !== "windows");
    if (v4) listeners.push(v4);
    if (listeners.length === 0) throw new ListenError(`cannot listen on port ${port}`);
    return { listeners, port: (listeners[0].addr as Deno.NetAddr).port };
  } catch (error) {
    for (const listener of listeners) listener.close();
    throw explain(error, port);
  }
}

function tryListen(
  hostname: string,
  port: number,
  tls: TlsIdentity | undefined,
  coveredByDualStack = false,
): Deno.Listener | undefined {
  try {
    return tls
      ? Deno.listenTls({ hostname, port, cert: tls.certPem, key: tls.keyPem })
      : Deno.listen({ hostname, port });
  } catch (error) {
    if (coveredByDualStack && error instanceof Deno.errors.AddrInUse) return undefined;
    // No IPv6 on this machine: IPv4 alone will do.
    if (hostname === "::" && error instanceof Deno.errors.AddrNotAvailable) return undefined;
    if (hostname === "::" && (error as { code?: string }).code === "EAFNOSUPPORT") return undefined;
    throw error;
  }
}

function explain(error: unknown, port: number): Error {
  if (error instanceof ListenError) return error;
  if (error instanceof Deno.errors.AddrInUse) {
    return new ListenError(
      `port ${port} is already in use: another program (a Tentacle?) listens there. ` +
        `Stop it, or choose another port with /port=<port>.`,
    );
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    return new ListenError(
      `not permitted to listen on port ${port}: ports below 1024 need administrator rights; ` +
        `choose another port with /port=<port>.`,
    );
  }
  return new ListenError(`cannot listen on port ${port}: ${(error as Error).message}`);
}
