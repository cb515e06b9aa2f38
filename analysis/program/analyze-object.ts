// Per-object analysis: function discovery by recursive descent from every seed we can justify,
// per-function CFGs, register dataflow, call/syscall sites and code pointers.
import type { ElfFile } from '../elf/types.js';
import { PT_LOAD, PF_X, STT_FUNC, STT_GNU_IFUNC, R_X86_64_64, R_X86_64_GLOB_DAT, R_X86_64_JUMP_SLOT, R_X86_64_RELATIVE, R_X86_64_IRELATIVE } from '../elf/types.js';
import { executableRanges, isGotSlot, readVirtual } from '../elf/memory.js';
import { X86Decoder, Kind, type Insn } from '../x86_64/decoder.js';
import { runDataflow, type Block } from '../x86_64/dataflow.js';
import type { Value } from '../x86_64/values.js';
import { FACTS_VERSION, TRACKED_REGS, type CallSite, type FunctionFacts, type ObjectFacts, type SyscallSite, type UncoveredRange } from './facts.js';

interface Range {
  start: number;
  end: number;
}

/** Sorted, non-overlapping ranges with binary search. */
class RangeSet {
  private readonly starts: number[];
  private readonly ends: number[];
  constructor(ranges: Range[]) {
    const sorted = [...ranges].sort((a, b) => a.start - b.start);
    this.starts = sorted.map((r) => r.start);
    this.ends = sorted.map((r) => r.end);
  }
  find(addr: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid] <= addr) lo = mid + 1;
      else hi = mid - 1;
    }
    return hi >= 0 && addr < this.ends[hi] ? hi : -1;
  }
  contains(addr: number): boolean {
    return this.find(addr) >= 0;
  }
  /** The range holding addr. */
  rangeOf(addr: number): Range | undefined {
    const i = this.find(addr);
    return i < 0 ? undefined : { start: this.starts[i], end: this.ends[i] };
  }
}

// Imports declared noreturn by their standard (C, POSIX, glibc, the C++ ABI): a call to one ends
// the path. Everything else, imported or not, may return unless its code proves otherwise.
const NORETURN_IMPORTS = new Set([
  'abort', 'exit', '_exit', '_Exit', 'quick_exit', '__stack_chk_fail', '__assert_fail', '__assert_perror_fail',
  '__fortify_fail', '__chk_fail', '__libc_fatal', 'longjmp', '_longjmp', 'siglongjmp', '__longjmp_chk',
  'pthread_exit', 'err', 'errx', 'verr', 'verrx', '__cxa_throw', '__cxa_rethrow', '__cxa_bad_cast',
  '__cxa_bad_typeid', '__cxa_throw_bad_array_new_length', '_Unwind_Resume', '__cxa_call_unexpected',
]);

/** An executable segment: its decoder, the instruction decoded at each byte (index + 1 into insnList), and pass 1's marks. */
interface Segment {
  start: number;
  end: number;
  dec: X86Decoder;
  slots: Int32Array;
  explored: Uint8Array;
  /** Per byte: the number of the function analysis whose CFG holds the instruction starting there. */
  owner: Int32Array;
  /** Per byte: the number of the function analysis for which a basic block starts there. */
  leader: Int32Array;
}

function segmentAt(segments: Segment[], addr: number): Segment | undefined {
  for (const d of segments) if (addr >= d.start && addr < d.end) return d;
  return undefined;
}

/**
 * The instructions of one function's CFG, keyed by address. Membership is a stamp per code byte
 * (the analysis number), not a hash map: functions are analysed one at a time, and this is the
 * hottest lookup of the whole analysis.
 */
class FunctionInsns {
  /** In the order they were added. */
  readonly list: Insn[] = [];
  constructor(
    private readonly segments: Segment[],
    private readonly decoded: Insn[],
    private readonly run: number,
  ) {}
  has(addr: number): boolean {
    const d = segmentAt(this.segments, addr);
    return d !== undefined && d.owner[addr - d.start] === this.run;
  }
  /** The instruction at `addr` if it is in this CFG (each address has one decoding per object). */
  get(addr: number): Insn | undefined {
    const d = segmentAt(this.segments, addr);
    return d !== undefined && d.owner[addr - d.start] === this.run ? this.decoded[d.slots[addr - d.start] - 1] : undefined;
  }
  /** Adds the instruction decoded at its address (so it sits in its segment's slots already). */
  add(ins: Insn): void {
    const d = segmentAt(this.segments, ins.addr)!;
    d.owner[ins.addr - d.start] = this.run;
    this.list.push(ins);
  }
  get size(): number {
    return this.list.length;
  }
}

