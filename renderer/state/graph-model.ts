// The part of a call graph the UI shows: subgraphs from the service merged together, which
// expansions were made (and how far: callers/callees are fetched a page at a time), and collapsing.
// Only what was expanded is ever held, so a program with 10,000+ functions stays cheap to render.
import type { GraphEdge, GraphNode, Subgraph } from '../../electron/api.js';

export type Direction = 'callers' | 'callees';

/** Neighbours fetched per click; "show more" asks for another page. */
export const NEIGHBOUR_PAGE = 25;

export interface Expansion {
  /** How many neighbours were asked for. */
  limit: number;
  /** The service had more than `limit`. */
  truncated: boolean;
  /** Neighbours it returned. */
  count: number;
}

export interface GraphView {
  nodes: Record<number, GraphNode>;
  /** By edgeKey. */
  edges: Record<string, GraphEdge>;
  /** Nodes added on purpose (roots, search results, the path): collapsing never removes them. */
  pinned: Record<number, true>;
  /** `${node}:${direction}` -> how far it was expanded. */
  expansions: Record<string, Expansion>;
}

export const EMPTY_GRAPH: GraphView = { nodes: {}, edges: {}, pinned: {}, expansions: {} };

export function edgeKey(e: GraphEdge): string {
  return `${e.from}>${e.to}@${e.site}:${e.kind}`;
}

export function expansionKey(node: number, dir: Direction): string {
  return `${node}:${dir}`;
}

/** Adds a subgraph's nodes and edges (nodes already present are kept; edges are deduplicated). */
export function mergeSubgraph(g: GraphView, sub: Pick<Subgraph, 'nodes' | 'edges'>, pin = false): GraphView {
  const nodes = { ...g.nodes };
  const pinned = pin ? { ...g.pinned } : g.pinned;
  for (const n of sub.nodes) {
    if (!(n.id in nodes)) nodes[n.id] = n;
    if (pin) pinned[n.id] = true;
  }
  const edges = { ...g.edges };
  // An edge is kept only when both ends are known: the service may name a node it did not send.
  for (const e of sub.edges) if (e.from in nodes && e.to in nodes) edges[edgeKey(e)] = e;
  return { ...g, nodes, edges, pinned };
}

/** Records the result of expanding `node` in `dir` with `limit`. */
export function recordExpansion(g: GraphView, node: number, dir: Direction, limit: number, sub: Subgraph): GraphView {
  const merged = mergeSubgraph(g, sub);
  const neighbours = new Set(sub.nodes.map((n) => n.id));
  neighbours.delete(node);
  return { ...merged, expansions: { ...merged.expansions, [expansionKey(node, dir)]: { limit, truncated: sub.truncated, count: neighbours.size } } };
}

/** The next limit for "show more" (the first click asks for one page). */
export function nextLimit(g: GraphView, node: number, dir: Direction, page = NEIGHBOUR_PAGE): number {
  const e = g.expansions[expansionKey(node, dir)];
  return e ? e.limit + page : page;
}

export function neighboursOf(g: GraphView, node: number, dir: Direction): number[] {
  const out: number[] = [];
  for (const e of Object.values(g.edges)) {
    if (dir === 'callers' && e.to === node && e.from !== node) out.push(e.from);
    if (dir === 'callees' && e.from === node && e.to !== node) out.push(e.to);
  }
  return [...new Set(out)];
}

/**
 * Undoes an expansion: drops the edges between `node` and its neighbours in `dir`, then every node
 * no longer connected (either way) to a pinned node or to `node` itself, so whatever was expanded
 * further from those neighbours goes too, while a neighbour still reachable another way stays.
 */
export function collapse(g: GraphView, node: number, dir: Direction): GraphView {
  const edges: Record<string, GraphEdge> = {};
  for (const [k, e] of Object.entries(g.edges)) {
    const drop = e.from !== e.to && (dir === 'callers' ? e.to === node : e.from === node);
    if (!drop) edges[k] = e;
  }
  const expansions = { ...g.expansions };
  delete expansions[expansionKey(node, dir)];
  return pruneUnreachable({ ...g, edges, expansions }, [node]);
}

/** Drops every node not connected (ignoring direction) to a pinned node or one of `keep`, with its expansions. */
export function pruneUnreachable(g: GraphView, keep: number[] = []): GraphView {
  const adj = new Map<number, number[]>();
  const link = (a: number, b: number): void => {
    const l = adj.get(a);
    if (l) l.push(b);
    else adj.set(a, [b]);
  };
  for (const e of Object.values(g.edges)) {
    link(e.from, e.to);
    link(e.to, e.from);
  }
  const seen = new Set<number>();
  const stack = [...Object.keys(g.pinned).map(Number), ...keep.filter((n) => n in g.nodes)];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    for (const m of adj.get(n) ?? []) stack.push(m);
  }
  const nodes: Record<number, GraphNode> = {};
  for (const [id, n] of Object.entries(g.nodes)) if (seen.has(Number(id))) nodes[Number(id)] = n;
  const edges: Record<string, GraphEdge> = {};
  for (const [k, e] of Object.entries(g.edges)) if (seen.has(e.from) && seen.has(e.to)) edges[k] = e;
  const expansions: Record<string, Expansion> = {};
  for (const [k, x] of Object.entries(g.expansions)) if (seen.has(Number(k.slice(0, k.indexOf(':'))))) expansions[k] = x;
  return { ...g, nodes, edges, expansions };
}

/** Removes one node (and its edges and expansions), then whatever that leaves unconnected. */
export function removeNode(g: GraphView, node: number): GraphView {
  const nodes = { ...g.nodes };
  delete nodes[node];
  const pinned = { ...g.pinned };
  delete pinned[node];
  const edges: Record<string, GraphEdge> = {};
  for (const [k, e] of Object.entries(g.edges)) if (e.from !== node && e.to !== node) edges[k] = e;
  return pruneUnreachable({ ...g, nodes, edges, pinned });
}

export function nodeCount(g: GraphView): number {
  return Object.keys(g.nodes).length;
}

/** `libc.so.6:unlink` */
export function nodeLabel(n: Pick<GraphNode, 'object' | 'name'>): string {
  // Pseudo nodes (e.g. "any address-taken function") have no object.
  if (n.object === '') return n.name;
  const i = n.object.lastIndexOf('/');
  return `${i >= 0 ? n.object.slice(i + 1) : n.object}:${n.name}`;
}
