// `confine analyze --review WORKSPACE`: the app's review of the analysed subject (here the host's
// /usr/bin/true) shapes --profile as the app's export does: a denied syscall leaves, a removed
// argument value leaves its rule; a bad workspace is one line naming it, exit 2, before any analysis.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFINE_BIN } from './support/paths.js';

function confine(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CONFINE_BIN, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('--review applies the workspace review of the subject to --profile; a bad workspace is a one-line error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'confine-cli-review-'));
  try {
    const base = ['analyze', '--rootfs', '/', '--program', '/usr/bin/true', '--no-cache'];
    const plainFile = join(dir, 'plain.json');
    assert.equal(confine([...base, '--profile', plainFile]).status, 0);
    const plain = JSON.parse(readFileSync(plainFile, 'utf8')) as { syscalls: { names: string[] }[] };
    assert.ok(plain.syscalls.some((r) => r.names.includes('exit_group')));

    const ws = join(dir, 'workspace.json');
    // exit_group denied; one allowed value of the first restricted syscall removed.
    const plainRules = plain.syscalls as { names: string[]; args?: { index: number; valueTwo: number }[] }[];
    const restricted = plainRules.find((x) => x.args?.length && plainRules.filter((y) => y.names[0] === x.names[0]).length > 1)!;
    assert.ok(restricted, 'no syscall of /usr/bin/true has an argument rule with two values');
    const [name, { index, valueTwo }] = [restricted.names[0], restricted.args![0]];
    const reviews = { 'host · /usr/bin/true': { exit_group: { decision: 'deny', note: 'never exits in our setup', updatedAt: '' }, [`arg:${name}:${index}:${valueTwo}`]: { decision: 'deny', note: '', updatedAt: '' } } };
    writeFileSync(ws, JSON.stringify({ version: 2, reviews }));
    const reviewedFile = join(dir, 'reviewed.json');
    const r = confine([...base, '--profile', reviewedFile, '--review', ws]);
    assert.equal(r.status, 0, r.stderr);
    const reviewed = JSON.parse(readFileSync(reviewedFile, 'utf8')) as { syscalls: { names: string[] }[]; deniedByReview?: string[] };
    assert.ok(!reviewed.syscalls.some((x) => x.names.includes('exit_group')), 'the denied exit_group is still allowed');
    assert.deepEqual(reviewed.deniedByReview, ['exit_group (231): denied by review: never exits in our setup']);
    const kept = (reviewed.syscalls as typeof plainRules).filter((x) => x.names[0] === name);
    assert.ok(kept.length > 0 && !kept.some((x) => x.args?.[0].valueTwo === valueTwo), `${name} still allows the removed value ${valueTwo}`);

    // Another subject's review: said, and the profile is the analysis's own.
    writeFileSync(ws, JSON.stringify({ version: 2, reviews: { 'image nginx': reviews['host · /usr/bin/true'] } }));
    const other = confine([...base, '--profile', reviewedFile, '--review', ws]);
    assert.equal(other.status, 0);
    assert.match(other.stderr, /has no review of host · \/usr\/bin\/true/);
    assert.ok((JSON.parse(readFileSync(reviewedFile, 'utf8')) as { syscalls: { names: string[] }[] }).syscalls.some((x) => x.names.includes('exit_group')));

    // Bad input: one line naming the file, exit 2.
    for (const [content, why] of [
      ['{', /workspace\.json: not valid JSON/],
      ['{"version": 9}', /workspace\.json: not a Confine workspace \(version 9/],
    ] as const) {
      writeFileSync(ws, content);
      const bad = confine([...base, '--profile', reviewedFile, '--review', ws]);
      assert.equal(bad.status, 2, bad.stderr);
      assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
      assert.match(bad.stderr, why);
    }
    const missing = confine([...base, '--profile', reviewedFile, '--review', join(dir, 'none.json')]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /none\.json: cannot read the workspace \(ENOENT\)/);
    assert.equal(confine([...base, '--review', ws]).status, 2, '--review without a profile to apply it to');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
