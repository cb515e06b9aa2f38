// Go's function table (pclntab): every Go function's entry, end and name, in stripped binaries too.
// The layout follows the Go toolchain's own reader (debug/gosym) for each table version: 1.2-1.15,
// 1.16-1.17, 1.18-1.19 and 1.20+. The table is the `.gopclntab` section where there is one; PIE and
// externally linked binaries fold it into other read-only data, where it is found by its magic,
// checked against its own structure and confirmed by the moduledata that points to it.
import type { ElfFile } from '../../elf/types.js';
import { PT_LOAD, PF_X, R_X86_64_RELATIVE } from '../../elf/types.js';
import { executableRanges, forEachDataWord, pointerDataRanges, readCString } from '../../elf/memory.js';

/** pclntab magics, by the first Go release using each layout. */
export const enum PclntabMagic {
  Go12 = 0xfffffffb,
  Go116 = 0xfffffffa,
  Go118 = 0xfffffff0,
  Go120 = 0xfffffff1,
}

export interface GoFunction {
  entry: number;
  /** Exclusive: the next function's entry, or the end of Go text for the last one. */
  end: number;
  name: string;
  /** Size in bytes of the function's argument frame (stack arguments and results, the register-argument spill area). */
  args: number;
}

export interface Pclntab {
  /** Virtual address of the table's header. */
  address: number;
  magic: PclntabMagic;
  functions: GoFunction[];
}

const HEADER_MIN = 16;

/** The pclntab of a Go binary, or undefined when the object has none (or a malformed one). */
export function readPclntab(elf: ElfFile): Pclntab | undefined {
  const section = elf.sections.find((s) => s.name === '.gopclntab' && s.size > HEADER_MIN);
  if (section) {
    const t = parseAt(elf, section.addr, section.offset, section.offset + section.size);
    if (t) return t;
  }
  return findByMagic(elf);
}

/** Candidate headers: 8-aligned magics in non-executable file-backed segments, confirmed by a pointer to them (moduledata.pcHeader). */
function findByMagic(elf: ElfFile): Pclntab | undefined {
  const b = elf.bytes;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const pointed = pointerTargets(elf);
  for (const seg of elf.segments) {
    if (seg.type !== PT_LOAD || (seg.flags & PF_X) !== 0) continue;
    const end = Math.min(b.length, seg.offset + seg.filesz);
    const first = seg.offset + ((8 - (seg.vaddr % 8)) % 8);
    for (let off = first; off + HEADER_MIN <= end; off += 8) {
      // 0xfffffff? then two zero bytes, a pc quantum of 1 on x86 and 8-byte pointers.
      if (b[off + 3] !== 0xff || b[off + 2] !== 0xff || b[off + 1] !== 0xff || (b[off] & 0xf0) !== 0xf0) continue;
      if (b[off + 4] !== 0 || b[off + 5] !== 0 || b[off + 6] !== 1 || b[off + 7] !== 8) continue;
      const vaddr = seg.vaddr + (off - seg.offset);
      if (!pointed(vaddr)) continue;
      const magic = view.getUint32(off, true);
      if (magic !== PclntabMagic.Go12 && magic !== PclntabMagic.Go116 && magic !== PclntabMagic.Go118 && magic !== PclntabMagic.Go120) continue;
      const t = parseAt(elf, vaddr, off, end);
      if (t) return t;
    }
  }
  return undefined;
}

/** Whether some 8-byte word of data (or a relative relocation, in a PIE) holds the address. */
function pointerTargets(elf: ElfFile): (vaddr: number) => boolean {
  const relocated = new Set<number>();
  for (const r of elf.relocations) if (r.type === R_X86_64_RELATIVE) relocated.add(r.addend);
  let words: Set<number> | undefined;
  return (vaddr) => {
    if (relocated.has(vaddr)) return true;
    if (!words) {
      const found = new Set<number>();
      forEachDataWord(elf, pointerDataRanges(elf), (v) => {
        if (v !== 0) found.add(v);
      });
      words = found;
    }
    return words.has(vaddr);
  };
}

