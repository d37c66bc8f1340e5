/**
 * Snapshot files: a whole output compared with a file in tests/snapshots/,
 * where a reader sees at once what a format looks like. Run a test with
 * `UPDATE_SNAPSHOTS=1` to write its snapshots instead, then review the diff.
 *
 * @module
 */
import assert from "node:assert/strict";

/** Where the snapshot files are. */
const SNAPSHOTS = new URL("../snapshots/", import.meta.url);

/** Whether this run writes the snapshots instead of comparing with them. */
const UPDATING = Deno.env.get("UPDATE_SNAPSHOTS") === "1";

/**
 * Asserts that `actual` (with LF line ends) is the text of tests/snapshots/`name`,
 * or, with `UPDATE_SNAPSHOTS=1`, writes it there.
 */
export async function assertSnapshot(actual: string, name: string): Promise<void> {
  const file = new URL(name, SNAPSHOTS);
  if (UPDATING) {
    await Deno.writeTextFile(file, actual);
    return;
  }
  let expected: string;
  try {
    expected = await Deno.readTextFile(file);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    throw new Error(`no snapshot tests/snapshots/${name}: write it with UPDATE_SNAPSHOTS=1`);
  }
  // A checkout on Windows may have given the file CRLF line ends; the output's were checked already.
  assert.equal(
    actual,
    expected.replaceAll("\r\n", "\n"),
    `differs from tests/snapshots/${name} (UPDATE_SNAPSHOTS=1 rewrites it, if the change is meant)`,
  );
}

/** A part of an output that changes from run to run, and the placeholder that stands for it. */
export type Mask = [pattern: RegExp, placeholder: string];

/** `text` with every match of each mask, in turn, replaced by its placeholder. */
export function masked(text: string, masks: Mask[]): string {
  return masks.reduce(
    (result, [pattern, placeholder]) => result.replace(pattern, placeholder),
    text,
  );
}
