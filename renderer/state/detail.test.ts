import { test } from 'node:test';
import assert from 'node:assert/strict';
import { disasmKey, normHex, pathSites, siteOf, syntheticPathGraph } from './detail.js';
import { createConfineStore } from './store.js';
import { fakeApi, flush, sampleReport } from './fake-api.js';
import type { Disassembly, GraphNode, Subgraph } from '../../electron/api.js';

const NGINX = '/usr/sbin/nginx';
const LIBC = '/usr/lib/x86_64-linux-gnu/libc.so.6';
const n = (id: number, object: string, name: string, address: string): GraphNode => ({ id, object, name, address, syscalls: [] });

/** pathGraph for unlink (87): main -> unlink@plt -> libc:unlink, as the service sends it. */
const unlinkGraph: Subgraph = {
  program: NGINX,
  nodes: [n(10, NGINX, 'main', '4a0f0'), n(11, NGINX, 'unlink@plt', '2a030'), n(12, LIBC, 'unlink', '11c0a0')],
  edges: [
    { from: 10, to: 11, kind: 'call', site: '4a1b2' },
    { from: 11, to: 12, kind: 'plt', site: '2a030' },
  ],
  truncated: false,
};

function disasm(object: string, address: string): Promise<Disassembly> {
  return Promise.resolve({ object, lines: [{ address, bytes: '0f 05', text: 'syscall', focus: true }] });
}

test('path sites: the call leading on, the report\'s syscall site for the last node', () => {
  const r = sampleReport();
  const sites = pathSites(unlinkGraph, [10, 11, 12], r.syscalls[3].path);
  assert.deepEqual(sites, { 10: '4a1b2', 11: '2a030', 12: '11c0b5' });
  // A `syscall` edge from the service wins over the report.
  const withEdge = { ...unlinkGraph, edges: [...unlinkGraph.edges, { from: 12, to: 12, kind: 'syscall' as const, site: '11c0b7' }] };
  assert.equal(pathSites(withEdge, [10, 11, 12], r.syscalls[3].path)[12], '11c0b7');
  assert.equal(normHex('0x0004A0F0'), '4a0f0');
  assert.equal(normHex('0'), '0');
});

test('synthetic graph for a path without service ids', () => {
  const u = sampleReport().unresolved[0];
  const g = syntheticPathGraph(u.program, u.path);
  assert.deepEqual(g.path, [-1, -2, -3]);
  assert.deepEqual(g.sub.edges.map((e) => [e.from, e.to, e.kind, e.site]), [[-1, -2, 'call', '4a1b2'], [-2, -3, 'indirect', '4c010']]);
  assert.equal(g.sites[-3], '11d0b9');
  assert.equal(g.sub.nodes[0].root, 'program root');
});

test('openSyscall: loads the path, selects the syscall site and disassembles it', async () => {
  const api = fakeApi({ getReport: () => Promise.resolve(sampleReport()), pathGraph: () => Promise.resolve(unlinkGraph), disassemble: disasm });
  const store = createConfineStore({ api });
  await store.getState().openReport('r1');
  await store.getState().openSyscall(87);
  const s = store.getState();
  assert.equal(s.view, 'syscall');
  assert.equal(s.selectedSyscall, 'unlink');
  assert.deepEqual(s.detail.path, [10, 11, 12]);
  assert.equal(s.detail.selectedNode, 12);
  assert.equal(s.detail.program, NGINX);
  await flush();
  assert.deepEqual(api.calls.find((c) => c.method === 'disassemble')!.args, ['r1', LIBC, '11c0b5']);
  const d = store.getState().disasm[disasmKey(LIBC, '11c0b5')];
  assert.equal(d.status, 'ok');
  // Clicking the first node disassembles around its call.
  store.getState().selectDetailNode(10);
  await flush();
  assert.equal(store.getState().disasm[disasmKey(NGINX, '4a1b2')].status, 'ok');
});

test('runtime-only syscalls need no path request', async () => {
  const api = fakeApi({ getReport: () => Promise.resolve(sampleReport()) });
  const store = createConfineStore({ api });
  await store.getState().openReport('r1');
  await store.getState().openSyscall(126);
  assert.equal(store.getState().detail.loading, false);
  assert.equal(store.getState().detail.error, undefined);
  assert.equal(api.calls.some((c) => c.method === 'pathGraph'), false);
});

