// The value names of value-names.ts against the kernel's and glibc's own headers (Debian's
// linux-libc-dev and libc6-dev): one C program includes the headers and prints every name of the
// tables with its value, and each must equal ours. A name the headers lack fails to compile, and
// the test names it. Then the tables' shape (one table per restricted argument, one name per
// value, single-bit flags outside the named field) and how valueText shows values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RESTRICTED_ARGUMENTS } from './argument-table.js';
import { VALUE_NAMES, valueText, type ArgumentNames, type NameMap } from './value-names.js';

const HEADERS = [
  'sys/socket.h', 'sys/mman.h', 'linux/mman.h', 'sched.h', 'sys/prctl.h', 'asm/prctl.h', 'fcntl.h',
  'linux/keyctl.h', 'linux/bpf.h', 'sys/ptrace.h', 'signal.h', 'netinet/in.h', 'netinet/tcp.h',
  'netinet/udp.h', 'sys/ioctl.h', 'sys/personality.h',
];

/** Every name table of VALUE_NAMES, with where it is used. */
function allTables(): { where: string; names: ArgumentNames }[] {
  const out: { where: string; names: ArgumentNames }[] = [];
  for (const [syscall, args] of Object.entries(VALUE_NAMES)) {
    for (const [arg, table] of Object.entries(args)) {
      if ('by' in table) {
        for (const [key, names] of Object.entries(table.cases)) out.push({ where: `${syscall} ${arg} (${table.by} ${key})`, names });
      } else out.push({ where: `${syscall} ${arg}`, names: table });
    }
  }
  return out;
}

function maps(names: ArgumentNames): NameMap[] {
  return [names.values, names.bits].filter((m): m is NameMap => m !== undefined);
}

