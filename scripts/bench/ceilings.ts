/**
 * The runtime's ceilings: the bare-API scripts in `scripts/ceiling/` doing
 * the work of an OctoPing row in the same run, with none of OctoPing's code.
 * An OctoPing figure over its ceiling says what OctoPing's own code costs;
 * the ceiling over socat says what the runtime allows.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { V8_FLAGS } from "../build.ts";
import { type Figure, MB, rate, run, startServer } from "./support.ts";

/** The bare servers `scripts/ceiling/server.ts` offers, by how the runtime serves TLS. */
export type ServerKind = "listen" | "createServer" | "net";

/** What each kind of bare server is called in the table. */
export const SERVER_NAMES: Record<ServerKind, string> = {
  listen: "bare Deno.listen + TLSSocket",
  createServer: "bare tls.createServer",
  net: "bare net.createServer + TLSSocket",
};

/** The bare receivers beside pong's TLS receive path; pong's own way (`Deno.listen`) first. */
export const BARE_RECEIVERS: ServerKind[] = ["listen", "createServer", "net"];

/**
 * The server of the bare pairs (upload and `/reverse`): `tls.createServer`,
 * which both received and wrote 1 GiB faster than the other two kinds did.
 */
const PAIR_SERVER: ServerKind = "createServer";

const script = (name: string) => fileURLToPath(new URL(`../ceiling/${name}.ts`, import.meta.url));

/** `deno run` of a script in `scripts/ceiling/`, with `cert.pem` and `key.pem` in `dir` last. */
export const scriptArgs = (name: string, dir: string, args: (string | number)[]) => [
  "run",
  "-A",
  ...V8_FLAGS, // as OctoPing runs
  "--quiet",
  script(name),
  ...args.map(String),
  `${dir}/cert.pem`,
  `${dir}/key.pem`,
];

/** Starts a bare server of `kind`; with `sendBytes`, it answers each request with that much. */
export function startBareServer(kind: ServerKind, dir: string, sendBytes?: number) {
  return startServer(Deno.execPath(), (port) => {
    const args = scriptArgs("server", dir, [kind, port]);
    return sendBytes ? [...args, String(sendBytes)] : args;
  });
}

/** The bare sender's upload of `mb` MB to a bare server, whole processes: MB/s. */
export async function uploadCeiling(mb: number, dir: string): Promise<number> {
  const server = await startBareServer(PAIR_SERVER, dir);
  const { ms } = await run(Deno.execPath(), scriptArgs("sender", dir, [server.port, mb * MB]));
  await server.stop();
  return rate(mb * MB, ms);
}

/** The bare reader's download of `mb` MB from a bare server writing it, whole processes: MB/s. */
export async function reverseCeiling(mb: number, dir: string): Promise<number> {
  const server = await startBareServer(PAIR_SERVER, dir, mb * MB);
  const { ms } = await run(Deno.execPath(), scriptArgs("reader", dir, [server.port, mb * MB]));
  await server.stop();
  return rate(mb * MB, ms);
}

/** What the bare pair of a transfer row is called in the table. */
export const PAIR_NAMES = {
  tls: `bare tls.connect -> ${SERVER_NAMES[PAIR_SERVER]}`,
  reverse: `${SERVER_NAMES[PAIR_SERVER]} -> bare tls.connect`,
};

/** The goals against the ceilings: OctoPing's figure over its ceiling's. */
export const CEILING_GOALS = {
  receive: ">= 0.9x ceiling",
  tls: ">= 0.85x ceiling",
  reverse: ">= 0.85x ceiling",
};

/** `figure` with a ceiling beside it: its name, its value, and OctoPing's ratio to it. */
export function withCeiling(figure: Figure, name: string, value: number): Figure {
  return { ...figure, ceiling: { name, value }, ratioToCeiling: figure.ours / value };
}
