/**
 * The text reporter for pong: a banner with the certificate's thumbprint, then
 * a line for each connection accepted and each request answered.
 *
 * @module
 */
import type { PongEvent } from "../pong/server.ts";
import { PROGRAM, VERSION } from "../version.ts";
import type { LineWriter } from "./console.ts";
import { formatCount, formatTimestamp } from "./format.ts";

/** How the person running pong stops it, shown under the banner. */
export type StopHint = "enter" | "signal";

/** Makes a reporter that writes pong's events as text lines. */
export function pongTextReporter(
  write: LineWriter,
  stopHint: StopHint,
): (event: PongEvent) => void {
  return (event) => {
    const stamp = formatTimestamp(event.time);
    switch (event.type) {
      case "listening":
        write(
          `${PROGRAM} ${VERSION} — listening on port ${event.port} ` +
            (event.tls ? `with TLS, certificate thumbprint ${event.thumbprint}` : "without TLS"),
        );
        write(stopHint === "enter" ? "Hit <Enter> to exit." : "Stop it with Ctrl+C.");
        break;
      case "accepted":
        write(`${stamp} Accepted TCP client ${event.client}`);
        break;
      case "answered":
        write(`${stamp} ${formatCount(event.bytesRead)} bytes read from ${event.client}, answered`);
        break;
      case "failed":
        write(
          `${stamp} ${event.client}: ${event.reason} (${formatCount(event.bytesRead)} bytes read)`,
        );
        break;
      case "acceptFailed":
        write(`${stamp} Accepting a connection failed: ${event.reason}; trying again`);
        break;
    }
  };
}
