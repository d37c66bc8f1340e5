/**
 * Text from outside — a peer's headers, certificate names, error messages
 * quoting peer data, a log file a customer sent — made safe to print: it
 * reaches a terminal or a text log as plain ASCII that cannot move the cursor,
 * change colours or reorder the line, and it fits on a line.
 *
 * Every peer- or file-controlled string passes through {@linkcode printable}
 * before a text reporter writes it. JSON keeps the exact string (JSON escapes
 * it), and the HTML page escapes for HTML.
 *
 * @module
 */

/** How long a peer string may be on a line before it is cut. */
export const PRINTABLE_MAX = 200;

/**
 * `text` as plain printable ASCII: control characters (C0, DEL, C1) become
 * visible escapes (`\x1b`), every other non-ASCII character — the bidi
 * controls that reorder a line among them — `\u202e`, and a string longer
 * than `max` is cut, ending in `...`.
 */
export function printable(text: string, max = PRINTABLE_MAX): string {
  const pieces: string[] = [];
  let length = 0;
  for (let i = 0; i < text.length && length <= max; i++) {
    const piece = escapeChar(text.charCodeAt(i));
    pieces.push(piece);
    length += piece.length;
  }
  if (length <= max) return pieces.join("");
  while (length > max - 3) length -= pieces.pop()!.length; // never half an escape
  return pieces.join("") + "...";
}

/**
 * `line` with every character above 0x7F written as `\uXXXX`: the last guard
 * before text reaches a console or log file, so that PowerShell 5.1's `>`
 * cannot turn it into mojibake. Control characters are left alone (colours
 * and status redraws are the tool's own).
 */
export function asciiOnly(line: string): string {
  // deno-lint-ignore no-control-regex
  if (!/[^\x00-\x7f]/.test(line)) return line;
  let out = "";
  for (let i = 0; i < line.length; i++) {
    const code = line.charCodeAt(i);
    out += code > 0x7f ? unicodeEscape(code) : line[i];
  }
  return out;
}

function escapeChar(code: number): string {
  if (code < 0x20 || code === 0x7f || (code >= 0x80 && code < 0xa0)) {
    return `\\x${code.toString(16).padStart(2, "0")}`;
  }
  if (code > 0x7f) return unicodeEscape(code);
  return String.fromCharCode(code);
}

function unicodeEscape(code: number): string {
  return `\\u${code.toString(16).padStart(4, "0")}`;
}
