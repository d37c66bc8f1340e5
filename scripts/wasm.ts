/**
 * `deno task wasm`: builds the WebAssembly that pong scans requests with from
 * its source (src/pong/lf_scan.wat) and writes its bytes into
 * src/pong/lf_scan_module.ts. `tests/lf_scan_test.ts` fails when the two differ.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import wabtInit from "wabt";

const SOURCE = fileURLToPath(new URL("../src/pong/lf_scan.wat", import.meta.url));
const MODULE = fileURLToPath(new URL("../src/pong/lf_scan_module.ts", import.meta.url));

/** The module's bytes, built from the source with SIMD on. */
export async function buildLfScan(): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const parsed = wabt.parseWat("lf_scan.wat", await Deno.readTextFile(SOURCE), { simd: true });
  try {
    return parsed.toBinary({}).buffer;
  } finally {
    parsed.destroy();
  }
}

/** The TypeScript module that carries `bytes`. */
export function moduleText(bytes: Uint8Array): string {
  return `/**
 * The WebAssembly built from lf_scan.wat by \`deno task wasm\`; do not edit:
 * tests/lf_scan_test.ts fails when this differs from what the source builds.
 *
 * @module
 */

/** lf_scan.wat, built, in base64. */
export const LF_SCAN_WASM = "${bytes.toBase64()}";
`;
}

if (import.meta.main) {
  await Deno.writeTextFile(MODULE, moduleText(await buildLfScan()));
  console.log(`wrote ${MODULE}`);
}
