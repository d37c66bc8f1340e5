/**
 * Reading an HTTP response as it streams in: counts every byte, parses the
 * status line and headers, and knows when the response is complete by its
 * `Content-Length`, so a keep-alive server cannot hold an attempt open.
 *
 * @module
 */
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

/** Follows one response, fed chunk by chunk. Keeps only the head and its first bytes. */
export class ResponseReader {
  /** Every byte received, head included. */
  bytes = 0;
  /** The first {@linkcode SNIFF_BYTES} received, whatever they are. */
  first: Uint8Array = new Uint8Array(0);
  /** The parsed head, once it has arrived; undefined for a response that is not HTTP. */
  head?: ResponseHead;
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

  /** Takes the next chunk of the response. */
  push(chunk: Uint8Array): void {
    if (this.first.length < SNIFF_BYTES) {
      this.first = concat([this.first, chunk.subarray(0, SNIFF_BYTES - this.first.length)]);
    }
    this.bytes += chunk.length;
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
      this.#headDone = true;
      this.#headBytes = [];
      // UTF-8, not latin1: a non-ASCII header then reads as it was meant (escaped when printed).
      this.head = parseHead(new TextDecoder().decode(joined.subarray(0, end)));
      this.#bodyBytes = joined.length - end - 4 + (chunk.length - kept.length);
      this.#bodyLength = this.head ? bodyLength(this.head) : undefined;
    } else if (this.#headLength >= MAX_HEAD_BYTES) {
      this.#headDone = true; // not HTTP, or a head too large to care about: just count
      this.#headBytes = [];
    } else {
      this.#headBytes = [joined];
    }
  }
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
