/**
 * How numbers and times are written, the same on every machine whatever its
 * locale, so that an `Output.txt` from anywhere reads alike.
 *
 * @module
 */
import { MB } from "./units.ts";

const GROUPED = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** A whole number with comma thousands separators: `10,283`. */
export function formatCount(value: number): string {
  return GROUPED.format(value);
}

const ONE_DECIMAL = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });

/** A figure with at most one decimal and comma separators: `12.3`, `1,024`. */
export function formatValue(value: number): string {
  return ONE_DECIMAL.format(value);
}

/** A duration as whole milliseconds: `3,001ms`. */
export function formatMs(ms: number): string {
  return `${formatCount(Math.round(ms))}ms`;
}

/** UTC, ISO 8601 to the second with a trailing `Z`: `2026-11-23T19:30:00Z`. */
export function formatTimestamp(time: Date): string {
  return time.toISOString().slice(0, 19) + "Z";
}

/** A size in MB as users write it: `100`, `0.5`, `2`. */
export function formatMB(bytes: number): string {
  return String(Math.round((bytes / MB) * 1000) / 1000);
}

/** A transfer rate in MB/s: two decimals below 10, one above. */
export function formatRate(bytes: number, ms: number): string {
  const rate = ms > 0 ? bytes / MB / (ms / 1000) : 0;
  return `${rate.toFixed(rate < 10 ? 2 : 1)} MB/s`;
}

/** `1 attempt`, `2 attempts`, `1,000 attempts`. */
export function plural(count: number, noun: string): string {
  return `${formatCount(count)} ${noun}${count === 1 ? "" : "s"}`;
}

/** `a`, `a and b`, `a, b and c`. */
export function listed(items: readonly string[]): string {
  return items.length <= 1
    ? items.join("")
    : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

/** The text with its first letter upper-case: a clause that starts a line. */
export function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
