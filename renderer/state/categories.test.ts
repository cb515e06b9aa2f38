import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SYSCALL_NAMES } from '../../analysis/x86_64/syscall-table.js';
import { CATEGORIES, CATEGORY_TABLE, categoryOf, hasCategory } from '../syscall-categories.js';

test('every syscall of the pinned x86-64 table has a category', () => {
  const missing = SYSCALL_NAMES.filter((n): n is string => n !== undefined && !hasCategory(n));
  assert.deepEqual(missing, []);
});

test('each name is in exactly one category and is a real syscall name', () => {
  const known = new Set(SYSCALL_NAMES.filter((n) => n !== undefined));
  const seen = new Map<string, string>();
  for (const c of CATEGORIES) {
    for (const name of CATEGORY_TABLE[c]) {
      assert.ok(!seen.has(name), `${name} is in ${seen.get(name)} and ${c}`);
      seen.set(name, c);
      assert.ok(known.has(name), `${name} (${c}) is not in the syscall table`);
    }
  }
});

test('categories of well-known calls', () => {
  assert.equal(categoryOf('openat'), 'file');
  assert.equal(categoryOf('connect'), 'network');
  assert.equal(categoryOf('clone3'), 'process');
  assert.equal(categoryOf('mmap'), 'memory');
  assert.equal(categoryOf('futex'), 'ipc');
  assert.equal(categoryOf('clock_gettime'), 'time');
  assert.equal(categoryOf('seccomp'), 'security');
  assert.equal(categoryOf('mount'), 'system');
  assert.equal(categoryOf('rt_sigaction'), 'signal');
  assert.equal(categoryOf('not_a_syscall'), 'system');
});

test('every risk-marked name is a real x86-64 syscall, with a reason', async () => {
  const { SYSCALL_RISKS } = await import('../syscall-risks.js');
  const known = new Set(SYSCALL_NAMES.filter((n) => n !== undefined));
  for (const [name, why] of Object.entries(SYSCALL_RISKS)) {
    assert.ok(known.has(name), `${name} is not in the syscall table`);
    assert.ok(why.length > 10, `${name} has no reason`);
  }
  for (const n of ['setns', 'chroot', 'ptrace', 'bpf', 'mount', 'unshare', 'keyctl', 'userfaultfd', 'perf_event_open', 'io_uring_setup']) assert.ok(SYSCALL_RISKS[n], `${n} is not marked`);
});
