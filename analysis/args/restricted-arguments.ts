// The argument rules of one program's policy (issue 11): for each syscall of the table
// (argument-table.ts), each argument whose every reachable site passes a known value, with the
// values and, for each value, where it comes from (the site or the call that passes it, and the
// path there: what a reviewer checks before trusting or tightening the rule); and how two programs'
// rules merge into a container-wide policy (a rule survives only where both restrict the argument,
// with the union of their values).
import type { Root } from '../graph/best-paths.js';
import type { ProgramGraph } from '../graph/program-graph.js';
import type { PathStep } from '../graph/report.js';
import { syscallNumber } from '../x86_64/syscall-table.js';
import { RESTRICTED_ARGUMENTS, type ArgumentKind } from './argument-table.js';
import { argumentSites, unionOf } from './argument-values.js';

/** An argument every reachable site of the syscall passes a known value in. */
export interface ArgumentRule {
  /** Position in the kernel's order: 0 = rdi, 1 = rsi, 2 = rdx, 3 = r10, 4 = r8, 5 = r9. */
  index: number;
  name: string;
  kind: ArgumentKind;
  /** Every value a reachable site can pass, sorted. */
  values: number[];
  /** Where each value comes from (the first place found), in the order of `values`. */
  from?: ValueSource[];
}

/** The instruction a value is a constant at: the syscall, or a call passing it to a wrapper. */
export interface ValueSource {
  value: number;
  object: string;
  function: string;
  /** hex */
  address: string;
  path: PathStep[];
}

const TABLE = new Map<number, (typeof RESTRICTED_ARGUMENTS)[string]>();
for (const [name, args] of Object.entries(RESTRICTED_ARGUMENTS)) {
  const nr = syscallNumber(name);
  if (nr !== undefined) TABLE.set(nr, args);
}

/**
 * The rules of one explored program graph, by syscall number (syscalls without one are absent).
 * None at all when a reachable site's number is unknown: it could be any of them, with any value.
 */
export function restrictedArguments(g: ProgramGraph, roots: readonly Root[]): Map<number, ArgumentRule[]> {
  const { sites, unknownNumber } = argumentSites(g, new Set(TABLE.keys()), roots.map((r) => r.node));
  const out = new Map<number, ArgumentRule[]>();
  if (unknownNumber) return out;
  for (const [nr, list] of sites) {
    const rules: ArgumentRule[] = [];
    for (const a of TABLE.get(nr)!) {
      const traced = unionOf(list, a.index);
      if (traced === null) continue;
      const from = [...traced].map(([value, o]) => ({ value, object: g.objects[g.nodes[o.node].obj].path, function: g.functionName(o.node), address: o.at.toString(16), path: g.pathTo(o.node, o.at) }));
      rules.push({ index: a.index, name: a.name, kind: a.kind, values: [...traced.keys()], from });
    }
    if (rules.length > 0) out.set(nr, rules);
  }
  return out;
}

/** Rules allowing what either allows: undefined (no rule) wins, per argument as for the whole syscall. */
export function mergeArgumentRules(a: readonly ArgumentRule[] | undefined, b: readonly ArgumentRule[] | undefined): ArgumentRule[] | undefined {
  if (!a || !b) return undefined;
  const out: ArgumentRule[] = [];
  for (const ra of a) {
    const rb = b.find((r) => r.index === ra.index);
    if (!rb) continue;
    const values = [...new Set([...ra.values, ...rb.values])].sort((x, y) => x - y);
    const sources = new Map<number, ValueSource>();
    for (const f of [...(ra.from ?? []), ...(rb.from ?? [])]) if (!sources.has(f.value)) sources.set(f.value, f);
    const from = values.map((v) => sources.get(v)).filter((f): f is ValueSource => f !== undefined);
    out.push({ ...ra, values, ...(from.length > 0 ? { from } : {}) });
  }
  return out.length > 0 ? out : undefined;
}
