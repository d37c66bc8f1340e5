/**
 * Units every layer counts in.
 *
 * @module
 */

/** 1 MB as the original TentaclePing counts it. */
export const MB = 1_048_576;
