/**
 * The WebAssembly built from lf_scan.wat by `deno task wasm`; do not edit:
 * tests/lf_scan_test.ts fails when this differs from what the source builds.
 *
 * @module
 */

/** lf_scan.wat, built, in base64. */
export const LF_SCAN_WASM =
  "AGFzbQEAAAABBgFgAX8BfwMCAQAFAwEAEAcWAgZtZW1vcnkCAAlpbmRleE9mTGYAAAqFAQGCAQICfwF7QQr9DyEDIABBQHEhAgJAA0AgASACTw0BIAH9AAQAIAP9IyAB/QAEECAD/SP9UCAB/QAEICAD/SMgAf0ABDAgA/0j/VD9UP1TDQEgAUHAAGohAQwACwsCQANAIAEgAE8NASABLQAAQQpGBEAgAQ8LIAFBAWohAQwACwtBfws=";
