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
