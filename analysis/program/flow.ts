// The one per-instruction flow step: where control can go after an instruction, seen from the
// function being walked. Function discovery, the noreturn proof and CFG exploration all take their
// control flow from here, so they cannot disagree on it; what differs between them is only what
// they know (which addresses start other functions, which calls come back), passed in as a context.
import { Kind, type Insn } from '../x86_64/decoder.js';

/** What a walk knows while it steps through one function. */
export interface FlowContext {
  /** Whether an address belongs to the function being walked (not another function's start). */
  isIntra(addr: number): boolean;
  /** Whether control comes back from this call instruction (direct or through memory). */
  callReturns(ins: Insn): boolean;
}

/** The successors of one instruction. The step reuses one object: read it before the next step. */
export interface Flow {
  /** Control continues at the next instruction, inside this function. */
  falls: boolean;
  /** A direct jump target inside this function (jcc/jmp), or -1. */
  branch: number;
  /** A direct jump into another function (a tail call, conditional for a jcc), or -1. */
  tail: number;
  /** The function starting right after this instruction, when control runs off into it, or -1. */
  into: number;
  /** A direct call target, or -1. */
  call: number;
  /** Control leaves for this function's caller or for code the walk cannot see: ret, tail jumps, jumps through memory or registers. */
  leaves: boolean;
}

const flow: Flow = { falls: false, branch: -1, tail: -1, into: -1, call: -1, leaves: false };

/** The flow step (see Flow; the result is overwritten by the next call). */
export function flowStep(ins: Insn, ctx: FlowContext): Flow {
  // Asked first: the answer may come from walking other functions, which steps through them.
  const returns = ins.kind === Kind.Call || ins.kind === Kind.CallIndirect ? ctx.callReturns(ins) : false;
  const f = flow;
  f.falls = false;
  f.branch = -1;
  f.tail = -1;
  f.into = -1;
  f.call = -1;
  f.leaves = false;
  switch (ins.kind) {
    case Kind.Jcc:
      if (ctx.isIntra(ins.target)) f.branch = ins.target;
      else {
        f.tail = ins.target;
        f.leaves = true;
      }
      f.falls = true;
      break;
    case Kind.Jmp:
      if (ctx.isIntra(ins.target)) f.branch = ins.target;
      else {
        f.tail = ins.target;
        f.leaves = true;
      }
      break;
    case Kind.JmpIndirect:
    case Kind.Ret:
      f.leaves = true;
      break;
    case Kind.Call:
      f.call = ins.target;
      f.falls = returns;
      break;
    case Kind.CallIndirect:
      f.falls = returns;
      break;
    case Kind.Stop: // hlt, ud2, int3: the path ends
    case Kind.Invalid:
      break;
    default:
      f.falls = true;
  }
  if (f.falls) {
    const next = ins.addr + ins.len;
    if (!ctx.isIntra(next)) {
      // The next byte starts another function: control runs into it, an edge like a tail call.
      f.falls = false;
      f.into = next;
      f.leaves = true;
    }
  }
  return f;
}