test('every name has the value the installed kernel and libc headers give it', () => {
  const ours = new Map<string, number>();
  const conflicts: string[] = [];
  for (const { where, names } of allTables()) {
    for (const map of maps(names)) {
      for (const [name, value] of Object.entries(map)) {
        const seen = ours.get(name);
        if (seen !== undefined && seen !== value) conflicts.push(`${name} is ${seen} in one table and ${value} in ${where}`);
        ours.set(name, value);
      }
    }
  }
  assert.deepEqual(conflicts, []);
  assert.ok(ours.size > 300, `expected hundreds of names, found ${ours.size}`);

  const dir = mkdtempSync(join(tmpdir(), 'confine-value-names-'));
  try {
    const source = join(dir, 'names.c');
    const lines = [...ours.keys()].map((name) => `  printf("%s %lld\\n", "${name}", (long long)(${name}));`);
    writeFileSync(
      source,
      ['#define _GNU_SOURCE', '#include <stdio.h>', ...HEADERS.map((h) => `#include <${h}>`), 'int main(void) {', ...lines, '  return 0;', '}', ''].join('\n'),
    );
    const binary = join(dir, 'names');
    try {
      execFileSync('gcc', ['-Wall', source, '-o', binary], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    } catch (e) {
      const stderr = String((e as { stderr?: Buffer }).stderr ?? e);
      const missing = [...new Set([...stderr.matchAll(/['‘](\w+)['’] undeclared/g)].map((m) => m[1]))];
      assert.fail(`the installed headers (${HEADERS.join(', ')}) lack ${missing.length > 0 ? missing.join(', ') : 'something'}; drop such names from value-names.ts:\n${stderr}`);
    }
    const theirs = new Map<string, number>();
    for (const line of execFileSync(binary, { encoding: 'utf8' }).split('\n')) {
      const m = /^(\w+) (-?\d+)$/.exec(line);
      if (m) theirs.set(m[1], Number(m[2]));
    }
    const wrong = [...ours].filter(([name, value]) => theirs.get(name) !== value).map(([name, value]) => `${name}: ours ${value}, headers ${theirs.get(name)}`);
    assert.deepEqual(wrong, [], `names whose value differs from the headers':\n${wrong.join('\n')}`);
    assert.equal(theirs.size, ours.size);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('each restricted argument has a name table, and each name table a restricted argument', () => {
  const expected = Object.entries(RESTRICTED_ARGUMENTS).flatMap(([syscall, args]) => args.map((a) => `${syscall} ${a.name}`)).sort();
  const actual = Object.entries(VALUE_NAMES).flatMap(([syscall, args]) => Object.keys(args).map((a) => `${syscall} ${a}`)).sort();
  assert.deepEqual(actual, expected);
  for (const [syscall, args] of Object.entries(VALUE_NAMES)) {
    for (const table of Object.values(args)) {
      if ('by' in table) assert.ok(table.by in args, `${syscall}: names keyed by ${table.by}, which has no table of its own`);
    }
  }
});

test('one name per value; flag names are single bits outside the named field', () => {
  const problems: string[] = [];
  for (const { where, names } of allTables()) {
    for (const map of maps(names)) {
      const byValue = new Map<number, string>();
      for (const [name, value] of Object.entries(map)) {
        const other = byValue.get(value);
        if (other !== undefined) problems.push(`${where}: ${other} and ${name} are both ${value}`);
        byValue.set(value, name);
        if (!Number.isSafeInteger(value) || value < 0) problems.push(`${where}: ${name} is ${value}`);
      }
    }
    const field = BigInt(names.field ?? 0);
    for (const [name, value] of Object.entries(names.bits ?? {})) {
      const bit = BigInt(value);
      if (bit === 0n || (bit & (bit - 1n)) !== 0n) problems.push(`${where}: ${name} (${value}) is not a single bit`);
      if ((bit & field) !== 0n) problems.push(`${where}: ${name} (${value}) lies inside the field ${field}`);
    }
  }
  assert.deepEqual(problems, []);
});

test('valueText: names, a field and its bits, bits without a name in hex, numbers without a name', () => {
  const cases: [string, string, 'flags' | 'value', number, string, Record<string, number>?][] = [
    ['socket', 'family', 'value', 17, 'AF_PACKET'],
    ['socket', 'family', 'value', 10, 'AF_INET6'],
    ['socket', 'family', 'value', 200, '200'],
    ['socket', 'type', 'value', 0o2004001, 'SOCK_STREAM|SOCK_NONBLOCK|SOCK_CLOEXEC'],
    ['socket', 'type', 'value', 0o2000000, 'SOCK_CLOEXEC'],
    ['mmap', 'prot', 'flags', 7, 'PROT_READ|PROT_WRITE|PROT_EXEC'],
    ['mmap', 'prot', 'flags', 0x101, 'PROT_READ|0x100'],
    ['mmap', 'prot', 'flags', 0, 'PROT_NONE'],
    ['mmap', 'flags', 'flags', 0x22, 'MAP_PRIVATE|MAP_ANONYMOUS'],
    ['mmap', 'flags', 'flags', 0x40022, 'MAP_PRIVATE|MAP_ANONYMOUS|MAP_HUGETLB'],
    ['mmap', 'flags', 'flags', 0x5400_0022, 'MAP_PRIVATE|MAP_ANONYMOUS|0x54000000'],
    ['clone', 'flags', 'flags', 17, 'SIGCHLD'],
    ['clone', 'flags', 'flags', 0x1200011, 'SIGCHLD|CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID'],
    ['clone', 'flags', 'flags', 0x3d0f00, 'CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID'],
    ['unshare', 'unshare_flags', 'flags', 0x04000080, 'CLONE_NEWTIME|CLONE_NEWUTS'],
    ['unshare', 'unshare_flags', 'flags', 0, '0'],
    ['setns', 'nstype', 'value', 0x40000000, 'CLONE_NEWNET'],
    ['setns', 'nstype', 'value', 0, '0'],
    ['personality', 'personality', 'value', 0xffffffff, '0xffffffff'],
    ['personality', 'personality', 'value', 0x40000, 'PER_LINUX|ADDR_NO_RANDOMIZE'],
    ['personality', 'personality', 'value', 8, 'PER_LINUX32'],
    ['prctl', 'option', 'value', 38, 'PR_SET_NO_NEW_PRIVS'],
    ['arch_prctl', 'option', 'value', 0x1002, 'ARCH_SET_FS'],
    ['arch_prctl', 'option', 'value', 0x3001, '0x3001'],
    ['ioctl', 'cmd', 'value', 0x5401, 'TCGETS'],
    ['ioctl', 'cmd', 'value', 0x80045430, 'TIOCGPTN'],
    ['ioctl', 'cmd', 'value', 0xc0184800, '0xc0184800'],
    ['fcntl', 'cmd', 'value', 1030, 'F_DUPFD_CLOEXEC'],
    ['madvise', 'behavior', 'value', 4, 'MADV_DONTNEED'],
    ['keyctl', 'option', 'value', 0, 'KEYCTL_GET_KEYRING_ID'],
    ['bpf', 'cmd', 'value', 5, 'BPF_PROG_LOAD'],
    ['ptrace', 'request', 'value', 0, 'PTRACE_TRACEME'],
    ['kill', 'sig', 'value', 9, 'SIGKILL'],
    ['kill', 'sig', 'value', 0, '0'],
    ['tgkill', 'sig', 'value', 40, '40'],
    ['setsockopt', 'level', 'value', 6, 'SOL_TCP'],
    ['setsockopt', 'optname', 'value', 1, 'TCP_NODELAY', { level: 6 }],
    ['setsockopt', 'optname', 'value', 1, 'SO_DEBUG', { level: 1 }],
    ['setsockopt', 'optname', 'value', 26, 'IPV6_V6ONLY', { level: 41 }],
    ['setsockopt', 'optname', 'value', 1, '1'],
    ['setsockopt', 'optname', 'value', 1, '1', { level: 270 }],
    ['read', 'fd', 'value', 3, '3'],
    ['read', 'flags', 'flags', 3, '0x3'],
  ];
  for (const [syscall, arg, kind, value, text, others] of cases) {
    assert.equal(valueText(syscall, arg, kind, value, others), text, `${syscall} ${arg} ${value}`);
  }
});
