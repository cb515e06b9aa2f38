// Bad input through the real CLI: one line naming the file and the problem, exit 2, no stack trace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, mkdirSync, readFileSync, symlinkSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CONFINE = fileURLToPath(new URL('../../bin/confine', import.meta.url));

function confine(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CONFINE, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function rootfsWith(files: Record<string, Uint8Array | string>): string {
  const root = mkdtempSync(join(tmpdir(), 'confine-bad-'));
  for (const [p, content] of Object.entries(files)) {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), content);
  }
  return root;
}

function expectOneLineError(args: string[], pattern: RegExp): void {
  const r = confine([...args, '--no-cache']);
  assert.equal(r.status, 2, `exit status for ${args.join(' ')}: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line expected, got:\n${r.stderr}`);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
}

const TRUE = readFileSync('/usr/bin/true');

test('zero-length program', () => {
  const root = rootfsWith({ 'bin/empty': new Uint8Array(0) });
  expectOneLineError(['analyze', '--rootfs', root, '--program', '/bin/empty'], /\/bin\/empty: .*empty file/);
});

test('truncated program', () => {
  const root = rootfsWith({ 'bin/cut': TRUE.subarray(0, 100) });
  expectOneLineError(['analyze', '--rootfs', root, '--program', '/bin/cut'], /\/bin\/cut: /);
});

test('random bytes', () => {
  const bytes = new Uint8Array(4096);
  let x = 12345;
  for (let i = 0; i < bytes.length; i++) bytes[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
  const root = rootfsWith({ 'bin/noise': bytes });
  expectOneLineError(['analyze', '--rootfs', root, '--program', '/bin/noise'], /\/bin\/noise: not a program: neither an ELF file nor a #! script/);
});

test('non-x86-64 ELF says unsupported architecture', () => {
  const arm = Uint8Array.from(TRUE);
  arm[18] = 183; // e_machine = EM_AARCH64
  arm[19] = 0;
  const root = rootfsWith({ 'bin/arm': arm });
  expectOneLineError(['analyze', '--rootfs', root, '--program', '/bin/arm'], /\/bin\/arm: unsupported architecture: AArch64/);
});

test('missing program', () => {
  const root = rootfsWith({ 'etc/hostname': 'x\n' });
  expectOneLineError(['analyze', '--rootfs', root, '--program', '/usr/bin/nothing'], /\/usr\/bin\/nothing: /);
});

test('symlink escaping the rootfs', () => {
  const root = rootfsWith({ 'etc/hostname': 'x\n' });
  mkdirSync(join(root, 'bin'), { recursive: true });
  symlinkSync('../../../../../../usr/bin/true', join(root, 'bin', 'escape'));
  expectOneLineError(['analyze', '--rootfs', root, '--program', '/bin/escape'], /escapes the rootfs/);
});

test('usage errors exit 2', () => {
  const r = confine(['analyze', '--program', '/usr/bin/true']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /give an IMAGE, or --rootfs DIR with --program/);
});

test('a valid program in a chroot-like rootfs is analysed and nothing is written outside the cache', () => {
  const root = rootfsWith({});
  mkdirSync(join(root, 'bin'), { recursive: true });
  copyFileSync('/usr/bin/true', join(root, 'bin', 'true'));
  const before = readdirSync(root).sort();
  const cache = mkdtempSync(join(tmpdir(), 'confine-cache-'));
  const r = spawnSync(process.execPath, [CONFINE, 'analyze', '--rootfs', root, '--program', '/bin/true', '--cache-dir', cache], { encoding: 'utf8' });
  // The libraries are missing from this rootfs: a warning, not a failure.
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /libc\.so\.6.*not found/);
  assert.deepEqual(readdirSync(root).sort(), before);
  assert.ok(readdirSync(join(cache, 'facts')).some((f) => f.endsWith('.json')));
});
