// clone3 answered with ENOSYS (graph/enosys-fallback.ts): a glibc program that only creates threads
// reaches clone3 through __clone_internal alone, which falls back to clone, so its policy answers
// ENOSYS; the same program making clone3 itself through syscall(2) keeps it allowed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTrap } from './support/build-traps.js';
import { CONFINE_BIN } from './support/paths.js';

interface Report {
  syscalls: { name: string; enosys?: string }[];
  unresolved: unknown[];
}

function analyse(binary: string, dir: string): { report: Report; profile: { syscalls: { names: string[]; action: string; errnoRet?: number }[] } } {
  const json = join(dir, 'r.json');
  const profile = join(dir, 'p.json');
  execFileSync(process.execPath, [CONFINE_BIN, 'analyze', '--rootfs', '/', '--program', binary, '--json', json, '--profile', profile, '--no-cache'], { stdio: 'ignore' });
  return { report: JSON.parse(readFileSync(json, 'utf8')) as Report, profile: JSON.parse(readFileSync(profile, 'utf8')) as { syscalls: { names: string[]; action: string; errnoRet?: number }[] } };
}

test('clone3 is answered with ENOSYS where only glibc falls back from it, and allowed where the program makes it itself', { timeout: 300_000 }, async () => {
  // The makers are named by glibc's symbols: libc6-dbg's debug file (installed by the setup).
  assert.ok(existsSync('/usr/lib/debug/.build-id'), 'libc6-dbg is not installed (scripts/setup.sh installs it)');
  const dir = mkdtempSync(join(tmpdir(), 'confine-enosys-'));
  try {
    const threads = analyse(await buildTrap('threads'), dir);
    assert.deepEqual(threads.report.unresolved, []);
    const clone3 = threads.report.syscalls.find((s) => s.name === 'clone3');
    assert.ok(clone3, 'pthread_create reaches clone3');
    assert.match(clone3.enosys ?? '', /__clone_internal falls back to clone/);
    assert.ok(threads.report.syscalls.some((s) => s.name === 'clone'), 'the fallback clone is in the policy');
    const rules = threads.profile.syscalls.filter((r) => r.names.includes('clone3'));
    assert.deepEqual(rules.map((r) => [r.action, r.errnoRet]), [['SCMP_ACT_ERRNO', 38]]);

    const direct = analyse(await buildTrap('threads-clone3'), dir);
    const own = direct.report.syscalls.find((s) => s.name === 'clone3');
    assert.ok(own, 'the direct clone3 is found');
    assert.equal(own.enosys, undefined, 'a clone3 the program makes itself must stay allowed');
    assert.deepEqual(direct.profile.syscalls.filter((r) => r.names.includes('clone3')).map((r) => r.action), ['SCMP_ACT_ALLOW']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
