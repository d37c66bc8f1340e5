/**
 * What one connection should do, and the request it sends: the head, and in
 * data mode a payload line between it and the blank line that ends it.
 *
 * @module
 */
import type { Target } from "../options/options.ts";
import type { CertificateWithKey } from "../net/certificate.ts";
import { joinHostPort } from "../net/address.ts";
import { HEADERS } from "../net/protocol.ts";
import type { HttpProxy } from "../net/proxy_url.ts";

/** What one connection should do. */
export interface ExchangeRequest {
  target: Target;
  /** The HTTP proxy to tunnel through, which then resolves the target's name. */
  proxy?: HttpProxy;
  /**
   * Connect to this address instead of resolving a name: `target.host`'s, which still names
   * the server, or through a proxy the proxy's.
   */
  address?: string;
  tls: boolean;
  /** Only this address family; any when absent. */
  family?: 4 | 6;
  /** The certificate the server must present (SHA-1 or SHA-256, upper-case hex). */
  thumbprint?: string;
  /** The certificate to present when the server asks for one, as Octopus does. */
  clientCertificate?: CertificateWithKey;
  /** Payload bytes to send in the request; 0 for none. */
  payloadBytes: number;
  /** Bytes to ask pong to send back (`/reverse`); 0 for none. */
  reverseBytes: number;
  /**
   * Hears how many payload bytes have moved so far: received in reverse mode; sent otherwise,
   * as pong confirmed them when it does, else as the socket took them.
   */
  onProgress?: (bytesMoved: number) => void;
  /** The longest wait with no progress, in ms. */
  timeoutMs: number;
  /** Aborting cancels the exchange: it then rejects with a `CutShort`, the reason its cause. */
  signal: AbortSignal;
}

/** The parts of one request around its payload. */
export interface RequestFrame {
  /** Request line and headers, each line ending in CRLF. */
  head: Uint8Array;
  /** Ends the payload line (when there is one) and the request: the blank line. */
  tail: Uint8Array;
  /** Total bytes of the request: head, payload and tail. */
  totalBytes: number;
}

/** The request for one connection: `payloadBytes` sent, and `reverseBytes` asked back from pong. */
export function requestFrame(target: Target, payloadBytes: number, reverseBytes = 0): RequestFrame {
  const encoder = new TextEncoder();
  const reverse = reverseBytes > 0 ? `${HEADERS.reverse}: ${reverseBytes}\r\n` : "";
  // An upload asks pong to say what it has received while it arrives; others ignore the header.
  const progress = payloadBytes > 0 ? `${HEADERS.progress}: 1\r\n` : "";
  const head = encoder.encode(
    `GET / HTTP/1.1\r\nHost: ${joinHostPort(target.host, target.port)}\r\n` +
      `Connection: close\r\n${reverse}${progress}`,
  );
  const tail = encoder.encode(payloadBytes > 0 ? "\r\n\r\n" : "\r\n");
  return { head, tail, totalBytes: head.length + payloadBytes + tail.length };
}
