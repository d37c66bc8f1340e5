/**
 * Reading an HTTP response as it streams in: counts every byte, parses the
 * status line and headers, and knows when the response is complete by its
 * `Content-Length`, so a keep-alive server cannot hold an attempt open.
 *
 * @module
 */
import { HEADERS } from "./protocol.ts";
import { SNIFF_BYTES } from "./sniff.ts";

/** Status line and headers of a response. */
export interface ResponseHead {
  /** e.g. `HTTP/1.0`. */
  version: string;
  status: number;
  reason: string;
  /**
   * Header names in lower case; a repeated header's values joined by `, `, as
   * HTTP combines them (a proxy may offer each auth scheme on a line of its own).
   */
  headers: Map<string, string>;
}

/** The longest head kept for parsing; past that the response is counted as not HTTP. */
const MAX_HEAD_BYTES = 64 * 1024;
const STATUS_LINE = /^(HTTP\/\d(?:\.\d)?) (\d{3})(?: (.*))?$/;

/**
 * Follows one response, fed chunk by chunk. Keeps only the head and its first
 * bytes. Interim responses (1xx but 101) before it are read past: pong sends
 * `102 Processing` with the bytes it has read while a request still arrives.
 */
export class ResponseReader {
  /** Every byte received, interim responses and head included. */
  bytes = 0;
  /** The first {@linkcode SNIFF_BYTES} of the final response, whatever they are. */
  first: Uint8Array = new Uint8Array(0);
  /** The parsed head, once it has arrived; undefined for a response that is not HTTP. */
  head?: ResponseHead;
  /** How many interim responses came before the final one, and their bytes. */
  interim = 0;
  interimBytes = 0;
  /** The last request byte count an interim response confirmed (`X-OctoPing-Bytes-Read`). */
  confirmed?: number;
  #headBytes: Uint8Array[] = [];
  #headLength = 0;
  #headDone = false;
  #bodyBytes = 0;
  #bodyLength?: number;

  /** True once the whole response has arrived by its `Content-Length`. */
  get complete(): boolean {
    return this.#bodyLength !== undefined && this.#bodyBytes >= this.#bodyLength;
  }

  /** True when the head announced a `Content-Length` that has not all arrived. */
  get truncated(): boolean {
    return this.#bodyLength !== undefined && this.#bodyBytes < this.#bodyLength;
  }

  /** True once bytes arrived that are not, and cannot become, an interim response. */
  get answering(): boolean {
    return this.#headDone || (this.first.length > 0 && !mayBeInterim(this.first));
  }

  /** Takes the next chunk of the response. */
  push(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    this.#take(chunk);
  }

  #take(chunk: Uint8Array): void {
    if (this.first.length < SNIFF_BYTES) {
      this.first = concat([this.first, chunk.subarray(0, SNIFF_BYTES - this.first.length)]);
    }
    if (this.#headDone) {
      this.#bodyBytes += chunk.length;
      return;
    }
    const kept = chunk.subarray(0, MAX_HEAD_BYTES - this.#headLength);
    this.#headBytes.push(kept);
    this.#headLength += kept.length;
    const joined = concat(this.#headBytes, this.#headLength);
    const end = indexOfBlankLine(joined);
    if (end >= 0) {
      // UTF-8, not latin1: a non-ASCII header then reads as it was meant (escaped when printed).
      const head = parseHead(new TextDecoder().decode(joined.subarray(0, end)));
      const rest = concat([joined.subarray(end + 4), chunk.subarray(kept.length)]);
      if (head && isInterim(head.status)) {
        this.interimBytes += end + 4;
        return this.#afterInterim(head, rest);
      }
      this.#headDone = true;
      this.#headBytes = [];
      this.head = head;
      this.#bodyBytes = rest.length;
      this.#bodyLength = head ? bodyLength(head) : undefined;
    } else if (this.#headLength >= MAX_HEAD_BYTES) {
      this.#headDone = true; // not HTTP, or a head too large to care about: just count
      this.#headBytes = [];
    } else {
      this.#headBytes = [joined];
    }
  }

  /** Notes an interim response and reads what follows it as a new response. */
  #afterInterim(head: ResponseHead, rest: Uint8Array): void {
    this.interim++;
    const confirmed = head.headers.get(HEADERS.bytesRead.toLowerCase());
    if (confirmed !== undefined && /^\d+$/.test(confirmed)) this.confirmed = Number(confirmed);
    this.first = new Uint8Array(0);
    this.#headBytes = [];
    this.#headLength = 0;
    if (rest.length > 0) this.#take(rest);
  }
}

/** 1xx but 101 (which switches to another protocol, so nothing HTTP follows). */
function isInterim(status: number): boolean {
  return status >= 100 && status < 200 && status !== 101;
}

/** How an interim status line starts; `#` stands for a digit. */
const INTERIM_START = "HTTP/#.# 1";

/** Whether `start`, the first bytes of a response, may yet turn out to be an interim one. */
function mayBeInterim(start: Uint8Array): boolean {
  for (let i = 0; i < Math.min(start.length, INTERIM_START.length); i++) {
    const expected = INTERIM_START[i];
    const byte = start[i];
    const matches = expected === "#"
      ? byte >= 0x30 && byte <= 0x39
      : byte === expected.charCodeAt(0);
    if (!matches) return false;
  }
  return true;
}

/** `parts` joined into one array (the one part itself, when there is only one). */
export function concat(
  parts: Uint8Array[],
  length = parts.reduce((sum, p) => sum + p.length, 0),
): Uint8Array {
  if (parts.length === 1) return parts[0];
  const joined = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}

/** Where the blank line ending an HTTP head starts (its `\r\n\r\n`), or -1. */
export function indexOfBlankLine(bytes: Uint8Array): number {
  for (let i = bytes.indexOf(13); i >= 0 && i + 3 < bytes.length; i = bytes.indexOf(13, i + 1)) {
    if (bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) return i;
  }
  return -1;
}

/** The status line and headers of `text`, a head without its blank line; undefined if not HTTP. */
export function parseHead(text: string): ResponseHead | undefined {
  const [statusLine, ...lines] = text.split("\r\n");
  const match = STATUS_LINE.exec(statusLine);
  if (!match) return undefined;
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon > 0) {
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      const earlier = headers.get(name);
      headers.set(name, earlier === undefined ? value : `${earlier}, ${value}`);
    }
  }
  return { version: match[1], status: Number(match[2]), reason: match[3] ?? "", headers };
}

function bodyLength(head: ResponseHead): number | undefined {
  if (head.status === 204 || head.status === 304) return 0;
  const length = head.headers.get("content-length");
  return length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined;
}
