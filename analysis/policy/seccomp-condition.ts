// One seccomp argument comparison as profiles write it (libseccomp's struct scmp_arg_cmp, Docker's and
// the OCI spec's `args` entries), and what it lets through. The kernel compares the full 64-bit
// register; a profile's rule is a list of alternatives (allow entries for the same syscall), each
// an AND of comparisons.

export type SeccompOp = 'SCMP_CMP_NE' | 'SCMP_CMP_LT' | 'SCMP_CMP_LE' | 'SCMP_CMP_EQ' | 'SCMP_CMP_GE' | 'SCMP_CMP_GT' | 'SCMP_CMP_MASKED_EQ';

export const SECCOMP_OPS: readonly SeccompOp[] = ['SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ'];

export interface SeccompCondition {
  index: number;
  value: number;
  /** MASKED_EQ: what the masked argument must equal. */
  valueTwo?: number;
  op: SeccompOp;
}

/**
 * How a policy allows one syscall: null, with any arguments; otherwise the alternatives, one of
 * which the call must meet. A syscall absent from the map is denied.
 */
export type AllowedSyscalls = ReadonlyMap<string, readonly (readonly SeccompCondition[])[] | null>;

const U64 = (n: number): bigint => BigInt.asUintN(64, BigInt(n));

/** Whether argument value `x` meets the comparison. */
export function holds(c: SeccompCondition, x: number | bigint): boolean {
  const a = BigInt.asUintN(64, BigInt(x));
  const v = U64(c.value);
  switch (c.op) {
    case 'SCMP_CMP_NE':
      return a !== v;
    case 'SCMP_CMP_LT':
      return a < v;
    case 'SCMP_CMP_LE':
      return a <= v;
    case 'SCMP_CMP_EQ':
      return a === v;
    case 'SCMP_CMP_GE':
      return a >= v;
    case 'SCMP_CMP_GT':
      return a > v;
    case 'SCMP_CMP_MASKED_EQ':
      return (a & v) === U64(c.valueTwo ?? 0);
  }
}

const LOW32 = 0xffffffffn;

/**
 * Whether some register value whose low 32 bits are `v` meets every comparison of `conds` on
 * argument `index`. The kernel reads the table's int arguments from the low half only, so the upper
 * half is the caller's to choose: `syscall(SYS_socket, 0x100000028, …)` passes Docker's
 * `family != 40` and makes an AF_VSOCK socket. Exact for EQ and MASKED_EQ; any other comparison is
 * taken to admit it, so a claim that a rule blocks a value is never made on a guess.
 */
export function admitsLow32(conds: readonly SeccompCondition[], index: number, v: number): boolean {
  const x = BigInt(v >>> 0);
  for (const c of conds) {
    if (c.index !== index) continue;
    if (c.op === 'SCMP_CMP_EQ') {
      if ((U64(c.value) & LOW32) !== x) return false;
    } else if (c.op === 'SCMP_CMP_MASKED_EQ') {
      const m = U64(c.value);
      const w = U64(c.valueTwo ?? 0);
      if ((w & ~m & 0xffffffffffffffffn) !== 0n || (x & m & LOW32) !== (w & LOW32)) return false;
    }
  }
  return true;
}

/** The low 32 bits a comparison pins the argument to (EQ, or MASKED_EQ over all of them), if it does. */
export function pinnedLow32(c: SeccompCondition): number | undefined {
  if (c.op === 'SCMP_CMP_EQ') return Number(U64(c.value) & LOW32);
  if (c.op === 'SCMP_CMP_MASKED_EQ' && (U64(c.value) & LOW32) === LOW32) return Number(U64(c.valueTwo ?? 0) & LOW32);
  return undefined;
}

/**
 * Whether some value with at least one bit of `bits` set meets every comparison of `conds` on
 * argument `index`. Exact for EQ and MASKED_EQ (what exports and Docker's default use); any other
 * comparison is taken to let such a value through, so a claim that a rule blocks it is never made
 * on a guess.
 */
export function admitsSomeBit(conds: readonly SeccompCondition[], index: number, bits: number): boolean {
  const own = conds.filter((c) => c.index === index);
  const b = U64(bits);
  const eq = own.find((c) => c.op === 'SCMP_CMP_EQ');
  if (eq) return (U64(eq.value) & b) !== 0n && own.every((c) => holds(c, U64(eq.value)));
  if (own.some((c) => c.op !== 'SCMP_CMP_MASKED_EQ')) return true;
  // Only masked comparisons: the bits under some mask are fixed, the others are free.
  let fixedMask = 0n;
  let fixed = 0n;
  for (const c of own) {
    fixedMask |= U64(c.value);
    fixed |= U64(c.valueTwo ?? 0) & U64(c.value);
  }
  if (!own.every((c) => holds(c, fixed))) return false;
  return (fixed & b) !== 0n || (b & ~fixedMask & 0xffffffffffffffffn) !== 0n;
}

const OP_TEXT: Record<SeccompOp, string> = {
  SCMP_CMP_NE: '!=',
  SCMP_CMP_LT: '<',
  SCMP_CMP_LE: '<=',
  SCMP_CMP_EQ: '==',
  SCMP_CMP_GE: '>=',
  SCMP_CMP_GT: '>',
  SCMP_CMP_MASKED_EQ: '==',
};

function conditionText(c: SeccompCondition): string {
  const hex = (n: number): string => `0x${BigInt.asUintN(64, BigInt(n)).toString(16)}`;
  if (c.op === 'SCMP_CMP_MASKED_EQ') return c.value === 0xffffffff ? `arg${c.index} == ${hex(c.valueTwo ?? 0)}` : `arg${c.index} & ${hex(c.value)} == ${hex(c.valueTwo ?? 0)}`;
  return `arg${c.index} ${OP_TEXT[c.op]} ${hex(c.value)}`;
}

/**
 * How a syscall is allowed, as one canonical line (the same conditions give the same text, in any
 * order): undefined for any arguments, else the alternatives joined by "or". Low-32-bit equality
 * masks (what exports write for a value) read as plain equalities.
 */
export function conditionsText(alts: readonly (readonly SeccompCondition[])[] | null | undefined): string | undefined {
  if (!alts || alts.length === 0) return undefined;
  const lines = alts.map((alt) => alt.map(conditionText).sort().join(' and '));
  return [...new Set(lines)].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).join(' or ');
}
