import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InputError } from '../errors.js';
import { existsInRootfs, globInRootfs, resolveInRootfs } from './rootfs.js';

const tempDirs: string[] = [];
after(() => {
  for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
});

function makeTree(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'confine-rootfs-'));
  tempDirs.push(dir);
  const root = path.join(dir, 'root');
  fs.mkdirSync(path.join(root, 'usr/lib/x86_64-linux-gnu'), { recursive: true });
  fs.mkdirSync(path.join(root, 'usr/bin'), { recursive: true });
  fs.mkdirSync(path.join(root, 'etc/ld.so.conf.d'), { recursive: true });
  fs.writeFileSync(path.join(root, 'usr/lib/x86_64-linux-gnu/libfoo.so.1.2.3'), 'foo');
  fs.writeFileSync(path.join(root, 'usr/bin/prog'), 'prog');
  fs.writeFileSync(path.join(root, 'etc/ld.so.conf.d/a.conf'), '');
  fs.writeFileSync(path.join(root, 'etc/ld.so.conf.d/b.conf'), '');
  fs.writeFileSync(path.join(root, 'etc/ld.so.conf.d/c.txt'), '');
  // A file outside the rootfs with the same in-rootfs name as an escape target: it must never be reached.
  fs.writeFileSync(path.join(dir, 'secret'), 'outside');
  fs.symlinkSync('usr/lib', path.join(root, 'lib')); // merged-usr, relative
  fs.symlinkSync('libfoo.so.1.2.3', path.join(root, 'usr/lib/x86_64-linux-gnu/libfoo.so.1'));
  fs.symlinkSync('/usr/lib/x86_64-linux-gnu/libfoo.so.1', path.join(root, 'usr/bin/abs')); // absolute inside
  fs.symlinkSync('../../../secret', path.join(root, 'usr/bin/escape'));
  fs.symlinkSync('/../secret', path.join(root, 'usr/bin/escape2'));
  fs.symlinkSync('loop2', path.join(root, 'usr/bin/loop1'));
  fs.symlinkSync('loop1', path.join(root, 'usr/bin/loop2'));
  fs.symlinkSync('prog/x', path.join(root, 'usr/bin/notdir'));
  return root;
}

test('resolveInRootfs follows relative and absolute links inside the rootfs', () => {
  const root = makeTree();
  const r1 = resolveInRootfs(root, '/lib/x86_64-linux-gnu/libfoo.so.1');
  assert.equal(r1.rootfsPath, '/usr/lib/x86_64-linux-gnu/libfoo.so.1.2.3');
  assert.equal(r1.hostPath, path.join(fs.realpathSync(root), 'usr/lib/x86_64-linux-gnu/libfoo.so.1.2.3'));
  assert.equal(fs.readFileSync(r1.hostPath, 'utf8'), 'foo');
  const r2 = resolveInRootfs(root, '/usr/bin/abs');
  assert.equal(r2.rootfsPath, '/usr/lib/x86_64-linux-gnu/libfoo.so.1.2.3');
  assert.equal(resolveInRootfs(root, '/usr/bin/../bin/./prog').rootfsPath, '/usr/bin/prog');
  // ".." at the root of the caller's own path stays at the root, as in a chroot.
  assert.equal(resolveInRootfs(root, '/../../usr/bin/prog').rootfsPath, '/usr/bin/prog');
  assert.equal(resolveInRootfs(root, '/').rootfsPath, '/');
  assert.ok(existsInRootfs(root, '/lib'));
  assert.ok(!existsInRootfs(root, '/usr/bin/escape'));
});

test('resolveInRootfs rejects escapes, loops and missing files with InputError', () => {
  const root = makeTree();
  assert.throws(
    () => resolveInRootfs(root, '/usr/bin/escape'),
    (e: unknown) =>
      e instanceof InputError &&
      e.file === '/usr/bin/escape' &&
      e.problem === 'symlink escapes the rootfs: /usr/bin/escape -> ../../../secret',
  );
  assert.throws(() => resolveInRootfs(root, '/usr/bin/escape2'), /symlink escapes the rootfs: \/usr\/bin\/escape2 -> \/..\/secret/);
  assert.throws(() => resolveInRootfs(root, '/usr/bin/loop1'), (e: unknown) => e instanceof InputError && /symbolic links/.test(e.problem));
  assert.throws(
    () => resolveInRootfs(root, '/usr/bin/missing'),
    (e: unknown) => e instanceof InputError && e.problem === `no such file in the rootfs ${root}`,
  );
  assert.throws(() => resolveInRootfs(root, '/usr/bin/notdir'), InputError);
  assert.throws(() => resolveInRootfs(root, '/usr/bin/prog/x'), InputError);
});

test('globInRootfs expands wildcards in sorted order', () => {
  const root = makeTree();
  assert.deepEqual(globInRootfs(root, '/etc/ld.so.conf.d/*.conf'), ['/etc/ld.so.conf.d/a.conf', '/etc/ld.so.conf.d/b.conf']);
  assert.deepEqual(globInRootfs(root, '/lib/*/libfoo.so.?'), ['/lib/x86_64-linux-gnu/libfoo.so.1']);
  assert.deepEqual(globInRootfs(root, '/nothing/*'), []);
});

test('"/" as the rootfs is the host', () => {
  const sh = resolveInRootfs('/', '/usr/bin/sh');
  assert.equal(sh.hostPath, fs.realpathSync('/usr/bin/sh'));
  assert.equal(sh.rootfsPath, fs.realpathSync('/usr/bin/sh'));
});
