import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileHashes, sha256 } from './file-hashes.js';

const tempDirs: string[] = [];
after(() => {
  for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'confine-hashes-'));
  tempDirs.push(d);
  return d;
}

test('a remembered hash is reused while the stat is unchanged, across instances', () => {
  const d = tempDir();
  const f = path.join(d, 'obj');
  fs.writeFileSync(f, 'one');
  const memo = path.join(d, 'hashes.json');
  const a = new FileHashes(memo, 0);
  assert.equal(a.hash(f), sha256(Buffer.from('one')));
  a.save();
  // Proof that it is not re-read: a memo entry with a planted hash for the same identity is trusted.
  const data = JSON.parse(fs.readFileSync(memo, 'utf8')) as { entries: [string, string, string][] };
  data.entries[0][2] = 'planted';
  fs.writeFileSync(memo, JSON.stringify(data));
  assert.equal(new FileHashes(memo, 0).hash(f), 'planted');
});

test('a changed file is hashed again', () => {
  const d = tempDir();
  const f = path.join(d, 'obj');
  fs.writeFileSync(f, 'one');
  const memo = path.join(d, 'hashes.json');
  const a = new FileHashes(memo, 0);
  a.hash(f);
  a.save();
  fs.writeFileSync(f, 'two!');
  assert.equal(new FileHashes(memo, 0).hash(f), sha256(Buffer.from('two!')));
});

test('a file changed within the racy window is never remembered', () => {
  const d = tempDir();
  const f = path.join(d, 'obj');
  fs.writeFileSync(f, 'one');
  const memo = path.join(d, 'hashes.json');
  const a = new FileHashes(memo, 60_000);
  assert.equal(a.hash(f), sha256(Buffer.from('one')));
  a.save();
  assert.equal(fs.existsSync(memo), false);
});

test('the identity is taken before the bytes: bytes given are hashed on a miss', () => {
  const d = tempDir();
  const f = path.join(d, 'obj');
  fs.writeFileSync(f, 'on disk');
  const h = new FileHashes(undefined, 0);
  const ident = h.identity(f);
  assert.equal(h.hash(f, ident, Buffer.from('read earlier')), sha256(Buffer.from('read earlier')));
  assert.equal(h.hash(path.join(d, 'missing')), undefined);
});
