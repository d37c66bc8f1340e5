/**
 * What a fleet (`ping /hosts`, `check /hosts`) needs before it starts: its
 * targets, the client certificate, and room on the console for its ending.
 *
 * @module
 */
import type { CertificateWithKey } from "../net/certificate.ts";
import type { FleetOptions, FleetTarget, PingOptions, Secrets } from "../options/options.ts";
import { readHostsFile } from "../options/hosts_file.ts";
import { SINK_CAPACITY } from "../output/console.ts";
import type { RunInfo } from "../reporters/run_info.ts";
import { clientCertificateFor } from "./client_certificate.ts";
import { output } from "./stdio.ts";

/** A target's last lines (its statistics), and its row in the final table, with room to spare. */
const LINES_PER_TARGET = 12;

/** A fleet ready to run: its targets and the certificate each presents. */
export interface Fleet {
  targets: FleetTarget[];
  clientCertificate?: CertificateWithKey;
}

/**
 * Reads the hosts file and the client certificate: a mistake in either is bad input
 * (exit 2), with nothing run.
 */
export async function prepareFleet(
  options: Pick<PingOptions, "noSsl" | "clientCertificate" | "family">,
  fleet: FleetOptions,
  run: RunInfo,
  secrets: Secrets,
): Promise<Fleet> {
  const targets = await readHostsFile(fleet.hosts, {
    defaultPort: fleet.defaultPort,
    family: options.family,
    tls: !options.noSsl,
  });
  const clientCertificate = await clientCertificateFor(options, secrets, run);
  // Every target may end at once, each with its statistics, and then the table has a row each.
  output.sink.capacity = SINK_CAPACITY + LINES_PER_TARGET * targets.length;
  return { targets, clientCertificate };
}
