// Per-object facts: everything about one ELF file that does not depend on the image it sits in.
// Plain JSON so that it can be cached on disk keyed by the file's sha256.
import { STACK_ARG_BASE, type Value } from '../x86_64/values.js';
import type { RuntimeName } from './runtimes/types.js';
import type { DataLayout } from './data-objects.js';

/** Registers whose values are tracked into call sites and syscall sites (hardware indexes). */
export const TRACKED_REGS = [0, 7, 6, 2, 1, 8, 9, 10]; // rax rdi rsi rdx rcx r8 r9 r10

/** A call or a tail jump out of a function. Exactly one of target/slot/indirect describes where it goes. */
export interface CallSite {
  at: number;
  tail: boolean;
  /** Direct target address in this object. */
  target?: number;
  /**
   * RIP-relative memory slot holding the target (PLT/GOT): resolved through relocations at link time.
   * Also set for `call reg` / `jmp reg` when the register provably holds the value loaded from a
   * GOT slot on every path to the site.
   */
  slot?: number;
  /** Control falls off the end of this function into the next one (no jump instruction). */
  fallthrough?: true;
  /** Through a register or non-RIP memory: may reach any address-taken function. */
  indirect?: true;
  /** Values of TRACKED_REGS at the site, same order; omitted when all are unknown. */
  regs?: Value[];
  /** The 8-byte stack arguments the callee finds at [rsp+8+8k] (STACK_ARGS of them); omitted when all are unknown. */
  stack?: Value[];
}

/** What a call site passes in argument location `loc` (a register, or STACK_ARG_BASE + k): null when unknown. */
export function passedAt(call: CallSite, loc: number): Value {
  if (loc >= STACK_ARG_BASE) return call.stack?.[loc - STACK_ARG_BASE] ?? null;
  const i = TRACKED_REGS.indexOf(loc);
  return i < 0 ? null : (call.regs?.[i] ?? null);
}

/** A `syscall` instruction with the abstract value of rax (the number) and of the argument registers. */
export interface SyscallSite {
  at: number;
  nr: Value;
  /** Why the runtime declares the number: a site that is no instruction (runtimes/: impliedSyscalls), or one whose number it loads from memory only the runtime fills (loadedNumbers). */
  implied?: string;
  /** rdi rsi rdx r10 r8 r9 at the site, omitted when all unknown. */
  args?: Value[];
}

/** One function of an object. */
export interface FunctionFacts {
  entry: number;
  /** Name from the symbol tables, or `name@plt` for a PLT stub. */
  name?: string;
  /** Bounds used while decoding (from an FDE or a sized symbol), when there were any. */
  end?: number;
  calls: CallSite[];
  syscalls: SyscallSite[];
  /** Executable addresses whose value this function takes (lea, immediates): address-taken if it is reachable. */
  pointers?: number[];
  /** The instruction that takes each of `pointers` (same order): the evidence an indirect edge shows. */
  pointerAt?: number[];
  /** GOT slots (with symbol relocations) this function reads as data: the bound function becomes address-taken. */
  slotReads?: number[];
  /** Pointer-holding data regions (ObjectFacts.data) this function refers to: live once it is reached. */
  dataUses?: number[];
  /** Instructions decoded. */
  size: number;
  /** Why decoding stopped early somewhere, e.g. invalid bytes. */
  problems?: string[];
}

/** A range of executable bytes that no discovered function covers (not padding). */
export interface UncoveredRange {
  start: number;
  end: number;
  /** Whether the bytes contain 0f 05 (a possible hidden syscall instruction). */
  syscallBytes: boolean;
}

/** Everything the analysis knows about one object, independent of any image. */
export interface ObjectFacts {
  /** Bumped whenever the analysis changes what it records, so stale cache entries are ignored. */
  version: number;
  sha256: string;
  functions: FunctionFacts[];
  /** Functions whose address sits in relocated data (RELATIVE/RELR/IRELATIVE addends, local R_X86_64_64). */
  relocPointers: number[];
  /** Where those pointers are stored, cut into data objects (design rule 9); absent: every one counts as live. */
  data?: DataLayout;
  uncovered: UncoveredRange[];
  uncoveredBytes: number;
  instructions: number;
  /** The runtime the object's code is built on (runtimes/). */
  runtime: RuntimeName;
  /** Functions the runtime itself may call through pointers it makes at run time (Go's methods: itabs built by getitab, reflection). */
  runtimeTaken?: number[];
  /** Functions whose syscall numbers are those another function makes first (runtimes/: mirroredSyscalls). */
  mirrors?: { function: number; repeats: number; why: string }[];
}

export const FACTS_VERSION = 17;
