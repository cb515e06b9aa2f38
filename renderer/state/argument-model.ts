// The argument rules panel's model: for each restricted argument of a syscall, its allowed values by
// name with where each comes from (the site or call passing it, and the path there). Pure functions
// over the contract types.
import { argumentReviewKey, enforcedArgument, pathText, valueText, type ReviewEntry, type SyscallEntry } from '../../electron/api.js';

export interface ArgumentValueRow {
  value: number;
  /** By the kernel headers' names: AF_INET, PROT_READ|PROT_WRITE. */
  text: string;
  hex: string;
  /** object:function at address, when the report says where the value comes from. */
  source?: string;
  path?: string;
  /** Its review key (argumentReviewKey). */
  key: string;
  /** The review removed it from the exported rule. */
  removed: boolean;
}

export interface ArgumentRuleRow {
  index: number;
  name: string;
  kind: 'flags' | 'value';
  /** flags: the bits any value may have, by name. */
  allowedBits?: string;
  /** The export enforces this argument's rule (one per syscall). */
  enforced: boolean;
  /** A reviewer can remove a value (an enforced value rule: a flags rule allows bits, not values). */
  removable: boolean;
  values: ArgumentValueRow[];
}

const basename = (p: string): string => p.slice(p.lastIndexOf('/') + 1);

/** The rows of a syscall's rules with the review's removals; empty when every argument may be anything. */
export function argumentRows(entry: Pick<SyscallEntry, 'name' | 'args'>, reviews: Record<string, ReviewEntry> = {}): ArgumentRuleRow[] {
  const rules = entry.args ?? [];
  const enforced = enforcedArgument(rules);
  // setsockopt's optname is named by its level, when the level has one value.
  const others: Record<string, number> = {};
  for (const r of rules) if (r.values.length === 1) others[r.name] = r.values[0];
  return rules.map((r) => {
    const from = new Map((r.from ?? []).map((f) => [f.value, f]));
    const bits = r.kind === 'flags' ? r.values.reduce((a, v) => (a | v) >>> 0, 0) : undefined;
    return {
      index: r.index,
      name: r.name,
      kind: r.kind,
      enforced: r.index === enforced,
      removable: r.index === enforced && r.kind === 'value',
      ...(bits !== undefined ? { allowedBits: valueText(entry.name, r.name, r.kind, bits, others) } : {}),
      values: r.values.map((v) => {
        const f = from.get(v);
        const key = argumentReviewKey(entry.name, r.index, v);
        return {
          key,
          removed: reviews[key]?.decision === 'deny',
          value: v,
          text: valueText(entry.name, r.name, r.kind, v, others),
          hex: `0x${v.toString(16)}`,
          ...(f ? { source: `${basename(f.object)}:${f.function} at 0x${f.address}`, path: pathText(f.path) } : {}),
        };
      }),
    };
  });
}
