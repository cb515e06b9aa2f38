// Data whose value at run time is the value in the file: a load from it is a constant (Go keeps
// some syscall numbers in variables: internal/syscall/unix.FcntlSyscall, x/sys's fcntl64Syscall).
//
// Read-only data that no relocation patches always qualifies. Writable data qualifies only in a
// memory-safe runtime (Go: a pointer reaches nothing outside the object it points to), and only
// when no instruction of the object stores to it by address, no relocation patches it, and no
// address is taken inside the object holding it: the symbol's bounds where .symtab has them; in a
// stripped binary the variable itself (Go keeps these numbers in scalar package variables, whose
// neighbours in .noptrdata are unrelated objects, some of them pointed to). Every address used is
// remembered, so that code found later that writes it invalidates the answer.
import type { ElfFile } from '../elf/types.js';
import { PT_LOAD, PF_W, PF_X, SHT_NOBITS, STT_OBJECT } from '../elf/types.js';
import { forEachDataWord, pointerDataRanges, readVirtual, sectionAt } from '../elf/memory.js';
import { MEM_ABSOLUTE, MEM_RIP, type Insn } from '../x86_64/decoder.js';

export class ConstantData {
  /** [start, end) of every store by address, sorted by start; the widest one bounds a lookup. */
  private stores: { start: number; end: number }[] = [];
  private widestStore = 1;
  /** Addresses taken (lea, immediates, relocations, absolute words in data), sorted. */
  private taken: number[] = [];
  /** Relocation offsets, sorted: the loader writes 8 bytes at each. */
  private readonly relocated: number[];
  private readonly used = new Set<number>();
  private readonly objects: { start: number; end: number }[];

  constructor(
    private readonly elf: ElfFile,
    private readonly memorySafe: boolean,
  ) {
    this.relocated = elf.relocations.map((r) => r.offset).sort((a, b) => a - b);
    this.objects = elf.symtab
      .filter((s) => s.type === STT_OBJECT && s.size > 0 && s.shndx !== 0)
      .map((s) => ({ start: s.value, end: s.value + s.size }))
      .sort((a, b) => a.start - b.start);
    const taken: number[] = [];
    for (const r of elf.relocations) taken.push(r.addend);
    if (memorySafe) for (const w of absoluteWordsInData(elf)) taken.push(w);
    this.taken = taken;
  }

  /** Learns the stores and taken addresses of decoded instructions (call again with more). */
  learn(insns: readonly Insn[]): void {
    for (const ins of insns) {
      const m = ins.effect?.mem;
      if (m && m.write && (m.base === MEM_RIP || m.base === MEM_ABSOLUTE)) {
        this.stores.push({ start: m.disp, end: m.disp + Math.max(m.size, 1) });
        this.widestStore = Math.max(this.widestStore, m.size);
      }
      if (ins.pointers) for (const p of ins.pointers) this.taken.push(p);
    }
    this.stores.sort((a, b) => a.start - b.start);
    this.taken.sort((a, b) => a - b);
  }

  /** Forgets the answers given so far (before the CFGs are built again, knowing more). */
  forgetAnswers(): void {
    this.used.clear();
  }

  /** Whether learning `insns` would change an answer already given. */
  contradicts(insns: readonly Insn[]): boolean {
    if (this.used.size === 0) return false;
    for (const ins of insns) {
      const m = ins.effect?.mem;
      if (m && m.write && (m.base === MEM_RIP || m.base === MEM_ABSOLUTE)) {
        for (let a = m.disp - 7; a < m.disp + Math.max(m.size, 1); a++) if (this.used.has(a)) return true;
      }
      for (const p of ins.pointers ?? []) if (this.used.has(p) || this.objectAt(p) !== undefined) return true;
    }
    return false;
  }

  /** The value of `size` (4 or 8) bytes at `addr` if it cannot change at run time. */
  valueAt(addr: number, size: number): number | undefined {
    if (size !== 4 && size !== 8) return undefined;
    const reloc = firstAtLeast(this.relocated, addr - 7);
    if (reloc < this.relocated.length && this.relocated[reloc] < addr + size) return undefined;
    const seg = this.elf.segments.find((s) => s.type === PT_LOAD && addr >= s.vaddr && addr + size <= s.vaddr + s.memsz);
    if (!seg || (seg.flags & PF_X) !== 0) return undefined;
    if ((seg.flags & PF_W) !== 0) {
      if (!this.memorySafe || this.stored(addr, size) || this.takenNear(addr, size)) return undefined;
    }
    const value = this.read(addr, size);
    if (value !== undefined) this.used.add(addr);
    return value;
  }

  private read(addr: number, size: number): number | undefined {
    const section = sectionAt(this.elf, addr);
    if (section && section.type === SHT_NOBITS) return 0;
    const bytes = readVirtual(this.elf, addr, size);
    if (!bytes) return undefined;
    const view = new DataView(bytes.buffer, bytes.byteOffset, size);
    if (size === 4) return view.getUint32(0, true);
    const hi = view.getUint32(4, true);
    // Numbers past 2^53 are not syscall numbers or flags anyone compares; leave them unknown.
    return hi >= 0x200000 ? undefined : view.getUint32(0, true) + hi * 4294967296;
  }

  private stored(addr: number, size: number): boolean {
    // Only a store starting less than the widest store's size before `addr` can reach it.
    let lo = 0;
    let hi = this.stores.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.stores[mid].start < addr - this.widestStore) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.stores.length && this.stores[i].start < addr + size; i++) if (this.stores[i].end > addr) return true;
    return false;
  }

  /** The symbol-bounded object holding a used address, if `addr` points into one. */
  private objectAt(addr: number): { start: number; end: number } | undefined {
    const obj = this.objects.find((o) => addr >= o.start && addr < o.end);
    return obj && [...this.used].some((u) => u >= obj.start && u < obj.end) ? obj : undefined;
  }

  /** An address taken inside the enclosing object (symbol bounds), or at the variable itself. */
  private takenNear(addr: number, size: number): boolean {
    const obj = this.objects.find((o) => addr >= o.start && addr < o.end);
    const from = obj ? obj.start : addr;
    const to = obj ? obj.end : addr + size;
    const i = firstAtLeast(this.taken, from);
    return i < this.taken.length && this.taken[i] < to;
  }
}

/** Index of the first element >= v in a sorted array. */
function firstAtLeast(sorted: number[], v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Every aligned 8-byte word of data that holds an address inside a data segment (a non-PIE binary's pointers need no relocation). */
function absoluteWordsInData(elf: ElfFile): number[] {
  const data = elf.segments.filter((s) => s.type === PT_LOAD && (s.flags & PF_X) === 0);
  const inData = (v: number): boolean => data.some((s) => v >= s.vaddr && v < s.vaddr + s.memsz);
  const out: number[] = [];
  forEachDataWord(elf, pointerDataRanges(elf), (v) => {
    if (v !== 0 && inData(v)) out.push(v);
  });
  return out;
}
