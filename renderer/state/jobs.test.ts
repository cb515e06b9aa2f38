import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyFinished,
  applyProgress,
  buildRequest,
  describeTarget,
  EMPTY_FORM,
  formatBytes,
  progressCount,
  formatDuration,
  jobElapsedMs,
  jobFraction,
  jobOutcome,
  splitList,
  type JobView,
} from './jobs-model.js';
import { createConfineStore } from './store.js';
import { fakeApi, flush } from './fake-api.js';

test('buildRequest: engine image with phase-1 options', () => {
  assert.deepEqual(buildRequest({ ...EMPTY_FORM, kind: 'engine', image: ' nginx:1.25 ', seconds: '10', network: 'host' }), {
    request: { target: { kind: 'engine', image: 'nginx:1.25' }, seconds: 10, network: 'host' },
  });
  assert.deepEqual(buildRequest({ ...EMPTY_FORM, kind: 'engine', image: 'redis', programs: '/usr/bin/redis-server\n/bin/sh' }), {
    request: { target: { kind: 'engine', image: 'redis' }, programs: ['/usr/bin/redis-server', '/bin/sh'], network: 'none' },
  });
});

test('buildRequest: refuses what the service would refuse, with a reason', () => {
  const err = (f: Partial<typeof EMPTY_FORM>) => {
    const r = buildRequest({ ...EMPTY_FORM, ...f });
    assert.ok('error' in r, JSON.stringify(r));
    return r.error;
  };
  assert.match(err({ kind: 'engine', image: '' }), /Choose an image/);
  assert.match(err({ kind: 'path', path: 'images/x.tar' }), /absolute/);
  assert.match(err({ kind: 'host', hostPrograms: '' }), /at least one/);
  assert.match(err({ kind: 'host', hostPrograms: '/usr/sbin/nginx bin/ls' }), /bin\/ls/);
  assert.match(err({ kind: 'engine', image: 'x', seconds: 'ten' }), /seconds/);
  assert.match(err({ kind: 'engine', image: 'x', seconds: '0' }), /seconds/);
  assert.match(err({ kind: 'engine', image: 'x', programs: 'nginx' }), /absolute/);
});

test('buildRequest: host programs, de-duplicated, no phase-1 options', () => {
  assert.deepEqual(buildRequest({ ...EMPTY_FORM, kind: 'host', hostPrograms: '/usr/sbin/nginx\n/bin/ls, /usr/sbin/nginx', seconds: '5' }), {
    request: { target: { kind: 'host', programs: ['/usr/sbin/nginx', '/bin/ls'] } },
  });
  assert.deepEqual(splitList(' a  b,c\n\nd '), ['a', 'b', 'c', 'd']);
  assert.equal(describeTarget({ kind: 'host', programs: ['/a', '/b', '/c'] }), 'host: /a, /b +1');
  assert.equal(describeTarget({ kind: 'path', path: '/tmp/x.tar' }), '/tmp/x.tar');
});

test('progress: fraction, elapsed counted on between events, frozen when finished', () => {
  let jobs: JobView[] = [{ jobId: 'j1', title: 'nginx', startedAt: 1000 }];
  assert.equal(jobFraction(jobs[0]), undefined);
  assert.equal(jobElapsedMs(jobs[0], 3000), 2000);
  jobs = applyProgress(jobs, { jobId: 'j1', phase: 'objects', file: '/usr/lib/libc.so.6', done: 3, total: 12, elapsedMs: 5000 }, 10_000);
  assert.equal(jobFraction(jobs[0]), 0.25);
  assert.equal(jobElapsedMs(jobs[0], 10_500), 5500);
  assert.equal(jobOutcome(jobs[0]), 'running');
  jobs = applyFinished(jobs, { jobId: 'j1', reportId: 'r1' }, 11_000);
  assert.equal(jobOutcome(jobs[0]), 'done');
  assert.equal(jobElapsedMs(jobs[0], 99_000), 6000);
  // A second finished event changes nothing.
  assert.equal(applyFinished(jobs, { jobId: 'j1', error: 'late' }, 12_000), jobs);
  // A job that failed before any progress: start to finish on the client clock.
  const early = applyFinished([{ jobId: 'j9', title: 'x', startedAt: 1000 }], { jobId: 'j9', error: 'crashed' }, 4000);
  assert.equal(jobElapsedMs(early[0], 50_000), 3000);
  assert.equal(jobFraction(jobs[0]), 1);
  // A late progress event does not revive a finished job.
  const after = applyProgress(jobs, { jobId: 'j1', phase: 'graph', elapsedMs: 6000 }, 12_000);
  assert.equal(after, jobs);
  assert.equal(jobOutcome(applyFinished(jobs, { jobId: 'j2', cancelled: true }, 0)[0]), 'cancelled');
  assert.equal(jobOutcome(applyFinished(jobs, { jobId: 'j3', error: 'boom' }, 0)[0]), 'failed');
});

