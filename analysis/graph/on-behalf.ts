// Syscalls the kernel makes on the program's behalf, which no instruction of it contains but a
// policy must allow all the same (design rule 10): restart_syscall, by which the kernel resumes an
// interrupted sleep after a signal handler ran (as Docker's default profile allows), and
// rt_sigreturn, by which every signal handler returns (through the libc's or the runtime's
// sa_restorer, which the kernel enters by the return address it pushed).
import type { PathStep } from './report.js';

const RESTART_SYSCALL = 219;
const RT_SIGRETURN = 15;
const RT_SIGACTION = 13;

/** Interruptible sleeps the kernel may resume through restart_syscall (ERESTART_RESTARTBLOCK and its neighbours). */
const INTERRUPTIBLE: Record<number, string> = {
  7: 'poll',
  23: 'select',
  35: 'nanosleep',
  202: 'futex',
  230: 'clock_nanosleep',
  232: 'epoll_wait',
  270: 'pselect6',
  271: 'ppoll',
  281: 'epoll_pwait',
  441: 'epoll_pwait2',
};

function kernelStep(what: string): PathStep {
  return { object: '[kernel]', function: what, address: '0', edge: 'kernel' };
}

/**
 * The kernel-made syscalls implied by a program's static set, each justified by the shortest path
 * to the syscall that implies it, then a kernel step saying why.
 */
export function kernelMadeSyscalls(known: readonly { nr: number; path: PathStep[] }[]): { nr: number; path: PathStep[] }[] {
  const have = new Map(known.map((s) => [s.nr, s.path]));
  const out: { nr: number; path: PathStep[] }[] = [];
  if (!have.has(RESTART_SYSCALL)) {
    const triggers = known.filter((s) => INTERRUPTIBLE[s.nr] !== undefined).sort((a, b) => a.path.length - b.path.length);
    if (triggers.length > 0) {
      const t = triggers[0];
      out.push({ nr: RESTART_SYSCALL, path: [...t.path, kernelStep(`restart_syscall: the kernel resumes ${INTERRUPTIBLE[t.nr]} after a signal handler interrupted it`)] });
    }
  }
  const sigaction = have.get(RT_SIGACTION);
  if (!have.has(RT_SIGRETURN) && sigaction) {
    out.push({ nr: RT_SIGRETURN, path: [...sigaction, kernelStep('rt_sigreturn: every signal handler installed with rt_sigaction returns through it')] });
  }
  return out;
}
