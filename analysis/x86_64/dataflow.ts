// Register dataflow inside one function: which constants (or entry arguments) reach each call
// site and syscall site. Forward, flow-sensitive, joined across blocks to a fixpoint. Registers,
// the stack frame (frame.ts) and the GOT slot a register was loaded from are followed together.
import { Kind, Src, MEM_ABSOLUTE, MEM_RIP, type Insn, type Effect, type MemRef } from './decoder.js';
import { ENTRY_FRAME, EMPTY_FRAME, FrameWriter, frameLoad, joinFrames, type Frame } from './frame.js';
import { TOP, join, sameValue, constant, addConstant, mapConstants, to32, recorded, STACK_ARGS, type Abstract, type Value } from './values.js';
import { RAX, RBX, RDI, RSI, RDX, RCX, RSP, RBP, R8, R9, R10, R11 } from './registers.js';

/** A basic block: consecutive instructions and the blocks control may pass to next. */
export interface Block {
  start: number;
  insns: Insn[];
  succs: number[];
}

/** What the function's object knows that the dataflow may use. */
export interface DataflowContext {
  /** Bytes above rsp at a call that the callee may write (its argument frame), when known; unknown means any slot below the caller's entry rsp. */
  calleeFrame?(call: Insn): number | undefined;
  /** The value of `size` bytes at a data address that nothing can change (read-only, or never written), if so. */
  constantAt?(addr: number, size: number): number | undefined;
}

/** Registers that carry a value in from the caller (System V arguments, plus rax and r10 used by asm wrappers). */
const ENTRY_ARGS = [RAX, RDI, RSI, RDX, RCX, R8, R9, R10];
const SYSCALL_ARGS = [RDI, RSI, RDX, R10, R8, R9];

const WIDEN_AFTER = 4;

/** What the dataflow reports per instruction of interest. */
export interface SiteValues {
  /** At each call / tail jump: values of `regs` (the caller's choice of registers), keyed by instruction address. */
  calls: Map<number, Value[]>;
  /** At each call / tail jump where some stack argument is known: the STACK_ARGS 8-byte words the callee sees at [rsp+8+8k]. */
  stackArgs: Map<number, Value[]>;
  /** At each syscall: [rax, rdi, rsi, rdx, r10, r8, r9]. */
  syscalls: Map<number, Value[]>;
  /**
   * At each `call reg` / `jmp reg` whose register holds, on every path reaching it, the 8 bytes
   * loaded from one RIP-relative address (`mov reg, [rip+S]`): S. Kept apart from `Value` so that
   * a loaded pointer never passes for a number (a syscall number, an argument, a string address).
   */
  slotCalls: Map<number, number>;
}

/** Slot lattice per register: the RIP-relative address its value was loaded from, or NO_SLOT (unknown). */
const NO_SLOT = -1;

/**
 * The walk through one block: registers, the frame, GOT-slot origins, and whether a stack address
 * has escaped on the way here. Before an escape only the function writes its frame; after one, any
 * call, syscall or store through an unknown pointer may write any slot. One walker is reused for
 * every block visit; program points keep copies of its parts.
 */
interface State {
  regs: Abstract[];
  frame: FrameWriter;
  slots: Float64Array;
  escaped: boolean;
}

function applySlots(t: Float64Array, e: Effect): void {
  let m = e.clobber;
  while (m !== 0) {
    const r = 31 - Math.clz32(m);
    t[r] = NO_SLOT;
    m &= ~(1 << r);
  }
  if (e.dst < 0) return;
  // Only an exact 64-bit copy keeps the loaded value; any other write makes it unknown.
  const loadsSlot = e.src === Src.Load && e.mem!.base === MEM_RIP && e.mem!.size === 8;
  t[e.dst] = loadsSlot ? e.mem!.disp : e.src === Src.Copy ? t[e.reg] : NO_SLOT;
  if (e.src === Src.Leave) t[RSP] = NO_SLOT;
}

