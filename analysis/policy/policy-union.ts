// The union of policies: what a container needs when it runs the code of each. A syscall allowed by
// any of them is allowed, with the argument rules of all (any arguments when one allows any); an
// errno answer stays only where no policy lets the syscall run.
import type { PolicyEntry } from './exports.js';

export function policyUnion(...policies: readonly (readonly PolicyEntry[])[]): PolicyEntry[] {
  const out = new Map<string, PolicyEntry>();
  for (const entries of policies) {
    for (const e of entries) {
      const had = out.get(e.name);
      if (!had || (had.errno !== undefined && e.errno === undefined)) {
        out.set(e.name, { ...e, ...(e.args ? { args: [...e.args] } : {}) });
        continue;
      }
      if (e.errno !== undefined) continue;
      const anyArgs = !had.args?.length || !e.args?.length;
      const reason = had.reason === e.reason ? had.reason : `${had.reason}; and ${e.reason}`;
      out.set(e.name, anyArgs ? { name: e.name, nr: e.nr, reason } : { name: e.name, nr: e.nr, reason, args: [...had.args!, ...e.args!] });
    }
  }
  return [...out.values()].sort((a, b) => a.nr - b.nr);
}