/** One function's CFG under construction, and what its exploration collects. */
interface Cfg {
  entry: number;
  insns: FunctionInsns;
  leaders: Leaders;
  /** Successors by terminating instruction address. */
  succs: Map<number, number[]>;
  calls: CallSite[];
  tailSites: Set<number>;
  problems: string[];
  pointers: Set<number>;
  slotReads: Set<number>;
  jumpTables: number[];
  /** Addresses still to explore. */
  work: number[];
  /** Reports a function start found on the way. */
  found: (target: number) => void;
  /** Whether a branch target is part of this function (not another function's start). */
  isIntra: (t: number) => boolean;
}

/** Basic block starts of one function's CFG, stamped per code byte like FunctionInsns. */
class Leaders {
  private readonly outside = new Set<number>();
  constructor(
    private readonly segments: Segment[],
    private readonly run: number,
  ) {}
  add(addr: number): this {
    const d = segmentAt(this.segments, addr);
    if (d) d.leader[addr - d.start] = this.run;
    else this.outside.add(addr);
    return this;
  }
  has(addr: number): boolean {
    const d = segmentAt(this.segments, addr);
    return d ? d.leader[addr - d.start] === this.run : this.outside.has(addr);
  }
}

/** Analyses one object; `sha256` identifies it in the cache. */
export function analyzeObject(elf: ElfFile, sha256: string): ObjectFacts {
  return new ObjectAnalysis(elf, sha256).run();
}

class ObjectAnalysis {
  private readonly exec: RangeSet;
  private readonly execRanges: Range[];
  /** Per executable segment: the decoder, and the decoded instruction per byte offset (index + 1 into `insnList`). */
  private readonly decoders: Segment[] = [];
  private readonly insnList: Insn[] = [];
  private readonly fdeByStart = new Map<number, number>();
  private readonly fdeRanges: RangeSet;
  private readonly fdeList: Range[];
  private readonly names = new Map<number, string>();
  private readonly seeds = new Set<number>();
  private readonly functions = new Map<number, FunctionFacts>();
  private readonly sweep: Range[] = [];
  /** Function starts found by pass 1. */
  private readonly starts = new Set<number>();
  /** Entry, init/fini functions: always functions of their own. */
  private readonly roots = new Set<number>();
  /** GOT slots carrying a symbol relocation: reads of them take the bound function's address. */
  private readonly symbolSlots = new Map<number, string>();
  /** mayReturn results, and the functions whose answer is being worked out (recursion). */
  private readonly returns = new Map<number, boolean>();
  private readonly returnsPending = new Set<number>();
  private instructions = 0;
  /** Number of the current function analysis (the stamp in Segment.owner/leader). */
  private fnRun = 0;

  constructor(
    private readonly elf: ElfFile,
    private readonly sha256: string,
  ) {
    this.execRanges = executableRanges(elf);
    this.exec = new RangeSet(this.execRanges);
    for (const seg of elf.segments) {
      if (seg.type !== PT_LOAD || (seg.flags & PF_X) === 0 || seg.filesz === 0) continue;
      const bytes = elf.bytes.subarray(seg.offset, Math.min(elf.bytes.length, seg.offset + seg.filesz));
      const n = bytes.length;
      this.decoders.push({ start: seg.vaddr, end: seg.vaddr + n, dec: new X86Decoder(bytes, seg.vaddr), slots: new Int32Array(n), explored: new Uint8Array(n), owner: new Int32Array(n), leader: new Int32Array(n) });
    }
    this.fdeList = elf.fdes.filter((f) => f.end > f.start);
    for (const f of this.fdeList) if (!this.fdeByStart.has(f.start)) this.fdeByStart.set(f.start, f.end);
    this.fdeRanges = new RangeSet(this.fdeList);
    for (const sym of [...elf.symtab, ...elf.dynsym]) {
      if (sym.shndx === 0 || (sym.type !== STT_FUNC && sym.type !== STT_GNU_IFUNC) || !this.exec.contains(sym.value)) continue;
      if (!this.names.has(sym.value) && sym.name) this.names.set(sym.value, sym.name);
    }
    for (const r of elf.relocations) {
      if (r.symIndex !== 0 && (r.type === R_X86_64_GLOB_DAT || r.type === R_X86_64_JUMP_SLOT || r.type === R_X86_64_64)) {
        const sym = elf.dynsym[r.symIndex];
        if (sym) this.symbolSlots.set(r.offset, sym.name);
      }
    }
  }

