/**
 * The typed, validated options each command runs with. Only the parser builds
 * these; everything else reads them instead of raw arguments.
 *
 * @module
 */

/** 1 MB as the original TentaclePing counts it. */
export const MB = 1_048_576;

/** The port a listening Tentacle uses. */
export const TENTACLE_PORT = 10933;

/** Where ping connects to. */
export interface Target {
  /** Host name or IP address as given, without brackets. */
  host: string;
  /** TCP port. */
  port: number;
}

/** Options of `OctoPing ping`. */
export interface PingOptions {
  /** Where to connect. */
  target: Target;
  /** Plain TCP instead of TLS (`/nossl`). */
  noSsl: boolean;
  /** Bytes to send per attempt; 0 sends no payload. */
  dataSize: number;
  /** Bytes per connection in data mode. */
  chunkSize: number;
  /** Attempts to make; `Infinity` runs until interrupted. */
  count: number;
  /** Pause between the end of one attempt and the start of the next, in ms. */
  intervalMs: number;
  /** The longest wait with no progress in any phase, in ms (`/timeout`). */
  timeoutMs: number;
  /** Only this address family (`/ipv4`, `/ipv6`); any when absent. */
  family?: 4 | 6;
  /** The certificate the server must present: SHA-1 or SHA-256, upper-case hex. */
  thumbprint?: string;
}

/** Options of `OctoPing pong`. */
export interface PongOptions {
  /** Port to listen on; 0 asks the system for any free port. */
  port: number;
  /** One address to listen on (`/listen`); every interface when absent. */
  address?: string;
  /** Plain TCP instead of TLS (`/nossl`). */
  noSsl: boolean;
}

/** Default ping options, as in the original TentaclePing. */
export const PING_DEFAULTS = {
  port: TENTACLE_PORT,
  dataSize: 0,
  chunkSize: 2 * MB,
  count: Infinity,
  intervalMs: 500,
  timeoutMs: 30_000,
} as const;

/** What the command line asks for. */
export type Command =
  | { kind: "ping"; options: PingOptions; notices: string[] }
  | { kind: "pong"; options: PongOptions; notices: string[] }
  | { kind: "help" }
  | { kind: "version" };
