/**
 * Which commands make a certificate of their own when they run: its RSA key
 * takes 0.1 to 0.6 s to make, and can be started before the command loads.
 *
 * @module
 */
import type { Command } from "./options.ts";

/** Whether `command` will make a certificate for itself: it has TLS and was given no files. */
export function makesCertificate(command: Command): boolean {
  switch (command.kind) {
    case "ping":
    case "pingFleet":
    case "check":
    case "checkFleet":
      return !command.options.noSsl && command.options.clientCertificate === undefined;
    case "exporter":
      return command.options.clientCertificate === undefined;
    case "pong":
      return !command.options.noSsl && command.options.certificateFiles === undefined;
    default:
      return false;
  }
}
