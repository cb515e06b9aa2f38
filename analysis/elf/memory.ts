import type { ElfFile, ElfSection, ElfSegment } from './types.js';
import { PF_X, PT_LOAD, SHF_ALLOC, SHF_EXECINSTR, SHF_TLS, SHT_FINI_ARRAY, SHT_INIT_ARRAY, SHT_NOBITS, SHT_PREINIT_ARRAY, R_X86_64_GLOB_DAT, R_X86_64_JUMP_SLOT } from './types.js';

/** A half-open address range [start, end). */
export interface AddressRange {
  start: number;
  end: number;
}

const TWO_32 = 4294967296;

const utf8 = new TextDecoder('utf-8');

/**
 * Ranges sorted by start with lookup by address. maxEnd[i] is the largest end among the first i+1
 * ranges, so a lookup stays correct (if slower) when malformed input makes ranges overlap.
 */
class RangeIndex<T extends AddressRange> {
  readonly items: T[];
  private readonly maxEnd: number[];

  constructor(items: T[]) {
    this.items = items.slice().sort((a, b) => a.start - b.start);
    this.maxEnd = new Array<number>(this.items.length);
    let max = -Infinity;
    for (let i = 0; i < this.items.length; i++) {
      max = Math.max(max, this.items[i].end);
      this.maxEnd[i] = max;
    }
  }

  /** The range containing addr (the one starting last, if several do). */
  find(addr: number): T | undefined {
    const items = this.items;
    let lo = 0;
    let hi = items.length - 1;
    let idx = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (items[mid].start <= addr) {
        idx = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    for (let i = idx; i >= 0 && this.maxEnd[i] > addr; i--) {
      if (items[i].end > addr) return items[i];
    }
    return undefined;
  }
}

interface FileBacked extends AddressRange {
  offset: number;
}

/** Maps virtual addresses to file offsets through the file-backed part of PT_LOAD segments. */
export class AddressMap {
  private readonly index: RangeIndex<FileBacked>;

  constructor(segments: readonly ElfSegment[], fileSize: number) {
    const backed: FileBacked[] = [];
    for (const s of segments) {
      if (s.type !== PT_LOAD || s.offset >= fileSize) continue;
      // Clamped so that an ElfFile built by hand (not by parseElf) still cannot index past the bytes.
      const filesz = Math.min(s.filesz, fileSize - s.offset);
      if (filesz > 0) backed.push({ start: s.vaddr, end: s.vaddr + filesz, offset: s.offset });
    }
    this.index = new RangeIndex(backed);
  }

  /** File offset of vaddr, and how many file bytes follow it in the same segment. */
  locate(vaddr: number): { offset: number; available: number } | undefined {
    if (!Number.isSafeInteger(vaddr)) return undefined;
    const seg = this.index.find(vaddr);
    if (!seg) return undefined;
    return { offset: seg.offset + (vaddr - seg.start), available: seg.end - vaddr };
  }

  /** File offset of vaddr when `length` bytes from there are file-backed. */
  offsetOf(vaddr: number, length = 1): number | undefined {
    const loc = this.locate(vaddr);
    if (!loc || !(length <= loc.available)) return undefined;
    return loc.offset;
  }
}

interface MemoryIndex {
  map: AddressMap;
  sections: RangeIndex<AddressRange & { section: ElfSection }>;
  exec: RangeIndex<AddressRange>;
  view: DataView;
}

const cache = new WeakMap<ElfFile, MemoryIndex>();

/**
 * Overlapping ranges merged into one (touching ones stay apart: .plt and .text are two ranges). A
 * real object's executable sections never overlap; a hostile one repeats one thousands of times,
 * and every walk over the ranges would then redo the same bytes once per copy.
 */
function unionOfOverlaps(ranges: AddressRange[]): AddressRange[] {
  const sorted = [...ranges].sort((a, b) => a.start - b.start || b.end - a.end);
  const out: AddressRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.start < last.end) last.end = Math.max(last.end, r.end);
    else out.push({ start: r.start, end: r.end });
  }
  return out;
}

