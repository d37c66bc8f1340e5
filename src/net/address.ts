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
