// Function discovery, pass 1 of an object's analysis: seeds from everything that justifies a
// function start (entry, init/fini, FDEs, symbols, code pointers in relocations and, in non-PIE
// executables, in data), then every path from them, to classify code addresses. Nothing is swept
// linearly except the FDE of a jump table, gap by gap.
import { ET_EXEC, R_X86_64_64, R_X86_64_RELATIVE, R_X86_64_IRELATIVE } from '../elf/types.js';
import { forEachDataWord, pointerDataRanges } from '../elf/memory.js';
import { Kind } from '../x86_64/decoder.js';
import { flowStep, type FlowContext } from './flow.js';
import type { ObjectContext } from './object-context.js';
import type { Range } from './ranges.js';

export interface Discovered {
  /** Function starts: called, named, pointed to or a root (grows while CFGs find more). */
  starts: Set<number>;
  /** Functions whose address sits in relocated data or, in a non-PIE executable, in plain data. */
  relocPointers: number[];
  /** Where each such pointer is stored: flattened [slot, target] pairs. */
  pointerSlots: number[];
}

// Discovery knows no function bounds yet: every direct target is followed as code, and every call
// is taken to return (which can only find more code, never less).
const DISCOVERY: FlowContext = { isIntra: () => true, callReturns: () => true };

export function discoverFunctions(ctx: ObjectContext): Discovered {
  const seeds = new Set<number>();
  const roots = new Set<number>();
  const pointerSlots = collectSeeds(ctx, seeds, roots);
  const relocPointers = pointerSlots.filter((_, i) => i % 2 === 1);
  return { starts: findFunctionStarts(ctx, seeds, roots), relocPointers, pointerSlots };
}

/** Seeds: entry, init/fini, FDE starts, function symbols, code pointers in relocations (returned as [slot, target] pairs). */
function collectSeeds(ctx: ObjectContext, seeds: Set<number>, roots: Set<number>): number[] {
  const { elf, code } = ctx;
  const add = (a: number): void => {
    if (code.isCode(a)) seeds.add(a);
  };
  if (elf.entry) add(elf.entry);
  for (const a of elf.initFunctions) add(a);
  for (const a of seeds) roots.add(a);
  for (const f of ctx.fdes) add(f.start);
  for (const a of ctx.names.keys()) add(a);
  for (const a of ctx.declared.keys()) add(a);
  const relocPointers: number[] = [];
  for (const r of elf.relocations) {
    let target = -1;
    if (r.type === R_X86_64_RELATIVE || r.type === R_X86_64_IRELATIVE) target = r.addend;
    else if (r.type === R_X86_64_64 && r.symIndex !== 0) {
      const sym = elf.dynsym[r.symIndex];
      // Only local definitions resolve at analysis time; bound symbols are handled by the linker model.
      if (sym && sym.shndx !== 0 && sym.bind === 0) target = sym.value + r.addend;
    }
    if (target >= 0 && code.isCode(target)) {
      add(target);
      relocPointers.push(r.offset, target);
    }
  }
  if (elf.type === ET_EXEC) relocPointers.push(...absolutePointers(ctx, seeds));
  return relocPointers;
}

/**
 * A non-PIE executable keeps function pointers in its data as plain absolute values, with no
 * relocation to point them out (a multi-call binary's applet table, a static libc's tables): every
 * aligned word of its pointer data that holds a known function start, or an address in the code
 * where decoding finds instructions, is taken for a code pointer. A number that only looks like one
 * adds code to explore, never removes any.
 */
function absolutePointers(ctx: ObjectContext, seeds: Set<number>): number[] {
  const { elf, code } = ctx;
  const known = new Set<number>([...ctx.fdeEnd.keys(), ...ctx.names.keys(), ...seeds]);
  const out: number[] = [];
  forEachDataWord(elf, pointerDataRanges(elf), (v, at) => {
    if (known.has(v) || (code.isCode(v) && decodesAsCode(ctx, v))) {
      out.push(at, v);
      seeds.add(v);
    }
  });
  return out;
}

/** Whether the first instructions at `addr` decode (up to a branch): the least a code pointer's target does. */
function decodesAsCode(ctx: ObjectContext, addr: number): boolean {
  let a = addr;
  for (let i = 0; i < 4; i++) {
    const ins = ctx.code.decode(a);
    if (!ins || ins.kind === Kind.Invalid) return false;
    if (ins.kind !== Kind.Other && ins.kind !== Kind.Syscall) return ins.kind !== Kind.Stop;
    a += ins.len;
  }
  return true;
}

/**
 * Follows every path from the seeds and classifies code addresses. A function start is anything
 * called, named, pointed to or a root; an FDE start that is only ever jumped to is a hot/cold part
 * of its jumper and joins the jumper's CFG instead of standing alone (which would re-analyse the
 * rest of the function once per jump back into it).
 */
function findFunctionStarts(ctx: ObjectContext, seeds: Set<number>, roots: Set<number>): Set<number> {
  const { code } = ctx;
  const called = new Set<number>();
  const jumped = new Set<number>();
  const pointed = new Set<number>();
  // Landing pads are code (the unwinder enters them), not function starts.
  const work = [...seeds, ...[...ctx.landingPads.values()].flat()];
  const sweep: Range[] = [];
  const sweptFdes = new Set<number>();
  for (;;) {
    if (work.length === 0) {
      // Sweep jump-table FDEs gap by gap, after everything reachable from them is explored.
      const f = sweep.pop();
      if (!f) break;
      let a = f.start;
      while (a < f.end) {
        const known = code.decoded(a);
        if (known) {
          a += known.len;
          continue;
        }
        // Explored without an instruction (invalid bytes) or outside the code: nothing to start
        // there, and pushing it again would sweep the same gap forever.
        if (!code.unexplored(a)) {
          a++;
          continue;
        }
        work.push(a);
        break;
      }
      if (work.length > 0) sweep.push(f);
      else continue;
    }
    let addr = work.pop()!;
    while (code.isCode(addr) && code.markExplored(addr)) {
      const ins = code.decode(addr);
      if (!ins || ins.kind === Kind.Invalid) break;
      if (ins.pointers) {
        for (const p of ins.pointers) {
          if (code.isCode(p)) {
            pointed.add(p);
            work.push(p);
          }
        }
      }
      const flow = flowStep(ins, DISCOVERY);
      if (flow.branch >= 0) {
        if (ins.kind === Kind.Jmp) jumped.add(flow.branch);
        work.push(flow.branch);
      }
      if (flow.call >= 0) {
        called.add(flow.call);
        work.push(flow.call);
      }
      if (ins.kind === Kind.JmpIndirect && ins.memTarget < 0) {
        // A jump table: every gap of the enclosing function's extent may be a case block.
        const f = ctx.bounds.rangeOf(addr);
        if (f && !sweptFdes.has(f.start)) {
          sweptFdes.add(f.start);
          sweep.push(f);
        }
      }
      if (!flow.falls) break;
      addr += ins.len;
    }
  }
  const starts = new Set<number>();
  for (const a of seeds) {
    const isFdeOnly = ctx.fdeEnd.has(a) && !ctx.names.has(a) && !roots.has(a);
    if (!isFdeOnly || !jumped.has(a)) starts.add(a);
  }
  for (const a of called) if (code.isCode(a)) starts.add(a);
  for (const a of pointed) starts.add(a);
  return starts;
}
