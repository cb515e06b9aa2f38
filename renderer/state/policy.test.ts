import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  basename,
  categoryChart,
  countStatuses,
  filterRows,
  moveSelection,
  nextSort,
  pathText,
  policyRows,
  sortRows,
  type PolicyFilter,
} from './policy-model.js';
import { createConfineStore } from './store.js';
import { selectCategoryChart, selectStatusCounts, selectVisibleRows } from './policy.js';
import { fakeApi, flush, sampleReport, workspaceApi } from './fake-api.js';

const ALL: PolicyFilter = { query: '', category: 'all', status: 'all' };
const review = (decision: 'allow' | 'deny', note = '') => ({ decision, note, updatedAt: '2024-01-01T00:00:00Z' });

test('rows: static syscalls are allowed, runtime-only ones need review, the review decides', () => {
  const rows = policyRows(sampleReport(), { unlink: review('deny', 'nginx never deletes in our setup'), capset: review('allow') });
  const by = new Map(rows.map((r) => [r.name, r]));
  assert.equal(by.get('read')!.status, 'allowed');
  assert.equal(by.get('unlink')!.status, 'denied');
  assert.equal(by.get('unlink')!.note, 'nginx never deletes in our setup');
  assert.equal(by.get('capset')!.status, 'allowed');
  assert.equal(by.get('capset')!.runtime, true);
  assert.equal(policyRows(sampleReport(), undefined).find((r) => r.name === 'capset')!.status, 'review');
  assert.deepEqual(rows.map((r) => r.nr), [0, 1, 41, 87, 126, 202, 257]);
  assert.equal(by.get('socket')!.category, 'network');
  // A syscall answered with ENOSYS does not run: denied, with why; a review allowing it wins.
  const r = sampleReport();
  r.syscalls = r.syscalls.map((s) => (s.name === 'unlink' ? { ...s, enosys: 'its caller falls back' } : s));
  const enosys = policyRows(r, undefined).find((x) => x.name === 'unlink')!;
  assert.deepEqual([enosys.status, enosys.reason], ['denied', 'answered with ENOSYS: its caller falls back']);
  assert.equal(policyRows(r, { unlink: review('allow') }).find((x) => x.name === 'unlink')!.status, 'allowed');
  // Every value of the enforced argument removed by the review: the export denies it, and so does the row.
  const s2 = sampleReport();
  s2.syscalls = s2.syscalls.map((s) => (s.name === 'socket' ? { ...s, args: [{ index: 0, name: 'family', kind: 'value' as const, values: [1, 2] }] } : s));
  const gone = { 'arg:socket:0:1': review('deny'), 'arg:socket:0:2': review('deny') };
  assert.deepEqual(
    ((x) => [x.status, x.reason])(policyRows(s2, gone).find((x) => x.name === 'socket')!),
    ['denied', 'the review removed every allowed value of its family argument'],
  );
  assert.equal(policyRows(s2, { 'arg:socket:0:1': review('deny') }).find((x) => x.name === 'socket')!.status, 'allowed');
});

test('filter: by name, number, program and note; by category and status', () => {
  const rows = policyRows(sampleReport(), { unlink: review('deny', 'Not needed') });
  const names = (f: Partial<PolicyFilter>) => filterRows(rows, { ...ALL, ...f }).map((r) => r.name);
  assert.deepEqual(names({ query: 'read' }), ['read']);
  assert.deepEqual(names({ query: '87' }), ['unlink']);
  assert.deepEqual(names({ query: '  ' }), rows.map((r) => r.name));
  assert.deepEqual(names({ query: 'true' }), ['read', 'write']);
  assert.deepEqual(names({ query: 'needed' }), ['unlink']);
  assert.deepEqual(names({ category: 'file' }), ['read', 'write', 'unlink', 'openat']);
  assert.deepEqual(names({ status: 'denied' }), ['unlink']);
  assert.deepEqual(names({ status: 'review' }), ['capset']);
  // Allowed is what the export allows: the runtime-only capset, which needs review, is in it.
  assert.deepEqual(names({ status: 'allowed' }), ['read', 'write', 'socket', 'capset', 'futex', 'openat']);
  assert.deepEqual(names({ category: 'file', query: 'open' }), ['openat']);
  // A function on a path finds the syscalls it leads to (openat is made through open64).
  assert.deepEqual(names({ query: 'open64' }), ['openat']);
  assert.deepEqual(names({ query: 'libc.so' }), ['read', 'write', 'socket', 'unlink', 'futex', 'openat']);
});

test('sort: every key both ways, ties by number', () => {
  const rows = policyRows(sampleReport(), { unlink: review('deny') });
  assert.deepEqual(sortRows(rows, { key: 'name', dir: 'asc' }).map((r) => r.name), ['capset', 'futex', 'openat', 'read', 'socket', 'unlink', 'write']);
  assert.deepEqual(sortRows(rows, { key: 'nr', dir: 'desc' }).map((r) => r.nr), [257, 202, 126, 87, 41, 1, 0]);
  assert.deepEqual(sortRows(rows, { key: 'status', dir: 'asc' }).map((r) => r.name).slice(0, 2), ['capset', 'unlink']);
  assert.deepEqual(sortRows(rows, { key: 'programs', dir: 'desc' }).map((r) => r.name).slice(0, 2), ['read', 'write']);
  assert.deepEqual(sortRows(rows, { key: 'category', dir: 'asc' }).map((r) => r.category)[0], 'file');
  assert.deepEqual(nextSort({ key: 'nr', dir: 'asc' }, 'nr'), { key: 'nr', dir: 'desc' });
  assert.deepEqual(nextSort({ key: 'nr', dir: 'desc' }, 'name'), { key: 'name', dir: 'asc' });
});