function memoryIndex(elf: ElfFile): MemoryIndex {
  let m = cache.get(elf);
  if (m) return m;
  const sectionRanges: (AddressRange & { section: ElfSection })[] = [];
  const execRanges: AddressRange[] = [];
  for (const s of elf.sections) {
    if (!(s.flags & SHF_ALLOC) || !(s.size > 0)) continue;
    // .tbss occupies no address space of its own: its addresses belong to the following section.
    if (s.type === SHT_NOBITS && s.flags & SHF_TLS) continue;
    sectionRanges.push({ start: s.addr, end: s.addr + s.size, section: s });
    // Code is file bytes: an executable NOBITS section (zero-fill) holds none, whatever size it claims.
    if (s.flags & SHF_EXECINSTR && s.type !== SHT_NOBITS) execRanges.push({ start: s.addr, end: s.addr + s.size });
  }
  // Objects with stripped (or useless) section headers still say which segments are executable:
  // their file-backed part (memsz past filesz is zero-fill, and a hostile memsz can be 2^64).
  if (execRanges.length === 0) {
    for (const p of elf.segments) {
      const filesz = Math.min(p.filesz, Math.max(0, elf.bytes.length - p.offset));
      if (p.type === PT_LOAD && p.flags & PF_X && filesz > 0) {
        execRanges.push({ start: p.vaddr, end: p.vaddr + filesz });
      }
    }
  }
  m = {
    map: new AddressMap(elf.segments, elf.bytes.length),
    sections: new RangeIndex(sectionRanges),
    exec: new RangeIndex(unionOfOverlaps(execRanges)),
    view: new DataView(elf.bytes.buffer, elf.bytes.byteOffset, elf.bytes.byteLength),
  };
  cache.set(elf, m);
  return m;
}

/** File offset of a virtual address, when the byte there is backed by the file. */
export function vaddrToOffset(elf: ElfFile, vaddr: number): number | undefined {
  return memoryIndex(elf).map.offsetOf(vaddr);
}

/** The file bytes at [vaddr, vaddr+length) (a view, not a copy), when all of them are file-backed in one segment. */
export function readVirtual(elf: ElfFile, vaddr: number, length: number): Uint8Array | undefined {
  if (!Number.isSafeInteger(length) || length < 0) return undefined;
  const off = memoryIndex(elf).map.offsetOf(vaddr, length);
  return off === undefined ? undefined : elf.bytes.subarray(off, off + length);
}

/** The file bytes from vaddr to the end of its segment's file data, at most `max` (a view). */
export function readVirtualUpTo(elf: ElfFile, vaddr: number, max: number): Uint8Array | undefined {
  const loc = memoryIndex(elf).map.locate(vaddr);
  if (!loc) return undefined;
  return elf.bytes.subarray(loc.offset, loc.offset + Math.min(loc.available, max));
}

/** The little-endian 64-bit value at vaddr as a Number (exact below 2^53). */
export function readU64(elf: ElfFile, vaddr: number): number | undefined {
  const m = memoryIndex(elf);
  const off = m.map.offsetOf(vaddr, 8);
  if (off === undefined) return undefined;
  return m.view.getUint32(off, true) + m.view.getUint32(off + 4, true) * TWO_32;
}

/** The little-endian 32-bit value at vaddr. */
export function readU32(elf: ElfFile, vaddr: number): number | undefined {
  const m = memoryIndex(elf);
  const off = m.map.offsetOf(vaddr, 4);
  return off === undefined ? undefined : m.view.getUint32(off, true);
}

/** The NUL-terminated UTF-8 string at vaddr; undefined unless the terminator is file-backed within max bytes. */
export function readCString(elf: ElfFile, vaddr: number, max = 4096): string | undefined {
  const loc = memoryIndex(elf).map.locate(vaddr);
  if (!loc) return undefined;
  const bytes = elf.bytes;
  const limit = loc.offset + Math.min(loc.available, Math.max(0, max));
  for (let i = loc.offset; i < limit; i++) {
    if (bytes[i] === 0) return utf8.decode(bytes.subarray(loc.offset, i));
  }
  return undefined;
}

/** Address ranges holding code, sorted by start: SHF_EXECINSTR sections, else executable PT_LOAD segments. */
export function executableRanges(elf: ElfFile): AddressRange[] {
  return memoryIndex(elf).exec.items.map((r) => ({ start: r.start, end: r.end }));
}

/** The allocated section containing vaddr (ignoring .tbss, which overlaps the next section's addresses). */
export function sectionAt(elf: ElfFile, vaddr: number): ElfSection | undefined {
  return memoryIndex(elf).sections.find(vaddr)?.section;
}

