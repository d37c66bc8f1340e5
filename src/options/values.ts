/**
 * Parsers for option values. Each returns the value or throws a
 * {@linkcode UsageError} whose message says what was expected.
 *
 * @module
 */
import { MB } from "../units.ts";

/** Bad input on the command line: reported in one line, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

const UNIT_BYTES: Record<string, number> = {
  "": MB,
  b: 1,
  kb: 1024,
  kib: 1024,
  mb: MB,
  mib: MB,
  gb: 1024 * MB,
  gib: 1024 * MB,
  tb: 1024 * 1024 * MB,
  tib: 1024 * 1024 * MB,
};

/**
 * Parses a size in MB (the original's unit): `100`, `0.5`, `100MB`, `512KB`,
 * `1GB`, `1TB`, `100Mb`. Units are case-insensitive and binary (1 MB = 1,048,576 bytes).
 * Returns whole bytes.
 */
export function parseSize(name: string, text: string, allowZero: boolean): number {
  const match = /^(\d+(?:\.\d*)?|\.\d+)\s*([a-z]*)$/i.exec(text.trim());
  const unit = match?.[2].toLowerCase();
  const expected = allowZero
    ? "a size of 0 or more, in MB (e.g. 100, 0.5, 512KB, 1GB)"
    : "a size above 0, in MB (e.g. 2, 0.5, 512KB, 1GB)";
  if (match && unit !== undefined && !(unit in UNIT_BYTES)) {
    throw new UsageError(
      `/${name}=${text}: unknown unit '${match[2]}': use B, KB, MB, GB or TB (no unit: MB)`,
    );
  }
  if (!match || unit === undefined) throw new UsageError(`/${name}=${text}: expected ${expected}`);
  const exact = Number(match[1]) * UNIT_BYTES[unit];
  const bytes = Math.round(exact);
  if (!Number.isSafeInteger(bytes) || (!allowZero && exact === 0)) {
    throw new UsageError(`/${name}=${text}: expected ${expected}`);
  }
  if (exact > 0 && bytes === 0) {
    throw new UsageError(`/${name}=${text}: that is less than one byte`);
  }
  return bytes;
}

/** Parses a TCP port: an integer 1-65535, or 0 as well when `allowZero`. */
export function parsePort(name: string, text: string, allowZero = false): number {
  const low = allowZero ? 0 : 1;
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= low && port <= 65535)) {
    const range = allowZero ? "0 (any free port) or 1-65535" : "1-65535";
    throw new UsageError(`/${name}=${text}: expected a port number, ${range}`);
  }
  return port;
}

/** Parses a whole number from `min` to `max`. */
export function parseInteger(
  name: string,
  text: string,
  [min, max]: [number, number],
  what: string,
): number {
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(Number.isSafeInteger(value) && value >= min && value <= max)) {
    throw new UsageError(`/${name}=${text}: expected ${what}`);
  }
  return value;
}

/**
 * Parses a duration in seconds above 0 and at most `maxDays` days (one unless
 * said), fractions allowed (`30`, `0.5`); returns seconds.
 */
export function parseSeconds(name: string, text: string, maxDays = 1): number {
  const seconds = /^(\d+(\.\d*)?|\.\d+)$/.test(text) ? Number(text) : NaN;
  const max = maxDays * 86_400;
  if (!(seconds > 0 && seconds <= max)) {
    throw new UsageError(
      `/${name}=${text}: expected a number of seconds above 0 (e.g. 30, 0.5), up to ` +
        `${max.toLocaleString("en-US")} (${maxDays === 1 ? "a day" : `${maxDays} days`})`,
    );
  }
  return seconds;
}

/**
 * Invisible format characters (Unicode's Cf: the left-to-right mark U+200E the
 * Windows certificate dialog puts before a thumbprint, U+FEFF, zero-width spaces
 * and joiners, U+2060): copied along with a thumbprint, never part of it.
 */
const FORMAT_CHARACTERS = /\p{Cf}/gu;

/**
 * Parses a certificate thumbprint as people copy it: SHA-1 (40 hex digits, as
 * Octopus shows it) or SHA-256 (64), any case, with colons, spaces or invisible
 * format characters. Returns upper-case hex without separators.
 */
export function parseThumbprint(name: string, text: string): string {
  const visible = text.replace(FORMAT_CHARACTERS, "");
  const digits = visible.replace(/[\s:]/g, "");
  const stray = /[^0-9A-Fa-f]/u.exec(digits)?.[0];
  if (stray !== undefined) {
    throw new UsageError(`/${name}=${visible}: ${codePoint(stray)} is not a hex digit (0-9, A-F)`);
  }
  if (digits.length !== 40 && digits.length !== 64) {
    throw new UsageError(
      `/${name}=${visible}: expected a SHA-1 thumbprint (40 hex digits, as Octopus shows it) ` +
        "or a SHA-256 fingerprint (64 hex digits)",
    );
  }
  return digits.toUpperCase();
}

/** A character as `U+00E9`, the glyph first when it is printable ASCII: `'G' (U+0047)`. */
function codePoint(character: string): string {
  const code = `U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
  return /^[\x21-\x7e]$/.test(character) ? `'${character}' (${code})` : code;
}
