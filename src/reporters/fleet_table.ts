/**
 * The fleet table: a row per target, worst first, as plain text columns. The
 * live console table, the end of a `/hosts` run and `report` over several
 * targets all show it.
 *
 * ```
 * target        attempts   ok  failed   loss  median ms  p95 ms  last cause
 * web07               10    4       6    60%        1.9     2.4  reset
 * web01               10   10       0     0%        1.2     1.5  -
 * ... 198 more targets: 1,980 attempts, 0 failed
 * ```
 *
 * @module
 */
import { formatCount, formatValue, plural } from "../format.ts";
import { formatPercent } from "./ping_text.ts";
import { cutShortAt } from "../connection/exchange_error.ts";
import type { AttemptCutShort } from "../ping/events.ts";
import { printable } from "../printable.ts";

/** One target's figures, as its row shows them. */
export interface FleetRow {
  name: string;
  attempts: number;
  failed: number;
  /** Median and 95th percentile latency of the successful attempts, ms. */
  median?: number;
  p95?: number;
  /** The cause of the latest failure. */
  lastCause?: string;
  /** The attempt Ctrl+C cut short, if one was under way. */
  cutShort?: AttemptCutShort | null;
}

/**
 * Worst first: the largest share failed, then the most failures, then the
 * slowest; then by name. A target with no finished attempt (silent until the
 * run was stopped) comes after every failing one and before every healthy one.
 */
export function worstFirst(a: FleetRow, b: FleetRow): number {
  return rank(b) - rank(a) || b.failed - a.failed || (b.p95 ?? 0) - (a.p95 ?? 0) ||
    a.name.localeCompare(b.name);
}

/** The share failed; for a target with no finished attempt, just above none. */
function rank(row: FleetRow): number {
  return row.attempts > 0 ? row.failed / row.attempts : Number.MIN_VALUE;
}

function loss(row: FleetRow): number {
  return row.attempts > 0 ? row.failed / row.attempts : 0;
}

/** What the last column says of a target with no finished attempt. */
const UNFINISHED = "no attempt finished";

/** A target with no finished attempt: and where the one Ctrl+C cut short was, if any. */
function unfinished({ cutShort }: FleetRow): string {
  return cutShort ? `${UNFINISHED} (cut short ${cutShortAt(cutShort)})` : UNFINISHED;
}

/** A name this long or longer is cut, so a row fits a console. */
const NAME_MAX = 40;
/** The table's columns, as its heading names them. */
export const FLEET_COLUMNS = [
  "target",
  "attempts",
  "ok",
  "failed",
  "loss",
  "median ms",
  "p95 ms",
  "last cause",
];

/**
 * The table of `rows` (already in order): a heading, at most `limit` rows,
 * and one line summing up the rest.
 */
export function fleetTableLines(rows: readonly FleetRow[], limit = Infinity): string[] {
  const shown = rows.slice(0, Math.max(0, limit));
  const lines = columns(
    FLEET_COLUMNS,
    shown.map((row) => [
      row.name,
      formatCount(row.attempts),
      formatCount(row.attempts - row.failed),
      formatCount(row.failed),
      row.attempts === 0 ? "-" : formatPercent(loss(row) * 100),
      row.median === undefined ? "-" : formatValue(row.median),
      row.p95 === undefined ? "-" : formatValue(row.p95),
      row.lastCause ?? (row.attempts === 0 ? unfinished(row) : "-"),
    ]),
  );
  const rest = rows.slice(shown.length);
  if (rest.length > 0) {
    const attempts = rest.reduce((sum, row) => sum + row.attempts, 0);
    const failed = rest.reduce((sum, row) => sum + row.failed, 0);
    const failing = rest.filter((row) => row.failed > 0).length;
    lines.push(
      `... ${plural(rest.length, "more target")}: ${plural(attempts, "attempt")}, ` +
        `${formatCount(failed)} failed` +
        (failing > 0 ? ` (on ${plural(failing, "target")})` : ""),
    );
  }
  return lines;
}

/**
 * Text columns: the first (a name, cut to {@linkcode NAME_MAX}), the last and
 * those in `words` left-aligned; the rest, figures, right-aligned.
 */
export function columns(
  headings: readonly string[],
  rows: readonly string[][],
  words: readonly number[] = [],
): string[] {
  const cells = rows.map((row) => row.map((cell, i) => i === 0 ? cut(printable(cell)) : cell));
  const widths = headings.map((heading, i) =>
    Math.max(heading.length, ...cells.map((row) => row[i].length))
  );
  const last = headings.length - 1;
  const line = (row: readonly string[]) =>
    row.map((cell, i) =>
      i === last
        ? cell
        : i === 0 || words.includes(i)
        ? cell.padEnd(widths[i])
        : cell.padStart(widths[i])
    ).join("  ").trimEnd();
  return [line(headings), ...cells.map(line)];
}

function cut(name: string): string {
  return name.length > NAME_MAX ? `${name.slice(0, NAME_MAX - 3)}...` : name;
}

/** The most names the closing line lists before it counts the rest. */
const NAMES_MAX = 100;

/**
 * The run's last line: which targets failed (worst first), and which never
 * finished an attempt; or that none did either.
 */
export function failingLine(rows: readonly FleetRow[]): string {
  const failing = rows.filter((row) => row.failed > 0).sort(worstFirst);
  const unfinished = rows.filter((row) => row.attempts === 0);
  const silent = unfinished.length > 0 ? `${UNFINISHED}: ${listed(unfinished)}` : "";
  if (failing.length === 0) {
    if (silent) {
      return `${silent} - ${formatCount(unfinished.length)} of ` +
        `${plural(rows.length, "target")} never answered`;
    }
    return `no failures: ${
      rows.length === 1 ? "the target" : `all ${formatCount(rows.length)} targets`
    } ` +
      "answered every attempt";
  }
  const names = listed(failing, (row) => ` (${row.lastCause ?? "other"})`);
  return `failing: ${names} - ${formatCount(failing.length)} of ` +
    `${plural(rows.length, "target")} had failures${silent ? `; ${silent}` : ""}`;
}

/** Up to {@linkcode NAMES_MAX} names, each with `detail`, and a count of the rest. */
function listed(rows: readonly FleetRow[], detail: (row: FleetRow) => string = () => ""): string {
  const names = rows.slice(0, NAMES_MAX).map((row) => `${printable(row.name)}${detail(row)}`);
  const more = rows.length > NAMES_MAX
    ? ` and ${formatCount(rows.length - NAMES_MAX)} more (see the table)`
    : "";
  return `${names.join(", ")}${more}`;
}
