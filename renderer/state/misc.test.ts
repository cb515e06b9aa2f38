// Errors banner, navigation, export/save, and the store's event wiring.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectEvents, createConfineStore, loadInitial } from './store.js';
import { errorMessage, MAX_ERRORS } from './errors.js';
import { parseView } from './nav.js';
import { reportTitle } from './reports.js';
import { fakeApi, sampleReport } from './fake-api.js';
import type { ConfineEvents, ExportResult } from '../../electron/api.js';

const docker: ExportResult = { format: 'docker', filename: 'nginx-seccomp.json', mime: 'application/json', text: '{}' };

test('errors: repeated ones are counted, the banner keeps the newest few', () => {
  const store = createConfineStore({ api: fakeApi() });
  const s = () => store.getState();
  s().reportError('Listing', new Error('down'));
  s().reportError('Listing', new Error('down'));
  assert.equal(s().errors.length, 1);
  assert.equal(s().errors[0].count, 2);
  for (let i = 0; i < 10; i++) s().reportError('X', `e${i}`);
  assert.equal(s().errors.length, MAX_ERRORS);
  assert.equal(s().errors.at(-1)!.message, 'e9');
  s().dismissError(s().errors[0].id);
  assert.equal(s().errors.length, MAX_ERRORS - 1);
  assert.equal(errorMessage({ code: 1 }), '{"code":1}');
  s().clearErrors();
  assert.deepEqual(s().errors, []);
});

test('views from the location hash', () => {
  assert.equal(parseView('#/policy'), 'policy');
  assert.equal(parseView('#diff'), 'diff');
  assert.equal(parseView('#/syscall/87'), 'syscall');
  assert.equal(parseView('#/syscall?report=r1&nr=87'), 'syscall');
  assert.equal(parseView('#/policy?report=x'), 'policy');
  assert.equal(parseView('#/nope'), undefined);
  assert.equal(parseView(''), undefined);
  assert.equal(reportTitle(undefined, sampleReport()), '/usr/sbin/nginx, /usr/bin/true');
});

test('export: preview, then the native dialog when the host has one', async () => {
  const api = fakeApi({
    getReport: () => Promise.resolve(sampleReport()),
    hostInfo: () => Promise.resolve({ transport: 'electron', nativeSave: true, version: '0.1.0' }),
    exportPolicy: (_r, format) => Promise.resolve({ ...docker, format }),
    saveExport: () => Promise.resolve('/home/me/nginx-seccomp.json'),
  });
  let downloads = 0;
  const store = createConfineStore({ api, download: () => downloads++ });
  await store.getState().loadHost();
  await store.getState().openReport('r1');
  store.getState().setExportFormat('kubernetes');
  await store.getState().previewExport();
  assert.equal(store.getState().exportResult!.format, 'kubernetes');
  await store.getState().saveExport();
  assert.equal(store.getState().exportMessage, 'Saved to /home/me/nginx-seccomp.json');
  assert.equal(downloads, 0);
  store.getState().setExportFormat('oci');
  assert.equal(store.getState().exportResult, undefined);
});

test('export: the browser downloads; a cancelled native save says so', async () => {
  const downloaded: ExportResult[] = [];
  const base = { getReport: () => Promise.resolve(sampleReport()), exportPolicy: () => Promise.resolve(docker) };
  const web = createConfineStore({
    api: fakeApi({ ...base, hostInfo: () => Promise.resolve({ transport: 'web', nativeSave: false, version: '0.1.0' }) }),
    download: (r) => downloaded.push(r),
  });
  await web.getState().loadHost();
  await web.getState().openReport('r1');
  await web.getState().saveExport();
  assert.equal(downloaded[0].filename, 'nginx-seccomp.json');
  assert.equal(web.getState().exportMessage, 'Downloaded nginx-seccomp.json');

  const electron = createConfineStore({
    api: fakeApi({ ...base, hostInfo: () => Promise.resolve({ transport: 'electron', nativeSave: true, version: '0.1.0' }), saveExport: () => Promise.resolve(null) }),
  });
  await electron.getState().loadHost();
  await electron.getState().openReport('r1');
  await electron.getState().saveExport();
  assert.equal(electron.getState().exportMessage, 'Save cancelled.');
});

test('export without a report is an error', async () => {
  const store = createConfineStore({ api: fakeApi() });
  assert.equal(await store.getState().previewExport(), undefined);
  assert.match(store.getState().errors[0].message, /No report/);
});

test('events from the bridge drive the jobs; loadInitial fills every list and reports failures', async () => {
  const listeners: { [E in keyof ConfineEvents]?: (d: ConfineEvents[E]) => void } = {};
  const bridge = {
    on<E extends keyof ConfineEvents>(e: E, l: (d: ConfineEvents[E]) => void) {
      (listeners as Record<string, unknown>)[e] = l;
      return () => delete listeners[e];
    },
  };
  const api = fakeApi({
    hostInfo: () => Promise.resolve({ transport: 'web', nativeSave: false, version: '0.1.0' }),
    engineStatus: () => Promise.resolve({ reachable: false, endpoint: 'unix:///var/run/docker.sock' }),
    listReports: () => Promise.resolve([]),
    getWorkspace: () => Promise.resolve({ path: '/w.json', reviews: {} }),
  });
  const store = createConfineStore({ api });
  const off = connectEvents(store, bridge);
  listeners.progress!({ jobId: 'j', phase: 'load', elapsedMs: 1 });
  assert.equal(store.getState().jobs[0].progress!.phase, 'load');
  off();
  assert.deepEqual(Object.keys(listeners), []);
  await loadInitial(store);
  assert.equal(store.getState().host!.transport, 'web');
  assert.equal(store.getState().workspace!.path, '/w.json');
  // listProfiles is not faked: its failure is in the banner, the rest still loaded.
  assert.equal(store.getState().errors.length, 1);
  assert.equal(store.getState().errors[0].context, 'Listing the profiles');
});
