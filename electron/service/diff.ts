// Comparing two policies (an analysis with its review applied, or a profile): which syscalls only
// one side allows, which both do, why each side has each one, and under which argument conditions
// (a syscall both allow is not the same rule when one side restricts its arguments).
import type { DiffRow, PolicyDiff } from '../api.js';
import { syscallNumber } from '../../analysis/x86_64/syscall-table.js';
import { conditionsText, type AllowedSyscalls } from '../../analysis/policy/seccomp-condition.js';

/** One side of a comparison: a label and, per allowed syscall, why it is there. */
export interface PolicySide {
  label: string;
  reasons: Map<string, string>;
  /** The same syscalls with the argument conditions they are allowed under (null: any). */
  allowed: AllowedSyscalls;
}

/** Cuts a justification to its first steps: the UI shows one line per row. */
export function shortReason(reason: string, steps = 4): string {
  const parts = reason.split(' -> ');
  if (parts.length <= steps) return reason;
  return `${parts.slice(0, steps - 1).join(' -> ')} -> … -> ${parts[parts.length - 1]}`;
}

/** added = only on the right, removed = only on the left, common = both. Rows sorted by syscall number. */
export function diffPolicies(left: PolicySide, right: PolicySide): PolicyDiff {
  const rows: DiffRow[] = [];
  const names = new Set([...left.reasons.keys(), ...right.reasons.keys()]);
  let added = 0;
  let removed = 0;
  let common = 0;
  let argsDiffer = 0;
  for (const name of names) {
    const l = left.reasons.get(name);
    const r = right.reasons.get(name);
    const side: DiffRow['side'] = l !== undefined && r !== undefined ? 'common' : l !== undefined ? 'removed' : 'added';
    if (side === 'common') common++;
    else if (side === 'added') added++;
    else removed++;
    const row: DiffRow = { name, side };
    const nr = syscallNumber(name);
    if (nr !== undefined) row.nr = nr;
    if (l !== undefined) row.leftReason = l;
    if (r !== undefined) row.rightReason = r;
    const la = conditionsText(left.allowed.get(name));
    const ra = conditionsText(right.allowed.get(name));
    if (l !== undefined && la !== undefined) row.leftArgs = la;
    if (r !== undefined && ra !== undefined) row.rightArgs = ra;
    if (side === 'common' && la !== ra) {
      row.argsDiffer = true;
      argsDiffer++;
    }
    rows.push(row);
  }
  rows.sort((a, b) => (a.nr ?? 1e9) - (b.nr ?? 1e9) || a.name.localeCompare(b.name));
  return { left: left.label, right: right.label, added, removed, common, argsDiffer, rows };
}
