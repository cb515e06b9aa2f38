import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readElfFile } from '../elf/read.js';
import type { ElfFile } from '../elf/types.js';
import { InputError } from '../errors.js';
import { loadProgram } from './loader.js';
import { expandDst, ldSoConfDirs, parseLdSoConfText, SYSTEM_DIRS } from './search.js';

// Real gcc-built libraries and programs; each expectation about where a library is found is
// first proven by running the program under the host's ld.so.

let dir = '';
const open = (hostPath: string, rootfsPath: string): ElfFile => readElfFile(hostPath, rootfsPath);

function sh(cmd: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { cwd: dir, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function gcc(args: string[]): void {
  const r = sh('gcc', args);
  assert.equal(r.status, 0, `gcc ${args.join(' ')}: ${r.stderr}`);
}

before(() => {
  dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'confine-search-')));
  fs.mkdirSync(path.join(dir, 'lib'));
  fs.mkdirSync(path.join(dir, 'wrong'));
  fs.mkdirSync(path.join(dir, 'bad'));
  fs.writeFileSync(path.join(dir, 'b.c'), 'int b(void) { return 40; }\n');
  fs.writeFileSync(path.join(dir, 'a.c'), 'int b(void);\nint a(void) { return b() + 2; }\n');
  fs.writeFileSync(path.join(dir, 'main.c'), '#include <stdio.h>\nint a(void);\nint main(void) { printf("%d\\n", a()); return 0; }\n');
  gcc(['-shared', '-fPIC', '-o', 'lib/libb.so', 'b.c']);
  // liba needs libb but has no search path of its own: only an RPATH up the chain can find libb.
  gcc(['-shared', '-fPIC', '-o', 'lib/liba.so', 'a.c', '-Llib', '-lb', '-Wl,--no-as-needed']);
  const link = (out: string, extra: string[]): void => gcc(['-o', out, 'main.c', '-Llib', '-Wl,--no-as-needed', '-la', '-lb', ...extra]);
  link('prog-rpath', ['-Wl,--disable-new-dtags', '-Wl,-rpath,$ORIGIN/lib']);
  link('prog-runpath', ['-Wl,--enable-new-dtags', '-Wl,-rpath,${ORIGIN}/lib']);
  // Without -lb on the program, libb is only liba's dependency.
  gcc(['-o', 'prog-rpath-indirect', 'main.c', '-Llib', '-la', '-Wl,--disable-new-dtags', '-Wl,-rpath,$ORIGIN/lib', '-Wl,-rpath-link,lib']);
  gcc(['-o', 'prog-runpath-indirect', 'main.c', '-Llib', '-la', '-Wl,--enable-new-dtags', '-Wl,-rpath,$ORIGIN/lib', '-Wl,-rpath-link,lib']);
  // A 32-bit-class file under the right name earlier in the path: ld.so skips it and keeps searching.
  const wrong = Buffer.from(fs.readFileSync(path.join(dir, 'lib/liba.so')));
  wrong[4] = 1;
  fs.writeFileSync(path.join(dir, 'wrong/liba.so'), wrong);
  link('prog-wrong-class', ['-Wl,--enable-new-dtags', '-Wl,-rpath,$ORIGIN/wrong:$ORIGIN/lib']);
  // Not an ELF file at all: ld.so gives up on the library instead.
  fs.writeFileSync(path.join(dir, 'bad/liba.so'), 'this is not an ELF file, just text long enough to be read whole\n');
  link('prog-bad', ['-Wl,--enable-new-dtags', '-Wl,-rpath,$ORIGIN/bad:$ORIGIN/lib']);
});

after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function objectPaths(program: string): { paths: string[]; warnings: string[] } {
  const lp = loadProgram('/', path.join(dir, program), open);
  return { paths: lp.objects.map((o) => o.rootfsPath), warnings: lp.warnings };
}

test('$ORIGIN in DT_RPATH and DT_RUNPATH finds the libraries ld.so finds', () => {
  for (const prog of ['prog-rpath', 'prog-runpath', 'prog-rpath-indirect']) {
    const run = sh(path.join(dir, prog), []);
    assert.equal(run.stdout, '42\n', `${prog} did not run: ${run.stderr}`);
    const { paths, warnings } = objectPaths(prog);
    assert.deepEqual(warnings, [], prog);
    assert.ok(paths.includes(path.join(dir, 'lib/liba.so')), `${prog}: ${paths.join(' ')}`);
    assert.ok(paths.includes(path.join(dir, 'lib/libb.so')), `${prog}: ${paths.join(' ')}`);
  }
});