  run(): ObjectFacts {
    const relocPointers = this.collectSeeds();
    this.findFunctionStarts();
    const queue = [...this.starts];
    for (let i = 0; i < queue.length; i++) {
      const entry = queue[i];
      if (this.functions.has(entry)) continue;
      const f = this.analyzeFunction(entry, (t) => {
        if (!this.functions.has(t) && this.exec.contains(t)) {
          this.starts.add(t);
          queue.push(t);
        }
      });
      this.functions.set(entry, f);
    }
    for (const d of this.decoders) d.dec.free();
    const { uncovered, uncoveredBytes } = this.uncovered();
    const functions = [...this.functions.values()].sort((a, b) => a.entry - b.entry);
    return {
      version: FACTS_VERSION,
      sha256: this.sha256,
      functions,
      relocPointers: [...new Set(relocPointers)].sort((a, b) => a - b),
      uncovered,
      uncoveredBytes,
      instructions: this.instructions,
    };
  }

  /**
   * Pass 1: follow every path from the seeds and classify code addresses. A function start is
   * anything called, named, pointed to or a root; an FDE start that is only ever jumped to is a
   * hot/cold part of its jumper and joins the jumper's CFG instead of standing alone (which would
   * re-analyse the rest of the function once per jump back into it).
   */
  private findFunctionStarts(): void {
    const called = new Set<number>();
    const jumped = new Set<number>();
    const pointed = new Set<number>();
    const work = [...this.seeds];
    const sweptFdes = new Set<number>();
    for (;;) {
      if (work.length === 0) {
        // Sweep jump-table FDEs gap by gap, after everything reachable from them is explored.
        const f = this.sweep.pop();
        if (!f) break;
        let a = f.start;
        while (a < f.end) {
          const known = this.decoded(a);
          if (known) {
            a += known.len;
            continue;
          }
          work.push(a);
          break;
        }
        if (work.length > 0) this.sweep.push(f);
        else continue;
      }
      let addr = work.pop()!;
      while (this.exec.contains(addr) && this.markExplored(addr)) {
        const ins = this.decode(addr);
        if (!ins || ins.kind === Kind.Invalid) break;
        if (ins.pointers) {
          for (const p of ins.pointers) {
            if (this.exec.contains(p)) {
              pointed.add(p);
              work.push(p);
            }
          }
        }
        const next = addr + ins.len;
        let stop = true;
        switch (ins.kind) {
          case Kind.Jcc:
            work.push(ins.target);
            stop = false;
            break;
          case Kind.Jmp:
            jumped.add(ins.target);
            work.push(ins.target);
            break;
          case Kind.Call:
            called.add(ins.target);
            work.push(ins.target);
            stop = false;
            break;
          case Kind.JmpIndirect:
            if (ins.memTarget < 0) {
              // A jump table: every gap of the enclosing FDE may be a case block.
              const f = this.fdeRanges.rangeOf(addr);
              if (f && !sweptFdes.has(f.start)) {
                sweptFdes.add(f.start);
                this.sweep.push(f);
              }
            }
            break;
          case Kind.Ret:
          case Kind.Stop:
            break;
          default:
            stop = false;
        }
        if (stop) break;
        addr = next;
      }
    }
    for (const a of this.seeds) {
      const isFdeOnly = this.fdeByStart.has(a) && !this.names.has(a) && !this.roots.has(a);
      if (!isFdeOnly || !jumped.has(a)) this.starts.add(a);
    }
    for (const a of called) if (this.exec.contains(a)) this.starts.add(a);
    for (const a of pointed) this.starts.add(a);
  }

