import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createConfineStore } from './store.js';
import { initialRoots, orderRoots } from './explorer.js';
import { fakeApi, flush, sampleReport } from './fake-api.js';
import type { GraphNode, Subgraph } from '../../electron/api.js';

const node = (id: number, name = `f${id}`): GraphNode => ({ id, object: '/usr/sbin/nginx', address: (0x1000 + id).toString(16), name, syscalls: [] });

/** A fake graph where node n has 60 callees n*100+0 .. n*100+59. */
function neighbours(_r: string, program: string, n: number, dir: 'callers' | 'callees', limit = 25): Promise<Subgraph> {
  const all = Array.from({ length: 60 }, (_, i) => n * 100 + i);
  const ids = all.slice(0, limit);
  return Promise.resolve({
    program,
    nodes: [node(n), ...ids.map((i) => node(i))],
    edges: ids.map((i) => (dir === 'callees' ? { from: n, to: i, kind: 'call' as const, site: 'a' } : { from: i, to: n, kind: 'call' as const, site: 'b' })),
    truncated: ids.length < all.length,
  });
}

async function setup() {
  const api = fakeApi({
    getReport: () => Promise.resolve(sampleReport()),
    roots: (_r, program) =>
      Promise.resolve({
        program,
        nodes: [
          { ...node(3, 'frame_dummy'), root: 'init/fini function' },
          { ...node(2, '_dl_start'), root: 'dynamic loader entry point' },
          { ...node(1, '_start'), root: 'program entry point' },
          ...Array.from({ length: 150 }, (_, i) => ({ ...node(1000 + i, `__ifunc_${i}`), root: 'IFUNC resolver run by the loader' })),
        ],
        edges: [],
        truncated: false,
      }),
    neighbours,
    searchFunctions: (_r, _p, q) => Promise.resolve(q === 'ngx' ? [node(7, 'ngx_delete_file')] : []),
  });
  const store = createConfineStore({ api });
  await store.getState().openReport('r1');
  store.getState().setExplorerProgram('/usr/sbin/nginx');
  return { store, api };
}

test('roots, then one page of callees per click, "show more" asks for the next page', async () => {
  const { store, api } = await setup();
  const s = () => store.getState();
  await s().loadRoots();
  // Hundreds of roots are listed, only the entry points drawn.
  assert.equal(s().explorerRoots!.length, 153);
  assert.deepEqual(s().explorerRoots!.slice(0, 3).map((n) => n.name), ['_start', '_dl_start', 'frame_dummy']);
  assert.deepEqual(Object.keys(s().explorerGraph.nodes), ['1', '2']);
  assert.equal(s().explorerSelected, 1);
  s().removeFromExplorer(2);
  await s().expandExplorer(1, 'callees');
  assert.equal(Object.keys(s().explorerGraph.nodes).length, 26);
  assert.deepEqual(s().explorerGraph.expansions['1:callees'], { limit: 25, truncated: true, count: 25 });
  await s().expandExplorer(1, 'callees');
  await s().expandExplorer(1, 'callees');
  assert.equal(Object.keys(s().explorerGraph.nodes).length, 61);
  assert.equal(s().explorerGraph.expansions['1:callees'].truncated, false);
  assert.deepEqual(api.calls.filter((c) => c.method === 'neighbours').map((c) => c.args[4]), [25, 50, 75]);
  s().collapseExplorer(1, 'callees');
  assert.deepEqual(Object.keys(s().explorerGraph.nodes), ['1']);
});

test('roots without an entry point: the first one is drawn', () => {
  const ordered = orderRoots([{ ...node(9, 'b'), root: 'init/fini function' }, { ...node(8, 'a'), root: 'init/fini function' }]);
  assert.deepEqual(initialRoots(ordered).map((n) => n.name), ['a']);
  assert.deepEqual(initialRoots([]), []);
});

test('search results are added pinned and selected; a stale search answer is ignored', async () => {
  const { store } = await setup();
  const s = () => store.getState();
  const first = s().searchExplorer('ngx');
  const second = s().searchExplorer('zzz');
  await Promise.all([first, second]);
  assert.deepEqual(s().explorerResults, []);
  await s().searchExplorer('ngx');
  assert.equal(s().explorerResults[0].name, 'ngx_delete_file');
  s().addToExplorer(s().explorerResults[0]);
  assert.equal(s().explorerSelected, 7);
  assert.equal(s().explorerGraph.pinned[7], true);
  await s().expandExplorer(7, 'callers');
  s().removeFromExplorer(7);
  assert.deepEqual(s().explorerGraph.nodes, {});
  assert.equal(s().explorerSelected, undefined);
});

test('switching program clears the view; an answer for the old program is dropped', async () => {
  const { store } = await setup();
  const s = () => store.getState();
  await s().loadRoots();
  const pending = s().expandExplorer(1, 'callees');
  s().setExplorerProgram('/usr/bin/true');
  await pending;
  await flush();
  assert.deepEqual(s().explorerGraph.nodes, {});
  assert.equal(s().explorerProgram, '/usr/bin/true');
  assert.deepEqual(s().explorerLoading, {});
});

test('a failed expansion is reported and leaves the graph as it was', async () => {
  const store = createConfineStore({
    api: fakeApi({
      getReport: () => Promise.resolve(sampleReport()),
      neighbours: () => Promise.reject(new Error('no such node 5')),
    }),
  });
  await store.getState().openReport('r1');
  store.getState().setExplorerProgram('/usr/sbin/nginx');
  store.getState().addToExplorer(node(5));
  await store.getState().expandExplorer(5, 'callers');
  assert.equal(Object.keys(store.getState().explorerGraph.nodes).length, 1);
  assert.equal(store.getState().errors[0].message, 'no such node 5');
  assert.deepEqual(store.getState().explorerLoading, {});
});
