/**
 * The bench's Markdown tables: a run's figures, or each figure's median and
 * spread over several runs.
 *
 * @module
 */
import type { Figure } from "./support.ts";

/** The median of `values` (not empty). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  return sorted.length % 2 ? sorted[Math.floor(middle)] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The median of `values`, and with more than one, their spread: `938 MB/s (884-990)`. */
export function summarize(values: number[], unit = "", digits = 0): string {
  const sorted = [...values].sort((a, b) => a - b);
  const text = `${median(values).toFixed(digits)}${unit}`;
  if (sorted.length === 1) return text;
  return `${text} (${sorted[0].toFixed(digits)}-${sorted.at(-1)!.toFixed(digits)})`;
}

/**
 * The ceiling of one figure over the runs: its name, value, and (beside a
 * baseline) its own ratio to that baseline: `bare tls.createServer 880 MB/s; to socat 0.79`.
 */
function ceilingCell(each: Figure[]): string {
  const first = each[0];
  if (!first.ceiling) return "";
  const value = summarize(each.map((f) => f.ceiling!.value), first.unit, first.digits);
  const toBaseline = first.baseline &&
    `; to ${first.baseline.name.split(" ")[0]} ${
      summarize(each.map((f) => f.ceiling!.value / f.baseline!.value), "", 2)
    }`;
  return `${first.ceiling.name} ${value}${toBaseline ?? ""}`;
}

/** A Markdown table of the runs given: each figure's median and spread over them. */
export function table(runs: Figure[][]): string {
  const header = ["measure", "OctoPing", "baseline", "ratio", "ceiling", "to ceiling", "goal"];
  const cells = runs[0].map((first, i) => {
    const each = runs.map((figures) => figures[i]);
    const baseline = first.baseline &&
      `${first.baseline.name} ${
        summarize(each.map((f) => f.baseline!.value), first.unit, first.digits)
      }`;
    const ratio = first.ratio !== undefined && summarize(each.map((f) => f.ratio!), "", 2);
    return [
      first.what,
      summarize(each.map((f) => f.ours), first.unit, first.digits),
      baseline || "",
      ratio || "",
      ceilingCell(each),
      first.ceiling ? summarize(each.map((f) => f.ratioToCeiling!), "", 2) : "",
      first.goal,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (cols: string[]) => `| ${cols.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  return [header, widths.map((w) => "-".repeat(w)), ...cells].map(line).join("\n");
}
