/**
 * How network addresses are written in OctoPing's output.
 *
 * @module
 */

/**
 * An address as people expect to read it: an IPv4-mapped IPv6 address
 * (`::ffff:10.0.0.5`, what a dual-stack listener reports for IPv4 peers) as
 * plain IPv4.
 */
export function displayAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1] : address;
}

/** `host:port`, with brackets around an IPv6 address: `[fe80::1]:10933`. */
export function joinHostPort(host: string, port: number): string {
  const shown = displayAddress(host);
  return shown.includes(":") ? `[${shown}]:${port}` : `${shown}:${port}`;
}

const IPV4_PART = "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const IPV4 = new RegExp(`^(?:${IPV4_PART}\\.){3}${IPV4_PART}$`);
const ZONE = /^[A-Za-z0-9._:-]+$/;

/**
 * 4 or 6 for an IPv4 or IPv6 address (with or without a `%zone`), 0 for
 * anything else: node's `isIP`, for code that must not load `node:net` (its
 * polyfills slow every start-up, `/?` included). IPv6 is checked by the URL parser.
 */
export function ipFamily(text: string): 0 | 4 | 6 {
  if (IPV4.test(text)) return 4;
  if (!text.includes(":")) return 0;
  const zoneAt = text.indexOf("%");
  if (zoneAt >= 0 && !ZONE.test(text.slice(zoneAt + 1))) return 0;
  try {
    new URL(`http://[${zoneAt >= 0 ? text.slice(0, zoneAt) : text}]/`);
    return 6;
  } catch {
    return 0;
  }
}
