/**
 * The typed, validated options each command runs with. Only the parser builds
 * these; everything else reads them instead of raw arguments.
 *
 * @module
 */
import type { HttpProxy } from "../net/proxy_url.ts";
import { MB } from "../units.ts";

/** The port a listening Tentacle uses. */
export const TENTACLE_PORT = 10933;

/** How a run records what happens: text or JSON lines, and a log file. */
export interface RecordOptions {
  /** `/format`: text lines (default) or JSON Lines. */
  format: "text" | "json";
  /** `/logfile`: also append every line to this file. */
  logfile?: string;
}

/** Where ping connects to. */
export interface Target {
  /** Host name or IP address as given, without brackets. */
  host: string;
  /** TCP port. */
  port: number;
}

/** One target of a hosts file (`/hosts`): where, the name shown for it, and its certificate. */
export interface FleetTarget extends Target {
  /** As the hosts file names it, or `host:port`; unique in the file. */
  name: string;
  /** `thumbprint=<hex>` on its line: the certificate this target must present. */
  thumbprint?: string;
}

/** `/hosts` and what goes with it: many targets at once. */
export interface FleetOptions {
  /** The hosts file, or `-` for stdin. */
  hosts: string;
  /** The port of a line that names none (`/port`, else 10933). */
  defaultPort: number;
  /** `/parallel`: connections in flight at most, over all targets. */
  parallel: number;
}

/** The most connections a fleet has in flight by default (`/parallel`). */
export const DEFAULT_PARALLEL = 50;

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
  /**
   * The HTTP proxy to reach the target through (`/proxy`), which resolves the
   * target's name; none when absent. Shows, and serialises, with the password blanked.
   */
  proxy?: HttpProxy;
  /** The certificate the server must present: SHA-1 or SHA-256, upper-case hex. */
  thumbprint?: string;
  /** Ask pong to send the data back instead (`/reverse`): times the download. */
  reverse: boolean;
  /**
   * The client certificate to present (`/clientcert`, `/clientkey`): file
   * paths, a PEM certificate with its PEM key or a PFX alone; a generated one
   * when absent. The PFX's password is never kept here (see {@linkcode Secrets}).
   */
  clientCertificate?: { cert: string; key?: string };
  record: RecordOptions;
}

/** Options of `OctoPing pong`. */
export interface PongOptions {
  /** Port to listen on; 0 asks the system for any free port. */
  port: number;
  /** One address to listen on (`/listen`); every interface when absent. */
  address?: string;
  /** Plain TCP instead of TLS (`/nossl`). */
  noSsl: boolean;
  /** A client silent this long is dropped, in ms (`/idle`). */
  idleMs: number;
  /** A client must finish the TLS handshake within this, in ms (`/handshake`). */
  handshakeMs: number;
  /** Connections open at once; more are closed as they arrive (`/maxconn`). */
  maxConnections: number;
  /**
   * The most pong sends back for one `/reverse` request, in bytes (`/maxsend`);
   * 0, the default, sends nothing back: a 100-byte request must not fetch a
   * gigabyte from a production server's network for anyone who finds the port.
   */
  maxSendBytes: number;
  /** A certificate and key to serve instead of a generated one (`/cert`, `/key`): file paths. */
  certificateFiles?: { cert: string; key: string };
  /** Stop by itself after this long, in ms (`/duration`); runs until stopped when absent. */
  durationMs?: number;
  record: RecordOptions;
}

/** Default pong options: what a pong left running for days on a production server needs. */
export const PONG_DEFAULTS = {
  idleMs: 60_000,
  handshakeMs: 10_000,
  maxConnections: 1000,
  maxSendBytes: 0,
} as const;

/** Default ping options, as in the original TentaclePing. */
export const PING_DEFAULTS = {
  port: TENTACLE_PORT,
  dataSize: 0,
  chunkSize: 2 * MB,
  count: Infinity,
  intervalMs: 500,
  timeoutMs: 30_000,
} as const;