function entryRegs(): Abstract[] {
  const regs: Abstract[] = new Array(16).fill(TOP);
  for (const r of ENTRY_ARGS) regs[r] = { arg: r };
  regs[RSP] = { sp: 0 };
  return regs;
}

/** The frame offset `mem` names, 'unknown' for a stack address the model cannot pin down, or 'none' for memory outside the frame. */
function frameOffset(s: State, mem: MemRef): number | 'unknown' | 'none' {
  if (mem.base < 0) return 'none';
  const b = s.regs[mem.base];
  if (b !== null && 'sp' in b) return mem.index < 0 ? b.sp + mem.disp : 'unknown';
  // rsp itself unknown (after a stack switch): any slot. rbp not holding a frame address: not the frame.
  return mem.base === RSP ? 'unknown' : 'none';
}

function load(s: State, mem: MemRef, ctx: DataflowContext): Abstract {
  if (mem.base === MEM_RIP || mem.base === MEM_ABSOLUTE) {
    const v = ctx.constantAt?.(mem.disp, mem.size);
    return v === undefined ? TOP : constant(v);
  }
  const off = frameOffset(s, mem);
  return typeof off === 'number' ? frameLoad(s.frame.frame, off, mem.size) : TOP;
}

/** A write to memory: a stack slot gets the stored value (or is forgotten), an unknown stack address forgets the frame. */
function write(s: State, mem: MemRef, value: Abstract): void {
  const off = frameOffset(s, mem);
  if (off === 'none') {
    // A stack address stored outside the frame has escaped.
    if (isFrameAddress(value)) s.escaped = true;
    if (s.escaped && mem.base >= 0) s.frame.clear();
    return;
  }
  if (off === 'unknown' || mem.size === 0) s.frame.clear();
  else s.frame.store(off, mem.size, mem.size === 4 ? to32(value) : value);
}

function isFrameAddress(v: Abstract): boolean {
  return v !== null && 'sp' in v;
}

/** Whether a register of `mask` holds a stack address. */
function holdsFrameAddress(s: State, mask: number): boolean {
  for (let m = mask; m !== 0; ) {
    const r = 31 - Math.clz32(m);
    if (isFrameAddress(s.regs[r])) return true;
    m &= ~(1 << r);
  }
  return false;
}

// The registers a call passes values in: System V's arguments (with rax for varargs and r10 for
// a static chain) and Go's register ABI (rax, rbx, rcx, rdi, rsi, r8-r11, rdx for a closure). A
// callee finds its inputs there; what the others hold is preserved for the caller or garbage.
const CALL_VISIBLE = [RAX, RBX, RCX, RDX, RSI, RDI, R8, R9, R10, R11].reduce((m, r) => m | (1 << r), 0);
const SYSCALL_ARG_MASK = SYSCALL_ARGS.reduce((m, r) => m | (1 << r), 0);

function storedValue(s: State, mem: MemRef): Abstract {
  if (mem.storeReg !== undefined) return s.regs[mem.storeReg];
  if (mem.storeImm !== undefined) return constant(mem.storeImm);
  return TOP;
}

function push(s: State, value: Abstract): void {
  const sp = s.regs[RSP];
  if (sp === null || !('sp' in sp)) {
    s.frame.clear();
    return;
  }
  s.regs[RSP] = { sp: sp.sp - 8 };
  s.frame.store(sp.sp - 8, 8, value);
}

function pop(s: State): Abstract {
  const sp = s.regs[RSP];
  if (sp === null || !('sp' in sp)) return TOP;
  s.regs[RSP] = { sp: sp.sp + 8 };
  return frameLoad(s.frame.frame, sp.sp, 8);
}

