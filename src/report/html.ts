/**
 * The report page (`OctoPing report <log> /out=report.html`): one
 * self-contained HTML file — inline CSS and SVG, no scripts, fonts or network —
 * that a support engineer can read in ten seconds: when it failed, how often,
 * why, and how latency moved around the failures; for each run in the log,
 * with who ran it where, what answered and with which certificate. Hovering a
 * mark shows what it stands for.
 *
 * @module
 */
import type { Bucket, LogAnalysis, RunAnalysis } from "../logs/analyse.ts";
import type { Cause } from "../connection/failure.ts";
import { PROGRAM, VERSION } from "../version.ts";
import { formatCount, formatTimestamp, formatValue } from "../format.ts";
import { addressesLabel } from "./log_text.ts";
import { summaryLines } from "../reporters/ping_text.ts";

const WIDTH = 960;
const HEIGHT = 260;
const PAD = { left: 60, right: 16, top: 16, bottom: 34 };
/** A colour per cause, the same on every chart. */
export const CAUSE_COLORS: Record<Cause, string> = {
  dns: "#8e44ad",
  proxy: "#b7950b",
  refused: "#c0392b",
  timeout: "#e67e22",
  reset: "#d35400",
  tls: "#2c3e50",
  closed: "#7f8c8d",
  unreachable: "#6d214f",
  thumbprint: "#16a085",
  intercepted: "#1e6f5c",
  rejected: "#a0522d",
  incomplete: "#b33771",
  other: "#95a5a6",
};