  /** Seeds: entry, init/fini, FDE starts, function symbols, code pointers in relocations. */
  private collectSeeds(): number[] {
    const add = (a: number): void => {
      if (this.exec.contains(a)) this.seeds.add(a);
    };
    if (this.elf.entry) add(this.elf.entry);
    for (const a of this.elf.initFunctions) add(a);
    for (const a of this.seeds) this.roots.add(a);
    for (const f of this.fdeList) add(f.start);
    for (const a of this.names.keys()) add(a);
    const relocPointers: number[] = [];
    for (const r of this.elf.relocations) {
      let target = -1;
      if (r.type === R_X86_64_RELATIVE || r.type === R_X86_64_IRELATIVE) target = r.addend;
      else if (r.type === R_X86_64_64 && r.symIndex !== 0) {
        const sym = this.elf.dynsym[r.symIndex];
        // Only local definitions resolve at analysis time; bound symbols are handled by the linker model.
        if (sym && sym.shndx !== 0 && sym.bind === 0) target = sym.value + r.addend;
      }
      if (target >= 0 && this.exec.contains(target)) {
        add(target);
        relocPointers.push(target);
      }
    }
    if (this.elf.type === 2) relocPointers.push(...this.absolutePointers());
    return relocPointers;
  }

  /**
   * A non-PIE executable keeps function pointers in its data as plain absolute values, with no
   * relocation to point them out: scan its data for aligned values equal to a known function start.
   */
  private absolutePointers(): number[] {
    const known = new Set<number>([...this.fdeByStart.keys(), ...this.names.keys(), ...this.seeds]);
    const out: number[] = [];
    for (const seg of this.elf.segments) {
      if (seg.type !== PT_LOAD || (seg.flags & PF_X) !== 0 || seg.filesz < 8) continue;
      const start = Math.max(0, seg.offset);
      const end = Math.min(this.elf.bytes.length, seg.offset + seg.filesz);
      const view = new DataView(this.elf.bytes.buffer, this.elf.bytes.byteOffset + start, end - start);
      const skew = (8 - (seg.vaddr % 8)) % 8;
      for (let i = skew; i + 8 <= view.byteLength; i += 8) {
        if (view.getUint32(i + 4, true) !== 0) continue;
        const v = view.getUint32(i, true);
        if (known.has(v)) {
          out.push(v);
          this.seeds.add(v);
        }
      }
    }
    return out;
  }

  private segmentOf(addr: number): Segment | undefined {
    return segmentAt(this.decoders, addr);
  }

  /** Each address is decoded once per object; functions that share code share the records. */
  private decode(addr: number): Insn | undefined {
    const d = this.segmentOf(addr);
    if (!d) return undefined;
    const k = d.slots[addr - d.start];
    if (k > 0) return this.insnList[k - 1];
    const ins = d.dec.decode(addr);
    if (ins) {
      this.insnList.push(ins);
      d.slots[addr - d.start] = this.insnList.length;
    }
    return ins;
  }

  /** The already decoded instruction at `addr`, if any. */
  private decoded(addr: number): Insn | undefined {
    const d = this.segmentOf(addr);
    const k = d ? d.slots[addr - d.start] : 0;
    return k > 0 ? this.insnList[k - 1] : undefined;
  }

  /** Marks `addr` explored by pass 1; false when it already was (or is outside the code). */
  private markExplored(addr: number): boolean {
    const d = this.segmentOf(addr);
    if (!d || d.explored[addr - d.start]) return false;
    d.explored[addr - d.start] = 1;
    return true;
  }

