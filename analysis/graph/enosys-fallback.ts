// Syscalls a policy can answer with ENOSYS instead of allowing (program/runtimes: enosysFallbacks):
// the runtime tries them first and makes another syscall when they fail with ENOSYS. That holds for
// one program only when every reachable site of the syscall is in one of the runtime's declared
// makers, each maker is entered only by direct calls from the runtime's declared callers in the
// same object (never from a root, never through a pointer), each of those callers itself calls a
// function that makes the fallback syscall, and the fallback is in the program's policy. Anything
// else, a `syscall(SYS_clone3, …)` of the program's own say, keeps the syscall allowed: a program
// that needs it gets it.
import { runtimeNamed } from '../program/runtimes/index.js';
import type { EnosysFallback, RuntimeName } from '../program/runtimes/types.js';
import { syscallNumber } from '../x86_64/syscall-table.js';
import type { ProgramGraph } from './program-graph.js';
import type { FoundSyscall } from './syscall-sites.js';

/** By syscall number: why it may be answered with ENOSYS in this program. */
export function enosysFallbacks(g: ProgramGraph, syscalls: ReadonlyMap<number, FoundSyscall>, roots: Iterable<number>): Map<number, string> {
  const out = new Map<number, string>();
  const rootSet = new Set(roots);
  const taken = g.addressTaken();
  const declared = new Map<number, { fb: EnosysFallback; runtime: RuntimeName }[]>();
  for (const o of g.objects) {
    for (const fb of runtimeNamed(o.facts.runtime).enosysFallbacks ?? []) {
      const nr = syscallNumber(fb.syscall);
      if (nr === undefined) continue;
      const list = declared.get(nr) ?? [];
      if (!list.some((d) => d.fb === fb)) list.push({ fb, runtime: o.facts.runtime });
      declared.set(nr, list);
    }
  }
  for (const [nr, candidates] of declared) {
    const found = syscalls.get(nr);
    if (!found) continue;
    for (const { fb, runtime } of candidates) {
      const fallback = syscallNumber(fb.fallback);
      if (fallback === undefined || !syscalls.has(fallback)) continue;
      // A caller falls back only if it makes the fallback itself: a direct call into a function
      // whose own syscall site has that number (glibc: __clone_internal -> __clone -> clone).
      const makesFallback = (caller: number): boolean =>
        g.edges(caller).some((e) => e.to !== g.INDIRECT && g.nodes[e.to].obj === g.nodes[caller].obj && g.nodes[e.to].fn.syscalls.some((x) => x.nr !== null && 'c' in x.nr && x.nr.c.includes(fallback)));
      const ok = found.sites.every((site) => {
        // The function holding this very syscall instruction (a call into a wrapper is no maker).
        const node = [...g.parent.keys()].find((id) => id !== g.INDIRECT && g.objects[g.nodes[id].obj].path === site.object && g.nodes[id].fn.syscalls.some((x) => x.at === site.address));
        if (node === undefined) return false;
        const obj = g.nodes[node].obj;
        if (g.objects[obj].facts.runtime !== runtime || !fb.makers.includes(g.functionName(node))) return false;
        if (rootSet.has(node) || taken.has(node)) return false;
        const from = g.callersOf(node).map((c) => c.from);
        return from.length > 0 && from.every((c) => g.nodes[c].obj === obj && fb.callers.includes(g.functionName(c)) && makesFallback(c));
      });
      if (ok) {
        out.set(nr, fb.why);
        break;
      }
    }
  }
  return out;
}
