// Pass 2 of an object's analysis: one CFG per function, explored with the flow step and the
// noreturn proof, register jumps answered by sweeping their FDE's gaps, then the register dataflow
// that gives the values at call and syscall sites. Its product is the function's facts.
import { isGotSlot } from '../elf/memory.js';
import { Kind, type Insn } from '../x86_64/decoder.js';
import { runDataflow, type Block, type DataflowContext } from '../x86_64/dataflow.js';
import type { Value } from '../x86_64/values.js';
import type { FunctionInsns, Leaders } from './code-map.js';
import type { ConstantData } from './constant-data.js';
import { TRACKED_REGS, type CallSite, type FunctionFacts, type SyscallSite } from './facts.js';
import { inSections } from './data-objects.js';
import { flowStep, type FlowContext } from './flow.js';
import type { NoreturnProof } from './noreturn.js';
import { stubSymbol, type ObjectContext } from './object-context.js';

/** One function's CFG under construction, and what its exploration collects. */
interface Cfg {
  entry: number;
  insns: FunctionInsns;
  leaders: Leaders;
  /** Successors of jumps, by the jump's address (other blocks fall through or end). */
  succs: Map<number, number[]>;
  calls: CallSite[];
  tailSites: Set<number>;
  problems: string[];
  /** Code addresses taken, each with the first instruction that takes it. */
  pointers: Map<number, number>;
  slotReads: Set<number>;
  /** Data addresses referenced by rip-relative operands (lea, memory operands, call/jmp through memory). */
  dataRefs: Set<number>;
  jumpTables: number[];
  /** Addresses still to explore. */
  work: number[];
  /** Reports a function start found on the way. */
  found: (target: number) => void;
  flow: FlowContext;
}

/** The largest function extent inferred from the next function start (beyond it, the guess is not worth sweeping). */
const MAX_INFERRED_EXTENT = 1 << 16;

export class CfgBuilder {
  /** Number of the current function analysis (the stamp in the code map). */
  private run = 0;
  private readonly dataflowContext: DataflowContext = {
    // A declared argument frame bounds what a callee may write above the caller's rsp.
    calleeFrame: (call) => (call.kind === Kind.Call ? this.ctx.declared.get(call.target)?.argFrame : undefined),
    constantAt: (addr, size) => this.constants.valueAt(addr, size),
  };

  /** `starts` is the live set of function starts, shared with the noreturn proof. */
  constructor(
    private readonly ctx: ObjectContext,
    private readonly starts: Set<number>,
    private readonly noreturn: NoreturnProof,
    private readonly constants: ConstantData,
  ) {}