function apply(s: State, e: Effect, ctx: DataflowContext): void {
  const r = s.regs;
  let m = e.clobber;
  while (m !== 0) {
    const k = 31 - Math.clz32(m);
    r[k] = TOP;
    m &= ~(1 << k);
  }
  switch (e.src) {
    case Src.Push:
      push(s, e.reg >= 0 ? r[e.reg] : Number.isNaN(e.imm) ? TOP : constant(e.imm));
      return;
    case Src.Pop: {
      const v = pop(s);
      if (e.dst >= 0) r[e.dst] = v;
      return;
    }
    case Src.Leave:
      r[RSP] = r[RBP];
      r[RBP] = pop(s);
      return;
    case Src.SpAdjust: {
      const before = r[RSP];
      r[RSP] = addConstant(before, e.imm);
      if (e.imm < 0) {
        if (before !== null && 'sp' in before) s.frame.forget(before.sp + e.imm, before.sp);
        else s.frame.clear();
      }
      return;
    }
    default:
      break;
  }
  if (e.writesUnknown && (s.escaped || (e.writeBase !== undefined && e.writeBase >= 0 && isFrameAddress(s.regs[e.writeBase])))) s.frame.clear();
  // A store happens before dst is written (dst is never the memory operand's base here).
  if (e.mem?.write) write(s, e.mem, storedValue(s, e.mem));
  if (e.dst < 0) return;
  switch (e.src) {
    case Src.Const:
      r[e.dst] = constant(e.imm);
      break;
    case Src.Copy:
      r[e.dst] = r[e.reg];
      break;
    case Src.Copy32:
      r[e.dst] = to32(r[e.reg]);
      break;
    case Src.AddImm:
      r[e.dst] = addConstant(r[e.dst], e.imm);
      break;
    case Src.Load:
      r[e.dst] = load(s, e.mem!, ctx);
      break;
    case Src.Lea:
      r[e.dst] = addConstant(r[e.mem!.base], e.mem!.disp);
      break;
    case Src.SetLow: {
      const mask = e.reg === 8 ? 0xff : 0xffff;
      const v = r[e.dst];
      r[e.dst] = v !== null && 'c' in v ? mapConstants(v, (c) => c - (c % (mask + 1)) + e.imm) : TOP;
      break;
    }
    default:
      r[e.dst] = TOP;
  }
}

/**
 * A call: the callee may write its argument frame (or, when its size is unknown, anything below
 * the caller's entry rsp); once a stack address has escaped, any slot.
 */
function callWrites(s: State, ins: Insn, ctx: DataflowContext): void {
  const sp = s.regs[RSP];
  // A stack address handed to the callee (in a register or a stack argument) escapes.
  if (!s.escaped && holdsFrameAddress(s, CALL_VISIBLE)) s.escaped = true;
  if (!s.escaped && sp !== null && 'sp' in sp) {
    for (let k = 0; k < STACK_ARGS && !s.escaped; k++) if (isFrameAddress(frameLoad(s.frame.frame, sp.sp + 8 * k, 8))) s.escaped = true;
  }
  if (s.escaped || sp === null || !('sp' in sp)) {
    s.frame.clear();
    return;
  }
  const size = ctx.calleeFrame?.(ins);
  if (size === undefined) s.frame.forgetBelow(0);
  else if (size > 0) s.frame.forget(sp.sp, sp.sp + size);
}

/** The 8-byte words a callee finds at [rsp+8+8k]: from rsp at a call (above the return address), from rsp+8 at a tail jump. */
function stackArgs(s: State, tail: boolean): Value[] | undefined {
  const sp = s.regs[RSP];
  if (sp === null || !('sp' in sp)) return undefined;
  const base = sp.sp + (tail ? 8 : 0);
  let any = false;
  const out: Value[] = [];
  for (let k = 0; k < STACK_ARGS; k++) {
    const v = recorded(frameLoad(s.frame.frame, base + 8 * k, 8));
    if (v !== null) any = true;
    out.push(v);
  }
  return any ? out : undefined;
}

/**
 * The edge of a block ending in `test r,r` or `cmp r,imm` then je/jne on which r is known:
 * the jump target for je, the fall-through for jne; undefined when both lead to the same block.
 */
