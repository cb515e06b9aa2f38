import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { KERNEL_RELEASE, MAX_SYSCALL, SYSCALL_NAMES, syscallName, syscallNumber } from './syscall-table.js';

// Debian's linux-libc-dev: the kernel's own generated list, an independent copy to check the pinned table against.
const HOST_UNISTD = '/usr/include/x86_64-linux-gnu/asm/unistd_64.h';

function hostSyscalls(): Map<string, number> {
  const text = readFileSync(HOST_UNISTD, 'utf8');
  const out = new Map<string, number>();
  for (const m of text.matchAll(/^#define __NR_(\w+)\s+(\d+)\s*$/gm)) out.set(m[1], Number(m[2]));
  return out;
}

test('every syscall in the host unistd_64.h has the same number in the table', () => {
  const host = hostSyscalls();
  assert.ok(host.size > 300, `expected hundreds of __NR_ defines in ${HOST_UNISTD}, found ${host.size}`);
  const wrong: string[] = [];
  for (const [name, nr] of host) {
    if (syscallNumber(name) !== nr || syscallName(nr) !== name) {
      wrong.push(`${name}=${nr} (table: number ${syscallNumber(name)}, name at ${nr} ${syscallName(nr)})`);
    }
  }
  assert.deepEqual(wrong, [], `table disagrees with ${HOST_UNISTD}:\n${wrong.join('\n')}`);
});

test('spot checks', () => {
  const expected: [string, number][] = [
    ['read', 0], ['write', 1], ['exit', 60], ['exit_group', 231], ['getrandom', 318],
    ['clone3', 435], ['openat2', 437], ['execve', 59], ['uretprobe', 335], ['mseal', 462],
  ];
  for (const [name, nr] of expected) {
    assert.equal(syscallNumber(name), nr, name);
    assert.equal(syscallName(nr), name, String(nr));
  }
});

test('table shape: no x32 entries, holes are undefined, lookups reject junk', () => {
  assert.match(KERNEL_RELEASE, /^\d+\.\d+$/);
  assert.equal(MAX_SYSCALL, SYSCALL_NAMES.length - 1);
  assert.ok(MAX_SYSCALL < 512, 'x32 numbers must not be in the table');
  assert.equal(syscallName(400), undefined);
  assert.equal(syscallName(-1), undefined);
  assert.equal(syscallName(1.5), undefined);
  assert.equal(syscallName(MAX_SYSCALL + 1), undefined);
  assert.equal(syscallNumber('no_such_call'), undefined);
  const names = SYSCALL_NAMES.filter((n): n is string => n !== undefined);
  assert.equal(new Set(names).size, names.length, 'names are unique');
});
