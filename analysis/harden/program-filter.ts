// The filter `confine harden` installs for one program, exactly as built (the UI's raw BPF export
// of a program is the same): the program's own policy (policy/launched-policy.ts), joined over
// every name of the same file, and, when it can exec, the launcher's own start-up too: a hardened
// program that execs another hardened program (a supervisor and its server, a program re-exec'ing
// itself by its path) runs that program's launcher under its own filter, and the launcher's
// readlink, openat, prctl, seccomp ... must pass it before the next filter is loaded.
import { analyze } from '../analyze.js';
import { cacheLayout } from '../cache/layout.js';
import type { ProgramSummary, Report } from '../graph/report.js';
import { resolveInRootfs } from '../link/rootfs.js';
import { justification, policyEntries, type PolicyEntry, type ReviewLike } from '../policy/exports.js';
import { launchedPolicy, type LaunchedPolicy } from '../policy/launched-policy.js';
import { nativeTool } from '../policy/native-tools.js';
import { policyUnion } from '../policy/policy-union.js';

function fileOf(rootfs: string, p: string): string | undefined {
  try {
    return resolveInRootfs(rootfs, p).rootfsPath;
  } catch {
    return undefined;
  }
}

const launcherPolicies = new Map<string, Promise<PolicyEntry[]>>();

/** The launcher's own syscalls, by analysing it like any program (it is static: no rootfs needed); once per process and cache. */
export function launcherPolicy(cacheDir: string, signal?: AbortSignal): Promise<PolicyEntry[]> {
  const launcher = nativeTool('confine-launch');
  const key = `${cacheDir}\0${launcher}`;
  let p = launcherPolicies.get(key);
  if (!p) {
    p = (async () => {
      const r = await analyze({ rootfs: '/', programs: [launcher], cacheDir: cacheLayout(cacheDir).facts, signal });
      if (r.unresolved.length > 0 || r.programs.some((x) => x.error || x.notFullyAnalysed)) throw new Error(`the launcher ${launcher} is not fully analysed: its syscalls cannot be added to a policy`);
      return policyEntries(r).map((e) => ({ ...e, reason: `made by confine-launch before it execs a hardened program: ${justification(r.syscalls.find((s) => s.name === e.name)!)}` }));
    })();
    p.catch(() => launcherPolicies.delete(key));
    launcherPolicies.set(key, p);
  }
  return p;
}

/** The filter of `program` (whose file in the image is `file`), and every analysed name of that file. */
export function programFilter(report: Report, program: string, file: string | undefined, review: Record<string, ReviewLike> | undefined, launcher: readonly PolicyEntry[]): { policy: LaunchedPolicy; names: ProgramSummary[] } {
  const at = file ?? fileOf(report.rootfs, program);
  // Every name of the same file runs the same code (the file's own, a symlink's): its filter
  // covers what phase 1 saw each of them map, too.
  const names = report.programs.filter((p) => !p.error && p.objects.length > 0 && (p.path === program || (at !== undefined && fileOf(report.rootfs, p.path) === at)));
  const policies = names.map((p) => launchedPolicy(report, p.path, review));
  const policy = policies.find((p) => p.program === program) ?? launchedPolicy(report, program, review);
  const execs = policies.some((p) => p.execs);
  const parts = [...policies.map((p) => p.entries), ...(execs ? [launcher] : [])];
  return { policy: { ...policy, execs, entries: parts.length > 1 ? policyUnion(...parts) : policy.entries }, names };
}