test('more paths: callers of a node added a page at a time; their site is their call', async () => {
  const api = fakeApi({
    getReport: () => Promise.resolve(sampleReport()),
    pathGraph: () => Promise.resolve(unlinkGraph),
    disassemble: disasm,
    neighbours: (_r, program, node, _dir, limit) =>
      Promise.resolve({ program, nodes: [n(node, NGINX, 'x', '0'), n(20, NGINX, 'ngx_delete_file', '50000')], edges: [{ from: 20, to: node, kind: 'call', site: '50010' }], truncated: limit === 25 }),
  });
  const store = createConfineStore({ api });
  await store.getState().openReport('r1');
  await store.getState().openSyscall(87);
  await store.getState().expandDetailCallers(11);
  const d = store.getState().detail;
  assert.equal(d.graph.nodes[20].name, 'ngx_delete_file');
  assert.equal(d.graph.nodes[11].name, 'unlink@plt', 'a known node keeps its data');
  assert.deepEqual(d.graph.expansions['11:callers'], { limit: 25, truncated: true, count: 1 });
  assert.equal(siteOf(d, 20), '50010');
  await store.getState().expandDetailCallers(11);
  assert.deepEqual(api.calls.filter((c) => c.method === 'neighbours').map((c) => c.args), [
    ['r1', NGINX, 11, 'callers', 25],
    ['r1', NGINX, 11, 'callers', 50],
  ]);
});

test('unresolved site: path from the report, then real ids where the service knows the function', async () => {
  const api = fakeApi({
    getReport: () => Promise.resolve(sampleReport()),
    disassemble: disasm,
    searchFunctions: (_r, _p, q) => Promise.resolve(q === 'ngx_spawn' ? [n(42, NGINX, 'ngx_spawn', '4c000')] : q === 'main' ? [n(7, '/other', 'main', '4a0f0')] : []),
  });
  const store = createConfineStore({ api });
  await store.getState().openReport('r1');
  await store.getState().openUnresolved(0);
  const d = store.getState().detail;
  assert.deepEqual(d.path, [-1, 42, -3], 'main is in another object there, so it stays synthetic');
  assert.equal(d.sites[42], '4c010');
  assert.equal(d.selectedNode, -3);
  assert.deepEqual(Object.values(d.graph.edges).map((e) => [e.from, e.to]), [[-1, 42], [42, -3]]);
  // Synthetic nodes cannot be expanded.
  await store.getState().expandDetailCallers(-1);
  assert.equal(api.calls.some((c) => c.method === 'neighbours'), false);
});

test('a disassembly failure stays in its panel and can be retried', async () => {
  let fail = true;
  const api = fakeApi({
    getReport: () => Promise.resolve(sampleReport()),
    pathGraph: () => Promise.resolve(unlinkGraph),
    disassemble: (o, a) => (fail ? Promise.reject(new Error('object not in the rootfs cache')) : disasm(o, a)),
  });
  const store = createConfineStore({ api });
  await store.getState().openReport('r1');
  await store.getState().openSyscall(87);
  await flush();
  const key = disasmKey(LIBC, '11c0b5');
  assert.deepEqual(store.getState().disasm[key], { status: 'error', message: 'object not in the rootfs cache' });
  assert.equal(store.getState().errors.length, 0);
  fail = false;
  await store.getState().loadDisassembly(LIBC, '11c0b5');
  assert.equal(store.getState().disasm[key].status, 'ok');
});

test('a path request that fails is shown, and a late answer for another syscall is ignored', async () => {
  let answer!: (s: Subgraph) => void;
  const api = fakeApi({
    getReport: () => Promise.resolve(sampleReport()),
    pathGraph: (_r, nr) => (nr === 0 ? new Promise((r) => (answer = r)) : Promise.reject(new Error('no path for 1'))),
  });
  const store = createConfineStore({ api });
  await store.getState().openReport('r1');
  const first = store.getState().openSyscall(0);
  await store.getState().openSyscall(1);
  assert.equal(store.getState().detail.error, 'no path for 1');
  assert.match(store.getState().errors[0].context, /write/);
  answer(unlinkGraph);
  await first;
  assert.deepEqual(store.getState().detail.target, { kind: 'syscall', nr: 1 });
  assert.deepEqual(store.getState().detail.path, []);
});
