/**
 * `GET /`: a small page that says what the exporter is, how to use it, and
 * each target's last probe, for the person who opens its address in a browser.
 *
 * @module
 */
import type { ExporterOptions } from "../options/options.ts";
import { printable } from "../printable.ts";
import { PROGRAM, VERSION } from "../version.ts";
import type { ProbeOutcome } from "./probe.ts";

/** Peer text made safe in HTML: printable first, as on the console, then HTML's escapes. */
function html(text: string): string {
  const escapes: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" };
  return printable(text).replace(/[&<>"]/g, (c) => escapes[c]);
}

/** The page, `allowed` the allow-list's size (undefined: any target), `latest` a probe a target. */
export function landingPage(
  options: ExporterOptions,
  allowed: number | undefined,
  latest: readonly ProbeOutcome[],
): string {
  const rows = latest.map((outcome) => {
    const { target, module } = outcome.request;
    const result = outcome.success
      ? "success"
      : `failed: ${outcome.failure?.cause ?? "other"} - ${outcome.failure?.summary ?? ""}`;
    return `<tr><td>${html(target.name)}</td><td>${module}</td>` +
      `<td>${outcome.time.toISOString()}</td><td>${outcome.seconds.toFixed(3)} s</td>` +
      `<td>${html(result)}</td></tr>`;
  });
  const scope = allowed === undefined
    ? "any target (it listens on loopback only)"
    : `only the ${allowed} targets of its hosts file; others get 403`;
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>${PROGRAM} exporter</title></head>
<body>
<h1>${PROGRAM} ${VERSION} exporter</h1>
<p>Probes Octopus Tentacles for Prometheus, as blackbox_exporter probes other services:
<a href="/probe?target=localhost:10933">/probe?target=&lt;host[:port]&gt;</a> makes one ping
attempt (<code>module=check</code>: a check) and answers with its metrics;
<a href="/metrics">/metrics</a> has the exporter's own.</p>
<p>It probes ${scope}, at most ${options.parallel} at once.</p>
<h2>Last probe of each target</h2>
${
    rows.length === 0
      ? "<p>No probe yet.</p>"
      : `<table border="1"><tr><th>target</th><th>module</th><th>time (UTC)</th>` +
        `<th>took</th><th>result</th></tr>\n${rows.join("\n")}\n</table>`
  }
</body></html>
`;
}