/** Options of `OctoPing check`. */
export interface CheckOptions {
  /** The Tentacle to check. */
  target: Target;
  /** Plain TCP instead of TLS (`/nossl`): name, TCP and a plain exchange; no probe. */
  noSsl: boolean;
  /** The longest wait for any one step, in ms (`/timeout`). */
  timeoutMs: number;
  /** Only this address family (`/ipv4`, `/ipv6`); any when absent. */
  family?: 4 | 6;
  /** The HTTP proxy to reach the Tentacle through (`/proxy`), as for ping. */
  proxy?: HttpProxy;
  /** The certificate the Tentacle must present: SHA-1 or SHA-256, upper-case hex. */
  thumbprint?: string;
  /**
   * The Octopus Server's certificate (`/clientcert`, `/clientkey`): presented,
   * and tested for the Tentacle's trust. Without it no trust test is run.
   */
  clientCertificate?: { cert: string; key?: string };
  /**
   * `/subscription=poll://<id>/`: the trust test speaks as this polling
   * Tentacle to an Octopus Server's polling port, instead of as a server.
   */
  subscription?: string;
  record: RecordOptions;
}

/** Default check options: a check runs once, so a step waits less than a ping's attempt. */
export const CHECK_DEFAULTS = {
  timeoutMs: 5_000,
} as const;

/** Options of `OctoPing exporter`. */
export interface ExporterOptions {
  /** `/listen`: the address the HTTP server listens on; loopback unless `/hosts` is given. */
  address: string;
  /** `/port`: the port it listens on; 0 asks the system for any free port. */
  port: number;
  /** `/hosts`: the only targets it probes; any target when absent (loopback only). */
  hosts?: string;
  /** `/parallel`: probes under way at once; more wait for a free slot. */
  parallel: number;
  /** `/maxdatasize`: the most a probe's `datasize` may send, in bytes; 0 allows none. */
  maxDataSize: number;
  /** `/proxy`: every probe goes through it; a URL can never name one. */
  proxy?: HttpProxy;
  /** `/clientcert`, `/clientkey`: presented on every probe; one made at start when absent. */
  clientCertificate?: { cert: string; key?: string };
  /** Stop by itself after this long, in ms (`/duration`); runs until stopped when absent. */
  durationMs?: number;
  record: RecordOptions;
}

/**
 * Default exporter options. Port 9933 is not in /etc/services, nor blackbox_exporter's
 * 9115, so both can run side by side. 10 probes at once: each is a TLS handshake or more,
 * and a probe that waits past its scrape's time limit gets 503, not a late answer.
 */
export const EXPORTER_DEFAULTS = {
  address: "127.0.0.1",
  port: 9933,
  parallel: 10,
  maxDataSize: 0,
} as const;

/** Options of `OctoPing report`. */
export interface ReportOptions {
  /**
   * The logs to read, as given (`*` and `?` in a file name are expanded by
   * OctoPing: cmd.exe does not): OctoPing's JSON lines or text, or TentaclePing's text.
   */
  inputs: string[];
  /** Where to write the HTML report; the statistics go to stdout when absent. */
  output?: string;
}

/**
 * What the command line holds that must never be printed, logged or put in
 * JSON: kept apart from the options every reporter sees.
 */
export interface Secrets {
  /** `/clientpassword`: the PFX's password. */
  clientPassword?: string;
}

/** What the command line asks for. */
export type Command =
  | { kind: "ping"; options: PingOptions; notices: string[]; secrets: Secrets }
  /** `ping /hosts=<file>`: every target with `options`, its own target and thumbprint apart. */
  | {
    kind: "pingFleet";
    options: Omit<PingOptions, "target" | "thumbprint">;
    fleet: FleetOptions;
    notices: string[];
    secrets: Secrets;
  }
  | { kind: "pong"; options: PongOptions; notices: string[] }
  | { kind: "check"; options: CheckOptions; secrets: Secrets }
  /** `check /hosts=<file>`: each target checked once, `/parallel` at a time. */
  | {
    kind: "checkFleet";
    options: Omit<CheckOptions, "target" | "thumbprint">;
    fleet: FleetOptions;
    secrets: Secrets;
  }
  | { kind: "exporter"; options: ExporterOptions; secrets: Secrets }
  | { kind: "report"; options: ReportOptions }
  | { kind: "help" }
  | { kind: "version" };
