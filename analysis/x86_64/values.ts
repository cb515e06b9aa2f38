// The abstract values tracked per register: a small set of constants, the value an argument
// register had at function entry, or unknown. Kept as plain JSON so facts can be cached on disk.

/** Unknown value. */
export const TOP = null;

/**
 * A value: null (unknown), {c: sorted constants}, or {arg: L} for what location L held at function
 * entry: a register (hardware index 0-15) or, from STACK_ARG_BASE on, a stack argument.
 */
export type Value = null | { c: number[] } | { arg: number };

/** {arg: STACK_ARG_BASE + k}: the k-th 8-byte stack argument, at [rsp+8+8k] on entry (Go's ABI0, C's 7th argument on). */
export const STACK_ARG_BASE = 16;
/** Stack arguments tracked per call site (and at entry). */
export const STACK_ARGS = 8;

const GPR = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];

/** How a report names an argument location: a register, or the stack argument as the callee sees it. */
export function locationName(loc: number): string {
  return loc < STACK_ARG_BASE ? GPR[loc] : `[rsp+${8 + 8 * (loc - STACK_ARG_BASE)}]`;
}

/**
 * Inside one function's dataflow only: an address in its stack frame, as the offset from rsp at
 * entry. It never leaves the dataflow (sites record it as unknown): a stack address is no number.
 */
export type FrameAddress = { sp: number };

/** What a register or a stack slot holds during the dataflow. */
export type Abstract = Value | FrameAddress;

/** More constants than this at one point means "unknown": keeps fixpoints short and facts small. */
export const MAX_CONSTANTS = 16;

/** A single constant. */
export function constant(v: number): Value {
  return { c: [v] };
}

/** Least upper bound of two values. */
export function join(a: Abstract, b: Abstract): Abstract {
  if (a === null || b === null) return null;
  if ('sp' in a) return 'sp' in b && b.sp === a.sp ? a : null;
  if ('sp' in b) return null;
  if ('arg' in a) return 'arg' in b && b.arg === a.arg ? a : null;
  if ('arg' in b) return null;
  if (a.c.length === b.c.length && a.c.every((v, i) => v === b.c[i])) return a;
  const merged = [...new Set([...a.c, ...b.c])].sort((x, y) => x - y);
  return merged.length > MAX_CONSTANTS ? null : { c: merged };
}

/** Structural equality. */
export function sameValue(a: Abstract, b: Abstract): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  if ('sp' in a) return 'sp' in b && a.sp === b.sp;
  if ('sp' in b) return false;
  if ('arg' in a) return 'arg' in b && a.arg === b.arg;
  if ('arg' in b) return false;
  return a.c.length === b.c.length && a.c.every((v, i) => v === b.c[i]);
}

/** Applies f to every constant (unknown and argument values stay as they are only when f is identity-safe). */
export function mapConstants(a: Abstract, f: (v: number) => number): Value {
  if (a === null || 'arg' in a || 'sp' in a) return null;
  return { c: [...new Set(a.c.map(f))].sort((x, y) => x - y) };
}

/** Truncates constants to 32 bits, as a write to a 32-bit register does. */
export function to32(a: Abstract): Value {
  if (a === null || 'sp' in a) return null;
  if ('arg' in a) return a;
  return mapConstants(a, (v) => (v >= 0 && v <= 0xffffffff ? v : Number(BigInt.asUintN(32, BigInt(Math.trunc(v))))));
}

/** Adds a constant: to every constant, or to a frame address (rsp arithmetic, lea); anything else is unknown. */
export function addConstant(a: Abstract, k: number): Abstract {
  if (a !== null && 'sp' in a) return { sp: a.sp + k };
  return mapConstants(a, (v) => v + k);
}

/** The value as a site records it: frame addresses are unknown outside the dataflow. */
export function recorded(a: Abstract): Value {
  return a !== null && 'sp' in a ? null : a;
}
