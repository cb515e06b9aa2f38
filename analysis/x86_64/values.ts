// The abstract values tracked per register: a small set of constants, the value an argument
// register had at function entry, or unknown. Kept as plain JSON so facts can be cached on disk.

/** Unknown value. */
export const TOP = null;

/** A value: null (unknown), {c: sorted constants}, or {arg: register index at function entry}. */
export type Value = null | { c: number[] } | { arg: number };

/** More constants than this at one point means "unknown": keeps fixpoints short and facts small. */
export const MAX_CONSTANTS = 16;

/** A single constant. */
export function constant(v: number): Value {
  return { c: [v] };
}

/** Least upper bound of two values. */
export function join(a: Value, b: Value): Value {
  if (a === null || b === null) return null;
  if ('arg' in a) return 'arg' in b && b.arg === a.arg ? a : null;
  if ('arg' in b) return null;
  if (a.c.length === b.c.length && a.c.every((v, i) => v === b.c[i])) return a;
  const merged = [...new Set([...a.c, ...b.c])].sort((x, y) => x - y);
  return merged.length > MAX_CONSTANTS ? null : { c: merged };
}

/** Structural equality. */
export function sameValue(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  if ('arg' in a) return 'arg' in b && a.arg === b.arg;
  if ('arg' in b) return false;
  return a.c.length === b.c.length && a.c.every((v, i) => v === b.c[i]);
}

/** Applies f to every constant (unknown and argument values stay as they are only when f is identity-safe). */
export function mapConstants(a: Value, f: (v: number) => number): Value {
  if (a === null || 'arg' in a) return null;
  return { c: [...new Set(a.c.map(f))].sort((x, y) => x - y) };
}

/** Truncates constants to 32 bits, as a write to a 32-bit register does. */
export function to32(a: Value): Value {
  if (a === null || 'arg' in a) return a;
  return mapConstants(a, (v) => (v >= 0 && v <= 0xffffffff ? v : Number(BigInt.asUintN(32, BigInt(Math.trunc(v))))));
}
