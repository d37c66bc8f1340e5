/**
 * The text reporter for ping: lines in the original TentaclePing's shape, so
 * people who know it can read them.
 *
 * ```
 * 2026-11-23T19:30:00Z Connect: Success! 12ms, 10,283 bytes read
 * 2026-11-23T19:30:01Z Connect: Failed! 3,001ms; connected: True; SSL: False
 *     connect ECONNREFUSED 10.0.0.5:10933
 * ```
 *
 * @module
 */
import type { AttemptResult, PingEvent } from "../ping/result.ts";
import { PROGRAM, VERSION } from "../version.ts";
import type { LineWriter, Style } from "./console.ts";
import { formatCount, formatMB, formatMs, formatRate, formatTimestamp } from "./format.ts";

/** Running totals are printed after every this many attempts, as the original does. */
const TOTALS_EVERY = 10;
const INDENT = "    ";

/** Makes a reporter that writes ping's events as text lines. */
export function pingTextReporter(write: LineWriter, style: Style): (event: PingEvent) => void {
  let succeeded = 0;
  let failed = 0;
  let dataMode = false;
  return (event) => {
    switch (event.type) {
      case "start": {
        const { target, noSsl, dataSize, chunkSize } = event.options;
        dataMode = dataSize > 0;
        const data = dataMode
          ? `, sending ${formatMB(dataSize)} MB in ${formatMB(chunkSize)} MB chunks`
          : "";
        write(
          `${PROGRAM} ${VERSION} — pinging ${target.host} on port ${target.port} ` +
            `${noSsl ? "without" : "with"} TLS${data}`,
        );
        break;
      }
      case "attempt": {
        const result = event.result;
        if (result.ok) succeeded++;
        else failed++;
        for (const line of attemptLines(result, dataMode, style)) write(line);
        if ((succeeded + failed) % TOTALS_EVERY === 0) {
          write(`${totals(succeeded, failed)}. Hit Ctrl+C to quit any time.`);
        }
        break;
      }
      case "end":
        write(
          `${event.interrupted ? "Stopped" : "Done"}: ${totals(event.succeeded, event.failed)}.`,
        );
        break;
    }
  };
}

function totals(succeeded: number, failed: number): string {
  return `${formatCount(succeeded)} successful connections, ${
    formatCount(failed)
  } failed connections`;
}

/** The attempt's line and, for a failure, its indented detail. */
export function attemptLines(result: AttemptResult, dataMode: boolean, style: Style): string[] {
  const stamp = `${formatTimestamp(result.time)} Connect:`;
  if (result.ok) {
    const parts = [formatMs(result.ms)];
    if (dataMode) parts.push(`${formatCount(result.bytesSent)} bytes sent`);
    parts.push(`${formatCount(result.bytesRead)} bytes read`);
    if (dataMode) parts.push(formatRate(result.bytesSent, result.ms));
    if (result.status === undefined) parts.push("not an HTTP answer");
    else if (result.status !== 200) parts.push(`HTTP ${result.status}`);
    return [`${stamp} ${style.good("Success!")} ${parts.join(", ")}`];
  }
  const flag = (value: boolean) => (value ? "True" : "False");
  const line = `${stamp} ${style.bad("Failed!")} ${formatMs(result.ms)}; ` +
    `connected: ${flag(result.connected)}; SSL: ${flag(result.secured)}`;
  const where = result.chunks > 1 ? `chunk ${result.chunksDone + 1} of ${result.chunks}: ` : "";
  return [line, `${INDENT}${where}${result.failure?.message}`];
}