function refinement(block: Block, indexOf: Map<number, number>): { succ: number; reg: number; imm: number } | undefined {
  const n = block.insns.length;
  if (n < 2) return undefined;
  const jump = block.insns[n - 1];
  const cmp = block.insns[n - 2].compare;
  if (jump.kind !== Kind.Jcc || jump.jumpIfEqual === undefined || !cmp) return undefined;
  const next = jump.addr + jump.len;
  if (jump.target === next) return undefined;
  const succ = indexOf.get(jump.jumpIfEqual ? jump.target : next);
  return succ === undefined ? undefined : { succ, reg: cmp.reg, imm: cmp.imm };
}

function withValue(regs: Abstract[], reg: number, imm: number): Abstract[] {
  const out = regs.slice();
  out[reg] = constant(imm);
  return out;
}

function isCallLike(ins: Insn, tailTargets: Set<number>): boolean {
  return ins.kind === Kind.Call || ins.kind === Kind.CallIndirect || tailTargets.has(ins.addr);
}


/** Runs the dataflow over `blocks` (entry block first) and returns the values at call and syscall sites. */
export function runDataflow(blocks: Block[], callRegs: number[], tailSites: Set<number>, ctx: DataflowContext = {}): SiteValues {
  const result: SiteValues = { calls: new Map(), stackArgs: new Map(), syscalls: new Map(), slotCalls: new Map() };
  if (blocks.length === 0) return result;
  // Blocks are numbered once so that the fixpoint runs on arrays, not on maps keyed by address.
  const indexOf = new Map<number, number>();
  blocks.forEach((b, i) => indexOf.set(b.start, i));
  const succs = blocks.map((b) => {
    const out: number[] = [];
    for (const s of b.succs) {
      const i = indexOf.get(s);
      if (i !== undefined) out.push(i);
    }
    return out;
  });
  // Per instruction: 1 call-like, 2 syscall, 0 neither (decided once, not on every visit).
  const roles = blocks.map((b) => b.insns.map((ins) => (isCallLike(ins, tailSites) ? 1 : ins.kind === Kind.Syscall ? 2 : 0)));
  // Per block entry: registers, GOT-slot origins, frame, whether a stack address escaped before it.
  const inRegs: (Abstract[] | undefined)[] = new Array(blocks.length);
  const inSlots: (Float64Array | undefined)[] = new Array(blocks.length);
  const inFrames: Frame[] = new Array(blocks.length);
  const inEscaped = new Uint8Array(blocks.length);
  inRegs[0] = entryRegs();
  inSlots[0] = new Float64Array(16).fill(NO_SLOT);
  inFrames[0] = ENTRY_FRAME;
  const s: State = { regs: [], frame: new FrameWriter(), slots: inSlots[0], escaped: false };
  const work: number[] = [0];
  const queued = new Uint8Array(blocks.length);
  queued[0] = 1;
  const merges = new Int32Array(blocks.length);
  let steps = 0;
  const limit = blocks.length * 200 + 1000;
  const drain = (): void => {
    while (work.length > 0 && steps++ < limit) {
      const bi = work.pop()!;
      queued[bi] = 0;
      const block = blocks[bi];
      const role = roles[bi];
      s.regs = inRegs[bi]!.slice();
      s.slots = inSlots[bi]!.slice();
      s.frame.reset(inFrames[bi]);
      s.escaped = inEscaped[bi] === 1;
      const insns = block.insns;
      for (let k = 0; k < insns.length; k++) {
        const ins = insns[k];
        if (role[k] === 1) {
          // The last visit of a block is at the fixpoint: it decides.
          result.calls.set(ins.addr, callRegs.map((reg) => recorded(s.regs[reg])));
          const tail = ins.kind !== Kind.Call && ins.kind !== Kind.CallIndirect;
          const sa = stackArgs(s, tail);
          if (sa) result.stackArgs.set(ins.addr, sa);
          else result.stackArgs.delete(ins.addr);
          if (ins.branchReg >= 0 && (ins.kind === Kind.CallIndirect || ins.kind === Kind.JmpIndirect)) {
            const slot = s.slots[ins.branchReg];
            if (slot === NO_SLOT) result.slotCalls.delete(ins.addr);
            else result.slotCalls.set(ins.addr, slot);
          }
          if (!tail) callWrites(s, ins, ctx);
        } else if (role[k] === 2) {
          result.syscalls.set(ins.addr, [recorded(s.regs[RAX]), ...SYSCALL_ARGS.map((reg) => recorded(s.regs[reg]))]);
          // The kernel writes through the pointers it is given (read into a stack buffer).
          if (s.escaped || holdsFrameAddress(s, SYSCALL_ARG_MASK)) s.frame.clear();
        }
        // An instruction the model does not follow exactly, reading a stack address: it escapes.
        if (ins.reads !== 0 && !s.escaped && holdsFrameAddress(s, ins.reads)) s.escaped = true;
        if (ins.effect) {
          applySlots(s.slots, ins.effect);
          apply(s, ins.effect, ctx);
        }
      }
      const frame = s.frame.share();
      const refined = refinement(block, indexOf);
      for (const succ of succs[bi]) {
        // On the edge where a compared register is known to equal the value, it holds it.
        const outRegs = refined && refined.succ === succ ? withValue(s.regs, refined.reg, refined.imm) : s.regs;
        const regs = inRegs[succ];
        let changed = false;
        if (!regs) {
          inRegs[succ] = outRegs.slice();
          inSlots[succ] = s.slots.slice();
          inFrames[succ] = frame;
          inEscaped[succ] = s.escaped ? 1 : 0;
          changed = true;
        } else {
          const oldSlots = inSlots[succ]!;
          for (let r = 0; r < 16; r++) {
            if (oldSlots[r] !== NO_SLOT && oldSlots[r] !== s.slots[r]) {
              oldSlots[r] = NO_SLOT;
              changed = true;
            }
          }
          // Widening: a block whose entry keeps changing (a loop counter) gives up on the registers that change.
          const widen = merges[succ] > WIDEN_AFTER;
          merges[succ]++;
          for (let r = 0; r < 16; r++) {
            if (regs[r] === TOP || outRegs[r] === regs[r]) continue;
            const j = join(regs[r], outRegs[r]);
            if (!sameValue(j, regs[r])) {
              regs[r] = widen ? TOP : j;
              changed = true;
            }
          }
          const joined = joinFrames(inFrames[succ], frame, widen);
          if (joined !== inFrames[succ]) {
            inFrames[succ] = joined;
            changed = true;
          }
          if (s.escaped && inEscaped[succ] === 0) {
            inEscaped[succ] = 1;
            changed = true;
          }
        }
        if (changed && !queued[succ]) {
          queued[succ] = 1;
          work.push(succ);
        }
      }
    }
  };
  drain();
  // Blocks control reaches in ways the CFG does not show (swept gaps behind a jump table) start
  // from "nothing known", never from a guess.
  for (let bi = 0; bi < blocks.length; bi++) {
    if (inRegs[bi]) continue;
    inRegs[bi] = new Array(16).fill(TOP);
    inSlots[bi] = new Float64Array(16).fill(NO_SLOT);
    inFrames[bi] = EMPTY_FRAME;
    inEscaped[bi] = 1;
    work.push(bi);
    queued[bi] = 1;
    drain();
  }
  if (work.length > 0) {
    // Did not converge within the step budget: report every site as unknown rather than guess.
    for (const k of result.calls.keys()) result.calls.set(k, callRegs.map(() => TOP));
    for (const k of result.syscalls.keys()) result.syscalls.set(k, new Array(7).fill(TOP));
    result.stackArgs.clear();
    result.slotCalls.clear();
  }
  return result;
}
