// Register dataflow inside one function: which constants (or entry arguments) reach each call
// site and syscall site. Forward, flow-sensitive, joined across blocks to a fixpoint.
import { Kind, type Insn, type Effect } from './decoder.js';
import { TOP, join, sameValue, constant, mapConstants, to32, type Value } from './values.js';
import { RAX, RDI, RSI, RDX, RCX, R8, R9, R10 } from './registers.js';

/** A basic block: consecutive instructions and the blocks control may pass to next. */
export interface Block {
  start: number;
  insns: Insn[];
  succs: number[];
}

/** Registers that carry a value in from the caller (System V arguments, plus rax and r10 used by asm wrappers). */
const ENTRY_ARGS = [RAX, RDI, RSI, RDX, RCX, R8, R9, R10];
const SYSCALL_ARGS = [RDI, RSI, RDX, R10, R8, R9];

type State = Value[];

const WIDEN_AFTER = 4;

/** What the dataflow reports per instruction of interest. */
export interface SiteValues {
  /** At each call / tail jump: values of `regs` (the caller's choice of registers), keyed by instruction address. */
  calls: Map<number, Value[]>;
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

function applySlots(t: Float64Array, e: Effect): void {
  let m = e.clobber;
  while (m !== 0) {
    const r = 31 - Math.clz32(m);
    t[r] = NO_SLOT;
    m &= ~(1 << r);
  }
  if (e.dst < 0) return;
  // Only an exact 64-bit copy keeps the loaded value; any other write makes it unknown.
  t[e.dst] = e.src === 5 ? e.imm : e.src === 2 ? t[e.reg] : NO_SLOT;
}

function entryState(): State {
  const s: State = new Array(16).fill(TOP);
  for (const r of ENTRY_ARGS) s[r] = { arg: r };
  return s;
}

function apply(s: State, e: Effect): void {
  let m = e.clobber;
  while (m !== 0) {
    const r = 31 - Math.clz32(m);
    s[r] = TOP;
    m &= ~(1 << r);
  }
  if (e.dst < 0) return;
  switch (e.src) {
    case 1:
      s[e.dst] = constant(e.imm);
      break;
    case 2:
      s[e.dst] = s[e.reg];
      break;
    case 4:
      s[e.dst] = to32(s[e.reg]);
      break;
    case 3:
      s[e.dst] = mapConstants(s[e.dst], (v) => v + e.imm);
      break;
    default:
      s[e.dst] = TOP;
  }
}

function isCallLike(ins: Insn, tailTargets: Set<number>): boolean {
  return ins.kind === Kind.Call || ins.kind === Kind.CallIndirect || tailTargets.has(ins.addr);
}

/** Runs the dataflow over `blocks` (entry block first) and returns the values at call and syscall sites. */
export function runDataflow(blocks: Block[], callRegs: number[], tailSites: Set<number>): SiteValues {
  const result: SiteValues = { calls: new Map(), syscalls: new Map(), slotCalls: new Map() };
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
  const inStates: (State | undefined)[] = new Array(blocks.length);
  inStates[0] = entryState();
  // The slot lattice runs alongside, in its own arrays (set exactly when inStates is).
  const inSlots: (Float64Array | undefined)[] = new Array(blocks.length);
  inSlots[0] = new Float64Array(16).fill(NO_SLOT);
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
      const s = inStates[bi]!.slice();
      const t = inSlots[bi]!.slice();
      const insns = block.insns;
      for (let k = 0; k < insns.length; k++) {
        const ins = insns[k];
        if (role[k] === 1) {
          result.calls.set(ins.addr, callRegs.map((r) => s[r]));
          if (ins.branchReg >= 0 && (ins.kind === Kind.CallIndirect || ins.kind === Kind.JmpIndirect)) {
            // The last visit of a block is at the fixpoint: it decides.
            const slot = t[ins.branchReg];
            if (slot === NO_SLOT) result.slotCalls.delete(ins.addr);
            else result.slotCalls.set(ins.addr, slot);
          }
        } else if (role[k] === 2) {
          result.syscalls.set(ins.addr, [s[RAX], ...SYSCALL_ARGS.map((r) => s[r])]);
        }
        if (ins.effect) {
          apply(s, ins.effect);
          applySlots(t, ins.effect);
        }
      }
      for (const succ of succs[bi]) {
        const old = inStates[succ];
        let changed = false;
        if (!old) {
          inStates[succ] = s.slice();
          inSlots[succ] = t.slice();
          changed = true;
        } else {
          const oldSlots = inSlots[succ]!;
          for (let r = 0; r < 16; r++) {
            if (oldSlots[r] !== NO_SLOT && oldSlots[r] !== t[r]) {
              oldSlots[r] = NO_SLOT;
              changed = true;
            }
          }
          // Widening: a block whose entry keeps changing (a loop counter) gives up on the registers that change.
          const widen = merges[succ] > WIDEN_AFTER;
          merges[succ]++;
          for (let r = 0; r < 16; r++) {
            if (old[r] === TOP || s[r] === old[r]) continue;
            const j = join(old[r], s[r]);
            if (!sameValue(j, old[r])) {
              old[r] = widen ? TOP : j;
              changed = true;
            }
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
    if (inStates[bi]) continue;
    inStates[bi] = new Array(16).fill(TOP);
    inSlots[bi] = new Float64Array(16).fill(NO_SLOT);
    work.push(bi);
    queued[bi] = 1;
    drain();
  }
  if (work.length > 0) {
    // Did not converge within the step budget: report every site as unknown rather than guess.
    for (const k of result.calls.keys()) result.calls.set(k, callRegs.map(() => TOP));
    for (const k of result.syscalls.keys()) result.syscalls.set(k, new Array(7).fill(TOP));
    result.slotCalls.clear();
  }
  return result;
}
