// LEB128, the variable-length integers of DWARF call frame information and of the C++ exception
// tables: one decoder for both (elf/read.ts's CFI cursor, elf/except-table.ts).

/**
 * The (un)signed LEB128 value at `at.pos` (at most 10 bytes, never at or past `limit`), advancing
 * `at.pos`; undefined when it runs past `limit` or is overlong. Allocates nothing: CFI tables hold
 * tens of thousands of these.
 */
export function readLeb128(bytes: Uint8Array, at: { pos: number }, limit: number, signed: boolean): number | undefined {
  let value = 0;
  let scale = 1;
  let p = at.pos;
  for (let i = 0; i < 10; i++) {
    if (p >= limit) return undefined;
    const b = bytes[p++];
    value += (b & 0x7f) * scale;
    scale *= 128;
    if ((b & 0x80) === 0) {
      at.pos = p;
      return signed && b & 0x40 ? value - scale : value;
    }
  }
  return undefined;
}
