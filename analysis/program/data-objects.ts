// Design rule 9: a code pointer stored in data is address-taken only while the data object that
// holds it is live. This module cuts one object's data into regions — a sized data symbol, or what
// of a section lies outside such symbols (all a stripped library offers) — and records the pointers
// each region holds, the regions something other than decoded code keeps live (the loader, the
// unwinder, or readers the analysis does not see), and which regions a reference reaches. The graph
// (graph/program-graph.ts) marks regions live from reached code and follows pointers between them.
//
// The one assumption, for position-independent code only (position-dependent objects are not cut
// into regions: analyze-object.ts): a rip-relative reference to a data object points inside it or
// one past its end — a rip-relative operand takes no index register, so the compiler loads the
// object's own address and indexes from there. All 11,515 rip-relative references of glibc 2.36
// (read with its debug symbols) do. A reference that is not an object's start also reaches the
// objects starting within REFERENCE_REACH after it, for a folded `table - 8`. A region that no
// decoded code refers to at all is kept live: what reads it is not something we decode.
import type { ElfFile, ElfSection } from '../elf/types.js';
import { R_X86_64_64, R_X86_64_RELATIVE, SHF_ALLOC, SHF_EXECINSTR, SHF_TLS, SHT_FINI_ARRAY, SHT_INIT_ARRAY, SHT_NOBITS, SHT_PREINIT_ARRAY, STT_OBJECT } from '../elf/types.js';

/** How far before a data object a reference to it may point (the displacement of `lea rax, [rip+table-8]`). */
export const REFERENCE_REACH = 64;

/** One region of an object's data that holds pointers. */
export interface DataRegion {
  /** The data symbol, or the section for what lies outside sized symbols. */
  name: string;
  /** Code pointers stored in it: flattened [slot, target] pairs. */
  code: number[];
  /** Pointers into the object's own data stored in it: flattened [slot, target] pairs. */
  data: number[];
  /** Why it is live whatever code runs, when it is. */
  always?: string;
  /** Exported data symbols in it: live when another object binds to one, or dlsym may return it. */
  exports?: string[];
}

/** The pointer-holding regions of one object's data, as stored in its facts. */
export interface DataLayout {
  regions: DataRegion[];
  /** Flattened [start, end, region] triples sorted by start (a section's rest may lie in pieces). */
  ranges: number[];
  /** Sections the linker gives __start_/__stop_ symbols (C-identifier names): [start, end, ...regions]. */
  groups: number[][];
}

const C_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The data sections of an object: what a data reference may point into (end inclusive: one past is a reference too). */
export function dataSections(elf: ElfFile): ElfSection[] {
  return elf.sections.filter((s) => s.flags & SHF_ALLOC && !(s.flags & SHF_EXECINSTR) && s.size > 0 && s.addr !== 0);
}

/** Whether an address lies in (or one past) one of `sections`. */
export function inSections(sections: readonly ElfSection[], a: number): boolean {
  for (const s of sections) if (a >= s.addr && a <= s.addr + s.size) return true;
  return false;
}

/**
 * Regions a reference to address `a` reaches (the assumption in the header): a reference to a
 * region's start means that region, or one past the end of the region before it; any other
 * address means the region it lies in and those starting within REFERENCE_REACH after it.
 */
export function regionsNear(layout: DataLayout, a: number): number[] {
  const out: number[] = [];
  const r = layout.ranges;
  const n = r.length / 3;
  // The last range starting at or before a.
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (r[mid * 3] <= a) lo = mid + 1;
    else hi = mid;
  }
  const i = lo - 1;
  const inside = i >= 0 && r[i * 3 + 1] > a;
  const atStart = inside && r[i * 3] === a;
  if (inside) out.push(r[i * 3 + 2]);
  const before = atStart ? i - 1 : inside ? -1 : i;
  if (before >= 0 && r[before * 3 + 1] === a) out.push(r[before * 3 + 2]);
  if (!atStart) for (let k = i + 1; k < n && r[k * 3] <= a + REFERENCE_REACH; k++) out.push(r[k * 3 + 2]);
  for (const g of layout.groups) if (a >= g[0] && a <= g[1]) for (let k = 2; k < g.length; k++) out.push(g[k]);
  return out;
}

