/**
 * A Halibut-like listener, written from Halibut's source (`SecureListener`,
 * `MessageExchangeStream`): it asks for a client certificate and accepts any
 * in TLS, as a Tentacle does; then a request starting `MX` is authorised by
 * the certificate's thumbprint (trusted: it identifies as `MX-SERVER 1.0`;
 * not: it closes without a word), and any other request gets Halibut's HTML
 * page and a close.
 *
 * @module
 */
import tls from "node:tls";
import { createSelfSignedCertificate } from "../../src/net/certificate.ts";
import { fingerprintHex } from "../../src/net/peer_certificate.ts";
import { bounded } from "./helpers.ts";

/** A running listener: its port, the identity lines it got, and how to stop it (or `await using`). */
export interface HalibutListener extends AsyncDisposable {
  port: number;
  /** The identity line of each `MX` request (`MX-CLIENT 1.0`), trusted or not. */
  identities: string[];
  /** The first chunk of each `MX` request as it came: Octopus sends it all in one write. */
  firstChunks: string[];
  close(): Promise<void>;
}

/** Reads at most this much of a request, as Halibut does, before it judges it. */
const MAX_REQUEST_BYTES = 20_000;

/**
 * Starts a listener on 127.0.0.1 that trusts the client certificate `trusted`
 * (SHA-1) and serves the page of `role`: a Tentacle's, or an Octopus Server's
 * polling endpoint's. `maxVersion` caps its TLS (a Tentacle on Windows before
 * Server 2022 speaks TLS 1.2 at most).
 */
export async function halibutListener(
  trusted: string,
  role: "Tentacle" | "Server" = "Tentacle",
  { askClientCertificate = true, maxVersion = "TLSv1.3" as tls.SecureVersion } = {},
): Promise<HalibutListener> {
  const certificate = await createSelfSignedCertificate(
    `Octopus ${role === "Tentacle" ? "Tentacle" : "Portal"}`,
  );
  const identities: string[] = [];
  const firstChunks: string[] = [];
  // Every connection, handshake finished or not: one left open would hold server.close for ever.
  const sockets = new Set<{ destroy(): void }>();
  const server = tls.createServer({
    cert: certificate.certPem,
    key: certificate.keyPem,
    requestCert: askClientCertificate,
    rejectUnauthorized: false,
    maxVersion,
  }, (socket) => {
    socket.on("error", () => {});
    let text = "";
    socket.on("data", (chunk: Uint8Array) => {
      const first = text === "";
      text += new TextDecoder().decode(chunk);
      if (first && text.startsWith("MX")) firstChunks.push(text);
      if (!text.startsWith("MX")) {
        if (text.includes("\r\n\r\n") || text.length >= MAX_REQUEST_BYTES) answerPage(socket, role);
        return;
      }
      const lines = text.split("\r\n");
      // MX, blank, the identity line, blank: all four before a word is said.
      if (lines.length < 5) return;
      const identity = lines[2];
      identities.push(identity);
      const thumbprint = fingerprintHex(socket.getPeerCertificate().fingerprint);
      if (thumbprint !== trusted) return void socket.destroy(); // Authorize: not trusted
      socket.write("MX-SERVER 1.0\r\n\r\n"); // then waits for a request that never comes
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const close = async () => {
    for (const socket of sockets) socket.destroy();
    await bounded(
      new Promise((resolve) => server.close(resolve)),
      "the Halibut-like server to close",
    );
  };
  return {
    port: (server.address() as { port: number }).port,
    identities,
    firstChunks,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** Halibut's answer to a request that is not Octopus's: HTTP/1.0, a small page, a close. */
function answerPage(socket: tls.TLSSocket, role: "Tentacle" | "Server"): void {
  const body = `<html><head><title>Octopus ${role} configured successfully</title></head>` +
    `<body><h1>Octopus ${role} configured successfully</h1></body></html>`;
  socket.end(
    "HTTP/1.0 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n" +
      `Content-Length: ${new TextEncoder().encode(body).length}\r\n\r\n${body}`,
  );
}
