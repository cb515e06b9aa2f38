// The positions of argument-table.ts against the real tool strace: for each syscall of the table,
// syscall-probe (test/traps/syscall-probe.c) makes one harmless call (it fails, or changes only the
// probe's own short-lived process) with a recognisable value at each restricted argument's declared
// index, and strace's decoding must show that value, by name, at that argument: the position in
// strace's list (strace prints the kernel's order), or by parameter name where strace names them
// (clone on x86-64: `clone(child_stack=..., flags=...)`). strace's names are read back through
// value-names.ts, so the check also holds our names against strace's. The probe runs by the number
// syscall-table.ts gives, and strace's line must carry the syscall's name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTrap } from '../../test/support/build-traps.js';
import { syscallNumber } from '../x86_64/syscall-table.js';
import { RESTRICTED_ARGUMENTS, type RestrictedArgument } from './argument-table.js';
import { namesFor, valueText } from './value-names.js';

interface ProbeCase {
  syscall: string;
  /** The probe's arguments in kernel order: a number, or @pid, @tid, @buf. */
  args: (number | string)[];
  /** strace shows the value as a number only (no name exists for it). */
  numeric?: boolean;
}

// Every call fails before it does anything, or affects only the probe process, which exits.
const CASES: ProbeCase[] = [
  // CLONE_THREAD without CLONE_SIGHAND: EINVAL before any copy.
  { syscall: 'clone', args: [0x10000 | 0x10000000, 0, 0, 0, 0] },
  // CLONE_VFORK is no unshare flag: EINVAL before any namespace is made.
  { syscall: 'unshare', args: [0x4000 | 0x04000000] },
  { syscall: 'setns', args: [-1, 0x40000000] }, // EBADF
  // AF_NETLINK has no SOCK_STREAM and AF_UNIX no SOCK_PACKET: ESOCKTNOSUPPORT, no module load.
  { syscall: 'socket', args: [16, 1 | 0o2000000, 0] },
  { syscall: 'socketpair', args: [1, 10 | 0o4000, 0, '@buf'] },
  { syscall: 'mmap', args: [0, 4096, 0x1, 0x02 | 0x20, -1, 0] },
  { syscall: 'mprotect', args: ['@buf', 4096, 0x1 | 0x2] },
  { syscall: 'pkey_mprotect', args: ['@buf', 4096, 0x1 | 0x2, -1] },
  // 0xffffffff only queries the personality; it has no name.
  { syscall: 'personality', args: [0xffffffff], numeric: true },
  { syscall: 'prctl', args: [3] }, // PR_GET_DUMPABLE
  { syscall: 'arch_prctl', args: [0x1003, '@buf'] }, // ARCH_GET_FS
  { syscall: 'ioctl', args: [-1, 0x5401, '@buf'] }, // TCGETS: EBADF
  { syscall: 'fcntl', args: [-1, 1030, 0] }, // F_DUPFD_CLOEXEC: EBADF
  { syscall: 'madvise', args: ['@buf', 4096, 3] }, // MADV_WILLNEED
  { syscall: 'keyctl', args: [6, 0, '@buf', 0] }, // KEYCTL_DESCRIBE of key 0: EINVAL
  { syscall: 'bpf', args: [5, 0, 0] }, // BPF_PROG_LOAD of nothing
  { syscall: 'ptrace', args: [0x4202, 0, 0, '@buf'] }, // PTRACE_GETSIGINFO of pid 0: ESRCH
  // SIGWINCH to the probe itself, which ignores it.
  { syscall: 'kill', args: ['@pid', 28] },
  { syscall: 'tgkill', args: ['@pid', '@tid', 28] },
  { syscall: 'setsockopt', args: [-1, 1, 2, '@buf', 4] }, // SOL_SOCKET SO_REUSEADDR: EBADF
  { syscall: 'setsockopt', args: [-1, 6, 1, '@buf', 4] }, // SOL_TCP TCP_NODELAY
  { syscall: 'setsockopt', args: [-1, 41, 26, '@buf', 4] }, // SOL_IPV6 IPV6_V6ONLY
];

/** A number as strace prints one. */
const NUMBER = /^(0x[0-9a-f]+|\d+)$/;

