/**
 * Reads `/host` in the forms people paste: `server`, `server:10933`,
 * `https://server:10933/` (from the Octopus UI), `server:10933/` (from a
 * browser's address bar), `[2001:db8::5]:10933` and bare IPv6 addresses.
 * Link-local addresses are read with their zone (`fe80::1%eth0`,
 * `[fe80::1%12]:10933`) only to be refused: see {@linkcode linkLocalRefusal}.
 *
 * @module
 */
import { ipFamily } from "../net/address.ts";
import { UsageError } from "./values.ts";

/** A host and the port written with it, if any. */
export interface HostSpec {
  /** Host name or address, without brackets. */
  host: string;
  /** The port given inside the host value, if one was. */
  port?: number;
}

type Bad = (why: string) => UsageError;

const NAME = /^[A-Za-z0-9._-]+$/;
/** An interface's name (Linux: `eth0`) or index (Windows: `12`), after an address's `%`. */
const ZONE = /^[A-Za-z0-9._-]+$/;
const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
/**
 * A URL whose host is in brackets, read as `[...]:port` is: the URL parser
 * takes no zone, which a URL writes `%25eth0` (RFC 6874) and Windows `%12`.
 */
const BRACKETED_URL = /^[a-z][a-z0-9+.-]*:\/\/(\[[^\]]*\](?::\d+)?)(?:[/?#].*)?$/is;

/**
 * Parses a `/host` value into a host and an optional port. `shown` is how a
 * message names the value: `/host=…` on the command line, a line of a hosts file.
 */
export function parseHost(text: string, shown = `/host=${text}`): HostSpec {
  const bad: Bad = (why) => new UsageError(`${shown}: ${why}`);
  const spec = parseForm(text.trim(), bad);
  if (isLinkLocal(spec.host)) throw bad(linkLocalRefusal());
  return spec;
}

function parseForm(written: string, bad: Bad): HostSpec {
  if (SCHEME.test(written)) return parseUrl(written, bad);
  // A browser's address bar shows `server:10933/`, the URL without its scheme.
  const value = written.replace(/\/$/, "");
  if (value.startsWith("[")) return parseBracketed(value, bad);
  if (value.split(":").length > 2) return parseBareIpv6(value, bad);
  const [host, port] = value.split(":");
  if (!NAME.test(host)) {
    throw bad("expected a host name or IP address, e.g. MyServer, 10.0.0.1 or MyServer:10933");
  }
  return withPort(host, port, bad);
}

/** `[address]` or `[address]:port`. */
function parseBracketed(value: string, bad: Bad): HostSpec {
  const match = /^\[([^\]]+)\](?::(.*))?$/.exec(value);
  if (!match || !isIpv6(match[1])) {
    throw bad("expected an IPv6 address in brackets, e.g. [2001:db8::5]:10933");
  }
  return withPort(match[1], match[2], bad);
}

/**
 * An IPv6 address without brackets, where every `:` is part of the address.
 * Only when the whole is no address but all before the last `:` is one, and
 * a port follows, was that a port: `::1:10933` (a group has at most 4 hex
 * digits). `::1:443` is an address, and is taken as one.
 */
function parseBareIpv6(value: string, bad: Bad): HostSpec {
  if (isIpv6(value)) return { host: value };
  const split = /^(.+):(\d{1,5})$/.exec(value);
  if (split && isIpv6(split[1]) && isLinkLocal(split[1])) throw bad(linkLocalRefusal());
  if (split && isIpv6(split[1])) {
    throw bad(
      `an IPv6 address with a port is written in brackets, [${split[1]}]:${split[2]} ` +
        `(without them, every ':' is part of the address, and ${value} is no IPv6 address)`,
    );
  }
  throw bad("expected a host name, an IPv4 or an IPv6 address");
}

/** An IPv6 address, perhaps with a zone: an interface's name (`eth0`) or index (`12`). */
function isIpv6(text: string): boolean {
  const [address, zone, ...more] = text.split("%");
  return ipFamily(address) === 6 && more.length === 0 && (zone === undefined || ZONE.test(zone));
}

/** A link-local address (fe80::/10: its first 10 bits are 1111 1110 10), with a zone or not. */
function isLinkLocal(host: string): boolean {
  const address = host.split("%")[0];
  if (ipFamily(address) !== 6) return false;
  const firstGroup = Number.parseInt(address.split(":")[0] || "0", 16);
  return (firstGroup & 0xffc0) === 0xfe80;
}

/**
 * Why a link-local address is refused, and what to use instead. It is on
 * every interface's link, so it is reached through a zone (`%eth0`, `%12`);
 * and the runtime's TCP connect, which ping and check use, drops the zone
 * (connect EINVAL, with the zone or without). Refused here, it costs the user
 * one line instead of a run of failures blamed on nothing.
 */
function linkLocalRefusal(): string {
  return "a link-local address (fe80::/10) can't be reached by this OctoPing: it needs its " +
    "zone (the interface, %eth0 or %12), which OctoPing's runtime drops when it connects. " +
    "Use the Tentacle's name, its IPv4 address, or a global or unique-local IPv6 address " +
    "(not fe80::): 'ipconfig' on the Tentacle lists them";
}

function withPort(host: string, port: string | undefined, bad: Bad): HostSpec {
  if (port === undefined) return { host };
  const number = /^\d{1,5}$/.test(port) ? Number(port) : NaN;
  if (!(number >= 1 && number <= 65535)) {
    throw bad(`expected a port number, 1-65535, after the colon (got '${port}')`);
  }
  return { host, port: number };
}

function parseUrl(value: string, bad: Bad): HostSpec {
  const bracketed = BRACKETED_URL.exec(value);
  if (bracketed) return parseBracketed(bracketed[1].replace("%25", "%"), bad);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw bad("not a valid URL");
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (!host) throw bad("the URL names no host");
  // An explicit default port (https://x:443) is dropped by URL; read it from the text.
  const written = /^[a-z][a-z0-9+.-]*:\/\/(?:\[[^\]]*\]|[^/:?#]*)(?::(\d*))?/i.exec(value)?.[1];
  return withPort(host, written || undefined, bad);
}
