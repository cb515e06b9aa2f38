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
  const byStart = new Map<number, Block>();
  for (const b of blocks) byStart.set(b.start, b);
  const inStates = new Map<number, State>();
  const result: SiteValues = { calls: new Map(), syscalls: new Map() };
  if (blocks.length === 0) return result;
  inStates.set(blocks[0].start, entryState());
  const work: number[] = [blocks[0].start];
  const queued = new Set<number>(work);
  const merges = new Map<number, number>();
  let steps = 0;
  const limit = blocks.length * 200 + 1000;
  const drain = (): void => {
    while (work.length > 0 && steps++ < limit) {
      const start = work.pop()!;
      queued.delete(start);
      const block = byStart.get(start)!;
      const s = inStates.get(start)!.slice();
      for (const ins of block.insns) {
        if (isCallLike(ins, tailSites)) {
          result.calls.set(ins.addr, callRegs.map((r) => s[r]));
        } else if (ins.kind === Kind.Syscall) {
          result.syscalls.set(ins.addr, [s[RAX], ...SYSCALL_ARGS.map((r) => s[r])]);
        }
        if (ins.effect) apply(s, ins.effect);
      }
      for (const succ of block.succs) {
        if (!byStart.has(succ)) continue;
        const old = inStates.get(succ);
        let changed = false;
        if (!old) {
          inStates.set(succ, s.slice());
          changed = true;
        } else {
          // Widening: a block whose entry keeps changing (a loop counter) gives up on the registers that change.
          const widen = (merges.get(succ) ?? 0) > WIDEN_AFTER;
          merges.set(succ, (merges.get(succ) ?? 0) + 1);
          for (let r = 0; r < 16; r++) {
            if (old[r] === TOP || s[r] === old[r]) continue;
            const j = join(old[r], s[r]);
            if (!sameValue(j, old[r])) {
              old[r] = widen ? TOP : j;
              changed = true;
            }
          }
        }
        if (changed && !queued.has(succ)) {
          queued.add(succ);
          work.push(succ);
        }
      }
    }
  };
  drain();
  // Blocks control reaches in ways the CFG does not show (swept gaps behind a jump table) start
  // from "nothing known", never from a guess.
  for (const b of blocks) {
    if (inStates.has(b.start)) continue;
    inStates.set(b.start, new Array(16).fill(TOP));
    work.push(b.start);
    queued.add(b.start);
    drain();
  }
  if (work.length > 0) {
    // Did not converge within the step budget: report every site as unknown rather than guess.
    for (const k of result.calls.keys()) result.calls.set(k, callRegs.map(() => TOP));
    for (const k of result.syscalls.keys()) result.syscalls.set(k, new Array(7).fill(TOP));
  }
  return result;
}