test('formatting', () => {
  assert.equal(formatDuration(59_900), '59 s');
  assert.equal(formatDuration(61_000), '1 min 01 s');
  assert.equal(formatDuration(3_720_000), '1 h 02 min');
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(187 * 1024 * 1024), '187 MiB');
  assert.equal(progressCount({ jobId: 'j', phase: 'objects', done: 2, total: 8, elapsedMs: 0 }), '2 of 8 objects linked at start');
  assert.equal(progressCount({ jobId: 'j', phase: 'objects', done: 1, total: 3, round: 2, elapsedMs: 0 }), '1 of 3 objects loaded by dlopen (round 2)');
  assert.equal(progressCount({ jobId: 'j', phase: 'graph', done: 2, total: 8, elapsedMs: 0 }), 'dlopen round 2 (at most 8)');
  assert.equal(progressCount({ jobId: 'j', phase: 'image', done: 3 << 20, total: 80 << 20, elapsedMs: 0 }), '3.0 MiB of 80 MiB');
});

test('store: start, progress events, finish refreshes the report list', async () => {
  let t = 0;
  let listed = 0;
  const api = fakeApi({
    startAnalysis: () => Promise.resolve({ jobId: 'j7' }),
    listReports: () => {
      listed++;
      return Promise.resolve([{ id: 'r1', title: 'nginx', createdAt: '2024-05-01T00:00:00Z', syscalls: 100, programs: 1, unresolved: 0 }]);
    },
  });
  const store = createConfineStore({ api, now: () => t });
  const s = () => store.getState();
  s().setForm({ kind: 'engine', image: '' });
  assert.equal(await s().submitAnalysis(), undefined);
  assert.match(s().formError!, /Choose an image/);
  s().setForm({ image: 'nginx:latest' });
  assert.equal(s().formError, undefined);
  t = 100;
  assert.equal(await s().submitAnalysis(), 'j7');
  assert.deepEqual(api.calls.find((c) => c.method === 'startAnalysis')!.args, [{ target: { kind: 'engine', image: 'nginx:latest' }, network: 'none' }]);
  assert.equal(s().jobs[0].title, 'nginx:latest');
  s().onProgress({ jobId: 'j7', phase: 'phase1', elapsedMs: 2000 });
  assert.equal(s().jobs[0].progress!.phase, 'phase1');
  s().onFinished({ jobId: 'j7', reportId: 'r1' });
  await flush();
  assert.equal(listed, 1);
  assert.equal(s().reports[0].id, 'r1');
  s().dismissJob('j7');
  assert.equal(s().jobs.length, 0);
});

test('store: a progress event that beats the startAnalysis answer keeps its data', async () => {
  let release!: () => void;
  const store = createConfineStore({
    api: fakeApi({ startAnalysis: () => new Promise((r) => (release = () => r({ jobId: 'j1' }))) }),
  });
  store.getState().setForm({ kind: 'path', path: '/srv/nginx.tar' });
  const started = store.getState().submitAnalysis();
  await flush();
  store.getState().onProgress({ jobId: 'j1', phase: 'image', elapsedMs: 10 });
  release();
  await started;
  assert.equal(store.getState().jobs.length, 1);
  assert.equal(store.getState().jobs[0].title, '/srv/nginx.tar');
  assert.equal(store.getState().jobs[0].progress!.phase, 'image');
});

test('store: cancel failure puts the job back and shows the error', async () => {
  const store = createConfineStore({ api: fakeApi({ cancelAnalysis: () => Promise.reject(new Error('no such job')) }) });
  store.getState().onProgress({ jobId: 'j1', phase: 'objects', elapsedMs: 10 });
  await store.getState().cancelJob('j1');
  assert.equal(store.getState().jobs[0].cancelling, false);
  assert.equal(store.getState().errors[0].message, 'no such job');
});

test('store: no engine: status says so, no images, form moves to paths', async () => {
  const store = createConfineStore({
    api: fakeApi({ engineStatus: () => Promise.resolve({ reachable: false, endpoint: 'unix:///var/run/docker.sock', error: 'connection refused' }) }),
  });
  await store.getState().refreshEngine();
  assert.equal(store.getState().engine!.reachable, false);
  assert.equal(store.getState().form.kind, 'path');
  assert.deepEqual(store.getState().images, []);
  assert.equal(store.getState().errors.length, 0);
});

test('store: a failed status request is an error, not an unreachable engine', async () => {
  let fail = false;
  const store = createConfineStore({
    api: fakeApi({
      engineStatus: () => (fail ? Promise.reject(new Error('engineStatus: Lost the connection')) : Promise.resolve({ reachable: true, endpoint: 'unix:///var/run/docker.sock' })),
      listImages: () => Promise.resolve([]),
    }),
  });
  await store.getState().refreshEngine();
  fail = true;
  await store.getState().refreshEngine();
  assert.equal(store.getState().engine!.reachable, true);
  assert.equal(store.getState().errors[0].context, 'Checking the Docker engine');
  assert.equal(store.getState().engineLoading, false);
});

test('store: engine images are listed newest first', async () => {
  const store = createConfineStore({
    api: fakeApi({
      engineStatus: () => Promise.resolve({ reachable: true, endpoint: 'unix:///var/run/docker.sock' }),
      listImages: () =>
        Promise.resolve([
          { id: 'sha256:a', tags: ['old:1'], size: 1, created: '2023-01-01T00:00:00Z' },
          { id: 'sha256:b', tags: ['new:2'], size: 2, created: '2024-01-01T00:00:00Z' },
        ]),
    }),
  });
  await store.getState().refreshEngine();
  assert.deepEqual(store.getState().images.map((i) => i.tags[0]), ['new:2', 'old:1']);
  assert.equal(store.getState().engineLoading, false);
});