test('counts and the per-category chart', () => {
  const rows = policyRows(sampleReport(), { unlink: review('deny'), socket: review('deny') });
  assert.deepEqual(countStatuses(rows), { total: 7, allowed: 4, denied: 2, review: 1 });
  const chart = categoryChart(rows);
  assert.deepEqual(chart.map((b) => b.category), ['file', 'network', 'ipc', 'security']);
  assert.deepEqual(chart.find((b) => b.category === 'file'), { category: 'file', allowed: 3, denied: 1, review: 0 });
  assert.deepEqual(chart.find((b) => b.category === 'security'), { category: 'security', allowed: 0, denied: 0, review: 1 });
});

test('keyboard selection moves through visible names and clamps', () => {
  const names = ['a', 'b', 'c', 'd'];
  assert.equal(moveSelection(names, undefined, 1), 'a');
  assert.equal(moveSelection(names, undefined, -1), 'd');
  assert.equal(moveSelection(names, 'b', 1), 'c');
  assert.equal(moveSelection(names, 'b', -1), 'a');
  assert.equal(moveSelection(names, 'a', -1), 'a');
  assert.equal(moveSelection(names, 'c', 10), 'd');
  assert.equal(moveSelection(names, 'c', -10), 'a');
  assert.equal(moveSelection(names, 'gone', 1), 'a');
  assert.equal(moveSelection(names, 'c', 'first'), 'a');
  assert.equal(moveSelection(names, 'a', 'last'), 'd');
  assert.equal(moveSelection([], 'a', 1), undefined);
});

test('path text names objects where they change', () => {
  const r = sampleReport();
  assert.equal(pathText(r.syscalls[3].path, 87), 'nginx:main -> unlink@plt -> libc:unlink -> syscall 87');
  assert.equal(basename('/usr/lib/x86_64-linux-gnu/libc.so.6'), 'libc.so.6');
  assert.equal(basename('[vdso]'), '[vdso]');
});

test('store: selection follows the filtered, sorted table and the review', async () => {
  const ws = workspaceApi();
  const report = sampleReport();
  const store = createConfineStore({ api: fakeApi({ ...ws, getReport: () => Promise.resolve(report) }) });
  assert.equal(await store.getState().openReport('r1'), true);
  const s = () => store.getState();
  s().moveSyscallSelection(1);
  assert.equal(s().selectedSyscall, 'read');
  s().moveSyscallSelection(2);
  assert.equal(s().selectedSyscall, 'socket');
  s().setCategoryFilter('file');
  // socket is filtered out: moving down starts from the top of what is visible.
  s().moveSyscallSelection(1);
  assert.equal(s().selectedSyscall, 'read');
  s().moveSyscallSelection('last');
  assert.equal(s().selectedSyscall, 'openat');
  s().sortPolicyBy('name');
  // openat sorts first by name: moving up stays there.
  s().moveSyscallSelection(-1);
  assert.equal(s().selectedSyscall, 'openat');
  s().moveSyscallSelection(2);
  assert.equal(s().selectedSyscall, 'unlink');
  assert.deepEqual(selectVisibleRows(s()).map((r) => r.name), ['openat', 'read', 'unlink', 'write']);
  // The same inputs give the same array (the table, header and chart share it).
  assert.equal(selectVisibleRows(s()), selectVisibleRows(s()));

  await s().setReview('unlink', 'deny', 'no deletes');
  assert.equal(selectStatusCounts(s()).denied, 1);
  assert.equal(selectCategoryChart(s()).find((b) => b.category === 'file')!.denied, 1);
  s().setStatusFilter('denied');
  assert.deepEqual(selectVisibleRows(s()).map((r) => r.name), ['unlink']);
  await flush();
});

test('store: opening another report resets the filter and the selection', async () => {
  const store = createConfineStore({ api: fakeApi({ getReport: () => Promise.resolve(sampleReport()) }) });
  await store.getState().openReport('a');
  store.getState().setPolicyQuery('read');
  store.getState().selectSyscall('read');
  await store.getState().openReport('b');
  assert.equal(store.getState().policyFilter.query, '');
  assert.equal(store.getState().selectedSyscall, undefined);
  assert.equal(store.getState().currentReportId, 'b');
});

test('store: a report that fails to load leaves the current one and shows the error', async () => {
  let fail = false;
  const store = createConfineStore({ api: fakeApi({ getReport: () => (fail ? Promise.reject(new Error('no such report: x')) : Promise.resolve(sampleReport())) }) });
  await store.getState().openReport('a');
  fail = true;
  assert.equal(await store.getState().openReport('x'), false);
  assert.equal(store.getState().currentReportId, 'a');
  assert.equal(store.getState().errors.at(-1)!.message, 'no such report: x');
  assert.equal(store.getState().errors.at(-1)!.context, 'Opening the report');
});