/** Parses the table whose header sits at file offset `off` (virtual `vaddr`), no further than file offset `limit`. */
function parseAt(elf: ElfFile, vaddr: number, off: number, limit: number): Pclntab | undefined {
  const b = elf.bytes;
  if (off + HEADER_MIN > limit || b[off + 4] !== 0 || b[off + 5] !== 0 || b[off + 7] !== 8) return undefined;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const magic = view.getUint32(off, true) as PclntabMagic;
  const u64 = (at: number): number => (at + 8 <= limit ? view.getUint32(at, true) + view.getUint32(at + 4, true) * 4294967296 : NaN);
  const u32 = (at: number): number => (at + 4 <= limit ? view.getUint32(at, true) : NaN);
  const word = (k: number): number => u64(off + 8 + k * 8);
  let nfunc: number;
  let functab: number; // file offset of the function table
  let fieldSize: number;
  let funcnametab: number; // file offset names are relative to
  let funcBase: number; // file offset funcoff values are relative to
  let textStart = 0;
  switch (magic) {
    case PclntabMagic.Go118:
    case PclntabMagic.Go120:
      nfunc = word(0);
      textStart = textStartOf(elf, vaddr + 8 + 2 * 8, word(2));
      funcnametab = off + word(3);
      functab = off + word(7);
      funcBase = functab;
      fieldSize = 4;
      break;
    case PclntabMagic.Go116:
      nfunc = word(0);
      funcnametab = off + word(2);
      functab = off + word(6);
      funcBase = functab;
      fieldSize = 8;
      break;
    case PclntabMagic.Go12:
      nfunc = word(0);
      funcnametab = off;
      functab = off + 16;
      funcBase = off;
      fieldSize = 8;
      break;
    default:
      return undefined;
  }
  if (!Number.isSafeInteger(nfunc) || nfunc <= 0 || nfunc > 10_000_000) return undefined;
  if (!(functab + (nfunc * 2 + 1) * fieldSize <= limit) || !(funcnametab < limit)) return undefined;
  const field = fieldSize === 4 ? u32 : u64;
  const pc = (raw: number): number => (fieldSize === 4 ? textStart + raw : raw);
  const exec = executableRanges(elf);
  const inText = (a: number): boolean => exec.some((r) => a >= r.start && a < r.end);
  const functions: GoFunction[] = [];
  for (let i = 0; i < nfunc; i++) {
    const entry = pc(field(functab + i * 2 * fieldSize));
    const end = pc(field(functab + (i * 2 + 2) * fieldSize));
    const funcoff = field(functab + (i * 2 + 1) * fieldSize);
    // Entries are sorted and inside the code: anything else is not a function table.
    if (!inText(entry) || !(end >= entry) || (functions.length > 0 && entry < functions[functions.length - 1].entry)) return undefined;
    const fn = funcBase + funcoff;
    // _func: entry (uintptr before 1.18, uint32 offset since), then nameOff int32 and args int32.
    const nameAt = fn + (magic === PclntabMagic.Go118 || magic === PclntabMagic.Go120 ? 4 : 8);
    const nameOff = u32(nameAt);
    const args = u32(nameAt + 4);
    if (Number.isNaN(nameOff) || Number.isNaN(args)) return undefined;
    const name = funcnametab + nameOff < limit ? readCString(elf, vaddr + (funcnametab + nameOff - off), 4096) : undefined;
    functions.push({ entry, end, name: name ?? '', args: args | 0 });
  }
  return { address: vaddr, magic, functions };
}

/**
 * pcHeader.textStart is the runtime address of Go's text: in a PIE the word is 0 in the file and a
 * relative relocation fills it in. Falls back to .text's start, as debug/gosym does.
 */
function textStartOf(elf: ElfFile, fieldAddr: number, raw: number): number {
  for (const r of elf.relocations) if (r.offset === fieldAddr && r.type === R_X86_64_RELATIVE) return r.addend;
  if (raw > 0) return raw;
  const text = elf.sections.find((s) => s.name === '.text');
  if (text) return text.addr;
  // No sections: the moduledata's text field would say; the first executable range is the usual place.
  return executableRanges(elf)[0]?.start ?? 0;
}
