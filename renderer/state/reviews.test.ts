import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyReview, carryOverPlan, changedSinceReview, reviewCounts, reviewRows } from './review-model.js';
import { createConfineStore } from './store.js';
import { currentReviews } from './reviews.js';
import { fakeApi, sampleReport, workspaceApi } from './fake-api.js';
import { reviewBasis, reviewSubject, type Workspace } from '../../electron/api.js';

const at = '2024-02-03T04:05:06.000Z';
const entry = (decision: 'allow' | 'deny', note = '') => ({ decision, note, updatedAt: at });
/** The sample report's subject: host, its two programs. */
const SUBJECT = reviewSubject(sampleReport());

test('applyReview sets, replaces and removes, dropping empty subjects', () => {
  let ws: Workspace = { path: '/w.json', reviews: {} };
  ws = applyReview(ws, 'r1', 'unlink', 'deny', 'no', at);
  assert.deepEqual(ws.reviews, { r1: { unlink: entry('deny', 'no') } });
  const before = ws;
  ws = applyReview(ws, 'r1', 'unlink', 'allow', 'yes', at);
  assert.deepEqual(ws.reviews.r1.unlink, entry('allow', 'yes'));
  assert.deepEqual(before.reviews.r1.unlink, entry('deny', 'no'), 'the old workspace is not modified');
  ws = applyReview(ws, 'r1', 'unlink', null, '', at);
  assert.deepEqual(ws.reviews, {});
});

test('review rows in syscall order, unknown names last', () => {
  const rows = reviewRows(sampleReport(), { write: entry('allow'), zzz_gone: entry('deny'), read: entry('deny', 'x') });
  assert.deepEqual(rows.map((r) => [r.name, r.nr]), [['read', 0], ['write', 1], ['zzz_gone', undefined]]);
  assert.ok(rows.every((r) => r.changed.length === 0), 'reviews without a basis are never marked changed');
  assert.deepEqual(reviewCounts({ a: entry('allow'), b: entry('deny'), c: entry('deny'), 'arg:socket:0:17': entry('deny'), 'site:/p:/o:1': entry('deny') }), { allow: 1, deny: 2, values: 1 });
});

test('carry-over never overrides a decision and skips syscalls the report lacks', () => {
  const plan = carryOverPlan({ read: entry('deny', 'old'), unlink: entry('deny', 'nope'), ptrace: entry('deny') }, { read: entry('allow') }, ['read', 'unlink']);
  assert.deepEqual(plan, { apply: [{ name: 'unlink', decision: 'deny', note: 'nope' }], kept: ['read'], notInReport: ['ptrace'] });
});

test('store: a review shows at once and is confirmed by the service', async () => {
  const ws = workspaceApi();
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const api = fakeApi({
    getReport: () => Promise.resolve(sampleReport()),
    setReview: async (...a) => {
      await gate;
      return ws.setReview(...a);
    },
  });
  const store = createConfineStore({ api, now: () => Date.parse(at) });
  await store.getState().openReport('r1');
  const saving = store.getState().setReview('unlink', 'deny', 'not needed');
  assert.deepEqual(currentReviews(store.getState())!.unlink, { ...entry('deny', 'not needed'), basis: reviewBasis(sampleReport(), 'r1', 'unlink') });
  assert.equal(store.getState().savingReviews.unlink, true);
  release();
  assert.equal(await saving, true);
  assert.equal(store.getState().savingReviews.unlink, undefined);
  assert.equal(store.getState().workspace, ws.ws);
});

test('store: a failed save puts the previous decision back and says why', async () => {
  const ws = workspaceApi({ path: '/w.json', reviews: { [SUBJECT]: { unlink: entry('allow', 'first') } } });
  const api = fakeApi({ getReport: () => Promise.resolve(sampleReport()), getWorkspace: ws.getWorkspace, setReview: () => Promise.reject(new Error('workspace is read-only')) });
  const store = createConfineStore({ api });
  await store.getState().loadWorkspace();
  await store.getState().openReport('r1');
  assert.equal(await store.getState().setReview('unlink', 'deny', 'second'), false);
  assert.deepEqual(currentReviews(store.getState())!.unlink, entry('allow', 'first'));
  assert.equal(await store.getState().setReview('read', 'deny', ''), false);
  assert.equal(currentReviews(store.getState())!.read, undefined);
  assert.match(store.getState().errors.at(-1)!.context, /review of read/);
  assert.equal(store.getState().errors.at(-1)!.message, 'workspace is read-only');
});

