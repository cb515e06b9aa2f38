import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collapse, EMPTY_GRAPH, edgeKey, mergeSubgraph, neighboursOf, nextLimit, nodeCount, nodeLabel, recordExpansion, removeNode, type GraphView } from './graph-model.js';
import type { GraphEdge, GraphNode, Subgraph } from '../../electron/api.js';

const node = (id: number, name = `f${id}`, object = '/usr/sbin/nginx'): GraphNode => ({ id, object, address: (0x1000 + id).toString(16), name, syscalls: [] });
const edge = (from: number, to: number, site = `${from}0`): GraphEdge => ({ from, to, kind: 'call', site });
const sub = (nodes: GraphNode[], edges: GraphEdge[], truncated = false): Subgraph => ({ program: '/usr/sbin/nginx', nodes, edges, truncated });

test('merge keeps nodes once, deduplicates edges, drops edges to unknown nodes', () => {
  let g = mergeSubgraph(EMPTY_GRAPH, sub([node(1), node(2)], [edge(1, 2)]), true);
  g = mergeSubgraph(g, sub([node(2, 'renamed'), node(3)], [edge(1, 2), edge(2, 3), edge(3, 99)]));
  assert.equal(nodeCount(g), 3);
  assert.equal(g.nodes[2].name, 'f2');
  assert.deepEqual(Object.keys(g.edges).sort(), [edgeKey(edge(1, 2)), edgeKey(edge(2, 3))].sort());
  assert.deepEqual(Object.keys(g.pinned), ['1', '2']);
  assert.deepEqual(EMPTY_GRAPH.nodes, {}, 'EMPTY_GRAPH is never modified');
  // Two call sites between the same functions are two edges.
  g = mergeSubgraph(g, sub([], [edge(1, 2, 'abc')]));
  assert.equal(neighboursOf(g, 1, 'callees').length, 1);
  assert.equal(Object.values(g.edges).filter((e) => e.from === 1).length, 2);
});

test('expansions page through neighbours', () => {
  let g = mergeSubgraph(EMPTY_GRAPH, sub([node(1)], []), true);
  assert.equal(nextLimit(g, 1, 'callers'), 25);
  const page1 = sub([node(1), ...Array.from({ length: 25 }, (_, i) => node(100 + i))], Array.from({ length: 25 }, (_, i) => edge(100 + i, 1)), true);
  g = recordExpansion(g, 1, 'callers', 25, page1);
  assert.deepEqual(g.expansions['1:callers'], { limit: 25, truncated: true, count: 25 });
  assert.equal(nextLimit(g, 1, 'callers'), 50);
  assert.equal(nextLimit(g, 1, 'callees'), 25);
  assert.equal(neighboursOf(g, 1, 'callers').length, 25);
  assert.equal(nodeLabel(node(7, 'unlink', '/usr/lib/x86_64-linux-gnu/libc.so.6')), 'libc.so.6:unlink');
  assert.equal(nodeLabel(node(8, '(any address-taken function)', '')), '(any address-taken function)');
});

test('collapse removes what the expansion brought, and what was expanded from there, but not pinned or shared nodes', () => {
  // 1 (pinned) -> 2 -> 4 ; 1 -> 3 ; 5 (pinned) -> 3 ; 2 -> 6 (pinned)
  let g: GraphView = mergeSubgraph(EMPTY_GRAPH, sub([node(1), node(5), node(6)], []), true);
  g = recordExpansion(g, 1, 'callees', 25, sub([node(1), node(2), node(3)], [edge(1, 2), edge(1, 3)]));
  g = recordExpansion(g, 2, 'callees', 25, sub([node(2), node(4), node(6)], [edge(2, 4), edge(2, 6)]));
  g = mergeSubgraph(g, sub([node(5), node(3)], [edge(5, 3)]));
  const c = collapse(g, 1, 'callees');
  // 2 is still attached to pinned 6, so 2 and 4 stay; 3 is held by 5.
  assert.deepEqual(Object.keys(c.nodes).map(Number).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6]);
  assert.equal(neighboursOf(c, 1, 'callees').length, 0);
  assert.equal(c.expansions['1:callees'], undefined);
  assert.ok(c.expansions['2:callees']);
  // Without the pinned leaf, the whole 2 subtree goes.
  const g2 = removeNode(g, 6);
  const c2 = collapse(g2, 1, 'callees');
  assert.deepEqual(Object.keys(c2.nodes).map(Number).sort((a, b) => a - b), [1, 3, 5]);
  assert.equal(c2.expansions['2:callees'], undefined);
});

test('collapse of an unpinned node keeps that node', () => {
  let g: GraphView = mergeSubgraph(EMPTY_GRAPH, sub([node(1)], []), true);
  g = recordExpansion(g, 1, 'callees', 25, sub([node(1), node(2)], [edge(1, 2)]));
  g = recordExpansion(g, 2, 'callees', 25, sub([node(2), node(3)], [edge(2, 3)]));
  const c = collapse(g, 2, 'callees');
  assert.deepEqual(Object.keys(c.nodes).map(Number), [1, 2]);
});

test('removing a node drops what only it held', () => {
  let g: GraphView = mergeSubgraph(EMPTY_GRAPH, sub([node(1), node(9)], []), true);
  g = recordExpansion(g, 1, 'callees', 25, sub([node(1), node(2)], [edge(1, 2)]));
  const r = removeNode(g, 1);
  assert.deepEqual(Object.keys(r.nodes).map(Number), [9]);
  assert.deepEqual(r.edges, {});
});