/** strace's arguments at the top level: commas inside (), [], {} and strings do not split. */
function splitArgs(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (c === ',' && depth === 0) {
      out.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(text.slice(start).trim());
  return out;
}

/** The last call of `syscall` in strace's output (the probe's own; the loader's come first). */
function lastCall(trace: string, syscall: string): string[] | undefined {
  let args: string[] | undefined;
  for (const line of trace.split('\n')) {
    const m = /^(?:\d+\s+)?(\w+)\((.*)\)\s+=\s/.exec(line);
    if (m && m[1] === syscall) args = splitArgs(m[2].replace(/\/\*.*?\*\//g, ''));
  }
  return args;
}

/** What strace shows for one argument: by its parameter name if strace names them, else by position. */
function shown(args: string[], arg: RestrictedArgument): string | undefined {
  const named = args.map((a) => /^(\w+)=(.*)$/s.exec(a));
  if (named.every((m) => m !== null)) return named.find((m) => m[1] === arg.name)?.[2];
  return args[arg.index];
}

/** strace's symbolic text read back to a number through our names; undefined for a name we lack. */
function decode(text: string, syscall: string, arg: RestrictedArgument, others: Record<string, number>): bigint | undefined {
  const names = namesFor(syscall, arg.name, others);
  const all = { ...names?.values, ...names?.bits };
  let v = 0n;
  for (const part of text.split('|')) {
    if (NUMBER.test(part)) v |= BigInt(part);
    else if (part in all) v |= BigInt(all[part]);
    else return undefined;
  }
  return v;
}

function probeValue(a: number | string): number | undefined {
  return typeof a === 'number' ? a : undefined;
}

test('every syscall of the argument table has a probe case', () => {
  const covered = new Set(CASES.map((c) => c.syscall));
  assert.deepEqual(Object.keys(RESTRICTED_ARGUMENTS).filter((s) => !covered.has(s)), []);
  for (const c of CASES) {
    for (const arg of RESTRICTED_ARGUMENTS[c.syscall]) {
      assert.ok(probeValue(c.args[arg.index] ?? '') !== undefined, `${c.syscall}: no number at ${arg.name}'s index ${arg.index}`);
    }
  }
});

test('strace decodes each restricted argument at the position the table declares', { timeout: 120_000 }, async () => {
  const version = spawnSync('strace', ['-V'], { encoding: 'utf8' });
  assert.ok(version.status === 0, `strace is needed for this test and is not installed (the setup installs it): ${version.error?.message ?? version.stderr}`);
  const probe = await buildTrap('syscall-probe');
  const dir = mkdtempSync(join(tmpdir(), 'confine-argument-table-'));
  try {
    const problems: string[] = [];
    CASES.forEach((c, n) => {
      const nr = syscallNumber(c.syscall);
      assert.ok(nr !== undefined, `${c.syscall} has no number`);
      const out = join(dir, `trace-${n}`);
      const r = spawnSync('strace', ['-f', '-qq', '-e', 'signal=none', '-e', `trace=${c.syscall}`, '-o', out, probe, String(nr), ...c.args.map(String)], { encoding: 'utf8' });
      assert.ok(r.status !== null && r.status <= 2, `${c.syscall}: strace or the probe failed (status ${r.status}): ${r.stderr}`);
      const trace = readFileSync(out, 'utf8');
      const args = lastCall(trace, c.syscall);
      if (!args) {
        problems.push(`${c.syscall}: no call in strace's output:\n${trace}`);
        return;
      }
      const restricted = RESTRICTED_ARGUMENTS[c.syscall];
      const others = Object.fromEntries(restricted.map((a) => [a.name, probeValue(c.args[a.index]) ?? 0]));
      for (const arg of restricted) {
        const value = probeValue(c.args[arg.index]) ?? 0;
        const text = shown(args, arg);
        const where = `${c.syscall} ${arg.name} (index ${arg.index}) = ${valueText(c.syscall, arg.name, arg.kind, value, others)}`;
        if (text === undefined) {
          problems.push(`${where}: strace shows no such argument in ${c.syscall}(${args.join(', ')})`);
          continue;
        }
        const decoded = decode(text, c.syscall, arg, others);
        const parts = text.split('|');
        const numbers = parts.filter((p) => NUMBER.test(p)).length;
        if (decoded !== BigInt.asUintN(64, BigInt(value))) {
          problems.push(`${where}: strace shows ${text} there, in ${c.syscall}(${args.join(', ')})`);
        } else if (!c.numeric && numbers === parts.length) {
          problems.push(`${where}: strace shows no name, only ${text}, in ${c.syscall}(${args.join(', ')})`);
        } else if (numbers === 0 || c.numeric) {
          // Where strace names every part (or none exists), our text has the same parts.
          const ours = valueText(c.syscall, arg.name, arg.kind, value, others).split('|').sort().join('|');
          if (ours !== [...parts].sort().join('|')) problems.push(`${where}: strace shows ${text}, which names it differently`);
        }
      }
    });
    assert.deepEqual(problems, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
