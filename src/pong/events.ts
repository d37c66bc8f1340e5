/**
 * What pong reports as it runs: typed events, with its figures over the whole
 * run. Reporters print them.
 *
 * @module
 */

/** How a connection ended badly. */
export type ConnectionFailure =
  | "handshake"
  | "handshake timeout"
  | "idle"
  | "closed early"
  | "over /maxconn"
  | "refused /reverse"
  | "tls client"
  | "other";

/** A connection that ended badly. */
export interface FailedConnection {
  time: Date;
  client: string;
  kind: ConnectionFailure;
  reason: string;
  bytesRead: number;
  bytesSent: number;
  ms: number;
  /** The client certificate's SHA-1, `none` without one, null without TLS (or no handshake). */
  clientCertificate: string | null;
}

/** Pong's figures over its whole run. */
export interface PongSummary {
  connections: number;
  /** Most connections open at once. */
  peakConcurrent: number;
  bytesRead: number;
  bytesSent: number;
  /** Connections that ended badly, by how. */
  failures: Partial<Record<ConnectionFailure, number>>;
}

/** What pong reports as it runs. */
export type PongEvent =
  | { type: "listening"; time: Date; port: number; tls: boolean; thumbprint?: string }
  | { type: "accepted"; time: Date; client: string }
  /** More connections were accepted in the last interval than are listed one by one. */
  | { type: "acceptedMore"; time: Date; count: number }
  | AnsweredConnection
  | ({ type: "failed" } & FailedConnection)
  /** More connections ended badly in the last interval than are listed one by one. */
  | { type: "failedMore"; time: Date; count: number; byKind: Record<string, number> }
  | { type: "acceptFailed"; time: Date; reason: string }
  | { type: "stopped"; time: Date; summary: PongSummary };

/** A connection pong answered in full. */
export interface AnsweredConnection {
  type: "answered";
  time: Date;
  client: string;
  bytesRead: number;
  bytesSent: number;
  ms: number;
  /** The client certificate's SHA-1, `none` without one, null without TLS. */
  clientCertificate: string | null;
}