/** The whole page for `analysis` of the log `source`: a section per run. */
export function reportPage(analysis: LogAnalysis, source: string): string {
  const { runs } = analysis;
  const title = runs.length === 1
    ? runs[0].run.target ?? "an unnamed target"
    : `${runs.length} runs in ${source.split(/[\\/]/).at(-1)}`;
  const sections = [
    `<header><h1>${PROGRAM} report: ${esc(title)}</h1>`,
    `<p>log <code>${esc(source)}</code> · report by ${PROGRAM} ${VERSION}</p></header>`,
    skippedNote(analysis),
    ...runs.map((run) => runSection(run, runs.length)),
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${PROGRAM} report: ${esc(title)}</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1000px; color: #222; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 32px 0 4px; }
h3 { font-size: 15px; margin: 20px 0 8px; }
header p, .span { color: #555; margin: 0; }
.about { border-collapse: collapse; margin: 8px 0; }
.about th { text-align: left; font-weight: normal; color: #555; padding: 1px 12px 1px 0; vertical-align: top; }
.about td { padding: 1px 0; overflow-wrap: anywhere; }
.note { background: #fff4e5; border-left: 4px solid #e67e22; padding: 8px 12px; margin: 16px 0; }
.summary { background: #f6f8fa; padding: 10px 12px; white-space: pre-wrap; }
svg { background: #fff; border: 1px solid #ddd; }
svg text { font-size: 11px; fill: #555; }
svg .hit:hover { stroke: #000; stroke-width: 1.5; }
${LEGEND_CSS}
</style></head><body>
${sections.filter(Boolean).join("\n")}
</body></html>
`;
}

function runSection(analysis: RunAnalysis, runs: number): string {
  const { run, summary } = analysis;
  const target = run.target ?? "an unnamed target";
  const id = `run-${run.number}`;
  const where = `${run.format === "json" ? "JSON lines" : "text"} from line ${run.firstLine}`;
  const head = `<section class="run" id="${id}"><h2>Run ${run.number} of ${runs}: ${
    esc(target)
  }</h2>`;
  if (run.command === "pong") {
    return `${head}<p class="span">a pong run (${
      formatCount(run.connections)
    } connections; ${where}): report charts ping runs</p></section>`;
  }
  if (summary.attempts === 0) {
    return `${head}<p class="span">no attempts (${where})</p>${aboutTable(analysis)}</section>`;
  }
  return [
    head,
    `<p class="span">${esc(spanText(analysis))} · ${where}</p>`,
    aboutTable(analysis),
    analysis.cluster ? clusterNote(analysis) : "",
    `<h3>Summary</h3><pre class="summary">${
      esc(summaryLines(summary, target).slice(1).join("\n"))
    }</pre>`,
    chart("Latency over time, and failures", latencyChart(analysis), `${id}-latency`),
    chart(
      "Latency of the successful attempts",
      summary.latency ? histogramChart(analysis) : "<p>No attempt succeeded.</p>",
      `${id}-histogram`,
    ),
    chart("Failures by cause", causeChart(analysis), `${id}-causes`),
    analysis.buckets.some((b) => b.rate !== undefined)
      ? chart("Throughput over time", throughputChart(analysis), `${id}-throughput`)
      : "",
    "</section>",
  ].join("\n");
}

/** What support asks first: who ran it where, what was reached, who answered, which certificate. */
function aboutTable({ run }: RunAnalysis): string {
  const rows: [string, string][] = [];
  const more = (n: number) => n > 0 ? ` and ${formatCount(n)} more` : "";
  if (run.machine) rows.push(["machine", esc(run.machine)]);
  if (run.version) rows.push(["written by", `OctoPing ${esc(run.version)}`]);
  if (run.commandLine) rows.push(["command line", `<code>${esc(run.commandLine)}</code>`]);
  if (run.started) rows.push(["started", esc(run.started)]);
  if (run.addresses.items.length > 0) {
    rows.push([
      esc(addressesLabel(run)),
      esc(run.addresses.items.join(", ")) + more(run.addresses.more),
    ]);
  }
  if (run.peers.items.length > 0) {
    rows.push(["answered by", esc(run.peers.items.join("; ")) + more(run.peers.more)]);
  }
  for (const c of run.certificates.items) {
    const when = c.changed && c.time ? ` at ${esc(formatTimestamp(c.time))}` : "";
    const lines = [esc(c.name)];
    if (c.sha1) {
      lines.push(
        `thumbprint <code>${esc(c.sha1)}</code> (SHA-1); SHA-256 <code>${
          esc(c.sha256 ?? "not in the log")
        }</code>`,
      );
    }
    if (c.detail) lines.push(esc(c.detail));
    rows.push([`certificate${c.changed ? ` changed${when}` : ""}`, lines.join("<br>")]);
  }
  if (run.certificates.more > 0) {
    rows.push(["", `and ${formatCount(run.certificates.more)} more certificates, not listed`]);
  }
  if (run.certificateChanges > 0) {
    rows.push(["certificate changes", formatCount(run.certificateChanges)]);
  }
  if (rows.length === 0) return "";
  return `<table class="about">${
    rows.map(([name, value]) => `<tr><th>${name}</th><td>${value}</td></tr>`).join("")
  }</table>`;
}

function chart(title: string, svg: string, id: string): string {
  return `<section id="${id}"><h3>${esc(title)}</h3>${svg}</section>`;
}

function spanText(analysis: RunAnalysis): string {
  const { summary, from, to } = analysis;
  if (!from || !to) return `${formatCount(summary.attempts)} attempts (the log has no times)`;
  return `${formatCount(summary.attempts)} attempts from ${stamp(from!.getTime(), true)} to ${
    stamp(to!.getTime(), true)
  }`;
}

function clusterNote({ cluster, byTime, wholeSeconds }: RunAnalysis): string {
  const c = cluster!;
  // Whole seconds would blur a burst of a second or two into its neighbours: then milliseconds,
  // when the log has them.
  const ms = c.to - c.from < 60_000 && !wholeSeconds;
  const where = byTime
    ? `between ${stamp(c.from, true, ms)} and ${stamp(c.to, true, ms)}`
    : `between attempts ${Math.floor(c.from)} and ${Math.ceil(c.to)}`;
  return `<p class="note cluster"><b>${formatCount(c.failures)} of ${
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
function latencyChart(analysis: RunAnalysis): string {
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
    const cause = (Object.entries(b.byCause) as [Cause, number][]).sort((p, q) =>
      q[1] - p[1]
    )[0][0];
    const width = Math.max(3, x(b, 1) - x(b, 0));
    const left = x(b, 0.5) - width / 2;
    const title = `<title>${esc(bucketTitle(analysis, b))}</title>`;
    // A faint stripe down the chart shows the failure against the latency around it.
    const stripe = `<rect x="${left}" y="${PAD.top}" width="${width}" height="${
      HEIGHT - PAD.top - PAD.bottom
    }" fill="${CAUSE_COLORS[cause]}" fill-opacity="0.12"/>`;
    return stripe + `<rect class="hit failure" x="${left}" y="${PAD.top}" width="${width}" ` +
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

/** Latency bands on a logarithmic axis, labelled at round values (1, 2, 5 × 10^n ms). */
function histogramChart({ histogram }: RunAnalysis): string {
  const most = Math.max(1, ...histogram.map((bin) => bin.count));
  const inner = WIDTH - PAD.left - PAD.right;
  const w = inner / histogram.length;
  const h = HEIGHT - PAD.top - PAD.bottom;
  const bottom = PAD.top + h;
  const bars = histogram.map((bin, i) => {
    const height = (bin.count / most) * h;
    return `<rect class="hit bar" x="${PAD.left + i * w + 1}" y="${bottom - height}" width="${
      Math.max(1, w - 2)
    }" height="${height}" fill="#2980b9"><title>${formatValue(bin.from)}–${
      formatValue(bin.to)
    } ms: ${formatCount(bin.count)} attempts</title></rect>`;
  });
  const low = histogram[0].from;
  const high = histogram.at(-1)!.to;
  const at = (ms: number) =>
    Math.round((PAD.left + inner * Math.log(ms / low) / Math.log(high / low)) * 10) / 10;
  const round = roundValues(low, high);
  const ticks = round.length >= 2 ? round : [low, high];
  const xLabels = ticks.map((ms) =>
    `<line x1="${at(ms)}" x2="${at(ms)}" y1="${bottom}" y2="${bottom + 4}" stroke="#999"/>` +
    `<text x="${at(ms)}" y="${HEIGHT - 12}" text-anchor="middle">${formatValue(ms)} ms</text>`
  );
  const yLabels = [0, 0.5, 1].map((f) => Math.round(most * f)).filter((n, i, all) =>
    all.indexOf(n) === i
  ).map((count) => {
    const y = bottom - (count / most) * h;
    return `<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y}" y2="${y}" stroke="#eee"/>` +
      `<text x="${PAD.left - 6}" y="${y + 4}" text-anchor="end">${formatCount(count)}</text>`;
  });
  return svg([...yLabels, ...bars, ...xLabels]);
}

/** The values 1, 2, 5, 10, 20, … strictly inside `low`–`high`. */
function roundValues(low: number, high: number): number[] {
  const values: number[] = [];
  for (let power = Math.floor(Math.log10(low)); 10 ** power < high; power++) {
    for (const step of [1, 2, 5]) {
      const value = step * 10 ** power;
      if (value > low && value < high) values.push(Number(value.toPrecision(1)));
    }
  }
  return values;
}

function causeChart({ summary }: RunAnalysis): string {
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

function throughputChart(analysis: RunAnalysis): string {
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

function axes(analysis: RunAnalysis, yMax: number, unit: string): string {
  const { buckets, byTime, wholeSeconds } = analysis;
  const bottom = HEIGHT - PAD.bottom;
  const ticks = [0, 0.5, 1].map((f) => {
    const y = PAD.top + (bottom - PAD.top) * (1 - f);
    return `<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y}" y2="${y}" stroke="#eee"/>` +
      `<text x="4" y="${y + 4}">${formatValue(yMax * f)} ${unit}</text>`;
  });
  const first = buckets[0].from;
  const last = buckets.at(-1)!.to;
  // A run under a minute needs its milliseconds (when the log has them), or both ends read alike.
  const ms = last - first < 60_000 && !wholeSeconds;
  const label = (v: number) =>
    byTime ? stamp(v, last - first > 86_400_000, ms) : `#${Math.round(v)}`;
  return [
    ...ticks,
    `<text x="${PAD.left}" y="${HEIGHT - 12}">${label(first)}</text>`,
    `<text x="${WIDTH - PAD.right}" y="${HEIGHT - 12}" text-anchor="end">${label(last)}</text>`,
  ].join("");
}

function legend({ summary }: RunAnalysis): string {
  return chartLegend("average latency (band: min–max)", summary.byCause.map(([cause]) => cause));
}

/** How a legend's swatches are laid out, on every page that has one. */
export const LEGEND_CSS = `.legend span { display: inline-block; margin-right: 12px; }
.legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }`;

/**
 * A chart's legend: what its blue latency line draws (`line`), then each of
 * `causes` in its colour, after `causesLead` when the colours need saying what they mark.
 */
export function chartLegend(line: string, causes: readonly Cause[], causesLead = ""): string {
  const swatch = (color: string, name: string) =>
    `<span><i style="background:${color}"></i>${esc(name)}</span>`;
  const named = causes.map((cause) => swatch(CAUSE_COLORS[cause], cause)).join("");
  return `<p class="legend">${swatch("#2980b9", line)}${
    named && causesLead ? `<span>${esc(causesLead)}</span>` : ""
  }${named}</p>`;
}

function bucketTitle({ byTime }: RunAnalysis, b: Bucket): string {
  if (b.only) {
    const a = b.only;
    // To the millisecond when the log has them: a whole-second log's would be made up.
    const when = a.time
      ? (a.wholeSecond ? formatTimestamp(a.time) : a.time.toISOString())
      : `attempt at line ${a.line}`;
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

/** `2026-11-27 12:13:52 UTC`, or the time alone; to the millisecond when `ms`. */
export function stamp(epochMs: number, withDate: boolean, ms = false): string {
  const iso = new Date(epochMs).toISOString();
  const time = iso.slice(11, ms ? 23 : 19);
  return withDate ? `${iso.slice(0, 10)} ${time} UTC` : time;
}

/** `text` made safe inside HTML text and attribute values. */
export function esc(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll(
    '"',
    "&quot;",
  );
}