  /**
   * Whether a call to `entry` can come back: some path from its entry reaches a `ret`, a tail call, a
   * register jump or the next function, where calls to functions that cannot return end a path.
   * Unknown, recursive or too deep means it can: only a proof of the opposite cuts an edge.
   */
  private mayReturn(entry: number, depth = 0): boolean {
    const known = this.returns.get(entry);
    if (known !== undefined) return known;
    if (!this.starts.has(entry) || this.returnsPending.has(entry) || depth > 48) return true;
    const imported = this.importedName(entry);
    if (imported !== undefined) return !NORETURN_IMPORTS.has(imported);
    this.returnsPending.add(entry);
    const isIntra = (t: number): boolean => t === entry || !this.starts.has(t);
    const seen = new Set<number>();
    const work = [entry];
    let returns = false;
    walk: while (work.length > 0) {
      let addr = work.pop()!;
      while (!seen.has(addr)) {
        if (addr !== entry && this.starts.has(addr)) {
          returns = true; // falls into the next function
          break walk;
        }
        const ins = this.exec.contains(addr) ? this.decode(addr) : undefined;
        if (!ins || ins.kind === Kind.Invalid) break;
        seen.add(addr);
        const next = addr + ins.len;
        if (ins.kind === Kind.Ret || ins.kind === Kind.JmpIndirect) {
          returns = true;
          break walk;
        }
        if (ins.kind === Kind.Stop) break;
        if (ins.kind === Kind.Jmp || ins.kind === Kind.Jcc) {
          if (!isIntra(ins.target)) {
            returns = true; // a tail call returns for us
            break walk;
          }
          if (ins.kind === Kind.Jmp) {
            addr = ins.target;
            continue;
          }
          work.push(ins.target);
        } else if (ins.kind === Kind.Call) {
          if (!this.mayReturn(ins.target, depth + 1)) break;
        } else if (ins.kind === Kind.CallIndirect) {
          if (ins.memTarget >= 0 && NORETURN_IMPORTS.has(this.symbolSlots.get(ins.memTarget) ?? '')) break;
        }
        addr = next;
      }
    }
    this.returnsPending.delete(entry);
    this.returns.set(entry, returns);
    return returns;
  }

  /** The symbol a PLT-style stub at `entry` jumps to through its slot, if it is one. */
  private importedName(entry: number): string | undefined {
    let ins = this.exec.contains(entry) ? this.decode(entry) : undefined;
    for (let i = 0; ins && i < 3; i++) {
      if (ins.kind === Kind.JmpIndirect) return ins.memTarget >= 0 ? this.symbolSlots.get(ins.memTarget) : undefined;
      if (ins.kind !== Kind.Other) return undefined;
      ins = this.decode(ins.addr + ins.len);
    }
    return undefined;
  }

  /** Follows control flow from the pending addresses of `g` until every path ends (a method, not a closure: it is the hottest loop). */
  private explore(g: Cfg): void {
    while (g.work.length > 0) {
      let addr = g.work.pop()!;
      let prev: Insn | undefined;
      while (!g.insns.has(addr)) {
        if (prev && addr !== g.entry && this.starts.has(addr)) {
          // Falling into the next function: after a call that does not return (the usual case)
          // nothing follows; otherwise it is a real fall-through, an edge like a tail call.
          if (prev.kind !== Kind.Call && prev.kind !== Kind.CallIndirect) {
            g.calls.push({ at: prev.addr, tail: true, target: addr, fallthrough: true });
            g.found(addr);
          }
          break;
        }
        if (!this.exec.contains(addr)) {
          g.problems.push(`control reaches non-executable address 0x${addr.toString(16)}`);
          break;
        }
        const ins = this.decode(addr);
        if (!ins || ins.kind === Kind.Invalid) {
          g.problems.push(`invalid instruction at 0x${addr.toString(16)}`);
          break;
        }
        g.insns.add(ins);
        prev = ins;
        if (ins.pointers) {
          for (const p of ins.pointers) {
            if (!this.exec.contains(p)) continue;
            g.pointers.add(p);
            // A function known only by its address (a callback) must be discovered too.
            if (p !== g.entry) g.found(p);
          }
        }
        if (ins.memRef >= 0 && this.symbolSlots.has(ins.memRef)) g.slotReads.add(ins.memRef);
        const next = addr + ins.len;
        let stop = true;
        switch (ins.kind) {
          case Kind.Jcc:
            if (g.isIntra(ins.target)) {
              g.leaders.add(ins.target).add(next);
              g.succs.set(addr, [ins.target, next]);
              g.work.push(ins.target, next);
            } else {
              // A conditional tail call.
              g.calls.push({ at: addr, tail: true, target: ins.target });
              g.tailSites.add(addr);
              g.found(ins.target);
              g.leaders.add(next);
              g.succs.set(addr, [next]);
              g.work.push(next);
            }
            break;
          case Kind.Jmp:
            if (g.isIntra(ins.target)) {
              g.leaders.add(ins.target);
              g.succs.set(addr, [ins.target]);
              g.work.push(ins.target);
            } else {
              g.calls.push({ at: addr, tail: true, target: ins.target });
              g.tailSites.add(addr);
              g.found(ins.target);
            }
            break;
          case Kind.JmpIndirect:
            if (ins.memTarget >= 0) g.calls.push({ at: addr, tail: true, slot: ins.memTarget });
            else {
              g.calls.push({ at: addr, tail: true, indirect: true });
              g.jumpTables.push(addr);
            }
            g.tailSites.add(addr);
            break;
          case Kind.Call:
            g.calls.push({ at: addr, tail: false, target: ins.target });
            g.found(ins.target);
            // Nothing after a call that cannot return is reached from here: cutting the edge keeps
            // the registers the caller set before it (e.g. a syscall number in a loop) known.
            stop = !this.mayReturn(ins.target);
            break;
          case Kind.CallIndirect:
            g.calls.push(ins.memTarget >= 0 ? { at: addr, tail: false, slot: ins.memTarget } : { at: addr, tail: false, indirect: true });
            stop = ins.memTarget >= 0 && NORETURN_IMPORTS.has(this.symbolSlots.get(ins.memTarget) ?? '');
            break;
          case Kind.Ret:
          case Kind.Stop:
            break;
          default:
            stop = false;
        }
        if (stop) break;
        addr = next;
      }
    }
  }

