// A syscall's argument rules (args/restricted-arguments.ts) as seccomp conditions, the same in every
// export format: each alternative is one allow rule, its conditions ANDed. Only the low 32 bits are
// compared (SCMP_CMP_MASKED_EQ with 0xffffffff, or with the disallowed bits of a flags argument):
// every argument of the table is a C int or unsigned int, whose upper register half the x86-64 ABI
// leaves undefined. One argument per syscall is restricted (the table's first one with a rule),
// so rules never multiply.
import type { ArgumentRule } from '../args/restricted-arguments.js';

export interface SeccompArg {
  index: number;
  value: number;
  valueTwo: number;
  op: 'SCMP_CMP_MASKED_EQ';
}

const LOW32 = 0xffffffff;
/** More alternatives than this is a long list for little: the syscall is allowed without one. */
const MAX_ALTERNATIVES = 16;

function allowedBits(r: ArgumentRule): number {
  let allowed = 0;
  for (const v of r.values) allowed = (allowed | v) >>> 0;
  return allowed;
}

/** Whether a rule can be written as seccomp conditions: 32-bit values, and a flags rule that excludes some bit. */
function usable(r: ArgumentRule): boolean {
  if (r.values.length === 0 || r.values.some((v) => !Number.isInteger(v) || v < 0 || v > LOW32)) return false;
  return r.kind === 'flags' ? allowedBits(r) !== LOW32 : r.values.length <= MAX_ALTERNATIVES;
}

/** The argument (by index) whose rule an export enforces: the first usable one; undefined: none. */
export function enforcedArgument(rules: readonly ArgumentRule[] | undefined): number | undefined {
  return (rules ?? []).find(usable)?.index;
}

/** The alternatives for an allowed syscall; empty: allowed with any arguments. */
export function seccompArgs(rules: readonly ArgumentRule[] | undefined): SeccompArg[][] {
  const r = (rules ?? []).find(usable);
  if (!r) return [];
  if (r.kind === 'flags') return [[{ index: r.index, value: ~allowedBits(r) >>> 0, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }]];
  return r.values.map((v) => [{ index: r.index, value: LOW32, valueTwo: v, op: 'SCMP_CMP_MASKED_EQ' }]);
}

/** How the alternatives seccompArgs(rules) gave read in a comment: "family (arg 0) one of 0x1, 0x2, 0xa". */
export function argumentText(rules: readonly ArgumentRule[], alts: readonly SeccompArg[][]): string | undefined {
  if (alts.length === 0) return undefined;
  const a = alts[0][0];
  const r = rules.find((x) => x.index === a.index)!;
  return r.kind === 'flags' ? `${r.name} (arg ${r.index}) only with bits of 0x${(~a.value >>> 0).toString(16)}` : `${r.name} (arg ${r.index}) one of ${alts.map((x) => `0x${x[0].valueTwo.toString(16)}`).join(', ')}`;
}
