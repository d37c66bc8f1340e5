/**
 * What pong writes back: the HTTP response to a request, the refusal of a
 * `/reverse` larger than `/maxsend`, and its answers to clients that speak
 * the wrong protocol for the port.
 *
 * @module
 */
import { MB } from "../units.ts";
import { HEADERS } from "../net/protocol.ts";
import { formatValue } from "../format.ts";
import { VERSION } from "../version.ts";

/** A fatal TLS alert, decode_error: what a TLS server answers to bytes that are not TLS. */
export const TLS_DECODE_ERROR_ALERT = new Uint8Array([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x32]);

/** Pong's answer to a TLS client on a `/nossl` port: plain text, which the client cannot read. */
export const NOT_TLS_ANSWER = new TextEncoder().encode(
  "HTTP/1.0 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n" +
    `OctoPing pong ${VERSION} was started with /nossl: it does not speak TLS on this port.\r\n`,
);

/** The body of an ordinary answer: about 10 KiB of text. */
export const BODY = new TextEncoder().encode(
  `OctoPing pong ${VERSION} answered. `.repeat(400).slice(0, 10 * 1024 - 1) + "\n",
);

/**
 * The response head with pong's headers and `headers`; with `body`, its
 * Content-Length, and the body appended (one write, one TLS record).
 */
export function answer(
  status: 200 | 413,
  bytesRead: number,
  headers: Record<string, string>,
  body?: Uint8Array,
): Uint8Array {
  const all = {
    ...headers,
    ...(body ? { "Content-Length": String(body.length) } : {}),
    [HEADERS.pong]: `pong ${VERSION}`,
    [HEADERS.bytesRead]: String(bytesRead),
    Connection: "close",
  };
  const lines = [
    `HTTP/1.0 ${status} ${status === 200 ? "OK" : "Payload Too Large"}`,
    ...Object.entries(all).map(([name, value]) => `${name}: ${value}`),
  ];
  const head = new TextEncoder().encode(lines.join("\r\n") + "\r\n\r\n");
  if (!body) return head;
  const whole = new Uint8Array(head.length + body.length);
  whole.set(head);
  whole.set(body, head.length);
  return whole;
}

/** Why pong will not send `asked` bytes back when it sends at most `maxSendBytes`. */
export function refusal(asked: number, maxSendBytes: number): string {
  const mb = (bytes: number) => `${formatValue(bytes / MB)} MB`;
  return maxSendBytes === 0
    ? `pong sends nothing back unless started with /maxsend=<MB>; asked for ${mb(asked)}`
    : `pong sends at most ${mb(maxSendBytes)} per request (/maxsend); asked for ${mb(asked)}`;
}

/** The byte count in the request's `X-OctoPing-Reverse` header, if it has one. */
export function reverseBytes(head: Uint8Array): number | undefined {
  const value = requestHeader(head, HEADERS.reverse);
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

/** Whether the request asks for progress while it arrives (`X-OctoPing-Progress: 1`). */
export function asksProgress(head: Uint8Array): boolean {
  return requestHeader(head, HEADERS.progress) === "1";
}

/** What pong sends while a request that asked for progress still arrives: the bytes read so far. */
export function progressAnswer(bytesRead: number): Uint8Array {
  return new TextEncoder().encode(
    `HTTP/1.1 102 Processing\r\n${HEADERS.bytesRead}: ${bytesRead}\r\n\r\n`,
  );
}

/** The value of header `name` in `head`, the start of a request, if it is there. */
function requestHeader(head: Uint8Array, name: string): string | undefined {
  const text = new TextDecoder("latin1").decode(head);
  return new RegExp(`^${name}: *(\\S*)\\r?$`, "mi").exec(text)?.[1];
}
