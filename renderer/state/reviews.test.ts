import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyReview, carryOverPlan, reviewCounts, reviewRows } from './review-model.js';
import { createConfineStore } from './store.js';
import { currentReviews } from './reviews.js';
import { fakeApi, sampleReport, workspaceApi } from './fake-api.js';
import type { Workspace } from '../../electron/api.js';

const at = '2024-02-03T04:05:06.000Z';
const entry = (decision: 'allow' | 'deny', note = '') => ({ decision, note, updatedAt: at });

test('applyReview sets, replaces and removes, dropping empty reports', () => {
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
  assert.deepEqual(reviewCounts({ a: entry('allow'), b: entry('deny'), c: entry('deny') }), { allow: 1, deny: 2 });
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
  assert.deepEqual(currentReviews(store.getState())!.unlink, entry('deny', 'not needed'));
  assert.equal(store.getState().savingReviews.unlink, true);
  release();
  assert.equal(await saving, true);
  assert.equal(store.getState().savingReviews.unlink, undefined);
  assert.equal(store.getState().workspace, ws.ws);
});

test('store: a failed save puts the previous decision back and says why', async () => {
  const ws = workspaceApi({ path: '/w.json', reviews: { r1: { unlink: entry('allow', 'first') } } });
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

test('store: carry a review over from an earlier report', async () => {
  const ws = workspaceApi({ path: '/w.json', reviews: { old: { unlink: entry('deny', 'no deletes'), read: entry('deny'), ptrace: entry('deny') }, r1: { read: entry('allow') } } });
  const store = createConfineStore({ api: fakeApi({ ...ws, getReport: () => Promise.resolve(sampleReport()) }) });
  await store.getState().loadWorkspace();
  await store.getState().openReport('r1');
  const plan = await store.getState().carryOverReview('old');
  assert.deepEqual(plan!.apply.map((a) => a.name), ['unlink']);
  assert.equal(currentReviews(store.getState())!.unlink.decision, 'deny');
  assert.equal(currentReviews(store.getState())!.read.decision, 'allow');
});

test('store: reviewing without an open report is an error, not a crash', async () => {
  const store = createConfineStore({ api: fakeApi() });
  assert.equal(await store.getState().setReview('read', 'allow', ''), false);
  assert.match(store.getState().errors[0].message, /No report/);
});
