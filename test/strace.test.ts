// The strace harness checked on real programs whose behaviour is known.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseStraceLog, straceProgram, syscallNumbers } from './support/strace.js';

const ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C' };

test('the launcher is not the program: only what true does after its exec counts', async () => {
  const r = await straceProgram({ program: '/usr/bin/true', command: ['/bin/sh', '-c', '/usr/bin/true; exit 0'], env: ENV });
  assert.deepEqual(r.unparsed, []);
  assert.ok(r.syscalls.has('exit_group'), [...r.syscalls].join(' '));
  for (const shOnly of ['execve', 'wait4', 'vfork', 'clone', 'rt_sigaction']) {
    assert.ok(!r.syscalls.has(shOnly), `${shOnly} was made by sh, not true`);
  }
  assert.equal(r.targetPids.length, 1);
});

test('children inherit the program; a successful exec of another program ends it', async () => {
  const r = await straceProgram({
    program: '/usr/bin/bash',
    args: ['-c', 'cd / & wait; /usr/bin/sleep 0.01'],
    env: ENV,
  });
  assert.equal(r.exitCode, 0);
  assert.deepEqual(r.orphanPids, []);
  assert.ok(r.syscalls.has('chdir'), 'the background subshell ran cd');
  assert.ok(r.syscalls.has('execve'), 'the exec of sleep is made by bash');
  assert.ok(r.targetPids.length >= 2, `subshell pid counted: ${r.targetPids.join(' ')}`);
  assert.ok(!r.syscalls.has('clock_nanosleep'), 'sleep, not bash, slept');
});

test('a #! script of the program counts as the program', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'confine-strace-test-'));
  try {
    const script = join(dir, 'script');
    writeFileSync(script, '#!/usr/bin/bash\ncd /\nexit 7\n');
    chmodSync(script, 0o755);
    const r = await straceProgram({ program: '/bin/bash', command: [script], env: ENV });
    assert.equal(r.exitCode, 7);
    assert.ok(r.syscalls.has('chdir'));
    assert.ok(!r.syscalls.has('execve'), 'the script was exec\'d by the launcher');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a thread that execs hands its pid over: threads, resumed calls and superseded lines parse', async () => {
  const code = [
    'import os, threading, time',
    'def worker():',
    '    time.sleep(0.05)',
    '    os.execv("/usr/bin/true", ["true"])',
    'threading.Thread(target=worker).start()',
    'time.sleep(5)',
  ].join('\n');
  const r = await straceProgram({ program: '/usr/bin/python3', args: ['-c', code], env: ENV });
  assert.deepEqual(r.unparsed, []);
  assert.equal(r.exitCode, 0, 'true ended the process');
  assert.ok(r.syscalls.has('execve'));
  assert.ok(r.syscalls.has('clone3') || r.syscalls.has('clone'));
  assert.ok(r.targetPids.length >= 2);
});

test('servers: during() runs while the program lives, then the stop signal ends it', async () => {
  const started = Date.now();
  let sawPid = 0;
  const r = await straceProgram({
    program: '/usr/bin/sleep',
    args: ['30'],
    env: ENV,
    during: async ({ pid }) => {
      sawPid = pid;
      await new Promise((res) => setTimeout(res, 200));
    },
    stopSignal: 'SIGTERM',
  });
  assert.equal(r.signal, 'SIGTERM');
  assert.ok(r.targetPids.includes(sawPid));
  assert.ok(r.syscalls.has('clock_nanosleep'));
  assert.ok(Date.now() - started < 20_000);
});

test('a run past its time limit is killed and flagged', async () => {
  const r = await straceProgram({ program: '/usr/bin/sleep', args: ['30'], env: ENV, timeoutMs: 500 });
  assert.equal(r.timedOut, true);
});

test('syscall names map to the pinned numbers', () => {
  const { numbers, unknown } = syscallNumbers(['read', 'openat', 'exit_group', 'not_a_call']);
  assert.deepEqual([...numbers], [['read', 0], ['openat', 257], ['exit_group', 231]]);
  assert.deepEqual(unknown, ['not_a_call']);
});

test('a call strace could not identify (a thread torn down as it entered the kernel) is set apart, not a parse failure', () => {
  // Lines as strace -f prints them when a Go program exits while its threads are in the kernel.
  const log = ['100 futex(0xc000, FUTEX_WAIT_PRIVATE, 0, NULL <unfinished ...>', '101 ???( <unfinished ...>', '100 <... futex resumed>) = 0', '100 exit_group(0) = ?', '100 +++ exited with 0 +++'].join('\n');
  const t = parseStraceLog(log);
  assert.deepEqual(t.unparsed, []);
  assert.deepEqual(t.undecodable, ['101 ???( <unfinished ...>']);
});