test('DT_RUNPATH applies to the object itself only, DT_RPATH to everything it brings in', () => {
  const run = sh(path.join(dir, 'prog-runpath-indirect'), []);
  assert.notEqual(run.status, 0);
  assert.match(run.stderr, /libb\.so: cannot open shared object file/);
  const { paths, warnings } = objectPaths('prog-runpath-indirect');
  assert.ok(paths.includes(path.join(dir, 'lib/liba.so')));
  assert.ok(!paths.includes(path.join(dir, 'lib/libb.so')));
  assert.deepEqual(warnings, [
    `libb.so (needed by ${path.join(dir, 'lib/liba.so')}): not found`,
    `${path.join(dir, 'lib/liba.so')}: undefined symbol: b`,
  ]);
});

test('a wrong-class file is skipped and the search goes on; a non-ELF file stops it', () => {
  assert.equal(sh(path.join(dir, 'prog-wrong-class'), []).stdout, '42\n');
  const wrong = objectPaths('prog-wrong-class');
  assert.deepEqual(wrong.warnings, []);
  assert.ok(wrong.paths.includes(path.join(dir, 'lib/liba.so')));

  const bad = sh(path.join(dir, 'prog-bad'), []);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /bad\/liba\.so: invalid ELF header/);
  // ld.so refuses to start the program: so does the model, naming the file and the problem.
  assert.throws(
    () => objectPaths('prog-bad'),
    (e: unknown) => e instanceof InputError && e.message.includes(`liba.so (needed by ${path.join(dir, 'prog-bad')}): ${path.join(dir, 'bad/liba.so')}: invalid ELF header`),
  );
});

test('dynamic string tokens expand as on Debian x86-64', () => {
  assert.equal(expandDst('$ORIGIN/../lib:${ORIGIN}/x', '/opt/app/bin'), '/opt/app/bin/../lib:/opt/app/bin/x');
  assert.equal(expandDst('/usr/$LIB/foo/${PLATFORM}', '/'), '/usr/lib/x86_64-linux-gnu/foo/x86_64');
  // A token must end at a non-identifier character.
  assert.equal(expandDst('$ORIGINAL/$LIBS', '/o'), '$ORIGINAL/$LIBS');
});

test('ld.so.conf text: comments, includes and several directories per line', () => {
  assert.deepEqual(parseLdSoConfText('# c\ninclude /etc/ld.so.conf.d/*.conf other/*.conf\n/usr/local/lib  # libc\n/opt/a:/opt/b, /opt/c/\nhwcap 1 x\n/x=libc6\n'), [
    { kind: 'include', pattern: '/etc/ld.so.conf.d/*.conf' },
    { kind: 'include', pattern: 'other/*.conf' },
    { kind: 'dir', path: '/usr/local/lib' },
    { kind: 'dir', path: '/opt/a' },
    { kind: 'dir', path: '/opt/b' },
    { kind: 'dir', path: '/opt/c' },
    { kind: 'dir', path: '/x' },
  ]);
});

test("the host's /etc/ld.so.conf gives the directories ldconfig uses", (t) => {
  const r = spawnSync('/sbin/ldconfig', ['-N', '-X', '-v'], { encoding: 'utf8' });
  if (r.status !== 0) {
    t.skip(`ldconfig -N -X -v failed: ${r.stderr}`);
    return;
  }
  // ldconfig lists each existing directory once by identity, plus its built-in system directories.
  const fromLdconfig = new Set<string>();
  for (const line of r.stdout.split('\n')) {
    const m = /^(\/\S*): \(from /.exec(line);
    if (m) fromLdconfig.add(fs.realpathSync(m[1]));
  }
  const ours = new Set<string>();
  for (const d of [...ldSoConfDirs('/'), ...SYSTEM_DIRS]) if (fs.existsSync(d)) ours.add(fs.realpathSync(d));
  assert.deepEqual(ours, fromLdconfig);
});
