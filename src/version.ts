/**
 * The program's version, read from deno.json so that `--version`, banners and
 * build archives can never disagree.
 *
 * @module
 */
import denoJson from "../deno.json" with { type: "json" };

/** OctoPing's version, e.g. `0.1.0`. */
export const VERSION: string = denoJson.version;

/** The program's name as users type it. */
export const PROGRAM = "OctoPing";