  private analyzeFunction(entry: number, found: (target: number) => void): FunctionFacts {
    const run = ++this.fnRun;
    const insns = new FunctionInsns(this.decoders, this.insnList, run);
    const leaders = new Leaders(this.decoders, run).add(entry);
    const succs = new Map<number, number[]>(); // by terminating instruction address
    const calls: CallSite[] = [];
    const tailSites = new Set<number>();
    const problems: string[] = [];
    const pointers = new Set<number>();
    const slotReads = new Set<number>();
    const jumpTables: number[] = [];
    // Code that is not another function's start belongs to this function, wherever it sits.
    const isIntra = (t: number): boolean => t === entry || !this.starts.has(t);
    const work: number[] = [entry];
    const cfg: Cfg = { entry, insns, leaders, succs, calls, tailSites, problems, pointers, slotReads, jumpTables, work, found, isIntra };
    this.explore(cfg);
    // A register jump is most likely a jump table: decode every gap of its FDE too, so that no
    // case block (and no syscall in it) is left unseen.
    const swept = new Set<number>();
    for (const at of jumpTables) {
      const bounds = this.fdeRanges.rangeOf(at);
      if (!bounds || swept.has(bounds.start)) continue;
      swept.add(bounds.start);
      // Coverage only grows, so each search for the next gap resumes where the last one stopped.
      let from = bounds.start;
      for (let pass = 0; pass < 256; pass++) {
        const gap = this.firstGap(insns, from, bounds.end);
        from = Math.max(from, gap);
        if (gap < 0) break;
        leaders.add(gap);
        work.push(gap);
        this.explore(cfg);
        if (!insns.has(gap)) break; // undecodable or another function's start
      }
    }
    const indirectJumps = jumpTables.length;
    const blocks = this.buildBlocks(entry, insns, leaders, succs);
    // Jump-table targets: every block may follow an unresolved register jump.
    if (indirectJumps > 0) {
      const starts = blocks.map((b) => b.start);
      for (const b of blocks) {
        const last = b.insns[b.insns.length - 1];
        if (last && last.kind === Kind.JmpIndirect && last.memTarget < 0) b.succs = starts;
      }
    }
    const values = runDataflow(blocks, TRACKED_REGS, tailSites);
    for (const c of calls) {
      const regs = values.calls.get(c.at);
      if (regs && regs.some((v) => v !== null)) c.regs = regs;
      // `mov reg, [rip+S]; call reg` goes where `call [rip+S]` would, when S is a GOT slot. Not for
      // other RELRO data: code writes it before it is protected (ld.so's _rtld_global_ro).
      const slot = c.indirect ? values.slotCalls.get(c.at) : undefined;
      if (slot !== undefined && isGotSlot(this.elf, slot)) {
        delete c.indirect;
        c.slot = slot;
      }
    }
    const syscalls: SyscallSite[] = [];
    for (const ins of insns.list) {
      if (ins.kind !== Kind.Syscall) continue;
      const v = values.syscalls.get(ins.addr);
      const site: SyscallSite = { at: ins.addr, nr: v ? v[0] : null };
      if (v && v.slice(1).some((x: Value) => x !== null)) site.args = v.slice(1);
      syscalls.push(site);
    }
    syscalls.sort((a, b) => a.at - b.at);
    calls.sort((a, b) => a.at - b.at);
    this.instructions += insns.size;
    const f: FunctionFacts = { entry, calls, syscalls, size: insns.size };
    const name = this.names.get(entry) ?? this.pltName(insns.get(entry), insns);
    if (name) f.name = name;
    if (pointers.size) f.pointers = [...pointers].sort((a, b) => a - b);
    if (slotReads.size) f.slotReads = [...slotReads].sort((a, b) => a - b);
    if (problems.length) f.problems = problems.slice(0, 8);
    return f;
  }

