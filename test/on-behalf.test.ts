// Syscalls the kernel makes on a program's behalf, provoked for real: a stopped and continued
// sleep is resumed through restart_syscall, a signal handler returns through rt_sigreturn. Both
// must be in the static set although no instruction of these programs names restart_syscall.
import assert from 'node:assert/strict';
import { soundnessSuite, trace, type Workload } from './support/workloads.js';

/** The harness first: a run that does not provoke the kernel-made call proves nothing. */
async function provokes(name: string, run: Promise<Set<string>>): Promise<Set<string>> {
  const seen = await run;
  assert.ok(seen.has(name), `the run did not make ${name}: ${[...seen].join(' ')}`);
  return seen;
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const WORKLOADS: Record<string, Workload> = {
  'sleep, stopped and continued: the kernel resumes clock_nanosleep with restart_syscall': {
    program: '/usr/bin/sleep',
    expect: ['restart_syscall'],
    run: (dir) =>
      provokes('restart_syscall', trace('/usr/bin/sleep', dir, [
        {
          args: ['1.5'],
          during: async ({ pid }) => {
            await pause(400);
            process.kill(pid, 'SIGSTOP');
            await pause(200);
            process.kill(pid, 'SIGCONT');
          },
          stopSignal: 'SIGCONT',
        },
      ])),
  },
  'bash with a trap handler: the handler returns through rt_sigreturn': {
    program: '/usr/bin/bash',
    expect: ['rt_sigreturn'],
    run: (dir) => provokes('rt_sigreturn', trace('/usr/bin/bash', dir, [{ args: ['-c', 'trap "echo caught" USR1; kill -USR1 $$; echo done'] }])),
  },
};

soundnessSuite(WORKLOADS);
