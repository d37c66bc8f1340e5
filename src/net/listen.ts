/**
 * Listening on one port on every interface, IPv4 and IPv6, or on one address.
 *
 * On Linux and macOS `::` is normally dual-stack, so the IPv4 bind that
 * follows it fails with AddrInUse; that is only taken as dual-stack once an
 * IPv4 connection is seen to reach the `::` listener (where `::` is IPv6-only,
 * the AddrInUse means another program holds the IPv4 port). On Windows `::` is
 * IPv6-only and both binds are needed.
 *
 * @module
 */

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

/** How long the IPv4 self-check may take before the port counts as taken by another program. */
const DUAL_STACK_CHECK_MS = 2000;

/**
 * Listens at `port` (0 = any free port) for TCP: on `address` alone when
 * given, else on `::` and `0.0.0.0`. TLS, where wanted, goes on each
 * connection accepted.
 */
export async function listen(port: number, address?: string): Promise<Listening> {
  const listeners: Deno.Listener[] = [];
  try {
    if (address !== undefined) {
      listeners.push(Deno.listen({ hostname: address, port }));
    } else {
      const v6 = bindUnlessNoIpv6(port);
      if (v6) listeners.push(v6);
      const bound = v6 ? (v6.addr as Deno.NetAddr).port : port;
      try {
        listeners.push(Deno.listen({ hostname: "0.0.0.0", port: bound }));
      } catch (error) {
        const dualStack = v6 && error instanceof Deno.errors.AddrInUse &&
          Deno.build.os !== "windows" && await reachesOverIpv4(v6, bound);
        if (!dualStack) throw error;
      }
    }
    return { listeners, port: (listeners[0].addr as Deno.NetAddr).port };
  } catch (error) {
    for (const listener of listeners) listener.close();
    throw listenError(error, port, address);
  }
}

/** `::`, or nothing on a machine without IPv6. */
function bindUnlessNoIpv6(port: number): Deno.Listener | undefined {
  try {
    return Deno.listen({ hostname: "::", port });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (error instanceof Deno.errors.AddrNotAvailable || code === "EAFNOSUPPORT") return undefined;
    throw error;
  }
}

/** Whether an IPv4 connection to `port` arrives at `listener` (so `::` is dual-stack). */
async function reachesOverIpv4(listener: Deno.Listener, port: number): Promise<boolean> {
  const accepted = listener.accept().then((conn) => {
    conn.close();
    return true;
  }, () => false);
  let probe: Deno.Conn;
  try {
    probe = await Deno.connect({ hostname: "127.0.0.1", port });
  } catch {
    return false;
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), DUAL_STACK_CHECK_MS);
  });
  try {
    // On a timeout the pending accept is left to the caller, which closes the listener.
    return await Promise.race([accepted, timeout]);
  } finally {
    clearTimeout(timer);
    probe.close();
  }
}

/** `error` as a {@linkcode ListenError} that says what to do, naming the port or `address`. */
/** What went wrong listening on `port` (at `address`), in words the user can act on. */
export function listenError(error: unknown, port: number, address: string | undefined): Error {
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
  if (error instanceof Deno.errors.AddrNotAvailable && address !== undefined) {
    return new ListenError(
      `cannot listen on ${address}: it is not one of this machine's addresses. ` +
        `Give one of its own with /listen=<ip>, or leave /listen out to listen on all of them.`,
    );
  }
  return new ListenError(`cannot listen on port ${port}: ${(error as Error).message}`);
}
