import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { applyLayer, LayerDataError, splitEntryName } from './layers.js';
import { digest, tarBytes, type FixtureEntry } from './fixtures.js';
import { LayerWarnings } from './warnings.js';

const temps: string[] = [];
after(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

// A target rootfs next to an "outside" directory holding a canary file that nothing may touch.
function setup(): { base: string; root: string; outside: string } {
  const base = mkdtempSync(join(tmpdir(), 'confine-layers-'));
  temps.push(base);
  const root = join(base, 'root');
  const outside = join(base, 'outside');
  mkdirSync(root);
  mkdirSync(outside);
  writeFileSync(join(outside, 'keep'), 'canary');
  return { base, root, outside };
}

async function apply(root: string, layers: FixtureEntry[][]): Promise<string[]> {
  const warnings = new LayerWarnings();
  for (let i = 0; i < layers.length; i++) {
    const bytes = await tarBytes(layers[i]);
    const d = await applyLayer(Readable.from([bytes]), { root, layer: i + 1, warnings });
    assert.equal(d, digest(bytes), 'applyLayer returns the digest of the bytes it read');
  }
  return warnings.finish();
}

function hasWarning(warnings: string[], layer: number, name: string, pattern: RegExp): void {
  assert.ok(
    warnings.some((w) => w.startsWith(`layer ${layer}: ${name}: `) && pattern.test(w)),
    `expected a layer ${layer} warning for ${name} matching ${pattern}; got:\n${warnings.join('\n')}`,
  );
}

test('splitEntryName resolves dot components and flags escapes', () => {
  assert.deepEqual(splitEntryName('./a//b/./c/'), { parts: ['a', 'b', 'c'], absolute: false, escapes: false });
  assert.deepEqual(splitEntryName('/etc/passwd'), { parts: ['etc', 'passwd'], absolute: true, escapes: false });
  assert.equal(splitEntryName('a/../../b').escapes, true);
  assert.deepEqual(splitEntryName('a/../b').parts, ['b']);
});

test('whiteouts, opaque directories, symlinks and hard links across layers', async () => {
  const { root } = setup();
  const warnings = await apply(root, [
    [
      { name: 'usr/', type: 'directory' },
      { name: 'usr/bin/', type: 'directory' },
      { name: 'usr/bin/app', body: 'app v1', mode: 0o755 },
      { name: 'usr/bin/app-hard', type: 'link', linkname: 'usr/bin/app' },
      { name: 'bin', type: 'symlink', linkname: 'usr/bin' },
      { name: 'etc/gone', body: 'old' },
      { name: 'etc/kept', body: 'kept' },
      { name: 'etc/gonedir/x', body: 'x' },
      { name: 'opq/old', body: 'old' },
      { name: 'opq/sub/old2', body: 'old' },
      { name: 'opq/sub/old3', body: 'old' },
    ],
    [
      { name: 'etc/.wh.gone' },
      { name: 'etc/.wh.gonedir' },
      // An entry of this layer before the opaque marker must survive it.
      { name: 'opq/early', body: 'new' },
      { name: 'opq/.wh..wh..opq' },
      { name: 'opq/sub/new2', body: 'new' },
      { name: 'usr/bin/app', body: 'app v2', mode: 0o755 },
      { name: 'usr/bin/app2', type: 'link', linkname: 'usr/bin/app' },
      { name: 'lib', type: 'symlink', linkname: '/usr/lib' },
      { name: 'bin2', type: 'link', linkname: 'bin' },
    ],
  ]);
  assert.deepEqual(warnings, []);
  assert.ok(!existsSync(join(root, 'etc/gone')));
  assert.ok(!existsSync(join(root, 'etc/gonedir')));
  assert.equal(readFileSync(join(root, 'etc/kept'), 'utf8'), 'kept');
  assert.deepEqual(readdirSync(join(root, 'opq')).sort(), ['early', 'sub']);
  assert.deepEqual(readdirSync(join(root, 'opq/sub')), ['new2']);
  assert.equal(readFileSync(join(root, 'usr/bin/app'), 'utf8'), 'app v2');
  // The upper layer replaced the file, so the lower hard link keeps the old content (as overlayfs does).
  assert.equal(readFileSync(join(root, 'usr/bin/app-hard'), 'utf8'), 'app v1');
  assert.equal(statSync(join(root, 'usr/bin/app2')).ino, statSync(join(root, 'usr/bin/app')).ino);
  assert.equal(readlinkSync(join(root, 'bin')), 'usr/bin');
  assert.equal(readlinkSync(join(root, 'lib')), '/usr/lib');
  assert.equal(readlinkSync(join(root, 'bin2')), 'usr/bin', 'a hard link to a symlink is a copy of the symlink');
});

test('malicious entries never write outside the target and are each reported', async () => {
  const { base, root, outside } = setup();
  const passwdLinks = statSync('/etc/passwd').nlink;
  const warnings = await apply(root, [
    [
      { name: '../escape.txt', body: 'x' },
      { name: 'a/../../escape2.txt', body: 'x' },
      { name: '/abs.txt', body: 'absolute' },
      { name: 'evil', type: 'symlink', linkname: outside },
      { name: 'evil/x', body: 'through the link' },
      { name: 'evil/sub/', type: 'directory' },
      { name: 'evil/.wh.keep' },
      { name: 'evil/.wh..wh..opq' },
      { name: 'rel-evil', type: 'symlink', linkname: '../outside' },
      { name: 'rel-evil/y', body: 'through the relative link' },
      { name: 'hl', type: 'link', linkname: '/etc/passwd' },
      { name: 'hl2', type: 'link', linkname: '../../etc/passwd' },
      { name: 'hl3', type: 'link', linkname: 'evil/keep' },
      { name: 'dev/null', type: 'character-device' },
      { name: 'dev/sda', type: 'block-device' },
      { name: 'fifo', type: 'fifo' },
      { name: 'suid', body: '#!/bin/sh', mode: 0o6755 },
      { name: 'replaced', type: 'symlink', linkname: join(outside, 'keep') },
      { name: `long/${'n'.repeat(300)}`, body: 'x' },
    ],
    [{ name: 'replaced', body: 'regular file now' }],
  ]);
  assert.deepEqual(readdirSync(outside), ['keep']);
  assert.equal(readFileSync(join(outside, 'keep'), 'utf8'), 'canary');
  assert.deepEqual(readdirSync(base).sort(), ['outside', 'root']);
  assert.equal(statSync('/etc/passwd').nlink, passwdLinks);

  hasWarning(warnings, 1, '../escape.txt', /refused, path escapes the root/);
  hasWarning(warnings, 1, 'a/../../escape2.txt', /refused, path escapes the root/);
  hasWarning(warnings, 1, '/abs.txt', /leading \/ removed/);
  assert.equal(readFileSync(join(root, 'abs.txt'), 'utf8'), 'absolute');
  hasWarning(warnings, 1, 'evil/x', /refused, parent evil is a symlink/);
  hasWarning(warnings, 1, 'evil/sub/', /refused, parent evil is a symlink/);
  hasWarning(warnings, 1, 'evil/.wh.keep', /refused, parent evil is a symlink/);
  hasWarning(warnings, 1, 'evil/.wh..wh..opq', /refused, parent evil is a symlink/);
  hasWarning(warnings, 1, 'rel-evil/y', /refused, parent rel-evil is a symlink/);
  hasWarning(warnings, 1, 'hl', /refused, hard link to \/etc\/passwd: not in the rootfs/);
  hasWarning(warnings, 1, 'hl2', /refused, hard link to \.\.\/\.\.\/etc\/passwd: not in the rootfs/);
  hasWarning(warnings, 1, `long/${'n'.repeat(300)}`, /not created \(ENAMETOOLONG\)/);
  hasWarning(warnings, 1, 'hl3', /refused, hard link to evil\/keep: parent evil is a symlink/);
  for (const n of ['hl', 'hl2', 'hl3', 'dev', 'fifo']) assert.ok(!existsSync(join(root, n)), `${n} not created`);
  assert.ok(
    warnings.some((w) => /^layer 1: 3 device files, FIFOs or sockets not created: dev\/null, dev\/sda, fifo$/.test(w)),
    warnings.join('\n'),
  );
  assert.equal(statSync(join(root, 'suid')).mode & 0o7777, 0o755, 'setuid and setgid stripped');
  assert.ok(lstatSync(join(root, 'replaced')).isFile());
  assert.equal(readFileSync(join(root, 'replaced'), 'utf8'), 'regular file now');
});

test('an absolute hard link target that exists inside the rootfs is taken rootfs-relative', async () => {
  const { root } = setup();
  const warnings = await apply(root, [[{ name: 'etc/passwd', body: 'root:x:0:0::/root:/bin/sh\n' }], [{ name: 'copy', type: 'link', linkname: '/etc/passwd' }]]);
  assert.equal(statSync(join(root, 'copy')).ino, statSync(join(root, 'etc/passwd')).ino);
  assert.notEqual(statSync(join(root, 'copy')).ino, statSync('/etc/passwd').ino);
  hasWarning(warnings, 2, 'copy', /hard link to \/etc\/passwd taken as \/etc\/passwd inside the rootfs/);
});

test('repeated problems are listed up to a cap, then summarised', async () => {
  const { root } = setup();
  const entries = Array.from({ length: 30 }, (_, i) => ({ name: `/f${i}`, body: 'x' }));
  const warnings = await apply(root, [entries]);
  assert.equal(warnings.filter((w) => w.includes('leading / removed')).length, 21);
  assert.ok(warnings.includes('layer 1: 10 more entries: leading / removed'), warnings.join('\n'));
  assert.equal(readdirSync(root).length, 30);
});

test('a corrupt or truncated layer is a LayerDataError', async () => {
  const { root } = setup();
  const t = { root, layer: 1, warnings: new LayerWarnings() };
  await assert.rejects(applyLayer(Readable.from([Buffer.alloc(2048, 7)]), t), (e) => e instanceof LayerDataError && /Invalid tar header/.test(e.message));
  const good = await tarBytes([{ name: 'big', body: Buffer.alloc(5000, 1) }]);
  await assert.rejects(applyLayer(Readable.from([good.subarray(0, 1500)]), t), (e) => e instanceof LayerDataError && /Unexpected end of data/.test(e.message));
});

test("a lower layer's symlink or file in the way of an upper entry becomes a real directory, as overlay shows it", async () => {
  const { base, root, outside } = setup();
  const warnings = await apply(root, [
    [
      { name: 'usr/bin/tool', body: 'tool' },
      { name: 'bin', type: 'symlink', linkname: 'usr/bin' },
      { name: 'usr/lib/libc', body: 'libc' },
      { name: 'lib', type: 'symlink', linkname: '/usr/lib' },
      { name: 'foo', body: 'a file' },
      { name: 'usr/sbin/t', body: 't' },
      { name: 'sbin', type: 'symlink', linkname: 'usr/sbin' },
      { name: 'opt', type: 'symlink', linkname: 'usr/sbin' },
      { name: 'usr/local', type: 'symlink', linkname: '/elsewhere' },
      { name: 'evil', type: 'symlink', linkname: outside },
      { name: 'etc/', type: 'directory' },
      { name: 'etc/sub', type: 'symlink', linkname: outside },
    ],
    [
      // Looked up, not created: a hard link target below a lower symlink is refused (Docker cannot
      // see lower layers while it applies one, and fails to load the image).
      { name: 'hl', type: 'link', linkname: 'bin/tool' },
      { name: 'bin/app', body: 'app', mode: 0o755 },
      { name: 'lib/', type: 'directory', mode: 0o750 },
      { name: 'lib/x/y', body: 'y' },
      { name: 'foo/bar', body: 'bar' },
      { name: 'sbin/.wh.t' },
      { name: 'opt/.wh..wh..opq' },
      { name: 'none/.wh.thing' },
      { name: 'usr/local/bin/x', body: 'x' },
      { name: 'evil/x', body: 'inside' },
      // This layer's symlink leads to a directory of this layer; the lower symlink below it is replaced.
      { name: 'etc/', type: 'directory' },
      { name: 'e', type: 'symlink', linkname: '/etc' },
      { name: 'e/sub/x', body: 'inside' },
    ],
  ]);
  assert.deepEqual(warnings, ['layer 2: hl: refused, hard link to bin/tool: parent bin is a symlink (to usr/bin) from a lower layer']);
  assert.deepEqual(readdirSync(outside), ['keep']);
  assert.equal(readFileSync(join(outside, 'keep'), 'utf8'), 'canary');
  assert.deepEqual(readdirSync(base).sort(), ['outside', 'root']);

  const dir = (rel: string, entries: string[], mode = 0o755) => {
    const st = lstatSync(join(root, rel));
    assert.ok(st.isDirectory(), `${rel} is a real directory`);
    assert.equal(st.mode & 0o7777, mode, `${rel} mode`);
    assert.deepEqual(readdirSync(join(root, rel)).sort(), entries, `${rel} entries`);
  };
  dir('bin', ['app']);
  dir('usr/bin', ['tool']);
  dir('lib', ['x'], 0o750);
  dir('usr/lib', ['libc']);
  dir('foo', ['bar']);
  dir('sbin', [], 0o755); // whiteout through a lower symlink: Docker creates the directory too
  dir('opt', []);
  dir('usr/sbin', ['t']);
  dir('none', []);
  dir('usr/local', ['bin']);
  dir('evil', ['x']);
  dir('etc/sub', ['x']);
  assert.equal(readlinkSync(join(root, 'e')), '/etc');
  assert.equal(readFileSync(join(root, 'bin/app'), 'utf8'), 'app');
  assert.ok(!existsSync(join(root, 'hl')));
});

test('a symlink of the same layer is followed inside that layer as Docker does, never out of the root', async () => {
  const { base, root, outside } = setup();
  const warnings = await apply(root, [
    [
      { name: 'etc/passwd', body: 'lower' },
      { name: 'etc/shadow', body: 'lower' },
      { name: 'data/x', body: 'lower' },
      { name: 'usr/bin/app', body: 'lower' },
    ],
    [
      // Docker applies a layer into an empty directory chrooted there: `evil -> /etc` leads to this
      // layer's etc/, `..` stops at the root, and only what this layer wrote is found.
      { name: 'etc/', type: 'directory' },
      { name: 'evil', type: 'symlink', linkname: '/etc' },
      { name: 'evil/passwd', body: 'through' },
      { name: 'evil/new/deep', body: 'deep' },
      { name: 'evil/sub/', type: 'directory' },
      { name: 'evil/.wh.shadow' },
      // A chain of relative symlinks to a directory this layer created while writing usr/bin/app2.
      { name: 'usr/bin/app2', body: 'app2' },
      { name: 'b', type: 'symlink', linkname: 'usr/bin' },
      { name: 'a', type: 'symlink', linkname: 'b' },
      { name: 'a/app', body: 'through a chain' },
      { name: 'hl', type: 'link', linkname: 'a/app' },
      { name: 'w/esc', type: 'symlink', linkname: '../../../../w2' },
      { name: 'w2/', type: 'directory' },
      { name: 'w/esc/f', body: 'clamped' },
      { name: 'r', type: 'symlink', linkname: '/' },
      { name: 'r/top', body: 'top' },
      // Refused (Docker fails the whole load): targets not in this layer, a loop, a file.
      { name: 'lower', type: 'symlink', linkname: '/data' },
      { name: 'lower/x', body: 'no' },
      { name: 'host', type: 'symlink', linkname: outside },
      { name: 'host/keep', body: 'no' },
      { name: 'rel-host', type: 'symlink', linkname: '../outside' },
      { name: 'rel-host/keep', body: 'no' },
      { name: 'loop1', type: 'symlink', linkname: 'loop2' },
      { name: 'loop2', type: 'symlink', linkname: 'loop1' },
      { name: 'loop1/x', body: 'no' },
      { name: 'file', body: 'f' },
      { name: 'fl', type: 'symlink', linkname: 'file' },
      { name: 'fl/x', body: 'no' },
      { name: 'file/x', body: 'no' },
    ],
  ]);
  assert.deepEqual(readdirSync(outside), ['keep']);
  assert.equal(readFileSync(join(outside, 'keep'), 'utf8'), 'canary');
  assert.deepEqual(readdirSync(base).sort(), ['outside', 'root']);

  assert.equal(readlinkSync(join(root, 'evil')), '/etc');
  assert.equal(readFileSync(join(root, 'etc/passwd'), 'utf8'), 'through');
  assert.equal(readFileSync(join(root, 'etc/new/deep'), 'utf8'), 'deep');
  assert.ok(lstatSync(join(root, 'etc/sub')).isDirectory());
  assert.ok(!existsSync(join(root, 'etc/shadow')), 'a whiteout through this layer’s symlink hides the lower entry');
  assert.equal(readFileSync(join(root, 'usr/bin/app'), 'utf8'), 'through a chain');
  assert.equal(readlinkSync(join(root, 'a')), 'b');
  assert.equal(statSync(join(root, 'hl')).ino, statSync(join(root, 'usr/bin/app')).ino, 'a hard link target is found through the same symlinks');
  assert.equal(readFileSync(join(root, 'w2/f'), 'utf8'), 'clamped');
  assert.equal(readFileSync(join(root, 'top'), 'utf8'), 'top');
  assert.equal(readFileSync(join(root, 'data/x'), 'utf8'), 'lower');
  assert.equal(readFileSync(join(root, 'file'), 'utf8'), 'f');

  const refused = (name: string, problem: string) => assert.ok(warnings.includes(`layer 2: ${name}: refused, ${problem}`), `${name}: ${problem}\n${warnings.join('\n')}`);
  refused('lower/x', 'parent lower is a symlink (to /data) whose target is not in this layer');
  refused('host/keep', `parent host is a symlink (to ${outside}) whose target is not in this layer`);
  refused('rel-host/keep', 'parent rel-host is a symlink (to ../outside) whose target is not in this layer');
  assert.ok(warnings.some((w) => /^layer 2: loop1\/x: refused, parent loop\d is a symlink \(to loop\d\) in a loop of symlinks$/.test(w)), warnings.join('\n'));
  refused('fl/x', 'parent fl is a symlink (to file) whose target is not a directory');
  refused('file/x', 'parent file is not a directory');
  assert.equal(warnings.length, 6, warnings.join('\n'));
});