/**
 * Builds the layout of a position-independent object. `codeSlots` are the code pointers its
 * relocations store in data ([slot, target] pairs); `codeRefs` every data address decoded code refers to.
 * Undefined when the object gives no section headers to cut its data by: every pointer then stays live.
 */
export function dataLayout(elf: ElfFile, codeSlots: number[], codeRefs: Iterable<number>): DataLayout | undefined {
  // NOBITS sections hold no pointer at load time, and .tbss's addresses overlap the sections after it.
  const sections = dataSections(elf).filter((s) => s.type !== SHT_NOBITS);
  if (sections.length === 0) return undefined;
  const regions: DataRegion[] = [];
  const ranges: [number, number, number][] = [];
  const sectionRegions = new Map<ElfSection, number[]>();
  const exported = new Map<number, string[]>();
  for (const s of elf.dynsym) if (s.shndx !== 0 && s.bind !== 0 && s.type === STT_OBJECT && s.size > 0) exported.set(s.value, [...(exported.get(s.value) ?? []), s.name]);
  const symbols = [...elf.dynsym, ...elf.symtab].filter((s) => s.shndx !== 0 && s.size > 0 && s.type === STT_OBJECT);
  for (const sec of sections) {
    const end = sec.addr + sec.size;
    const mine: number[] = [];
    sectionRegions.set(sec, mine);
    const always = loaderReads(sec);
    // Sized symbols of this section, overlapping ones (aliases, nested objects) merged into one.
    const syms = symbols.filter((s) => s.value >= sec.addr && s.value + s.size <= end).sort((a, b) => a.value - b.value || b.size - a.size);
    let cursor = sec.addr;
    const rest: [number, number][] = [];
    for (let k = 0; k < syms.length; ) {
      const start = syms[k].value;
      let stop = start + syms[k].size;
      const names = new Set<string>();
      const exports: string[] = [];
      for (; k < syms.length && syms[k].value < stop; k++) {
        stop = Math.max(stop, syms[k].value + syms[k].size);
        names.add(syms[k].name);
      }
      for (const [at, n] of exported) if (at >= start && at < stop) exports.push(...n);
      if (start > cursor) rest.push([cursor, start]);
      cursor = stop;
      const name = [...names][0] || `${sec.name}+0x${(start - sec.addr).toString(16)}`;
      const typeinfo = [...names].some((n) => n.startsWith('_ZTI'));
      const why = always ?? (typeinfo ? 'a C++ typeinfo object: the unwinder reads it through the LSDA type tables' : undefined);
      regions.push({ name, code: [], data: [], ...(why ? { always: why } : {}), ...(exports.length > 0 ? { exports } : {}) });
      ranges.push([start, stop, regions.length - 1]);
      mine.push(regions.length - 1);
    }
    if (cursor < end) rest.push([cursor, end]);
    if (rest.length > 0) {
      regions.push({ name: syms.length > 0 ? `${sec.name} (outside its sized symbols)` : sec.name, code: [], data: [], ...(always ? { always } : {}) });
      for (const [a, b] of rest) ranges.push([a, b, regions.length - 1]);
      mine.push(regions.length - 1);
    }
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const layout: DataLayout = { regions, ranges: ranges.flat(), groups: [] };
  let outside = -1;
  const holder = (slot: number): number => {
    const i = containing(layout, slot);
    if (i >= 0) return i;
    // A slot outside every data section (text relocations, odd layouts): nothing bounds it, so it stays live.
    if (outside < 0) regions.push({ name: 'pointers outside the data sections', code: [], data: [], always: 'no data section holds it' });
    return outside < 0 ? (outside = regions.length - 1) : outside;
  };
  for (let k = 0; k < codeSlots.length; k += 2) regions[holder(codeSlots[k])].code.push(codeSlots[k], codeSlots[k + 1]);
  for (const [slot, target] of dataPointers(elf, sections)) regions[holder(slot)].data.push(slot, target);
  for (const sec of sections) if (C_IDENTIFIER.test(sec.name)) layout.groups.push([sec.addr, sec.addr + sec.size, ...sectionRegions.get(sec)!]);
  const kept = compact(layout);
  markUnreferenced(elf, kept, codeRefs);
  // DW.ref.* slots: the unwinder reads the personality routine from them, no code does.
  for (const p of elf.personalities) {
    if (!p.indirect) continue;
    const r = containing(kept, p.address);
    if (r >= 0 && !kept.regions[r].always) kept.regions[r].always = `.eh_frame names the personality routine stored at 0x${p.address.toString(16)}: the unwinder calls it`;
  }
  return kept;
}

/** Why the loader (or the C runtime) reads a section whatever code runs, if it does. */
function loaderReads(sec: ElfSection): string | undefined {
  if (sec.type === SHT_INIT_ARRAY || sec.type === SHT_FINI_ARRAY || sec.type === SHT_PREINIT_ARRAY) return `${sec.name}: the loader calls its entries`;
  if (sec.flags & SHF_TLS) return `${sec.name}: the loader copies it into every thread's TLS block`;
  if (sec.name === '.got' || sec.name === '.got.plt' || sec.name === '.dynamic') return `${sec.name}: the loader and the PLT read it`;
  return undefined;
}

/** The region holding `slot`, or -1. */
export function containing(layout: DataLayout, slot: number): number {
  const r = layout.ranges;
  for (let lo = 0, hi = r.length / 3; lo < hi; ) {
    const mid = (lo + hi) >> 1;
    if (r[mid * 3 + 1] <= slot) lo = mid + 1;
    else if (r[mid * 3] > slot) hi = mid;
    else return r[mid * 3 + 2];
  }
  return -1;
}

/** Pointers from data into the object's own data: its relocations (every stored pointer has one in position-independent code). */
function dataPointers(elf: ElfFile, sections: readonly ElfSection[]): [number, number][] {
  const out: [number, number][] = [];
  for (const r of elf.relocations) {
    let target = -1;
    if (r.type === R_X86_64_RELATIVE) target = r.addend;
    else if (r.type === R_X86_64_64 && r.symIndex !== 0) {
      const sym = elf.dynsym[r.symIndex];
      if (sym && sym.shndx !== 0 && sym.bind === 0) target = sym.value + r.addend;
    }
    if (target >= 0 && inSections(sections, target)) out.push([r.offset, target]);
  }
  return out;
}

/**
 * A region nothing decoded refers to — no instruction, no pointer of another region — is read by
 * something the analysis does not model (the unwinder's DW.ref slots, linker-script symbols), so it
 * stays live. Code that addresses data relative to the GOT (the large code model) could reach any
 * region from one reference: then every region stays live.
 */
function markUnreferenced(elf: ElfFile, layout: DataLayout, codeRefs: Iterable<number>): void {
  const referenced = new Set<number>();
  const gotBase = elf.sections.find((s) => s.name === '.got.plt')?.addr;
  let gotRelative = false;
  for (const a of codeRefs) {
    if (a === gotBase) gotRelative = true;
    for (const i of regionsNear(layout, a)) referenced.add(i);
  }
  for (const region of layout.regions) for (let k = 0; k < region.data.length; k += 2) for (const i of regionsNear(layout, region.data[k + 1])) referenced.add(i);
  layout.regions.forEach((region, i) => {
    if (region.always) return;
    if (gotRelative) region.always = 'code of the object addresses data relative to the GOT (one reference may reach any object)';
    else if (!referenced.has(i)) region.always = 'no decoded code or data of the object refers to it: what reads it is not modelled';
  });
}

/** Drops regions that hold no pointer (nothing follows from their liveness) and renumbers the rest. */
function compact(layout: DataLayout): DataLayout {
  const keep = layout.regions.map((r) => r.code.length > 0 || r.data.length > 0);
  const id = new Map<number, number>();
  const regions: DataRegion[] = [];
  layout.regions.forEach((r, i) => {
    if (keep[i]) {
      id.set(i, regions.length);
      regions.push(r);
    }
  });
  const ranges: number[] = [];
  for (let i = 0; i < layout.ranges.length; i += 3) {
    const n = id.get(layout.ranges[i + 2]);
    if (n !== undefined) ranges.push(layout.ranges[i], layout.ranges[i + 1], n);
  }
  const groups = layout.groups.map((g) => [g[0], g[1], ...g.slice(2).flatMap((i) => (id.has(i) ? [id.get(i)!] : []))]).filter((g) => g.length > 2);
  return { regions, ranges, groups };
}
