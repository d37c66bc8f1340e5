/**
 * One run in a log: a log file appended to by several runs holds several.
 * What a run says about itself - its header, target, the certificates, the
 * addresses and who answered - is kept for the report, bounded: a run that
 * sees a thousand certificates keeps a few and counts the rest.
 *
 * @module
 */

/** A log-derived string is kept to this length: enough for any line, however long the original. */
const KEEP_CHARS = 1000;

/** `text` cut to what a run keeps of one string. */
export function clip(text: string): string {
  return text.length > KEEP_CHARS ? text.slice(0, KEEP_CHARS) : text;
}

/** The first few distinct values, and how many more there were. */
export class Capped<T> {
  readonly items: T[] = [];
  more = 0;
  #cap: number;
  #same: (a: T, b: T) => boolean;

  constructor(cap: number, same: (a: T, b: T) => boolean = (a, b) => a === b) {
    this.#cap = cap;
    this.#same = same;
  }

  /** Adds `item` unless it is kept already; counts it when the list is full. */
  add(item: T): void {
    if (this.items.some((kept) => this.#same(kept, item))) return;
    if (this.items.length < this.#cap) this.items.push(item);
    else this.more++;
  }
}

/** A certificate the run saw, as the log tells it. */
export interface LoggedCertificate {
  /** When it was first seen: the attempt it came with. */
  time?: Date;
  /** A change from the certificate seen before in this run. */
  changed: boolean;
  /** Subject, and issuer or `(self-signed)`. */
  name: string;
  sha1?: string;
  sha256?: string;
  /** Validity, protocol and cipher: `valid from 2026-11-27 to 2027-11-27; TLSv1.3, …`. */
  detail?: string;
}

/** One run of ping or pong in a log, and what it says about itself. */
export interface LoggedRun {
  /** Its place in the file, from 1. */
  number: number;
  format: "text" | "json";
  /** Unknown for the original TentaclePing and for logs without a header. */
  command?: "ping" | "pong";
  /** The line it starts at. */
  firstLine: number;
  version?: string;
  /** `host port 10933` for ping, `port 10933` for pong. */
  target?: string;
  commandLine?: string;
  /** As the header has it (ISO 8601). */
  started?: string;
  /** Machine name, OS and Deno version. */
  machine?: string;
  certificates: Capped<LoggedCertificate>;
  /** How many times the certificate changed during the run. */
  certificateChanges: number;
  /** The proxy the run went through (`/proxy`, its password blanked); the addresses are then its. */
  proxy?: string;
  /** Addresses connected to or resolved. */
  addresses: Capped<string>;
  /** Who answered, as ping described it. */
  peers: Capped<string>;
  /** Connections a pong run saw. */
  connections: number;
  /** A fleet's run (`ping /hosts`): how many targets; its attempts name theirs. */
  fleet?: { targets: number };
}

/** The machine a run ran on, by name alone: what `report` groups targets by. */
export function machineName(run: LoggedRun | undefined): string {
  return run?.machine?.split(", ")[0] || "an unnamed machine";
}

/** A new run numbered `number`, in `format`, starting at line `firstLine`. */
export function newRun(number: number, format: "text" | "json", firstLine: number): LoggedRun {
  return {
    number,
    format,
    firstLine,
    // Certificates arrive only when they change, so a run that keeps changing is what to cap.
    certificates: new Capped(5, () => false),
    certificateChanges: 0,
    addresses: new Capped(10),
    peers: new Capped(5),
    connections: 0,
  };
}
