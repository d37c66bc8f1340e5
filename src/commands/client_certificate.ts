/**
 * The certificate ping and check present when a server asks, as Octopus
 * presents its own, loaded in this one place for a run and for a fleet.
 *
 * @module
 */
import {
  CertificateFileError,
  type CertificateWithKey,
  createSelfSignedCertificate,
  loadCertificate,
  loadPfx,
} from "../net/certificate.ts";
import type { PingOptions, Secrets } from "../options/options.ts";
import type { RunInfo } from "../reporters/run_info.ts";
import { orBadInput } from "./exit.ts";

/** Where a PFX's password can come from, to keep it out of the shell's history. */
const CLIENT_PASSWORD_VARIABLE = "OCTOPING_CLIENT_PASSWORD";

/**
 * The client certificate of a ping or check, named in the run's header; bad input
 * (exit 2) when its files cannot be read. None without TLS.
 */
export async function clientCertificateFor(
  options: Pick<PingOptions, "noSsl" | "clientCertificate">,
  secrets: Secrets,
  run: RunInfo,
): Promise<CertificateWithKey | undefined> {
  const certificate = await orBadInput(
    () => loadClientCertificate(options, secrets),
    CertificateFileError,
  );
  if (certificate) {
    run.clientCertificate = {
      thumbprint: certificate.thumbprint,
      file: options.clientCertificate?.cert,
    };
  }
  return certificate;
}

/** The files given, or a certificate made for this run; none without TLS. */
async function loadClientCertificate(
  options: Pick<PingOptions, "noSsl" | "clientCertificate">,
  secrets: Secrets,
): Promise<CertificateWithKey | undefined> {
  const files = options.clientCertificate;
  if (options.noSsl) return undefined;
  if (!files) return await createSelfSignedCertificate("OctoPing");
  if (files.key !== undefined) return await loadCertificate(files.cert, files.key);
  const password = secrets.clientPassword ?? Deno.env.get(CLIENT_PASSWORD_VARIABLE) ?? "";
  return await loadPfx(files.cert, password);
}
