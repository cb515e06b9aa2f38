// Which filter would have denied a call, on a hardened image (`confine harden`): the container-wide
// one (the profile verify was given), the hardened program's own (installed by the launcher, and
// inherited by whatever that program execs), or both. The audit record says only which syscall and
// which process, so the answer comes from the policies: a syscall a filter does not allow at all
// is that filter's denial; one it allows only for some arguments may be (the record has no
// arguments), and is said so.
import { hardenedPaths } from '../harden/layout.js';
import type { HardenedManifest } from '../harden/manifest.js';
import { allowedByEntries, type PolicyEntry } from '../policy/exports.js';
import type { AllowedSyscalls } from '../policy/seccomp-condition.js';
import type { ExecRecord } from '../profile/types.js';
import { syscallName } from '../x86_64/syscall-table.js';

export interface FilterOf {
  /** Who installed it: 'container-wide', or the hardened program's path. */
  filter: string;
  allowed: AllowedSyscalls;
  /** It allows everything it does not deny (a verify profile of that kind). */
  defaultAllow?: boolean;
}

/** One filter's verdict on a logged call: denied outright, or only unless its arguments met a rule. */
export function verdict(f: FilterOf, nr: number): 'allowed' | 'denied' | 'unless-arguments' {
  const name = syscallName(nr);
  if (f.defaultAllow) return 'allowed';
  if (name === undefined || !f.allowed.has(name)) return 'denied';
  return f.allowed.get(name) === null ? 'allowed' : 'unless-arguments';
}

/** The hardened programs' filters, each with the exec that puts a process under it (the launcher's exec of DIR/.confine/NAME). */
export function programFilters(m: HardenedManifest): ProgramFilter[] {
  return m.programs.map((p) => ({ exec: hardenedPaths(p.file).link, moved: hardenedPaths(p.file).moved, of: { filter: p.file, allowed: allowedByEntries(p.entries.map((e) => ({ ...e, reason: '' }) as PolicyEntry)) } }));
}

export interface ProgramFilter {
  /** The launcher's exec that installs it, and the program's file a process under it runs. */
  exec: string;
  moved: string;
  of: FilterOf;
}

/**
 * The program filters a process runs under (filters are inherited across fork and exec): the one
 * whose program it runs (its exe is the moved program: a forked worker has no exec of its own), and
 * those whose launcher exec it or an ancestor made, by phase 1's exec records (the polling recorder
 * names an exec by its /proc exe, the moved program). An ancestor that forked without exec'ing ends
 * the walk: a filter above it is not found, and the denial is said to be unattributed.
 */
export function filtersOfProcess(pid: number, exe: string, execs: readonly ExecRecord[], filters: readonly ProgramFilter[]): FilterOf[] {
  const byPid = new Map<number, ExecRecord[]>();
  for (const e of execs) (byPid.get(e.pid) ?? byPid.set(e.pid, []).get(e.pid)!).push(e);
  const out: FilterOf[] = filters.filter((f) => f.moved === exe).map((f) => f.of);
  const seen = new Set<number>();
  for (let p = pid; p > 0 && !seen.has(p); ) {
    seen.add(p);
    const mine = byPid.get(p) ?? [];
    for (const e of mine) for (const f of filters) if ((e.path === f.exec || e.path === f.moved) && !out.includes(f.of)) out.push(f.of);
    const parent = mine.find((e) => e.ppid > 0)?.ppid;
    if (parent === undefined) break;
    p = parent;
  }
  return out;
}

/** The filters that would have denied the call, as text: "container-wide", "/usr/sbin/nginx's own filter", each "(unless its arguments met a rule)" where that is all one can say. */
export function deniedBy(nr: number, filters: readonly FilterOf[]): string[] {
  const out: string[] = [];
  for (const f of filters) {
    const v = verdict(f, nr);
    if (v === 'allowed') continue;
    const who = f.filter === 'container-wide' ? 'container-wide' : `${f.filter}'s own filter`;
    out.push(v === 'denied' ? who : `${who} (unless its arguments met a rule)`);
  }
  return out;
}
