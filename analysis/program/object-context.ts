// What every stage of one object's analysis reads: the code map, FDE bounds, symbol names, the GOT
// slots that carry symbol relocations, and the runtime the object is built on.
import type { ElfFile, ElfSection } from '../elf/types.js';
import { DF_TEXTREL, DT_FLAGS, DT_TEXTREL, ET_DYN, STT_FUNC, STT_GNU_IFUNC, R_X86_64_64, R_X86_64_GLOB_DAT, R_X86_64_JUMP_SLOT } from '../elf/types.js';
import { landingPads } from '../elf/except-table.js';
import { Kind } from '../x86_64/decoder.js';
import { CodeMap } from './code-map.js';
import { dataSections } from './data-objects.js';
import { RangeSet, type Range } from './ranges.js';
import { objectRuntime, type DeclaredFunction, type Runtime } from './runtimes/index.js';

export interface ObjectContext {
  elf: ElfFile;
  code: CodeMap;
  runtime: Runtime;
  /** FDEs with a non-empty range, and their bounds by start (the first FDE of a start wins). */
  fdes: Range[];
  fdeEnd: Map<number, number>;
  /** Functions the runtime's metadata declares (Go's pclntab), by start. */
  declared: Map<number, DeclaredFunction>;
  /** Known function extents, FDEs and declared functions: where a jump table's cases can be. */
  bounds: RangeSet;
  /** FDEs whose LSDA names landing pads (C++ catch blocks and cleanups), and the pads, by FDE start. */
  lsdaFdes: RangeSet;
  landingPads: Map<number, number[]>;
  /** Function names by entry, from .dynsym then .symtab (first name wins). */
  names: Map<number, string>;
  /** GOT slots carrying a symbol relocation, with the symbol: reads of them take the bound function's address. */
  symbolSlots: Map<number, string>;
  /**
   * Whether an immediate operand can be an address: in position-dependent code (ET_EXEC), or where
   * the loader patches code (text relocations). Elsewhere an immediate is a number, never a pointer:
   * position-independent code reaches addresses only relative to rip, or through the GOT and data.
   */
  absoluteCode: boolean;
  /** Allocated, non-executable sections: where a referenced address is data (data-objects.ts). */
  dataSections: ElfSection[];
}

const COLD_PART = /\.cold(\.\d+)?$/;

function hasTextRelocations(elf: ElfFile, code: CodeMap): boolean {
  if (elf.dynamic.some((d) => d.tag === DT_TEXTREL || (d.tag === DT_FLAGS && (Number(d.value) & DF_TEXTREL) !== 0))) return true;
  return elf.relocations.some((r) => code.isCode(r.offset));
}

export function objectContext(elf: ElfFile): ObjectContext {
  const code = new CodeMap(elf);
  const fdes = elf.fdes.filter((f) => f.end > f.start);
  const fdeEnd = new Map<number, number>();
  for (const f of fdes) if (!fdeEnd.has(f.start)) fdeEnd.set(f.start, f.end);
  const names = new Map<number, string>();
  // Exported names first (`__libc_start_main`, not its local alias `__libc_start_main_alias_2`).
  // GCC's `f.cold` symbols name the cold part of f, not a function: as part of its jumper it keeps
  // f's noreturn proof and CFG whole, as it does in a stripped object.
  for (const sym of [...elf.dynsym, ...elf.symtab]) {
    if (sym.shndx === 0 || (sym.type !== STT_FUNC && sym.type !== STT_GNU_IFUNC) || !code.isCode(sym.value) || COLD_PART.test(sym.name)) continue;
    if (!names.has(sym.value) && sym.name) names.set(sym.value, sym.name);
  }
  const runtime = objectRuntime(elf);
  const declared = new Map<number, DeclaredFunction>();
  for (const d of runtime.functions?.(elf) ?? []) {
    if (!code.isCode(d.start) || declared.has(d.start)) continue;
    declared.set(d.start, d);
    if (d.name && !names.has(d.start)) names.set(d.start, d.name);
  }
  const extents: Range[] = [...fdes];
  for (const d of declared.values()) if (d.end !== undefined && d.end > d.start) extents.push({ start: d.start, end: d.end });
  // Sized function symbols where no FDE says where a function ends (musl's libc.so has 4 FDEs for
  // ~1500 functions): a jump table's cases lie within its function's symbol size.
  const fdeCovered = new RangeSet(extents);
  for (const sym of [...elf.symtab, ...elf.dynsym]) {
    if (sym.shndx === 0 || sym.size === 0 || (sym.type !== STT_FUNC && sym.type !== STT_GNU_IFUNC) || !code.isCode(sym.value)) continue;
    if (!fdeCovered.contains(sym.value)) extents.push({ start: sym.value, end: sym.value + sym.size });
  }
  const symbolSlots = new Map<number, string>();
  for (const r of elf.relocations) {
    if (r.symIndex !== 0 && (r.type === R_X86_64_GLOB_DAT || r.type === R_X86_64_JUMP_SLOT || r.type === R_X86_64_64)) {
      const sym = elf.dynsym[r.symIndex];
      if (sym) symbolSlots.set(r.offset, sym.name);
    }
  }
  const landingPadsByFde = new Map<number, number[]>();
  for (const f of fdes) {
    if (f.lsda === undefined || landingPadsByFde.has(f.start)) continue;
    // An LSDA that cannot be read leaves its pads unknown: their code is then reported uncovered.
    const pads = landingPads(elf, f.lsda, f.start);
    if (pads && pads.length > 0) landingPadsByFde.set(f.start, pads.filter((p) => code.isCode(p)));
  }
  const lsdaFdes = new RangeSet(fdes.filter((f) => landingPadsByFde.has(f.start)));
  const absoluteCode = elf.type !== ET_DYN || hasTextRelocations(elf, code);
  return { elf, code, runtime, fdes, fdeEnd, declared, bounds: new RangeSet(extents), lsdaFdes, landingPads: landingPadsByFde, names, symbolSlots, absoluteCode, dataSections: dataSections(elf) };
}

/**
 * The symbol a PLT-style stub at `entry` jumps to through its slot: the first branch within three
 * instructions (endbr64, bnd prefixes) is `jmp [rip+slot]` with a symbol relocation on the slot.
 */
export function stubSymbol(ctx: ObjectContext, entry: number): string | undefined {
  let ins = ctx.code.isCode(entry) ? ctx.code.decode(entry) : undefined;
  for (let i = 0; ins && i < 3; i++) {
    if (ins.kind === Kind.JmpIndirect) return ins.memTarget >= 0 ? ctx.symbolSlots.get(ins.memTarget) : undefined;
    if (ins.kind !== Kind.Other) return undefined;
    ins = ctx.code.decode(ins.addr + ins.len);
  }
  return undefined;
}
