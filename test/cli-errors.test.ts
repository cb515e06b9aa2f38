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

test('explain: every site of an allowed syscall with its path; exit 1 for one the report does not allow; bad input in one line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'confine-explain-'));
  const json = join(dir, 'true.json');
  const a = confine(['analyze', '--rootfs', '/', '--program', '/usr/bin/true', '--json', json, '--no-cache']);
  assert.equal(a.status, 0, a.stderr);
  const report = JSON.parse(readFileSync(json, 'utf8')) as { syscalls: { name: string; sites?: { object: string; address: string }[] }[] };
  const exit = report.syscalls.find((s) => s.name === 'exit_group')!;
  const r = confine(['explain', json, 'exit_group']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^exit_group \(231\) is allowed for \/usr\/bin\/true\n/);
  assert.match(r.stdout, new RegExp(`${exit.sites!.length} reachable sites?:`));
  for (const s of exit.sites!) assert.ok(r.stdout.includes(`at 0x${s.address} (${s.object};`), `site ${s.object}:${s.address} not printed`);
  assert.match(r.stdout, /^ {5}true:\S+ -> libc:__libc_start_main -> /m, 'paths start at the program entry');
  assert.equal(confine(['explain', json, '231']).stdout, r.stdout, 'a number names the same syscall');
  const no = confine(['explain', json, 'ptrace']);
  assert.equal(no.status, 1);
  assert.match(no.stdout, /^ptrace \(101\) is not allowed/);
  for (const [args, why] of [
    [['explain', json, 'no_such_call'], /^confine: no_such_call: not an x86-64 syscall name or number$/],
    [['explain', join(dir, 'missing.json'), 'read'], /missing\.json: cannot read the report \(ENOENT\)$/],
    [['explain', '/etc/hostname', 'read'], /\/etc\/hostname: not a JSON report/],
  ] as const) {
    const e = confine([...args]);
    assert.equal(e.status, 2, e.stderr);
    assert.equal(e.stderr.trim().split('\n').length, 1, e.stderr);
    assert.match(e.stderr.trim(), why);
  }
});
