/**
 * What a `GET /probe` asks for, read from its URL and checked against the
 * exporter's limits: the target (from the allow-list when there is one), the
 * module, and the few settings a URL may change. A proxy is never among them:
 * it comes from the command line or not at all, so a URL cannot route around
 * the allow-list.
 *
 * @module
 */
import { joinHostPort } from "../net/address.ts";
import { parseHost } from "../options/host.ts";
import { type FleetTarget, TENTACLE_PORT } from "../options/options.ts";
import { parseSize, parseThumbprint, UsageError } from "../options/values.ts";
import { formatMB } from "../format.ts";

/** One probe, as asked and allowed. */
export interface ProbeRequest {
  /** Where to, its name, and the thumbprint its hosts-file line gives. */
  target: FleetTarget;
  /** `module=ping` (the default): one ping attempt; `module=check`: one check. */
  module: "ping" | "check";
  /** `nossl`: plain TCP. */
  noSsl: boolean;
  /** `thumbprint`, else the hosts file's: the certificate the target must present. */
  thumbprint?: string;
  /** `datasize`: bytes to send, within `/maxdatasize`. */
  dataSize: number;
}

/** A request refused before any probe: 400 for a mistake in it, 403 for a target not allowed. */
export class ProbeRefusal extends Error {
  readonly status: 400 | 403;

  /** `message` is the one line the answer holds. */
  constructor(status: 400 | 403, message: string) {
    super(message);
    this.status = status;
  }
}

/** The parameters a probe's URL may hold. */
const PARAMETERS = ["target", "module", "thumbprint", "nossl", "datasize"];

/**
 * Reads `params`: with `allowed` (the hosts file), only its targets, named
 * or as `host:port`; `maxDataSize` bounds `datasize`.
 */
export function readProbeRequest(
  params: URLSearchParams,
  allowed: readonly FleetTarget[] | undefined,
  maxDataSize: number,
): ProbeRequest {
  for (const name of params.keys()) {
    if (name === "proxy") {
      throw new ProbeRefusal(400, "proxy= is not taken from a URL: start the exporter with /proxy");
    }
    if (!PARAMETERS.includes(name)) {
      throw new ProbeRefusal(400, `unknown parameter '${name}': expected ${PARAMETERS.join(", ")}`);
    }
  }
  const module = params.get("module") ?? "ping";
  if (module !== "ping" && module !== "check") {
    throw new ProbeRefusal(400, `module=${module}: expected ping or check`);
  }
  const target = targetOf(params.get("target"), allowed);
  const noSsl = switchOf(params, "nossl");
  const thumbprint = mistakes(() => {
    const given = params.get("thumbprint");
    return given === null ? target.thumbprint : parseThumbprint("thumbprint", given);
  });
  if (thumbprint !== undefined && noSsl) {
    throw new ProbeRefusal(400, "thumbprint with nossl: a thumbprint needs TLS");
  }
  const dataSize = mistakes(() => {
    const given = params.get("datasize");
    return given === null ? 0 : parseSize("datasize", given, true);
  });
  if (dataSize > maxDataSize) {
    throw new ProbeRefusal(
      400,
      `datasize=${params.get("datasize")} is over this exporter's limit of ` +
        `${formatMB(maxDataSize)} MB: its operator sets it with /maxdatasize`,
    );
  }
  if (dataSize > 0 && module === "check") {
    throw new ProbeRefusal(400, "datasize with module=check: check sends no data");
  }
  return { target: { ...target, thumbprint }, module, noSsl, thumbprint, dataSize };
}

/** The target `text` names: in `allowed`, by name or address, else any host (port 10933). */
function targetOf(text: string | null, allowed: readonly FleetTarget[] | undefined): FleetTarget {
  if (text === null || text.trim() === "") {
    throw new ProbeRefusal(400, "target is missing: /probe?target=<host[:port]>");
  }
  const named = allowed?.find((t) => t.name.toLowerCase() === text.toLowerCase());
  if (named) return named;
  const spec = mistakes(() => parseHost(text, `target=${text}`));
  const port = spec.port ?? TENTACLE_PORT;
  if (allowed === undefined) return { host: spec.host, port, name: joinHostPort(spec.host, port) };
  const listed = allowed.find((t) =>
    t.host.toLowerCase() === spec.host.toLowerCase() && t.port === port
  );
  if (!listed) {
    throw new ProbeRefusal(403, `target=${text} is not in this exporter's hosts file`);
  }
  return listed;
}

/** A switch: present, `1` or `true` turns it on; `0` or `false` leaves it off. */
function switchOf(params: URLSearchParams, name: string): boolean {
  const value = params.get(name);
  if (value === null || value === "0" || value.toLowerCase() === "false") return false;
  if (value === "" || value === "1" || value.toLowerCase() === "true") return true;
  throw new ProbeRefusal(400, `${name}=${value}: expected 1 or 0`);
}

/** What `read` gives, its {@linkcode UsageError} turned into a 400 without the leading slash. */
function mistakes<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof UsageError) throw new ProbeRefusal(400, error.message.replace(/^\//, ""));
    throw error;
  }
}