  /** A stub whose first branch jumps through a slot with a symbol relocation is `symbol@plt`. */
  private pltName(first: Insn | undefined, insns: FunctionInsns): string | undefined {
    let ins = first;
    for (let i = 0; ins && i < 3; i++) {
      if (ins.kind === Kind.JmpIndirect && ins.memTarget >= 0) {
        const sym = this.symbolSlots.get(ins.memTarget);
        return sym ? `${sym}@plt` : undefined;
      }
      if (ins.kind !== Kind.Other) return undefined;
      ins = insns.get(ins.addr + ins.len);
    }
    return undefined;
  }

  private firstGap(insns: FunctionInsns, start: number, end: number): number {
    let addr = start;
    while (addr < end) {
      const ins = insns.get(addr);
      if (!ins) return addr;
      addr += ins.len;
    }
    return -1;
  }

  private buildBlocks(entry: number, insns: FunctionInsns, leaders: Leaders, succs: Map<number, number[]>): Block[] {
    const sorted = [...insns.list].sort((a, b) => a.addr - b.addr);
    const blocks: Block[] = [];
    let cur: Block | undefined;
    for (const ins of sorted) {
      const a = ins.addr;
      if (!cur || leaders.has(a) || cur.insns[cur.insns.length - 1].addr + cur.insns[cur.insns.length - 1].len !== a) {
        if (cur) this.closeBlock(cur, insns, succs);
        cur = { start: a, insns: [], succs: [] };
        blocks.push(cur);
      }
      cur.insns.push(ins);
    }
    if (cur) this.closeBlock(cur, insns, succs);
    // The dataflow starts at the first block: put the entry block first.
    const i = blocks.findIndex((b) => b.start === entry);
    if (i > 0) blocks.unshift(...blocks.splice(i, 1));
    return blocks;
  }

  private closeBlock(b: Block, insns: FunctionInsns, succs: Map<number, number[]>): void {
    const last = b.insns[b.insns.length - 1];
    const explicit = succs.get(last.addr);
    if (explicit) b.succs = explicit.filter((s) => insns.has(s));
    else if (last.kind === Kind.Other || last.kind === Kind.Call || last.kind === Kind.CallIndirect || last.kind === Kind.Syscall) {
      const next = last.addr + last.len;
      if (insns.has(next)) b.succs = [next];
    }
  }

  /** Executable bytes no function covers, ignoring padding; flagged, never swept. */
  private uncovered(): { uncovered: UncoveredRange[]; uncoveredBytes: number } {
    const out: UncoveredRange[] = [];
    let total = 0;
    for (const r of this.execRanges) {
      // A byte map of what decoded instructions cover: the gaps are its runs of zeros.
      const covered = new Uint8Array(r.end - r.start);
      for (const ins of this.insnList) {
        if (ins.kind === Kind.Invalid || ins.addr >= r.end || ins.addr + ins.len <= r.start) continue;
        covered.fill(1, Math.max(ins.addr, r.start) - r.start, Math.min(ins.addr + ins.len, r.end) - r.start);
      }
      const emit = (s: number, e: number): void => {
        // Trim padding (nop/int3/zero bytes and multi-byte nops decode as such: count only non-padding)
        const bytes = readVirtual(this.elf, s, e - s);
        if (!bytes) return;
        let nonPad = 0;
        let sys = false;
        for (let k = 0; k < bytes.length; k++) {
          const b = bytes[k];
          if (b !== 0x90 && b !== 0xcc && b !== 0x00) nonPad++;
          if (bytes[k] === 0x0f && bytes[k + 1] === 0x05) sys = true;
        }
        if (nonPad > 16 || sys) {
          if (!isNopRun(bytes)) {
            out.push({ start: s, end: e, syscallBytes: sys });
            total += e - s;
          }
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
    return { uncovered: out.slice(0, 200), uncoveredBytes: total };
  }
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