  /** The facts of the function at `entry`; `found` hears of every function start met on the way. */
  analyzeFunction(entry: number, found: (target: number) => void): FunctionFacts {
    const run = ++this.run;
    const code = this.ctx.code;
    const insns = code.functionInsns(run);
    const leaders = code.leaders(run).add(entry);
    const flow: FlowContext = {
      // Code that is not another function's start belongs to this function, wherever it sits.
      isIntra: (t) => t === entry || !this.starts.has(t),
      callReturns: (ins) => this.noreturn.callReturns(ins),
    };
    const g: Cfg = { entry, insns, leaders, succs: new Map(), calls: [], tailSites: new Set(), problems: [], pointers: new Map(), slotReads: new Set(), dataRefs: new Set(), jumpTables: [], work: [entry], found, flow };
    this.explore(g);
    this.exploreLandingPads(g);
    this.sweepJumpTables(g);
    const blocks = this.buildBlocks(g);
    // Jump-table targets: every block may follow an unresolved register jump.
    if (g.jumpTables.length > 0) {
      const starts = blocks.map((b) => b.start);
      for (const b of blocks) {
        const last = b.insns[b.insns.length - 1];
        if (last && last.kind === Kind.JmpIndirect && last.memTarget < 0) b.succs = starts;
      }
    }
    const values = runDataflow(blocks, TRACKED_REGS, g.tailSites, this.dataflowContext);
    for (const c of g.calls) {
      const regs = values.calls.get(c.at);
      if (regs && regs.some((v) => v !== null)) c.regs = regs;
      const stack = values.stackArgs.get(c.at);
      if (stack) c.stack = stack;
      // `mov reg, [rip+S]; call reg` goes where `call [rip+S]` would, when S is a GOT slot. Not for
      // other RELRO data: code writes it before it is protected (ld.so's _rtld_global_ro).
      const slot = c.indirect ? values.slotCalls.get(c.at) : undefined;
      if (slot !== undefined && isGotSlot(this.ctx.elf, slot)) {
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
    g.calls.sort((a, b) => a.at - b.at);
    const f: FunctionFacts = { entry, calls: g.calls, syscalls, size: insns.size };
    const stub = insns.has(entry) ? stubSymbol(this.ctx, entry) : undefined;
    const name = this.ctx.names.get(entry) ?? (stub !== undefined ? `${stub}@plt` : undefined);
    if (name) f.name = name;
    if (g.pointers.size) {
      const taken = [...g.pointers].sort((a, b) => a[0] - b[0]);
      f.pointers = taken.map((t) => t[0]);
      f.pointerAt = taken.map((t) => t[1]);
    }
    if (g.slotReads.size) f.slotReads = [...g.slotReads].sort((a, b) => a - b);
    // Addresses here; analyze-object.ts turns them into the data regions they reach.
    if (g.dataRefs.size) f.dataUses = [...g.dataRefs];
    if (g.problems.length) f.problems = g.problems.slice(0, 8);
    return f;
  }

  /** Follows control flow from the pending addresses of `g` until every path ends (a method, not a closure: it is the hottest loop). */
  private explore(g: Cfg): void {
    const code = this.ctx.code;
    while (g.work.length > 0) {
      let addr = g.work.pop()!;
      while (!g.insns.has(addr)) {
        if (!code.isCode(addr)) {
          g.problems.push(`control reaches non-executable address 0x${addr.toString(16)}`);
          break;
        }
        const ins = code.decode(addr);
        if (!ins || ins.kind === Kind.Invalid) {
          g.problems.push(`invalid instruction at 0x${addr.toString(16)}`);
          break;
        }
        g.insns.add(ins);
        // An immediate in position-independent code is a number that may happen to equal a code address.
        if (ins.pointers && (!ins.immediates || this.ctx.absoluteCode)) {
          for (const p of ins.pointers) {
            if (!code.isCode(p)) {
              if (inSections(this.ctx.dataSections, p)) g.dataRefs.add(p);
              continue;
            }
            if (!g.pointers.has(p)) g.pointers.set(p, addr);
            // A function known only by its address (a callback) must be discovered too.
            if (p !== g.entry) g.found(p);
          }
        }
        if (ins.memRef >= 0 && this.ctx.symbolSlots.has(ins.memRef)) g.slotReads.add(ins.memRef);
        const ref = ins.memRef >= 0 ? ins.memRef : ins.memTarget;
        if (ref >= 0 && inSections(this.ctx.dataSections, ref)) g.dataRefs.add(ref);
        // A call target is a function start before the step asks whether the call returns.
        if (ins.kind === Kind.Call) g.found(ins.target);
        const flow = flowStep(ins, g.flow);
        const next = addr + ins.len;
        if (flow.call >= 0) g.calls.push({ at: addr, tail: false, target: flow.call });
        else if (ins.kind === Kind.CallIndirect) {
          g.calls.push(ins.memTarget >= 0 ? { at: addr, tail: false, slot: ins.memTarget } : { at: addr, tail: false, indirect: true });
        } else if (ins.kind === Kind.JmpIndirect) {
          if (ins.memTarget >= 0) g.calls.push({ at: addr, tail: true, slot: ins.memTarget });
          else {
            g.calls.push({ at: addr, tail: true, indirect: true });
            g.jumpTables.push(addr);
          }
          g.tailSites.add(addr);
        }
        if (flow.tail >= 0) {
          g.calls.push({ at: addr, tail: true, target: flow.tail });
          g.tailSites.add(addr);
          g.found(flow.tail);
        }
        if (flow.into >= 0) {
          // Running off the end into the next function: an edge like a tail call, but the
          // registers at this instruction are those before it, so it carries none.
          g.calls.push({ at: addr, tail: true, target: flow.into, fallthrough: true });
          g.found(flow.into);
        }
        if (ins.kind === Kind.Jcc || ins.kind === Kind.Jmp) {
          // Jumps end a block; their successors are explored as separate work items.
          const succs: number[] = [];
          if (flow.branch >= 0) {
            g.leaders.add(flow.branch);
            succs.push(flow.branch);
          }
          if (flow.falls) {
            g.leaders.add(next);
            succs.push(next);
          }
          if (succs.length > 0) g.succs.set(addr, succs);
          g.work.push(...succs);
          break;
        }
        if (!flow.falls) break;
        addr = next;
      }
    }
  }

  /**
   * The landing pads of the FDEs this function's code lies in (its hot and cold parts) belong to
   * it: the unwinder enters them, with registers this analysis does not know.
   */
  private exploreLandingPads(g: Cfg): void {
    if (this.ctx.landingPads.size === 0) return;
    const done = new Set<number>();
    for (let checked = 0; checked < g.insns.list.length; ) {
      const fdes = new Set<number>();
      for (; checked < g.insns.list.length; checked++) {
        const f = this.ctx.lsdaFdes.rangeOf(g.insns.list[checked].addr);
        if (f && !done.has(f.start)) fdes.add(f.start);
      }
      for (const start of fdes) {
        done.add(start);
        for (const pad of this.ctx.landingPads.get(start) ?? []) {
          if (g.insns.has(pad)) continue;
          if (!g.flow.isIntra(pad)) {
            // A pad that starts a function of its own (a cold part analysed apart): an edge to it.
            g.calls.push({ at: g.entry, tail: true, target: pad });
            g.found(pad);
            continue;
          }
          g.leaders.add(pad);
          g.work.push(pad);
        }
      }
      this.explore(g);
    }
  }

  /**
   * A register jump is most likely a jump table: decode every gap of its function's extent (FDE or
   * declared bounds) too, so that no case block (and no syscall in it) is left unseen.
   */
  private sweepJumpTables(g: Cfg): void {
    const swept = new Set<number>();
    for (const at of g.jumpTables) {
      const bounds = this.ctx.bounds.rangeOf(at) ?? this.untilNextStart(g.entry, at);
      if (!bounds || swept.has(bounds.start)) continue;
      swept.add(bounds.start);
      // Coverage only grows, so each search for the next gap resumes where the last one stopped.
      let from = bounds.start;
      for (let pass = 0; pass < 256; pass++) {
        const gap = firstGap(g.insns, from, bounds.end);
        from = Math.max(from, gap);
        if (gap < 0) break;
        g.leaders.add(gap);
        g.work.push(gap);
        this.explore(g);
        if (!g.insns.has(gap)) break; // undecodable or another function's start
      }
    }
  }

  /**
   * Without an FDE or a sized symbol (musl's static functions: posix_spawn's child reaches its
   * syscalls only through a jump table), a function's cases lie between its entry and the next
   * function start.
   */
  private untilNextStart(entry: number, at: number): { start: number; end: number } | undefined {
    let next = Infinity;
    for (const s of this.starts) if (s > entry && s < next) next = s;
    if (!(at >= entry && at < next) || next - entry > MAX_INFERRED_EXTENT) return undefined;
    return { start: entry, end: next };
  }

  private buildBlocks(g: Cfg): Block[] {
    const sorted = [...g.insns.list].sort((a, b) => a.addr - b.addr);
    const blocks: Block[] = [];
    let cur: Block | undefined;
    for (const ins of sorted) {
      const a = ins.addr;
      if (!cur || g.leaders.has(a) || cur.insns[cur.insns.length - 1].addr + cur.insns[cur.insns.length - 1].len !== a) {
        if (cur) this.closeBlock(g, cur);
        cur = { start: a, insns: [], succs: [] };
        blocks.push(cur);
      }
      cur.insns.push(ins);
    }
    if (cur) this.closeBlock(g, cur);
    // The dataflow starts at the first block: put the entry block first.
    const i = blocks.findIndex((b) => b.start === g.entry);
    if (i > 0) blocks.unshift(...blocks.splice(i, 1));
    return blocks;
  }

  /** A block's successors are the flow step's, restricted to this CFG. */
  private closeBlock(g: Cfg, b: Block): void {
    const last: Insn = b.insns[b.insns.length - 1];
    const explicit = g.succs.get(last.addr);
    if (explicit) b.succs = explicit.filter((s) => g.insns.has(s));
    else if (last.kind !== Kind.Jcc && last.kind !== Kind.Jmp && flowStep(last, g.flow).falls) {
      const next = last.addr + last.len;
      if (g.insns.has(next)) b.succs = [next];
    }
  }
}

function firstGap(insns: FunctionInsns, start: number, end: number): number {
  let addr = start;
  while (addr < end) {
    const ins = insns.get(addr);
    if (!ins) return addr;
    addr += ins.len;
  }
  return -1;
}
