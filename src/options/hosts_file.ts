/**
 * The hosts file (`/hosts=<file>`, `/hosts=-` for stdin): one target per
 * line, in any form `/host` takes, then optionally a name to show, then
 * optionally `thumbprint=<hex>` for that Tentacle, last on the line, as
 * `/thumbprint` takes it (spaces allowed). `#` starts a comment.
 *
 * ```
 * # Web farm
 * web01.corp.local:10933  Web01
 * https://db01:10933/     DB01   thumbprint=3C2A0F...
 * [2001:db8::5]:10933
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
/**
 * `thumbprint=` and the rest of the line: it comes last, so it may hold the
 * spaces the Windows certificate dialog shows between its bytes.
 */
const THUMBPRINT = /\sthumbprint=(.*)$/i;

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
    const target = parseLine(raw.replace(/(^|\s)#.*$/, "").trim(), at, rules);
    if (target === undefined) continue;
    const key = target.name.toLowerCase();
    const first = names.get(key);
    if (first !== undefined) {
      throw new UsageError(
        `${at}: the name ${target.name} is used on line ${first} too: give each target its own name`,
      );
    }
    names.set(key, number);
    if (targets.length === MAX_TARGETS) {
      throw new UsageError(
        `${at}: more than ${MAX_TARGETS.toLocaleString("en-US")} targets: split the file ` +
          "and run it from several machines (see 'Beyond one machine' in docs/hosts.md)",
      );
    }
    targets.push(target);
  }
  if (targets.length === 0) {
    throw new UsageError(`${source} holds no targets: one host per line, e.g. web01:10933 Web01`);
  }
  return targets;
}

/** The target on `line` (its comment removed), `at` a place in a file; none on a blank line. */
function parseLine(line: string, at: string, rules: HostsFileRules): FleetTarget | undefined {
  const print = THUMBPRINT.exec(line);
  const words = (print ? line.slice(0, print.index) : line).split(/\s+/).filter(Boolean);
  if (words.length === 0) return undefined;
  const [hostText, ...rest] = words;
  const spec = parseHost(hostText, `${at}: '${hostText}'`);
  const port = spec.port ?? rules.defaultPort;
  const literal = isIP(spec.host);
  if (rules.family !== undefined && literal !== 0 && literal !== rules.family) {
    throw new UsageError(`${at}: ${spec.host} is not an IPv${rules.family} address`);
  }
  const name = lineName(rest, at) ?? `${literal === 6 ? `[${spec.host}]` : spec.host}:${port}`;
  const thumbprint = print ? lineThumbprint(print[1], at, rules) : undefined;
  return { host: spec.host, port, name, ...(thumbprint ? { thumbprint } : {}) };
}

/** The name written after the host, if any: one word. */
function lineName(words: string[], at: string): string | undefined {
  const [name, next] = words;
  if (name === undefined) return undefined;
  if (!NAME.test(name)) throw new UsageError(`${at}: the name '${name}' is not plain ASCII`);
  // A space inside the address (`web 01:21020`) leaves part of it where the name goes.
  if (name.includes(":")) {
    throw new UsageError(
      `${at}: '${name}' can't be a name (it holds ':'): write the address without spaces, ` +
        "then the name, e.g. web01:10933 Web01",
    );
  }
  if (isIP(name) !== 0) {
    throw new UsageError(
      `${at}: '${name}' can't be a name (it is an IP address): one target per line, ` +
        "its address, then the name, e.g. web01:10933 Web01",
    );
  }
  if (next !== undefined) {
    throw new UsageError(
      `${at}: '${next}' after the name ${name}: a name has no spaces, ` +
        "and only thumbprint=<hex> may follow it",
    );
  }
  return name;
}

/** The thumbprint written after `thumbprint=` (`text`, the rest of the line). */
function lineThumbprint(text: string, at: string, rules: HostsFileRules): string {
  if (!rules.tls) throw new UsageError(`${at}: thumbprint= needs TLS, which /nossl turns off`);
  if (THUMBPRINT.test(text)) throw new UsageError(`${at}: thumbprint= is given twice`);
  const words = text.trim().split(/\s+/);
  const last = words.pop();
  if (words.length > 0 && !isThumbprint(text) && isThumbprint(words.join(" "))) {
    throw new UsageError(
      `${at}: '${last}' after the thumbprint: thumbprint=<hex> comes last on a line`,
    );
  }
  try {
    return parseThumbprint("thumbprint", text);
  } catch (error) {
    throw new UsageError(`${at}: ${(error as Error).message.replace(/^\//, "")}`);
  }
}

function isThumbprint(text: string): boolean {
  try {
    parseThumbprint("thumbprint", text);
    return true;
  } catch {
    return false;
  }
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
