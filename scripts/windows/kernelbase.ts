/**
 * A copy of Wine 8.0's kernelbase.dll that V8 can run on. Wine 8.0's
 * `VirtualAlloc2` rejects `MEM_RESERVE_PLACEHOLDER`, so deno.exe dies with
 * "SegmentedTable::InitializeTable (subspace allocation)"; V8 asks for
 * placeholders only when kernelbase exports `VirtualAlloc2`. The copy names
 * that export `VirtualAlloc0`: the same length, so it is overwritten in place,
 * and still between `VirtualAlloc` and `VirtualAlloc2FromApp`, so the name
 * table stays sorted for lookups. It also drops Wine's builtin marker, so that
 * Wine loads the copy when the prefix says `kernelbase=native`.
 *
 * @module
 */

const FROM = "VirtualAlloc2\0";
const TO = "VirtualAlloc0";
/** Wine marks its own PE DLLs with this text right after the DOS header. */
const BUILTIN_MARKER = "Wine builtin DLL";
const MARKER_AT = 0x40;

/** A section of the PE file: where its virtual addresses sit in the file. */
interface Section {
  virtualAddress: number;
  size: number;
  rawOffset: number;
}

/** The bytes of `dll` with the `VirtualAlloc2` export renamed and the builtin marker cleared. */
export function withoutVirtualAlloc2(dll: Uint8Array): Uint8Array {
  const out = dll.slice();
  const view = new DataView(out.buffer);
  const nameAt = exportNameOffsets(view).filter((at) => ascii(out, at, FROM.length) === FROM);
  if (nameAt.length !== 1) {
    throw new Error(`expected one ${FROM.slice(0, -1)} export, found ${nameAt.length}`);
  }
  out.set(new TextEncoder().encode(TO), nameAt[0]);
  if (ascii(out, MARKER_AT, BUILTIN_MARKER.length) !== BUILTIN_MARKER) {
    throw new Error(`no "${BUILTIN_MARKER}" marker: not Wine's own kernelbase.dll`);
  }
  out.fill(0, MARKER_AT, MARKER_AT + BUILTIN_MARKER.length);
  return out;
}

/** File offsets of every name in the PE export directory. */
function exportNameOffsets(view: DataView): number[] {
  const pe = view.getUint32(0x3c, true);
  const sectionCount = view.getUint16(pe + 6, true);
  const optionalSize = view.getUint16(pe + 20, true);
  const sections: Section[] = [];
  for (let i = 0; i < sectionCount; i++) {
    const at = pe + 24 + optionalSize + 40 * i;
    const virtualSize = view.getUint32(at + 8, true);
    const rawSize = view.getUint32(at + 16, true);
    sections.push({
      virtualAddress: view.getUint32(at + 12, true),
      size: Math.max(virtualSize, rawSize),
      rawOffset: view.getUint32(at + 20, true),
    });
  }
  const fileOffset = (rva: number) => {
    const section = sections.find((s) =>
      s.virtualAddress <= rva && rva < s.virtualAddress + s.size
    );
    if (!section) throw new Error(`address 0x${rva.toString(16)} is in no section`);
    return rva - section.virtualAddress + section.rawOffset;
  };
  // PE32+: the export directory's address is the first data directory, 112 bytes in.
  const exports = fileOffset(view.getUint32(pe + 24 + 112, true));
  const count = view.getUint32(exports + 24, true);
  const names = fileOffset(view.getUint32(exports + 32, true));
  return Array.from({ length: count }, (_, i) => fileOffset(view.getUint32(names + 4 * i, true)));
}

function ascii(bytes: Uint8Array, at: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + length));
}
