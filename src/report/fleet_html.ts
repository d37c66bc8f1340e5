/**
 * The report page over several logs or targets: the fleet table worst first,
 * then a row of small charts per target (latency and failures over the
 * report's whole span, on one time axis, so an outage shows as a column),
 * failing targets first. Self-contained, like the single-run page; each
 * target costs a few KB whatever the logs' length, since its attempts are
 * bucketed into {@linkcode CHART_BUCKETS} slices.
 *
 * @module
 */
import { CHART_BUCKETS, type FleetReport, type TargetReport } from "../logs/fleet.ts";
import { PROGRAM, VERSION } from "../version.ts";
import { FLEET_COLUMNS } from "../reporters/fleet_table.ts";
import { formatCount, formatValue, plural } from "../format.ts";
import { CAUSE_COLORS, chartLegend, esc, LEGEND_CSS, stamp } from "./html.ts";
import { fleetNotes, fleetRow } from "./log_text.ts";
import { formatPercent } from "../reporters/ping_text.ts";

const CHART_WIDTH = 600;
const CHART_HEIGHT = 36;
/** Where failures are drawn: the lower part of the chart, under the latency line. */
const FAILURE_HEIGHT = 14;

/** The whole page for `report`. */
export function fleetReportPage(report: FleetReport): string {
  const { targets, machines } = report;
  const title = `${plural(targets.length, "target")} from ${plural(machines, "machine")}`;
  const span = report.from === undefined
    ? "the logs have no times"
    : `${stamp(report.from, true)} to ${stamp(report.to!, true)}`;
  const notes = fleetNotes(report).map((note) => `<p class="note">${esc(note)}</p>`);
  const failing = targets.filter((target) => target.summary.failed > 0).length;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${PROGRAM} report: ${esc(title)}</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1100px; color: #222; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px; }
header p { color: #555; margin: 0; }
.note { background: #fff4e5; border-left: 4px solid #e67e22; padding: 8px 12px; margin: 12px 0; }
table.fleet { border-collapse: collapse; }
.fleet th, .fleet td { padding: 2px 10px; border-bottom: 1px solid #eee; text-align: right; }
.fleet th:first-child, .fleet td:first-child, .fleet td:last-child { text-align: left; }
.fleet tr.bad td:first-child { border-left: 4px solid #c0392b; }
.row { display: flex; align-items: center; border-bottom: 1px solid #f0f0f0; padding: 2px 0; }
.row .name { width: 300px; overflow-wrap: anywhere; font-size: 12px; }
.row .name small { color: #777; }
.row svg { background: #fff; border: 1px solid #e4e4e4; }
.axis { display: flex; justify-content: space-between; width: ${CHART_WIDTH}px; margin-left: 300px;
  color: #555; font-size: 12px; }
details { font-size: 12px; color: #555; }
${LEGEND_CSS}
</style></head><body>
<header><h1>${PROGRAM} report: ${esc(title)}</h1>
<p>${esc(span)} · ${plural(report.sources.length, "log")}: ${
    report.sources.map((source) => `<code>${esc(source)}</code>`).join(", ")
  } · report by ${PROGRAM} ${VERSION}</p></header>
${notes.join("\n")}
<h2>${formatCount(failing)} of ${plural(targets.length, "target")} had failures, worst first</h2>
${fleetTable(report)}
<h2>Over time: latency (line) and failures (bars), failing targets first</h2>
${report.from === undefined ? "<p>The logs have no times to chart.</p>" : timeline(report)}
</body></html>
`;
}

function fleetTable({ targets, machines }: FleetReport): string {
  const rows = targets.map((target, i) => {
    const row = fleetRow(target, machines);
    const cells = [
      `<a href="#t${i + 1}">${esc(row.name)}</a>`,
      formatCount(row.attempts),
      formatCount(row.attempts - row.failed),
      formatCount(row.failed),
      formatPercent(target.summary.lossPercent),
      row.median === undefined ? "-" : formatValue(row.median),
      row.p95 === undefined ? "-" : formatValue(row.p95),
      esc(row.lastCause ?? "-"),
    ];
    return `<tr${row.failed > 0 ? ' class="bad"' : ""}>${
      cells.map((cell) => `<td>${cell}</td>`).join("")
    }</tr>`;
  });
  return `<table class="fleet"><tr>${
    FLEET_COLUMNS.map((head) => `<th>${esc(head)}</th>`).join("")
  }</tr>${rows.join("\n")}</table>`;
}

/** What the charts' line and colours stand for: each failing target's bars take its last cause's. */
function timelineLegend({ targets }: FleetReport): string {
  const causes = new Set(
    targets.filter((target) => target.summary.failed > 0).map((target) =>
      target.lastCause ?? "other"
    ),
  );
  return chartLegend(
    "average latency",
    [...causes],
    "failures, in the colour of the target's last cause:",
  );
}

function timeline(report: FleetReport): string {
  const width = (report.to! - report.from!) / CHART_BUCKETS;
  const long = report.to! - report.from! > 86_400_000;
  const axis = `<div class="axis"><span>${stamp(report.from!, true)}</span><span>${
    stamp(report.to!, true)
  }</span></div>`;
  const rows = report.targets.map((target, i) =>
    `<div class="row" id="t${i + 1}"><div class="name">${esc(target.target)}<br><small>${
      esc(target.machine)
    } · ${formatCount(target.summary.failed)} of ${
      plural(target.summary.attempts, "attempt")
    } failed</small>${runList(target)}</div>${
      target.chart ? sparkline(target, report.from!, width, long) : "<small>no times</small>"
    }</div>`
  );
  return timelineLegend(report) + axis + rows.join("\n");
}

/** The runs a target's attempts came from: the report's sub-sections, folded away. */
function runList(target: TargetReport): string {
  const items = target.runs.map(({ source, run, summary }) =>
    `<li>${esc(source)} run ${run.number} (from line ${run.firstLine}): ${
      formatCount(summary.failed)
    } of ${plural(summary.attempts, "attempt")} failed</li>`
  );
  return `<details><summary>${plural(target.runs.length, "run")}</summary><ul>${
    items.join("")
  }</ul></details>`;
}

/** One target's small chart: average latency per slice as a line, failures as bars. */
function sparkline(target: TargetReport, from: number, width: number, long: boolean): string {
  const { attempts, failures, latency } = target.chart!;
  const step = CHART_WIDTH / CHART_BUCKETS;
  const max = Math.max(...latency.filter((ms) => !isNaN(ms)), 0.001);
  const top = CHART_HEIGHT - FAILURE_HEIGHT - 4;
  const round = (value: number) => Math.round(value * 10) / 10;
  let path = "";
  let drawing = false;
  const bars: string[] = [];
  for (let i = 0; i < CHART_BUCKETS; i++) {
    const x = round((i + 0.5) * step);
    if (isNaN(latency[i])) drawing = false;
    else {
      const y = round(2 + top * (1 - latency[i] / max));
      // A lone slice (its neighbours without successes) is a zero-length segment: a round dot.
      path += drawing ? `L${x} ${y}` : `M${x} ${y}h0`;
      drawing = true;
    }
    if (failures[i] > 0) {
      const height = Math.max(2, round(FAILURE_HEIGHT * failures[i] / attempts[i]));
      const when = `${stamp(from + i * width, long)}-${stamp(from + (i + 1) * width, long)}`;
      bars.push(
        `<rect x="${round(i * step)}" y="${CHART_HEIGHT - height}" width="${
          Math.max(1, round(step - 0.5))
        }" height="${height}"><title>${when}: ${failures[i]} of ${
          attempts[i]
        } failed</title></rect>`,
      );
    }
  }
  const color = CAUSE_COLORS[target.lastCause ?? "other"];
  return `<svg width="${CHART_WIDTH}" height="${CHART_HEIGHT}" role="img"><title>${
    esc(target.target)
  }: ${
    latency.some((ms) => !isNaN(ms))
      ? `latency up to ${formatValue(max)} ms`
      : "no successful attempt"
  }</title>${
    path
      ? `<path d="${path}" fill="none" stroke="#2980b9" stroke-width="1.5" ` +
        `stroke-linecap="round" stroke-linejoin="round"/>`
      : ""
  }<g fill="${color}">${bars.join("")}</g></svg>`;
}