test('store: carry a review over from another subject', async () => {
  const ws = workspaceApi({ path: '/w.json', reviews: { 'image app': { unlink: entry('deny', 'no deletes'), read: entry('deny'), ptrace: entry('deny') }, [SUBJECT]: { read: entry('allow') } } });
  const store = createConfineStore({ api: fakeApi({ ...ws, getReport: () => Promise.resolve(sampleReport()) }) });
  await store.getState().loadWorkspace();
  await store.getState().openReport('r1');
  const plan = await store.getState().carryOverReview('image app');
  assert.deepEqual(plan!.apply.map((a) => a.name), ['unlink']);
  assert.equal(currentReviews(store.getState())!.unlink.decision, 'deny');
  assert.equal(currentReviews(store.getState())!.read.decision, 'allow');
});

test('store: reviewing without an open report is an error, not a crash', async () => {
  const store = createConfineStore({ api: fakeApi() });
  assert.equal(await store.getState().setReview('read', 'allow', ''), false);
  assert.match(store.getState().errors[0].message, /No report/);
});

test('subjects: an image without tag or digest (phase 1: the container policy), else the place and the programs', () => {
  const r = sampleReport();
  assert.equal(reviewSubject(r), 'host · /usr/bin/true, /usr/sbin/nginx');
  assert.equal(reviewSubject({ ...r, rootfs: '/srv/root' }), 'rootfs /srv/root · /usr/bin/true, /usr/sbin/nginx');
  const phase1 = { method: 'tracefs' as const, seconds: 5, execs: 2, warnings: [] };
  for (const ref of ['registry:5000/team/app:1.2', 'registry:5000/team/app@sha256:' + 'a'.repeat(64), 'registry:5000/team/app:1.2@sha256:' + 'b'.repeat(64), 'registry:5000/team/app']) {
    assert.equal(reviewSubject({ ...r, image: { ref, id: 'sha256:x', source: 'engine' }, phase1 }), 'image registry:5000/team/app', ref);
  }
  // Named programs of an image (no phase 1): the policy covers those only.
  assert.equal(reviewSubject({ ...r, image: { ref: 'nginx:1.25', id: 'sha256:x', source: 'engine' } }), 'image nginx · /usr/bin/true, /usr/sbin/nginx');
  assert.equal(reviewSubject({ ...r, image: { ref: '/tmp/app.tar', id: 'sha256:x', source: 'docker-save' }, phase1 }), 'image /tmp/app.tar');
});

test('changed since review: found or gone, other programs, another path; unchanged and same-report reviews are not marked', () => {
  const old = sampleReport();
  const basis = (name: string) => ({ ...entry('deny', 'n'), basis: reviewBasis(old, 'r-old', name) });
  const now = sampleReport();
  // The new version of the program calls unlink through another function; write is made by nginx alone; socket is gone.
  now.syscalls = now.syscalls.filter((s) => s.name !== 'socket');
  const unlink = now.syscalls.find((s) => s.name === 'unlink')!;
  unlink.path = [unlink.path[0], { ...unlink.path[1], function: 'ngx_delete_file' }, unlink.path[2]];
  now.syscalls.find((s) => s.name === 'write')!.programs = ['/usr/sbin/nginx'];
  assert.deepEqual(changedSinceReview(now, 'r-new', 'unlink', basis('unlink')), ['its path changed (it was nginx:main -> unlink@plt -> libc:unlink)']);
  assert.deepEqual(changedSinceReview(now, 'r-new', 'write', basis('write')), ['no longer made by /usr/bin/true']);
  assert.deepEqual(changedSinceReview(now, 'r-new', 'socket', basis('socket')), ['no longer found by the analysis']);
  assert.deepEqual(changedSinceReview(old, 'r-later', 'socket', { ...entry('allow'), basis: reviewBasis(now, 'r-new', 'socket') }), ['now found by the analysis']);
  assert.deepEqual(changedSinceReview(now, 'r-new', 'read', basis('read')), []);
  assert.deepEqual(changedSinceReview(now, 'r-old', 'unlink', basis('unlink')), [], 'the report the review was made on');
  const site = 'site:/usr/sbin/nginx:/usr/lib/x86_64-linux-gnu/libc.so.6:11d0b9';
  const gone = { ...now, unresolved: [] };
  assert.deepEqual(changedSinceReview(gone, 'r-new', site, basis(site)), ['the site is no longer unresolved']);
  const rows = reviewRows(now, { unlink: basis('unlink'), read: basis('read') }, 'r-new');
  assert.deepEqual(rows.map((r) => [r.name, r.changed.length > 0]), [['read', false], ['unlink', true]]);
});
