// Which CVEs of the table (cve-table.ts) a policy blocks, and how: an entry is blocked when every
// alternative has a requirement the policy refuses, either because the syscall is denied outright
// or because its argument rules let no value the exploit needs through. Requirements on other
// arguments than the one an exploit needs are taken to be met: a block is claimed only on proof.
import { admitsLow32, admitsSomeBit, pinnedLow32, type AllowedSyscalls, type SeccompCondition } from './seccomp-condition.js';
import { kernelCveTable, type CveTable, type Requirement, type SyscallRequirement } from './cve-table.js';
import type { CveRow, CveVerdict } from './cve-verdicts.js';

export type { CveRow, CveStatus, CveVerdict } from './cve-verdicts.js';

function requirementText(r: SyscallRequirement): string {
  if (r.arg === undefined) return r.syscall;
  const what = r.text ?? (r.values ? r.values.map((v) => `0x${v.toString(16)}`).join('|') : `bits 0x${r.bits!.toString(16)}`);
  return `${r.syscall}(arg ${r.arg}: ${what})`;
}

/** Why the policy refuses a requirement ('' when it lets it through), and whether an argument rule is what refuses it. */
function refusal(r: SyscallRequirement, policy: AllowedSyscalls): { why: string; byArgument: boolean } {
  if (!policy.has(r.syscall)) return { why: `${r.syscall} denied`, byArgument: false };
  const alts = policy.get(r.syscall);
  if (alts === null || alts === undefined || r.arg === undefined) return { why: '', byArgument: false };
  const except = r.except ?? [];
  // An alternative that pins the argument to a value the kernel ignores admits nothing that counts.
  const onlyIgnored = (alt: readonly SeccompCondition[]): boolean =>
    alt.some((c) => {
      const p = c.index === r.arg ? pinnedLow32(c) : undefined;
      return p !== undefined && except.includes(p);
    });
  const admits = (alt: readonly SeccompCondition[]): boolean =>
    r.values ? r.values.some((v) => !except.includes(v) && admitsLow32(alt, r.arg!, v)) : !onlyIgnored(alt) && admitsSomeBit(alt, r.arg!, r.bits!);
  return alts.some(admits) ? { why: '', byArgument: false } : { why: `${requirementText(r)} refused by its argument rule`, byArgument: true };
}

function routeText(alt: readonly Requirement[], table: CveTable): string {
  return alt.map((r) => ('condition' in r ? table.conditions[r.condition].text : requirementText(r))).join(' + ');
}

/** What one policy does about one entry. */
function verdict(needs: readonly (readonly Requirement[])[], policy: AllowedSyscalls, table: CveTable): CveVerdict {
  const closed: string[] = [];
  let byArgument = false;
  for (const alt of needs) {
    let why = '';
    for (const r of alt) {
      if ('condition' in r) {
        // A condition is refused when each of its routes is.
        const c = verdict(table.conditions[r.condition].anyOf, policy, table);
        if (c.status !== 'open') {
          why = `${r.condition}: ${c.how}`;
          byArgument ||= c.status === 'argument';
          break;
        }
        continue;
      }
      const f = refusal(r, policy);
      if (f.why) {
        why = f.why;
        byArgument ||= f.byArgument;
        break;
      }
    }
    if (!why) return { status: 'open', how: `allowed: ${routeText(alt, table)}` };
    closed.push(why);
  }
  return { status: byArgument ? 'argument' : 'denied', how: [...new Set(closed)].join('; ') };
}

/** Every entry of the table judged against a policy, and against Docker's default when given. */
export function cveRows(policy: AllowedSyscalls, dockerDefault?: AllowedSyscalls, table: CveTable = kernelCveTable()): CveRow[] {
  return table.cves.map((e) => ({
    id: e.id,
    summary: e.summary,
    needs: e.needs.map((alt) => routeText(alt, table)).join(' or '),
    sources: e.sources,
    policy: verdict(e.needs, policy, table),
    ...(dockerDefault ? { dockerDefault: verdict(e.needs, dockerDefault, table) } : {}),
  }));
}
