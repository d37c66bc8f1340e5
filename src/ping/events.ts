/**
 * What the ping engine reports as it runs: typed events that reporters turn
 * into lines; nothing here prints.
 *
 * @module
 */
import type { PingOptions } from "../options/options.ts";
import type { TlsSession } from "../net/peer_certificate.ts";
import type { CertificateWarning } from "../net/certificate_policy.ts";
import type { RunSummary } from "../stats/run_statistics.ts";
import type { PeerIdentity } from "../connection/identify.ts";
import type { AttemptProgress, AttemptResult } from "../connection/result.ts";
import type { Phase } from "../connection/failure.ts";

/**
 * What a run says once: `unconfirmed`, data mode against a server that is not
 * pong; `unvouched`, an older pong that says nothing of the certificates.
 */
export type Note = "unconfirmed" | "unvouched";

/** What the ping engine reports as it runs. */
export type PingEvent =
  | {
    type: "start";
    time: Date;
    options: PingOptions;
    /** SHA-1 of the client certificate ping presents when asked; absent without TLS. */
    clientThumbprint?: string;
  }
  | {
    type: "attempt";
    result: AttemptResult;
    /** For a failure: the name now resolves elsewhere than when it last worked. */
    dnsMoved?: { from: string; to: string };
    /** The address this attempt reached, when it is the first reached or another than before. */
    address?: AddressReached;
  }
  | CertificateEvent
  /** Who answered: on the first success and whenever it changes. */
  | { type: "peer"; time: Date; peer: PeerIdentity }
  /** How a data-mode attempt goes, at most every 250 ms. */
  | { type: "progress"; seq: number; progress: AttemptProgress }
  /** Something the run says once. */
  | { type: "note"; time: Date; code: Note; message: string }
  /** The run cannot go on (e.g. `/reverse` against a server that is not pong). */
  | { type: "abandoned"; time: Date; reason: string }
  | {
    type: "end";
    time: Date;
    summary: RunSummary;
    interrupted: boolean;
    /** The attempt the stop cut short (it is not in `summary`); null when none was under way. */
    cutShort: AttemptCutShort | null;
  };

/** An attempt a stop (Ctrl+C) cut short: its number, the phase it was in, how long it had run. */
export interface AttemptCutShort {
  seq: number;
  phase: Phase;
  ms: number;
}

/**
 * The address reached, when the host is a name: on the first attempt and when it changes.
 * Through a proxy (`proxy`), the host is the proxy's, and the address too.
 */
export interface AddressReached {
  time: Date;
  host: string;
  proxy: boolean;
  address: string;
  previous?: string;
}

/** The server's certificate: on the first handshake and whenever it changes. */
export interface CertificateEvent {
  type: "certificate";
  time: Date;
  session: TlsSession;
  /** SHA-1 of the certificate before, when it changed. */
  previous?: string;
  /** What is wrong with it at `time`, judged as `check` judges it; empty when nothing is. */
  warnings: CertificateWarning[];
}
