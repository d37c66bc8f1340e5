/**
 * The first step of Halibut's protocol (Octopus's communication library), as
 * an Octopus Server takes it with a listening Tentacle: after the TLS
 * handshake, `MX` and a blank line, then an identity line and a blank line
 * (`MX-CLIENT 1.0`, or a polling Tentacle's `MX-SUBSCRIBER 1.0 poll://<id>/`),
 * in one write. A Halibut service that trusts the client certificate's
 * thumbprint answers `MX-SERVER 1.0` and a blank line; one that does not
 * closes the connection without a word (Halibut's `SecureListener.Authorize`
 * and `MessageExchangeStream`). It then waits for a request, which never
 * comes: the connection is closed at once, and the Tentacle logs it dropped.
 *
 * @module
 */
import net from "node:net";
import tls from "node:tls";
import type { CertificateWithKey } from "./certificate.ts";
import { connectTunnel, type HttpProxy } from "./proxy.ts";

/** Where and as whom to identify. */
export interface IdentifyRequest {
  /** An IP address; through a proxy, the name the proxy resolves. */
  address: string;
  port: number;
  /** The name to send as SNI; none for an IP address. */
  servername?: string;
  /** The certificate whose thumbprint the other side must trust. */
  certificate: CertificateWithKey;
  /** `poll://<id>/`: identify as this polling Tentacle, to an Octopus Server; else as a client. */
  subscription?: string;
  /** The longest the whole exchange may take, in ms. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** The HTTP proxy to identify through, in a CONNECT tunnel as Octopus would. */
  proxy?: HttpProxy;
}

/**
 * What the other side said: `server`, it identified itself (it trusts the
 * certificate); `closed`, it hung up without a word (it does not); `other`, it
 * answered something else (`HTTP/1.0 200`: not Halibut, e.g. pong);
 * `failed`, no TLS connection to ask over.
 */
export type IdentityAnswer =
  | { kind: "server"; line: string }
  | { kind: "closed" }
  | { kind: "other"; text: string }
  | { kind: "failed"; message: string };

/** The most of an answer read: an identity line is a few bytes. */
const MAX_ANSWER_BYTES = 1024;

/** What Octopus sends first, in one write. */
export function identityLines(subscription?: string): string {
  const identity = subscription ? `MX-SUBSCRIBER 1.0 ${subscription}` : "MX-CLIENT 1.0";
  return `MX\r\n\r\n${identity}\r\n\r\n`;
}

/** Identifies as Octopus does and reads the answer. Never rejects. */
export async function identify(request: IdentifyRequest): Promise<IdentityAnswer> {
  const { proxy } = request;
  if (!proxy) return await identifyOver(request);
  let tunnel: net.Socket;
  try {
    tunnel = await connectTunnel({
      proxy,
      address: proxy.host, // net.connect resolves a name
      target: { host: request.address, port: request.port },
      signal: AbortSignal.any([
        ...(request.signal ? [request.signal] : []),
        AbortSignal.timeout(request.timeoutMs),
      ]),
    });
  } catch (error) {
    return { kind: "failed", message: `no tunnel through the proxy: ${(error as Error).message}` };
  }
  return await identifyOver(request, tunnel);
}

/** The identity exchange over a new connection, or over `tunnel`, a proxy's. */
function identifyOver(request: IdentifyRequest, tunnel?: net.Socket): Promise<IdentityAnswer> {
  return new Promise((resolve) => {
    let secured = false;
    let answer = "";
    const socket = tls.connect({
      ...(tunnel ? { socket: tunnel } : { host: request.address, port: request.port }),
      servername: request.servername && !net.isIP(request.servername)
        ? request.servername
        : undefined,
      rejectUnauthorized: false, // Tentacles present self-signed certificates
      minVersion: "TLSv1.2",
      cert: request.certificate.certPem,
      key: request.certificate.keyPem,
    });
    const finish = (result: IdentityAnswer) => {
      clearTimeout(timer);
      request.signal?.removeEventListener("abort", onAbort);
      socket.destroy();
      resolve(result);
    };
    const seconds = Math.round(request.timeoutMs / 100) / 10;
    const timer = setTimeout(() => {
      finish(
        secured
          ? answer
            ? { kind: "other", text: answer }
            : { kind: "failed", message: `no answer within ${seconds} s` }
          : { kind: "failed", message: `no TLS connection within ${seconds} s` },
      );
    }, request.timeoutMs);
    const onAbort = () => finish({ kind: "failed", message: "aborted" });
    request.signal?.addEventListener("abort", onAbort, { once: true });
    socket.once("secureConnect", () => {
      secured = true;
      socket.write(identityLines(request.subscription));
    });
    socket.on("data", (chunk: Uint8Array) => {
      answer += new TextDecoder().decode(chunk);
      const end = answer.indexOf("\r\n\r\n");
      if (end >= 0 || answer.length >= MAX_ANSWER_BYTES) {
        const line = answer.slice(0, end >= 0 ? end : undefined).split("\r\n")[0];
        finish(
          /^MX-SERVER /.test(line)
            ? { kind: "server", line }
            : { kind: "other", text: answer.slice(0, MAX_ANSWER_BYTES) },
        );
      }
    });
    // A hang-up after the handshake, by close or by reset, is the refusal.
    const hungUp = (error?: Error) => {
      if (!secured) return finish({ kind: "failed", message: error?.message ?? "closed" });
      finish(answer ? { kind: "other", text: answer } : { kind: "closed" });
    };
    socket.on("error", hungUp);
    socket.on("end", () => hungUp());
    socket.on("close", () => hungUp());
  });
}
