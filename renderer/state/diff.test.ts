import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkProfileText, diffConsistent, diffCounts, filterDiffRows, parseRefKey, profileNameFromFile, refKey } from './diff-model.js';
import { createConfineStore } from './store.js';
import { fakeApi } from './fake-api.js';
import type { DiffRow, PolicyDiff, PolicyRef } from '../../electron/api.js';

const rows: DiffRow[] = [
  { name: 'write', nr: 1, side: 'common', leftReason: 'nginx:main -> write', rightReason: 'in profile' },
  { name: 'ptrace', nr: 101, side: 'added', rightReason: 'in profile' },
  { name: 'unlink', nr: 87, side: 'removed', leftReason: 'nginx:main -> ngx_delete_file -> unlink' },
  { name: 'acct', nr: 163, side: 'added', rightReason: 'in profile' },
  { name: 'read', nr: 0, side: 'common' },
];

test('policy refs round-trip through <select> values', () => {
  const refs: PolicyRef[] = [{ kind: 'report', id: 'abc' }, { kind: 'profile', id: 'docker-default' }, { kind: 'profile', id: 'with:colon' }];
  for (const r of refs) assert.deepEqual(parseRefKey(refKey(r)), r);
  assert.equal(parseRefKey('nonsense'), undefined);
  assert.equal(parseRefKey('image:x'), undefined);
  assert.equal(parseRefKey('report:'), undefined);
});

test('rows: by side, searched, added then removed then common', () => {
  assert.deepEqual(filterDiffRows(rows, 'all', '').map((r) => r.name), ['acct', 'ptrace', 'unlink', 'read', 'write']);
  assert.deepEqual(filterDiffRows(rows, 'added', '').map((r) => r.name), ['acct', 'ptrace']);
  assert.deepEqual(filterDiffRows(rows, 'all', 'delete').map((r) => r.name), ['unlink']);
  assert.deepEqual(filterDiffRows(rows, 'all', '101').map((r) => r.name), ['ptrace']);
  assert.deepEqual(filterDiffRows(rows, 'common', 'PROFILE').map((r) => r.name), ['write']);
  assert.deepEqual(diffCounts(rows), { added: 2, removed: 1, common: 2 });
  const d: PolicyDiff = { left: 'a', right: 'b', added: 2, removed: 1, common: 2, argsDiffer: 0, rows };
  assert.equal(diffConsistent(d), true);
  assert.equal(diffConsistent({ ...d, common: 3 }), false);
});

test('pasted profiles are checked before sending', () => {
  assert.match(checkProfileText('') ?? '', /Paste/);
  assert.match(checkProfileText('{') ?? '', /Not valid JSON/);
  assert.match(checkProfileText('[]') ?? '', /JSON object/);
  assert.match(checkProfileText('{"syscalls": []}') ?? '', /defaultAction/);
  assert.match(checkProfileText('{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": {}}') ?? '', /not a list/);
  assert.equal(checkProfileText('{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}]}'), undefined);
  assert.equal(profileNameFromFile('C:\\x\\nginx-seccomp.JSON'), 'nginx-seccomp');
  assert.equal(profileNameFromFile('/tmp/p.json'), 'p');
});

test('store: import becomes the right side; diff runs and a stale answer is dropped', async () => {
  const answers: ((d: PolicyDiff) => void)[] = [];
  const api = fakeApi({
    listProfiles: () => Promise.resolve([{ id: 'docker-default', name: 'docker-default', kind: 'builtin', syscalls: 370 }]),
    importProfile: (name) => Promise.resolve({ id: `imp-${name}`, name, kind: 'imported', syscalls: 2 }),
    diff: () => new Promise((r) => answers.push(r)),
  });
  const store = createConfineStore({ api });
  const s = () => store.getState();
  await s().loadProfiles();
  assert.equal(await s().importProfile('mine', 'not json'), undefined);
  assert.match(s().importError!, /Not valid JSON/);
  assert.equal(await s().importProfile(' ', '{}'), undefined);
  assert.match(s().importError!, /name/);
  const meta = await s().importProfile('mine', '{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[]}');
  assert.equal(meta!.id, 'imp-mine');
  assert.deepEqual(s().diffRight, { kind: 'profile', id: 'imp-mine' });
  assert.equal(s().profiles.length, 2);
  assert.equal(s().importError, undefined);

  s().setDiffLeft({ kind: 'report', id: 'r1' });
  const first = s().runDiff();
  // The user changes the left side before the first answer arrives.
  s().setDiffLeft({ kind: 'profile', id: 'docker-default' });
  answers[0]({ left: 'r1', right: 'mine', added: 0, removed: 0, common: 0, argsDiffer: 0, rows: [] });
  await first;
  assert.equal(s().diffResult, undefined);
  const second = s().runDiff();
  answers[1]({ left: 'docker-default', right: 'mine', added: 0, removed: 1, common: 0, argsDiffer: 0, rows: [{ name: 'read', nr: 0, side: 'removed' }] });
  await second;
  assert.equal(s().diffResult!.removed, 1);
  s().swapDiff();
  assert.deepEqual(s().diffLeft, { kind: 'profile', id: 'imp-mine' });
  assert.equal(s().diffResult, undefined);
});

test('store: diff without both sides says so', async () => {
  const store = createConfineStore({ api: fakeApi() });
  await store.getState().runDiff();
  assert.match(store.getState().errors[0].message, /each side/);
});

test('store: an import the service refuses shows its reason by the form', async () => {
  const store = createConfineStore({ api: fakeApi({ importProfile: () => Promise.reject(new Error('profile has no allow rules')) }) });
  await store.getState().importProfile('x', '{"defaultAction":"SCMP_ACT_ALLOW"}');
  assert.equal(store.getState().importError, 'profile has no allow rules');
  assert.equal(store.getState().importing, false);
});
