import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ProbeLog, lstatKind, probesHold, readDir, readHead, readLink, readText, recording, statKind } from './probe.js';

const tempDirs: string[] = [];
after(() => {
  for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'confine-probe-'));
  tempDirs.push(d);
  return d;
}

const noHash = (): string | undefined => undefined;

test('each observation is recorded once with its outcome, and answered from the log after that', () => {
  const d = tempDir();
  fs.writeFileSync(path.join(d, 'f'), 'text');
  fs.symlinkSync('f', path.join(d, 'l'));
  const log = new ProbeLog();
  recording(log, () => {
    assert.equal(lstatKind(path.join(d, 'l')), 'link');
    assert.equal(statKind(path.join(d, 'l')), 'file');
    assert.equal(readLink(path.join(d, 'l')), 'f');
    assert.equal(lstatKind(path.join(d, 'absent')), 'missing');
    assert.deepEqual(readDir(d), ['f', 'l']);
    assert.equal(readText(path.join(d, 'f')), 'text');
    // The log answers repeats even after the file system changed: one analysis sees one state.
    fs.writeFileSync(path.join(d, 'absent'), '');
    assert.equal(lstatKind(path.join(d, 'absent')), 'missing');
  });
  assert.equal(log.probes.length, 6);
  assert.equal(lstatKind(path.join(d, 'absent')), 'file'); // outside the log: live
});

test('probesHold notices every kind of change', () => {
  const d = tempDir();
  const f = path.join(d, 'f');
  fs.writeFileSync(f, 'text');
  const hashA = (): string => 'hash-a';
  const settle = (): ProbeLog => {
    const l = new ProbeLog();
    recording(l, () => {
      lstatKind(path.join(d, 'lib.so'));
      readText(f);
      readDir(d);
      readHead(f, 64);
    });
    l.record('elf', f, 'hash-a');
    return l;
  };
  let l = settle();
  assert.equal(probesHold(l.probes, hashA), true);
  assert.equal(probesHold(l.probes, () => 'hash-b'), false, 'object contents');
  assert.equal(probesHold(l.probes, noHash), false, 'object gone');
  fs.writeFileSync(path.join(d, 'lib.so'), '');
  assert.equal(probesHold(l.probes, hashA), false, 'a file appeared where the search found nothing');
  l = settle();
  fs.writeFileSync(f, 'texT');
  assert.equal(probesHold(l.probes, hashA), false, 'text contents (same size)');
  l = settle();
  fs.appendFileSync(f, 'more');
  assert.equal(probesHold(l.probes, hashA), false, 'a short file grew');
});
