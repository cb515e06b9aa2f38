// Executable bytes that no discovered function covers, ignoring padding: flagged (with a marker
// when they hold the bytes of a `syscall` instruction), never swept as code.
import { readVirtual } from '../elf/memory.js';
import { Kind } from '../x86_64/decoder.js';
import type { ObjectContext } from './object-context.js';
import type { UncoveredRange } from './facts.js';

const MAX_LISTED = 200;

export function uncoveredCode(ctx: ObjectContext): { uncovered: UncoveredRange[]; uncoveredBytes: number } {
  const out: UncoveredRange[] = [];
  let total = 0;
  for (const r of ctx.code.ranges) {
    // A byte map of what decoded instructions cover: the gaps are its runs of zeros.
    const covered = new Uint8Array(r.end - r.start);
    for (const ins of ctx.code.decodedList) {
      if (ins.kind === Kind.Invalid || ins.addr >= r.end || ins.addr + ins.len <= r.start) continue;
      covered.fill(1, Math.max(ins.addr, r.start) - r.start, Math.min(ins.addr + ins.len, r.end) - r.start);
    }
    const emit = (s: number, e: number): void => {
      // Trim padding (nop/int3/zero bytes and multi-byte nops decode as such: count only non-padding)
      const bytes = readVirtual(ctx.elf, s, e - s);
      if (!bytes) return;
      let nonPad = 0;
      let sys = false;
      for (let k = 0; k < bytes.length; k++) {
        const b = bytes[k];
        if (b !== 0x90 && b !== 0xcc && b !== 0x00) nonPad++;
        if (bytes[k] === 0x0f && bytes[k + 1] === 0x05) sys = true;
      }
      if ((nonPad > 16 || sys) && !isNopRun(bytes)) {
        out.push({ start: s, end: e, syscallBytes: sys });
        total += e - s;
      }
    };
    for (let k = 0; k < covered.length; ) {
      if (covered[k]) {
        k++;
        continue;
      }
      const gap = k;
      while (k < covered.length && !covered[k]) k++;
      emit(r.start + gap, r.start + k);
    }
  }
  return { uncovered: out.slice(0, MAX_LISTED), uncoveredBytes: total };
}

// Multi-byte nops (66 0f 1f 84 00 ..., 0f 1f 40 00, 66 2e 0f 1f ...) pad between functions.
function isNopRun(bytes: Uint8Array): boolean {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    if (b === 0x90 || b === 0xcc || b === 0x00) {
      i++;
      continue;
    }
    let j = i;
    while (j < bytes.length && (bytes[j] === 0x66 || bytes[j] === 0x2e)) j++;
    if (bytes[j] === 0x0f && bytes[j + 1] === 0x1f) {
      const modrm = bytes[j + 2] ?? 0;
      const mod = modrm >> 6;
      const rm = modrm & 7;
      let len = 3 + (mod === 1 ? 1 : mod === 2 ? 4 : 0);
      if (mod !== 3 && rm === 4) len++;
      i = j + len;
      continue;
    }
    return false;
  }
  return true;
}
