/**
 * The hosts file (`/hosts=<file>`, `/hosts=-` for stdin): one target per
 * line, in any form `/host` takes, then optionally a name to show and a
 * `thumbprint=<hex>` for that Tentacle. `#` starts a comment.
 *
 * ```
 * # Web farm
 * web01.corp.local:10933  Web01
 * https://db01:10933/     DB01   thumbprint=3C2A0F...
 * [fe80::1]:10933
 * ```
 *
 * @module
 */
import { isIP } from "node:net";
import { parseHost } from "./host.ts";
import type { FleetTarget } from "./options.ts";
import { parseThumbprint, UsageError } from "./values.ts";

/** What a line is checked against: the command line's port, family and TLS. */
export interface HostsFileRules {
  /** The port of a line that names none. */
  defaultPort: number;
  /** `/ipv4` or `/ipv6`: an address of the other family is a mistake. */
  family?: 4 | 6;
  /** False with `/nossl`: then a thumbprint can't be checked. */
  tls: boolean;
}

/** A fleet this large is for several machines (see docs/hosts.md): each target costs memory. */
export const MAX_TARGETS = 10_000;
/** A name is shown in tables and prefixes lines: printable ASCII, no spaces. */
const NAME = /^[\x21-\x7e]+$/;
const THUMBPRINT = /^thumbprint=(.*)$/i;

/**
 * Reads the targets from `text`, the hosts file `source`. Throws a
 * {@linkcode UsageError} naming the file and line of the first mistake.
 */
export function parseHostsFile(text: string, source: string, rules: HostsFileRules): FleetTarget[] {
  const targets: FleetTarget[] = [];
  const names = new Map<string, number>();
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const number = index + 1;
    const at = `${source} line ${number}`;
    const words = raw.replace(/(^|\s)#.*$/, "").trim().split(/\s+/).filter(Boolean);
    if (words.length === 0) continue;
    const [hostText, ...rest] = words;
    const spec = parseHost(hostText, `${at}: '${hostText}'`);
    const port = spec.port ?? rules.defaultPort;
    const literal = isIP(spec.host);
    if (rules.family !== undefined && literal !== 0 && literal !== rules.family) {
      throw new UsageError(`${at}: ${spec.host} is not an IPv${rules.family} address`);
    }
    let name: string | undefined;
    let thumbprint: string | undefined;
    for (const word of rest) {
      const print = THUMBPRINT.exec(word);
      if (print) {
        if (thumbprint !== undefined) throw new UsageError(`${at}: thumbprint= is given twice`);
        if (!rules.tls) {
          throw new UsageError(`${at}: thumbprint= needs TLS, which /nossl turns off`);
        }
        try {
          thumbprint = parseThumbprint("thumbprint", print[1]);
        } catch (error) {
          throw new UsageError(`${at}: ${(error as Error).message.replace(/^\//, "")}`);
        }
        continue;
      }
      if (name !== undefined) {
        throw new UsageError(
          `${at}: '${word}' after the name ${name}: a name has no spaces, ` +
            "and only thumbprint=<hex> may follow it",
        );
      }
      if (!NAME.test(word)) throw new UsageError(`${at}: the name '${word}' is not plain ASCII`);
      name = word;
    }
    name ??= `${literal === 6 ? `[${spec.host}]` : spec.host}:${port}`;
    const key = name.toLowerCase();
    const first = names.get(key);
    if (first !== undefined) {
      throw new UsageError(
        `${at}: the name ${name} is used on line ${first} too: give each target its own name`,
      );
    }
    names.set(key, number);
    if (targets.length === MAX_TARGETS) {
      throw new UsageError(
        `${at}: more than ${MAX_TARGETS.toLocaleString("en-US")} targets: split the file ` +
          "and run it from several machines (see 'Beyond one machine' in docs/hosts.md)",
      );
    }
    targets.push({ host: spec.host, port, name, ...(thumbprint ? { thumbprint } : {}) });
  }
  if (targets.length === 0) {
    throw new UsageError(`${source} holds no targets: one host per line, e.g. web01:10933 Web01`);
  }
  return targets;
}

/** The most a hosts file may hold: far more than 10,000 lines need. */
const MAX_BYTES = 16 * 1_048_576;

/** Reads and parses the hosts file at `path` (`-`: stdin). Throws {@linkcode UsageError}. */
export async function readHostsFile(path: string, rules: HostsFileRules): Promise<FleetTarget[]> {
  const source = path === "-" ? "the hosts list on stdin" : path;
  let bytes: Uint8Array;
  try {
    bytes = path === "-"
      ? await readAll(Deno.stdin.readable)
      : await readAll((await Deno.open(path)).readable);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot read the hosts file ${source}: ${(error as Error).message}`);
  }
  const utf16 = bytes[0] === 0xff && bytes[1] === 0xfe; // PowerShell 5.1's `>` writes UTF-16LE
  const text = new TextDecoder(utf16 ? "utf-16le" : "utf-8").decode(bytes);
  return parseHostsFile(text, source, rules);
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = stream.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > MAX_BYTES) {
      await reader.cancel().catch(() => {});
      throw new UsageError(`the hosts file is larger than ${MAX_BYTES / 1_048_576} MB`);
    }
    chunks.push(value);
  }
  return new Uint8Array(await new Blob(chunks as BlobPart[]).arrayBuffer());
}