/** Whether vaddr lies in one of executableRanges(elf). */
export function isExecutableAddress(elf: ElfFile, vaddr: number): boolean {
  return memoryIndex(elf).exec.find(vaddr) !== undefined;
}

const gotIndexes = new WeakMap<ElfFile, { loaderSlots: Set<number>; got: RangeIndex<AddressRange> }>();

/**
 * Whether the 8 bytes at `slot` are a GOT entry: the target of a GLOB_DAT/JUMP_SLOT relocation, or
 * inside .got/.got.plt. Only the loader writes these (RELRO protects them afterwards), so a call
 * through one goes where the loader bound it; any other slot is a variable the program may change.
 */
export function isGotSlot(elf: ElfFile, slot: number): boolean {
  let g = gotIndexes.get(elf);
  if (!g) {
    const loaderSlots = new Set<number>();
    for (const r of elf.relocations) if (r.type === R_X86_64_GLOB_DAT || r.type === R_X86_64_JUMP_SLOT) loaderSlots.add(r.offset);
    const ranges = elf.sections.filter((x) => (x.name === '.got' || x.name === '.got.plt') && x.addr !== 0 && x.size > 0).map((x) => ({ start: x.addr, end: x.addr + x.size }));
    gotIndexes.set(elf, (g = { loaderSlots, got: new RangeIndex(ranges) }));
  }
  if (g.loaderSlots.has(slot)) return true;
  const r = g.got.find(slot);
  return r !== undefined && slot + 8 <= r.end;
}

const SHT_PROGBITS = 1;
// Toolchain tables that hold addresses or offsets for the unwinder and the Go runtime, never
// pointers the program follows (Go 1.16-1.17's pclntab lists every function entry as 8 bytes).
const TABLE_SECTIONS = new Set(['.eh_frame', '.eh_frame_hdr', '.gcc_except_table', '.gopclntab', '.interp', '.comment']);

/** A file-backed range of data that the program may keep pointers in. */
export interface DataRange {
  vaddr: number;
  offset: number;
  size: number;
}

/**
 * The data a non-PIE program may keep absolute pointers in, to scan for them: allocated,
 * non-executable PROGBITS and init/fini arrays, without the symbol, string, hash, relocation,
 * version and note tables (a symbol table lists every exported function's address) nor the
 * unwind and pclntab tables. Without section headers, the non-executable PT_LOAD segments.
 */
export function pointerDataRanges(elf: ElfFile): DataRange[] {
  const out: DataRange[] = [];
  const fromSections = elf.sections.filter((x) => x.flags & SHF_ALLOC && x.size > 0 && x.addr !== 0);
  if (fromSections.length > 0) {
    for (const x of fromSections) {
      if (x.flags & SHF_EXECINSTR || TABLE_SECTIONS.has(x.name)) continue;
      if (x.type !== SHT_PROGBITS && x.type !== SHT_INIT_ARRAY && x.type !== SHT_FINI_ARRAY && x.type !== SHT_PREINIT_ARRAY) continue;
      const size = Math.min(x.size, elf.bytes.length - x.offset);
      if (size > 0) out.push({ vaddr: x.addr, offset: x.offset, size });
    }
    return out;
  }
  for (const seg of elf.segments) {
    if (seg.type !== PT_LOAD || (seg.flags & PF_X) !== 0 || seg.filesz === 0) continue;
    const size = Math.min(seg.filesz, elf.bytes.length - seg.offset);
    if (size > 0) out.push({ vaddr: seg.vaddr, offset: seg.offset, size });
  }
  return out;
}

/** Calls `f` with every 8-aligned 64-bit word below 2^32 of the ranges (value, address). */
export function forEachDataWord(elf: ElfFile, ranges: DataRange[], f: (value: number, vaddr: number) => void): void {
  const view = new DataView(elf.bytes.buffer, elf.bytes.byteOffset, elf.bytes.byteLength);
  for (const r of ranges) {
    const skew = (8 - (r.vaddr % 8)) % 8;
    for (let i = skew; i + 8 <= r.size; i += 8) {
      const off = r.offset + i;
      if (view.getUint32(off + 4, true) !== 0) continue;
      f(view.getUint32(off, true), r.vaddr + i);
    }
  }
}
