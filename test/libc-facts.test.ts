// Facts about Debian 12's glibc and libstdc++ that the syscall analysis must get right.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readElfFile } from '../analysis/elf/read.js';
import { analyzeObject } from '../analysis/program/analyze-object.js';
import type { FunctionFacts, ObjectFacts } from '../analysis/program/facts.js';
import { TRACKED_REGS } from '../analysis/program/facts.js';
import { existsSync } from 'node:fs';

const LIBC = '/usr/lib/x86_64-linux-gnu/libc.so.6';
const LIBSTDCXX = '/usr/lib/x86_64-linux-gnu/libstdc++.so.6';

let libc: { facts: ObjectFacts; byName: Map<string, FunctionFacts> } | undefined;
function libcFacts(): { facts: ObjectFacts; byName: Map<string, FunctionFacts> } {
  if (!libc) {
    const facts = analyzeObject(readElfFile(LIBC), 'libc');
    const byName = new Map<string, FunctionFacts>();
    for (const f of facts.functions) if (f.name) byName.set(f.name, f);
    libc = { facts, byName };
  }
  return libc;
}

function numbersIn(f: FunctionFacts | undefined): number[] {
  assert.ok(f, 'function not found');
  return [...new Set(f.syscalls.flatMap((s) => (s.nr && 'c' in s.nr ? s.nr.c : [])))].sort((a, b) => a - b);
}

test('read is found (number 0 set by xor eax,eax)', () => {
  assert.ok(numbersIn(libcFacts().byName.get('read')).includes(0));
});

test('_exit yields both exit and exit_group', () => {
  assert.deepEqual(numbersIn(libcFacts().byName.get('_exit')), [60, 231]);
});

test('the setuid family is found', () => {
  const { byName } = libcFacts();
  for (const [name, nr] of [['setuid', 105], ['setgid', 106], ['setreuid', 113], ['setregid', 114], ['setresuid', 117], ['setresgid', 119], ['setgroups', 116]] as const) {
    assert.ok(numbersIn(byName.get(name)).includes(nr), `${name} makes syscall ${nr}`);
  }
});

test('syscall() is a wrapper: the number arrives in rdi', () => {
  const f = libcFacts().byName.get('syscall');
  assert.ok(f);
  assert.ok(f.syscalls.some((s) => s.nr !== null && 'arg' in s.nr && s.nr.arg === 7), JSON.stringify(f.syscalls));
});

test('libc has a syscall site for almost every number it uses, few unknown', () => {
  const sites = libcFacts().facts.functions.flatMap((f) => f.syscalls);
  const unknown = sites.filter((s) => s.nr === null);
  assert.ok(sites.length >= 500, `sites: ${sites.length}`);
  assert.ok(unknown.length <= 40, `unknown: ${unknown.length}`);
});

test("libstdc++'s futex via syscall() is found", { skip: !existsSync(LIBSTDCXX) && 'libstdc++ is not installed' }, () => {
  const facts = analyzeObject(readElfFile(LIBSTDCXX), 'libstdc++');
  const stub = facts.functions.find((f) => f.name === 'syscall@plt');
  assert.ok(stub, 'libstdc++ calls syscall through its PLT');
  const rdi = TRACKED_REGS.indexOf(7);
  const numbers = new Set(facts.functions.flatMap((f) => f.calls.filter((c) => c.target === stub.entry).flatMap((c) => { const v = c.regs?.[rdi]; return v && 'c' in v ? v.c : []; })));
  assert.ok(numbers.has(202), `numbers passed to syscall(): ${[...numbers]}`);
});
