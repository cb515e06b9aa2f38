// The noreturn proof: whether a call to a function can come back. Some path from its entry must
// reach a `ret`, a tail call, a jump through memory or a register, or the next function's first
// byte, where calls to functions that cannot return end a path. Unknown, recursive or too deep
// means it can: only a proof of the opposite cuts an edge.
import { Kind, type Insn } from '../x86_64/decoder.js';
import { flowStep, type FlowContext } from './flow.js';
import { stubSymbol, type ObjectContext } from './object-context.js';

const MAX_DEPTH = 48;

export class NoreturnProof {
  /** Results, and the functions whose answer is being worked out (recursion). */
  private readonly returns = new Map<number, boolean>();
  private readonly pending = new Set<number>();

  /** `starts` is the live set of function starts (it grows while CFGs are explored). */
  constructor(
    private readonly ctx: ObjectContext,
    private readonly starts: Set<number>,
  ) {}

  /** Whether control comes back from a call instruction: a direct call's target may return, or a call through a slot is not bound to a noreturn import. */
  callReturns(ins: Insn, depth = 0): boolean {
    if (ins.kind === Kind.Call) return this.mayReturn(ins.target, depth);
    return !(ins.memTarget >= 0 && this.ctx.runtime.noreturnImport(this.ctx.symbolSlots.get(ins.memTarget) ?? ''));
  }

  /** Whether a call to `entry` can come back. */
  mayReturn(entry: number, depth = 0): boolean {
    const known = this.returns.get(entry);
    if (known !== undefined) return known;
    if (!this.starts.has(entry) || this.pending.has(entry) || depth > MAX_DEPTH) return true;
    const imported = stubSymbol(this.ctx, entry);
    if (imported !== undefined) return !this.ctx.runtime.noreturnImport(imported);
    const name = this.ctx.names.get(entry);
    if (name !== undefined && this.ctx.runtime.noreturnFunction?.(name)) {
      this.returns.set(entry, false);
      return false;
    }
    this.pending.add(entry);
    const flowCtx: FlowContext = {
      isIntra: (t) => t === entry || !this.starts.has(t),
      callReturns: (ins) => this.callReturns(ins, depth + 1),
    };
    const code = this.ctx.code;
    const seen = new Set<number>();
    const work = [entry];
    let returns = false;
    walk: while (work.length > 0) {
      let addr = work.pop()!;
      while (!seen.has(addr)) {
        const ins = code.isCode(addr) ? code.decode(addr) : undefined;
        if (!ins || ins.kind === Kind.Invalid) break;
        seen.add(addr);
        const flow = flowStep(ins, flowCtx);
        if (flow.leaves) {
          returns = true;
          break walk;
        }
        if (flow.branch >= 0) {
          if (ins.kind === Kind.Jmp) {
            addr = flow.branch;
            continue;
          }
          work.push(flow.branch);
        }
        if (!flow.falls) break;
        addr += ins.len;
      }
    }
    this.pending.delete(entry);
    this.returns.set(entry, returns);
    return returns;
  }
}
