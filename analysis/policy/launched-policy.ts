// The policy a hardened program's own filter enforces (`confine harden`): installed by the launcher
// (native/launcher.c) just before it execs the program, it stacks on the container-wide filter,
// so it needs nothing of the container runtime, only what the program's code can reach.
//
// Seccomp filters are inherited across fork and execve. A program whose code can exec (execve or
// execveat reachable) runs whatever it execs under its filter too, so that filter also covers
// every program the analysis covered: the container-wide policy rests on phase 1 having seen every
// program the container runs, and this one rests on exactly that, nothing narrower (not "the
// programs phase 1 saw this one exec").
import type { Report, SyscallEntry } from '../graph/report.js';
import { syscallNumber } from '../x86_64/syscall-table.js';
import { policyEntries, type PolicyEntry, type ReviewLike } from './exports.js';

/** What the launcher itself does after loading the filter: exec the program, and on failure say so and exit. */
export const LAUNCHER_SYSCALLS: readonly string[] = ['execve', 'write', 'exit_group'];

const EXECS = new Set(['execve', 'execveat']);

export interface LaunchedPolicy {
  program: string;
  entries: PolicyEntry[];
  /** The programs whose syscalls it allows: the program alone, or every analysed program when it can exec. */
  covers: string[];
  /** The program can exec (execve or execveat is reachable in its code). */
  execs: boolean;
  /** How many syscalls the program's own code needs (before the launcher's and the exec'd programs'). */
  own: number;
  /** Syscalls added for the launcher, absent from what the covered programs need. */
  addedForLauncher: string[];
}

/** The program's own filter, with the review applied as in every export. */
export function launchedPolicy(report: Report, program: string, review: Record<string, ReviewLike> = {}): LaunchedPolicy {
  const mine = (s: SyscallEntry): boolean => s.programs.includes(program);
  const own = report.syscalls.filter(mine);
  // A review that denies execve cannot take it out of this filter: the launcher's own execve must
  // pass it, and so would the program's. The program can exec whatever the review says.
  const execs = own.some((s) => EXECS.has(s.name));
  const covers = execs ? report.programs.filter((p) => !p.error).map((p) => p.path) : [program];
  const covered = new Set(covers);
  // The runtime's calls happen before the launcher runs: they are not this filter's business, and a
  // syscall both make keeps the argument rules the program's sites give it.
  const syscalls = report.syscalls.filter((s) => s.programs.some((p) => covered.has(p))).map((s): SyscallEntry => ({ ...s, runtime: undefined }));
  const entries = policyEntries({ ...report, syscalls, runtime: undefined }, review);
  const addedForLauncher: string[] = [];
  for (const name of LAUNCHER_SYSCALLS) {
    const at = entries.findIndex((e) => e.name === name);
    if (at >= 0 && entries[at].errno === undefined && !entries[at].args?.length) continue;
    const entry: PolicyEntry = { name, nr: syscallNumber(name)!, reason: 'made by confine-launch after it loads this filter: it execs the program, and on failure writes the error and exits' };
    if (at >= 0) entries[at] = entry;
    else entries.push(entry);
    addedForLauncher.push(name);
  }
  entries.sort((a, b) => a.nr - b.nr);
  return { program, entries, covers, execs, own: own.length, addedForLauncher };
}
