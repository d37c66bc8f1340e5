/**
 * The report page (`OctoPing report <log> /out=report.html`): one
 * self-contained HTML file — inline CSS and SVG, no scripts, fonts or network —
 * that a support engineer can read in ten seconds: when it failed, how often,
 * why, and how latency moved around the failures. Hovering a mark shows what
 * it stands for.
 *
 * @module
 */
import type { Bucket, LogAnalysis } from "../logs/analyse.ts";
import { PROGRAM, VERSION } from "../version.ts";
import { formatCount, formatTimestamp, formatValue } from "./format.ts";
import { summaryLines } from "./ping_text.ts";

const WIDTH = 960;
const HEIGHT = 260;
const PAD = { left: 60, right: 16, top: 16, bottom: 34 };
const CAUSE_COLORS: Record<string, string> = {
  dns: "#8e44ad",
  refused: "#c0392b",
  timeout: "#e67e22",
  reset: "#d35400",
  tls: "#2c3e50",
  closed: "#7f8c8d",
  unreachable: "#6d214f",
  thumbprint: "#16a085",
  incomplete: "#b33771",
  other: "#95a5a6",
};

/** The whole page for `analysis` of the log `source`. */
export function reportPage(analysis: LogAnalysis, source: string): string {
  const { summary, meta } = analysis;
  const target = meta.target ?? "an unnamed target";
  const span = spanText(analysis);
  const sections = [
    `<header><h1>${PROGRAM} report: ${esc(target)}</h1>`,
    `<p>${esc(span)} · log <code>${esc(source)}</code>` +
    (meta.version ? ` · written by OctoPing ${esc(meta.version)}` : "") +
    ` · report by ${PROGRAM} ${VERSION}</p></header>`,
    analysis.cluster ? clusterNote(analysis) : "",
    skippedNote(analysis),
    `<section><h2>Summary</h2><pre class="summary">${
      esc(summaryLines(summary, target).slice(1).join("\n"))
    }</pre></section>`,
    section("Latency over time, and failures", latencyChart(analysis), "latency"),
    section("Latency of the successful attempts", histogramChart(analysis), "histogram"),
    section("Failures by cause", causeChart(analysis), "causes"),
    analysis.buckets.some((b) => b.rate !== undefined)
      ? section("Throughput over time", throughputChart(analysis), "throughput")
      : "",
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${PROGRAM} report: ${esc(target)}</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1000px; color: #222; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 24px 0 8px; }
header p { color: #555; margin: 0; }
.note { background: #fff4e5; border-left: 4px solid #e67e22; padding: 8px 12px; margin: 16px 0; }
.summary { background: #f6f8fa; padding: 10px 12px; white-space: pre-wrap; }
svg { background: #fff; border: 1px solid #ddd; }
svg text { font-size: 11px; fill: #555; }
svg .hit:hover { stroke: #000; stroke-width: 1.5; }
.legend span { display: inline-block; margin-right: 12px; }
.legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
</style></head><body>
${sections.filter(Boolean).join("\n")}
</body></html>
`;
}

function section(title: string, chart: string, id: string): string {
  return `<section id="${id}"><h2>${esc(title)}</h2>${chart}</section>`;
}

function spanText(analysis: LogAnalysis): string {
  const { buckets, byTime, summary } = analysis;
  if (summary.attempts === 0) return "no attempts in this log";
  if (!byTime) return `${formatCount(summary.attempts)} attempts (the log has no times)`;
  const from = buckets[0].from;
  const to = buckets.at(-1)!.to;
  return `${formatCount(summary.attempts)} attempts from ${stamp(from, true)} to ${
    stamp(to, true)
  }`;
}

function clusterNote({ cluster, byTime }: LogAnalysis): string {
  const c = cluster!;
  const where = byTime
    ? `between ${stamp(c.from, true)} and ${stamp(c.to, true)}`
    : `between attempts ${Math.floor(c.from)} and ${Math.ceil(c.to)}`;
  return `<p class="note" id="cluster"><b>${formatCount(c.failures)} of ${
    formatCount(c.ofFailures)
  } failures ${where}.</b> Look at what happened then: deployments, backups, network changes.</p>`;
}

function skippedNote({ skipped, firstSkipped }: LogAnalysis): string {
  if (skipped === 0) return "";
  const lines = skipped === 1
    ? "1 line could not be read and was"
    : `${formatCount(skipped)} lines could not be read and were`;
  return `<p class="note" id="skipped">${lines} skipped (the first is line ${firstSkipped}).</p>`;
}

/** Latency band (min–max), average line, and failure marks along the top. */
function latencyChart(analysis: LogAnalysis): string {
  const { buckets } = analysis;
  const yMax = niceMax(analysis.summary.latency?.max ?? 1);
  const x = xScale(buckets);
  const y = (ms: number) =>
    PAD.top + (HEIGHT - PAD.top - PAD.bottom) * (1 - Math.min(ms, yMax) / yMax);
  const ok = buckets.filter((b) => b.latency);
  const band = ok.map((b) => `${x(b, 0.5)},${y(b.latency!.max)}`).join(" ") + " " +
    ok.slice().reverse().map((b) => `${x(b, 0.5)},${y(b.latency!.min)}`).join(" ");
  const line = ok.map((b) => `${x(b, 0.5)},${y(b.latency!.avg)}`).join(" ");
  const marks = buckets.filter((b) => b.failures > 0).map((b) => {
    const cause = Object.entries(b.byCause).sort((p, q) => q[1]! - p[1]!)[0][0];
    const width = Math.max(2, x(b, 1) - x(b, 0));
    const title = `<title>${esc(bucketTitle(analysis, b))}</title>`;
    // A faint stripe down the chart shows the failure against the latency around it.
    const stripe = `<rect x="${x(b, 0)}" y="${PAD.top}" width="${width}" height="${
      HEIGHT - PAD.top - PAD.bottom
    }" fill="${CAUSE_COLORS[cause]}" fill-opacity="0.12"/>`;
    return stripe + `<rect class="hit failure" x="${x(b, 0)}" y="${PAD.top}" width="${width}" ` +
      `height="10" fill="${CAUSE_COLORS[cause]}">${title}</rect>`;
  });
  const points = ok.map((b) =>
    `<circle class="hit" cx="${x(b, 0.5)}" cy="${
      y(b.latency!.avg)
    }" r="2.5" fill="#2980b9"><title>${esc(bucketTitle(analysis, b))}</title></circle>`
  );
  return svg([
    axes(analysis, yMax, "ms"),
    ok.length > 1 ? `<polygon points="${band}" fill="#2980b9" fill-opacity="0.08"/>` : "",
    ok.length > 1
      ? `<polyline points="${line}" fill="none" stroke="#2980b9" stroke-width="1.5"/>`
      : "",
    ...points,
    ...marks,
  ]) + legend(analysis);
}

function histogramChart({ histogram }: LogAnalysis): string {
  const most = Math.max(1, ...histogram.map((bin) => bin.count));
  const inner = WIDTH - PAD.left - PAD.right;
  const w = inner / histogram.length;
  const h = HEIGHT - PAD.top - PAD.bottom;
  const bars = histogram.map((bin, i) => {
    const height = (bin.count / most) * h;
    return `<rect class="hit bar" x="${PAD.left + i * w + 1}" y="${PAD.top + h - height}" width="${
      Math.max(1, w - 2)
    }" height="${height}" fill="#2980b9"><title>${formatValue(bin.from)}–${
      formatValue(bin.to)
    } ms: ${formatCount(bin.count)} attempts</title></rect>`;
  });
  const label = (x: number, value: number, anchor: string) =>
    `<text x="${x}" y="${HEIGHT - 12}" text-anchor="${anchor}">${formatValue(value)} ms</text>`;
  const labels = [
    label(PAD.left, histogram[0].from, "start"),
    label(PAD.left + inner / 2, histogram[Math.floor(histogram.length / 2)].from, "middle"),
    label(WIDTH - PAD.right, histogram.at(-1)!.to, "end"),
  ];
  return svg([...bars, ...labels, `<text x="4" y="${PAD.top + 10}">attempts</text>`]);
}

function causeChart({ summary }: LogAnalysis): string {
  if (summary.byCause.length === 0) return "<p>No attempt failed.</p>";
  const most = summary.byCause[0][1];
  const rows = summary.byCause.map(([cause, count], i) => {
    const width = (count / most) * (WIDTH - 260);
    const top = 10 + i * 26;
    return `<text x="8" y="${top + 14}">${cause}</text>` +
      `<rect class="hit bar" x="110" y="${top}" width="${Math.max(2, width)}" height="18" fill="${
        CAUSE_COLORS[cause]
      }"><title>${cause}: ${formatCount(count)} failures</title></rect>` +
      `<text x="${118 + width}" y="${top + 14}">${formatCount(count)}</text>`;
  });
  return `<svg width="${WIDTH}" height="${20 + summary.byCause.length * 26}" role="img">${
    rows.join("")
  }</svg>`;
}

function throughputChart(analysis: LogAnalysis): string {
  const withRate = analysis.buckets.filter((b) => b.rate !== undefined);
  const yMax = niceMax(Math.max(...withRate.map((b) => b.rate!)));
  const x = xScale(analysis.buckets);
  const y = (v: number) => PAD.top + (HEIGHT - PAD.top - PAD.bottom) * (1 - v / yMax);
  const points = withRate.map((b) =>
    `<circle class="hit" cx="${x(b, 0.5)}" cy="${y(b.rate!)}" r="2.5" fill="#27ae60"><title>${
      esc(bucketTitle(analysis, b))
    }: ${formatValue(b.rate!)} MB/s</title></circle>`
  );
  const line = withRate.map((b) => `${x(b, 0.5)},${y(b.rate!)}`).join(" ");
  return svg([
    axes(analysis, yMax, "MB/s"),
    `<polyline points="${line}" fill="none" stroke="#27ae60" stroke-width="1.5"/>`,
    ...points,
  ]);
}

function axes(analysis: LogAnalysis, yMax: number, unit: string): string {
  const { buckets, byTime } = analysis;
  const bottom = HEIGHT - PAD.bottom;
  const ticks = [0, 0.5, 1].map((f) => {
    const y = PAD.top + (bottom - PAD.top) * (1 - f);
    return `<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y}" y2="${y}" stroke="#eee"/>` +
      `<text x="4" y="${y + 4}">${formatValue(yMax * f)} ${unit}</text>`;
  });
  const first = buckets[0].from;
  const last = buckets.at(-1)!.to;
  const label = (v: number) => byTime ? stamp(v, last - first > 86_400_000) : `#${Math.round(v)}`;
  return [
    ...ticks,
    `<text x="${PAD.left}" y="${HEIGHT - 12}">${label(first)}</text>`,
    `<text x="${WIDTH - PAD.right}" y="${HEIGHT - 12}" text-anchor="end">${label(last)}</text>`,
  ].join("");
}

function legend({ summary }: LogAnalysis): string {
  const causes = summary.byCause.map(([cause]) =>
    `<span><i style="background:${CAUSE_COLORS[cause]}"></i>${cause}</span>`
  );
  return `<p class="legend"><span><i style="background:#2980b9"></i>average latency (band: min–max)</span>${
    causes.join("")
  }</p>`;
}

function bucketTitle({ byTime }: LogAnalysis, b: Bucket): string {
  if (b.only) {
    const a = b.only;
    const when = a.time ? formatTimestamp(a.time) : `attempt at line ${a.line}`;
    return `${when}: ${a.ok ? "Success" : `Failed (${a.cause})`}, ${
      formatValue(a.ms)
    } ms (line ${a.line})`;
  }
  const when = byTime
    ? `${stamp(b.from, false)}–${stamp(b.to, false)}`
    : `attempts ${Math.ceil(b.from)}–${Math.floor(b.to)}`;
  const causes = Object.entries(b.byCause).map(([cause, n]) => `${cause} ${n}`).join(", ");
  const latency = b.latency
    ? `latency ${formatValue(b.latency.min)}–${formatValue(b.latency.max)} ms, avg ${
      formatValue(b.latency.avg)
    }`
    : "no success";
  return `${when}: ${formatCount(b.attempts)} attempts, ${formatCount(b.failures)} failed${
    causes ? ` (${causes})` : ""
  }; ${latency}`;
}

function xScale(buckets: Bucket[]) {
  const from = buckets[0].from;
  const span = Math.max(1e-9, buckets.at(-1)!.to - from);
  const inner = WIDTH - PAD.left - PAD.right;
  return (b: Bucket, at: number) => {
    const v = b.from + (b.to - b.from) * at;
    return Math.round((PAD.left + ((v - from) / span) * inner) * 10) / 10;
  };
}

function svg(parts: string[]): string {
  return `<svg width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img">${
    parts.join("")
  }</svg>`;
}

function niceMax(value: number): number {
  const step = 10 ** Math.floor(Math.log10(Math.max(value, 1e-3)));
  return Math.ceil(value / step) * step || 1;
}

function stamp(epochMs: number, withDate: boolean): string {
  const iso = new Date(epochMs).toISOString();
  return withDate ? `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC` : `${iso.slice(11, 19)}`;
}

function esc(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll(
    '"',
    "&quot;",
  );
}
