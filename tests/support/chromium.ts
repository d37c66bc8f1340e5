/**
 * Opening a report page in headless Chromium, as a person would: the DOM it
 * builds, what it logged, and a screenshot.
 *
 * @module
 */
import { runs, WAIT_MS } from "./helpers.ts";

/** Chromium under either of its names, if installed (apt-get install -y chromium). */
export const CHROMIUM = ["chromium", "chromium-browser"].find((name) => runs(name));

/**
 * Opens `page` (a file) in headless Chromium with `extra` flags (e.g.
 * `--dump-dom`), its profile in `dir`; returns its stdout (the DOM) and log.
 */
export async function browse(
  page: string,
  dir: string,
  extra: string[],
): Promise<{ dom: string; log: string }> {
  const child = new Deno.Command(CHROMIUM!, {
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      `--user-data-dir=${dir}/profile`,
      "--enable-logging=stderr",
      "--v=0",
      ...extra,
      `file://${page}`,
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), WAIT_MS);
  const output = await child.output();
  clearTimeout(timer);
  return {
    dom: new TextDecoder().decode(output.stdout),
    log: new TextDecoder().decode(output.stderr),
  };
}
