// Small C programs, each built around one thing that static syscall analysis tends to get wrong.
// Every syscall strace sees must be in the static set, and so must the calls the trap is about.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTrap } from './support/build-traps.js';
import { analyze, missingFrom, type ConfineReport } from './support/confine.js';
import { straceProgram, type StraceResult } from './support/strace.js';

const ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C' };

interface Trap {
  name: string;
  /** The built output to run and analyse. */
  binary: string;
  args?: string[];
  /** Syscalls the trap exists for: the static set must hold them all. */
  expect: string[];
  /** Of `expect`, those the traced run does not make (a path it never takes). */
  notRun?: string[];
  /** Syscalls only dead code or dead data leads to: the static set must not hold them (the trap is about tightness). */
  denied?: string[];
  /** Checks that the harness and the trap do what this test assumes, before judging the analysis. */
  selfCheck?: (binary: string, dir: string) => Promise<void>;
}

const TRAPS: Trap[] = [
  {
    name: 'rare path: unlink only when argc > 5',
    binary: 'rare-path',
    expect: ['unlink'],
    notRun: ['unlink'],
    selfCheck: async (binary, dir) => {
      // Taking the path for real shows that it makes unlink (not unlinkat) with this libc.
      const victim = join(dir, 'victim');
      writeFileSync(victim, '');
      const r = await straceProgram({ program: binary, args: [victim, '2', '3', '4', '5'], env: ENV, cwd: dir });
      assert.ok(r.syscalls.has('unlink'), `the rare path made ${[...r.syscalls].join(' ')}`);
    },
  },
  { name: 'syscall() direct and through a local wrapper', binary: 'direct-syscall', expect: ['getpid', 'getppid'] },
  { name: 'qsort comparator and atexit callback', binary: 'callbacks', expect: ['getuid', 'fsync'] },
  {
    name: 'function-pointer table indexed from argv',
    binary: 'fnptr-table',
    args: ['0'],
    expect: ['getgid', 'geteuid', 'umask'],
    notRun: ['geteuid', 'umask'],
  },
  {
    name: 'function pointers in data only dead code refers to are not address-taken; a chain, a __start_/__stop_ section and a 1-based table are',
    binary: 'dead-table',
    args: ['0', '1'],
    expect: ['getgid', 'umask', 'getppid', 'getpgrp', 'sched_yield'],
    notRun: ['umask'],
    denied: ['sync', 'getsid'],
    selfCheck: async (binary) => {
      // The layout the trap relies on: dead_table is the last object of its section (see dead-table.c).
      const stdout = execFileSync('readelf', ['-W', '-S', '-s', binary], { encoding: 'utf8' });
      const sec = /\]\s+\.data\.rel\.ro\s+\S+\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)/.exec(stdout);
      const sym = /:\s+([0-9a-f]+)\s+(\d+)\s+OBJECT\s+LOCAL\s+\S+\s+\S+\s+dead_table$/m.exec(stdout);
      assert.ok(sec && sym, 'readelf shows .data.rel.ro and dead_table');
      assert.equal(parseInt(sym[1], 16) + Number(sym[2]), parseInt(sec[1], 16) + parseInt(sec[2], 16), 'dead_table ends its section');
    },
  },
  {
    name: 'the same program stripped: with no symbol sizes its data is one object per section, and all of it counts',
    binary: 'dead-table-stripped',
    args: ['0', '1'],
    expect: ['getgid', 'umask', 'getppid', 'getpgrp', 'sched_yield', 'sync', 'getsid'],
    notRun: ['umask', 'sync', 'getsid'],
  },
  { name: "a table indexed from far before its start (letters[c - 'a']), non-PIE, also referred to by dead code", binary: 'displaced-table', args: ['b'], expect: ['sync'] },
  { name: "the same table in a PIE (gcc loads its address, then indexes)", binary: 'displaced-table-pie', args: ['b'], expect: ['sync'] },
  { name: 'a writable function pointer reassigned at run time', binary: 'fnptr-var', args: ['x'], expect: ['getgid', 'getpgrp'], notRun: ['getgid'] },
  { name: 'dlopen of a constant path, constructor and dlsym', binary: 'dlopen-main', expect: ['sched_yield', 'sched_getscheduler'] },
  { name: 'pthread_cancel (glibc dlopens libgcc_s.so.1)', binary: 'pthread-cancel', expect: ['tgkill', 'read'] },
  { name: '-fno-plt build', binary: 'fno-plt', expect: ['uname', 'getcwd', 'mkdir', 'rmdir'] },
  { name: 'IBT build (-fcf-protection=full -z ibtplt)', binary: 'ibt', expect: ['getrusage', 'times', 'sysinfo'] },
  { name: 'glibc -static-pie build', binary: 'static-pie', expect: ['sched_getaffinity', 'openat', 'getpid'] },
  { name: 'dlsym(RTLD_DEFAULT, "pkey_alloc") with a constant name, called through the pointer', binary: 'dlsym-const', expect: ['pkey_alloc'] },
  { name: 'C++: a catch block and a destructor run during unwinding (landing pads from the LSDA)', binary: 'cxx-catch', args: ['f'], expect: ['flock', 'fdatasync'] },
];

for (const trap of TRAPS) {
  test(trap.name, { timeout: 360_000 }, async () => {
    const binary = await buildTrap(trap.binary);
    const dir = mkdtempSync(join(tmpdir(), `confine-trap-${trap.binary}-`));
    try {
      const [traced, analysed] = await Promise.allSettled([
        straceProgram({ program: binary, args: trap.args ?? [], env: ENV, cwd: dir, timeoutMs: 30_000 }),
        analyze([binary]),
      ]);
      // The harness first: a trap that does not behave as designed proves nothing about the analysis.
      if (traced.status === 'rejected') throw traced.reason;
      const run: StraceResult = traced.value;
      assert.equal(run.exitCode, 0, `${trap.binary} failed under strace: ${run.stderr}`);
      assert.deepEqual(run.unparsed, [], 'strace lines the harness could not parse');
      const notRun = new Set(trap.notRun ?? []);
      for (const name of trap.expect) {
        assert.equal(run.syscalls.has(name), !notRun.has(name), `trap ${trap.binary}: strace ${notRun.has(name) ? 'saw' : 'did not see'} ${name}`);
      }
      for (const name of trap.denied ?? []) assert.ok(!run.syscalls.has(name), `trap ${trap.binary}: strace saw ${name}, which only dead data leads to`);
      await trap.selfCheck?.(binary, dir);

      if (analysed.status === 'rejected') throw analysed.reason;
      const report: ConfineReport = analysed.value;
      const missingExpected = missingFrom(trap.expect, report);
      const missingObserved = missingFrom(run.syscalls, report);
      const problems: string[] = [];
      if (missingExpected.length) problems.push(`misses the syscalls this trap is about: ${missingExpected.join(', ')}`);
      if (missingObserved.length) problems.push(`misses syscalls strace observed: ${missingObserved.join(', ')}`);
      const loose = (trap.denied ?? []).filter((n) => report.syscalls.some((s) => s.name === n));
      if (loose.length) problems.push(`allows what only dead data points to: ${loose.join(', ')}`);
      assert.deepEqual(problems, [], `${binary}: the static analysis ${problems.join('; ')}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
