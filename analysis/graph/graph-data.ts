// The reached part of one program's call graph as compact JSON (for the UI), and the queries the
// service answers from it: name search, callers/callees, roots, and a justification path as nodes.
// Nodes are numbered 0..n-1 in the data; edges are flat number arrays. Calls through a pointer go
// to one pseudo node, "(any address-taken function)", whose callees are the address-taken functions.
import type { ProgramGraph } from './program-graph.js';
import type { EdgeKind, PathStep } from './report.js';

/** Edge kinds in the order their index is stored in `CallGraphData.edges`. */
export const EDGE_KINDS: readonly EdgeKind[] = ['root', 'call', 'tail', 'fallthrough', 'plt', 'got', 'ifunc', 'indirect', 'syscall'];
const KIND_INDEX = new Map<EdgeKind, number>(EDGE_KINDS.map((k, i) => [k, i]));

/** Name of the pseudo node standing for every address-taken function. */
export const INDIRECT_NAME = '(any address-taken function)';

/** One program's reached call graph, JSON-serialisable. */
export interface CallGraphData {
  version: 1;
  program: string;
  /** Object paths (rootfs paths, "[vdso]"). */
  objects: string[];
  /** Per node: index into `objects` (-1 for the pseudo node). */
  obj: number[];
  /** Per node: function entry (0 for the pseudo node). */
  entry: number[];
  /** Per node: display name. */
  name: string[];
  /** Node id -> syscall numbers made by a syscall instruction in it (constants only; nodes without any are absent). */
  syscalls: Record<string, number[]>;
  /** Root node ids, and why each is a root (same order). */
  roots: number[];
  rootWhy: string[];
  /** Flat quadruples: from, to, kind (index into EDGE_KINDS), site offset from the caller's entry (-1: none). */
  edges: number[];
  /** The pseudo node's id, or -1 when no indirect call is reached. */
  indirect: number;
}

/** Builds the compact data of the reached part of `graph`. */
export function callGraphData(graph: ProgramGraph, roots: { node: number; why: string }[]): CallGraphData {
  const program = graph.program.program;
  const idOf = new Map<number, number>();
  const objects: string[] = graph.objects.map((o) => o.path);
  const obj: number[] = [];
  const entry: number[] = [];
  const name: string[] = [];
  const syscalls: Record<string, number[]> = {};
  const reached: number[] = [];
  for (const g of graph.parent.keys()) if (g !== graph.INDIRECT) reached.push(g);
  // Stable order: by object, then entry (the parent map's order depends on exploration).
  reached.sort((a, b) => graph.nodes[a].obj - graph.nodes[b].obj || graph.nodes[a].fn.entry - graph.nodes[b].fn.entry);
  for (const g of reached) {
    const id = obj.length;
    idOf.set(g, id);
    const n = graph.nodes[g];
    obj.push(n.obj);
    entry.push(n.fn.entry);
    name.push(graph.functionName(g));
    const nrs = new Set<number>();
    for (const s of n.fn.syscalls) if (s.nr !== null && 'c' in s.nr) for (const nr of s.nr.c) nrs.add(nr);
    if (nrs.size > 0) syscalls[id] = [...nrs].sort((a, b) => a - b);
  }
  let indirect = -1;
  if (graph.reached(graph.INDIRECT)) {
    indirect = obj.length;
    obj.push(-1);
    entry.push(0);
    name.push(INDIRECT_NAME);
  }
  const edges: number[] = [];
  const indirectKind = KIND_INDEX.get('indirect')!;
  for (const g of reached) {
    const from = idOf.get(g)!;
    const base = graph.nodes[g].fn.entry;
    for (const e of graph.edges(g)) {
      const to = e.to === graph.INDIRECT ? indirect : idOf.get(e.to);
      if (to === undefined || to < 0) continue;
      edges.push(from, to, KIND_INDEX.get(e.kind) ?? indirectKind, e.site - base);
    }
  }
  if (indirect >= 0) {
    // The pseudo node fans out to the address-taken set.
    const taken = graph.addressTaken();
    const targets = [...taken.keys()].map((t) => idOf.get(t)).filter((t): t is number => t !== undefined);
    targets.sort((a, b) => a - b);
    for (const t of targets) edges.push(indirect, t, indirectKind, -1);
  }
  const rootIds: number[] = [];
  const rootWhy: string[] = [];
  const seenRoot = new Set<number>();
  for (const r of roots) {
    const id = idOf.get(r.node);
    if (id === undefined || seenRoot.has(id)) continue;
    seenRoot.add(id);
    rootIds.push(id);
    rootWhy.push(r.why);
  }
  return { version: 1, program, objects, obj, entry, name, syscalls, roots: rootIds, rootWhy, edges, indirect };
}

/** A node as the UI sees it (same shape as the API's GraphNode). */
export interface GraphNodeView {
  id: number;
  object: string;
  address: string;
  name: string;
  syscalls: number[];
  root?: string;
}

/** An edge as the UI sees it (same shape as the API's GraphEdge). */
export interface GraphEdgeView {
  from: number;
  to: number;
  kind: EdgeKind;
  site: string;
}

export interface SubgraphView {
  program: string;
  nodes: GraphNodeView[];
  edges: GraphEdgeView[];
  truncated: boolean;
}

/** Query indexes over one CallGraphData: adjacency in both directions (CSR), roots, entries per object. */
export class CallGraphIndex {
  readonly size: number;
  private readonly outStart: Int32Array;
  private readonly outEdge: Int32Array;
  private readonly inStart: Int32Array;
  private readonly inEdge: Int32Array;
  private readonly rootWhy = new Map<number, string>();
  private readonly lowerNames: string[];
  private byEntry: Map<string, number> | undefined;
  private sortedByObject: Map<number, number[]> | undefined;

  constructor(readonly data: CallGraphData) {
    const n = data.obj.length;
    this.size = n;
    const m = data.edges.length / 4;
    const outCount = new Int32Array(n + 1);
    const inCount = new Int32Array(n + 1);
    for (let e = 0; e < m; e++) {
      outCount[data.edges[4 * e] + 1]++;
      inCount[data.edges[4 * e + 1] + 1]++;
    }
    for (let i = 0; i < n; i++) {
      outCount[i + 1] += outCount[i];
      inCount[i + 1] += inCount[i];
    }
    this.outStart = outCount.slice();
    this.inStart = inCount.slice();
    this.outEdge = new Int32Array(m);
    this.inEdge = new Int32Array(m);
    const outFill = outCount.slice(0, n);
    const inFill = inCount.slice(0, n);
    for (let e = 0; e < m; e++) {
      this.outEdge[outFill[data.edges[4 * e]]++] = e;
      this.inEdge[inFill[data.edges[4 * e + 1]]++] = e;
    }
    data.roots.forEach((r, i) => this.rootWhy.set(r, data.rootWhy[i]));
    this.lowerNames = data.name.map((s) => s.toLowerCase());
  }

  /** The UI view of node `id`. */
  node(id: number): GraphNodeView {
    const d = this.data;
    const v: GraphNodeView = {
      id,
      object: d.obj[id] >= 0 ? d.objects[d.obj[id]] : '',
      address: d.entry[id].toString(16),
      name: d.name[id],
      syscalls: d.syscalls[id] ?? [],
    };
    const why = this.rootWhy.get(id);
    if (why !== undefined) v.root = why;
    return v;
  }

  /** The UI view of edge number `e`. */
  edge(e: number): GraphEdgeView {
    const d = this.data.edges;
    const from = d[4 * e];
    const off = d[4 * e + 3];
    return { from, to: d[4 * e + 1], kind: EDGE_KINDS[d[4 * e + 2]] ?? 'call', site: off < 0 ? '' : (this.data.entry[from] + off).toString(16) };
  }

  /** Functions whose name contains `query` (case-insensitive): exact matches, then prefixes, then the rest; shorter names first. */
  search(query: string, limit = 50): GraphNodeView[] {
    const q = query.toLowerCase();
    if (q === '') return [];
    const hits: { id: number; rank: number }[] = [];
    const names = this.lowerNames;
    for (let i = 0; i < names.length; i++) {
      const at = names[i].indexOf(q);
      if (at < 0) continue;
      const rank = names[i].length === q.length ? 0 : at === 0 ? 1 : 2;
      hits.push({ id: i, rank });
    }
    hits.sort((a, b) => a.rank - b.rank || names[a.id].length - names[b.id].length || names[a.id].localeCompare(names[b.id]) || a.id - b.id);
    return hits.slice(0, Math.max(0, limit)).map((h) => this.node(h.id));
  }

  /** The program's roots (entry point first, as the analysis listed them), up to `limit`. */
  roots(limit = 200): SubgraphView {
    const ids = this.data.roots;
    return { program: this.data.program, nodes: ids.slice(0, limit).map((id) => this.node(id)), edges: [], truncated: ids.length > limit };
  }

  /** Callers or callees of `id`: the node itself first, then up to `limit` distinct neighbours, one edge each. */
  neighbours(id: number, direction: 'callers' | 'callees', limit = 100): SubgraphView {
    if (!Number.isInteger(id) || id < 0 || id >= this.size) throw new RangeError(`no function ${id} in the call graph of ${this.data.program}`);
    const start = direction === 'callees' ? this.outStart : this.inStart;
    const list = direction === 'callees' ? this.outEdge : this.inEdge;
    const far = direction === 'callees' ? 1 : 0;
    const seen = new Set<number>();
    const nodes = [this.node(id)];
    const edges: GraphEdgeView[] = [];
    let truncated = false;
    for (let k = start[id]; k < start[id + 1]; k++) {
      const e = list[k];
      const other = this.data.edges[4 * e + far];
      if (seen.has(other)) continue;
      if (seen.size >= limit) {
        truncated = true;
        break;
      }
      seen.add(other);
      if (other !== id) nodes.push(this.node(other));
      edges.push(this.edge(e));
    }
    return { program: this.data.program, nodes, edges, truncated };
  }

  /** Number of callers and callees of a node. */
  degree(id: number): { callers: number; callees: number } {
    return { callers: this.inStart[id + 1] - this.inStart[id], callees: this.outStart[id + 1] - this.outStart[id] };
  }

  /** The node of the function at `entry` in `object`, if it was reached. */
  nodeAt(object: string, entry: number): number | undefined {
    if (!this.byEntry) {
      this.byEntry = new Map();
      const d = this.data;
      for (let i = 0; i < this.size; i++) if (d.obj[i] >= 0) this.byEntry.set(`${d.objects[d.obj[i]]}\0${d.entry[i]}`, i);
    }
    return this.byEntry.get(`${object}\0${entry}`);
  }

  /** The reached function of `object` with the greatest entry <= `address`, and the next entry after it (if any). */
  functionAt(object: string, address: number): { id: number; next?: number } | undefined {
    const d = this.data;
    const oi = d.objects.indexOf(object);
    if (oi < 0) return undefined;
    if (!this.sortedByObject) {
      this.sortedByObject = new Map();
      for (let i = 0; i < this.size; i++) {
        if (d.obj[i] < 0) continue;
        let l = this.sortedByObject.get(d.obj[i]);
        if (!l) this.sortedByObject.set(d.obj[i], (l = []));
        l.push(i);
      }
      for (const l of this.sortedByObject.values()) l.sort((a, b) => d.entry[a] - d.entry[b]);
    }
    const list = this.sortedByObject.get(oi) ?? [];
    let lo = 0;
    let hi = list.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (d.entry[list[mid]] <= address) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0) return undefined;
    const next = found + 1 < list.length ? d.entry[list[found + 1]] : undefined;
    return next === undefined ? { id: list[found] } : { id: list[found], next };
  }

  /**
   * A justification path (report steps) as a subgraph: one node per step in path order, an edge
   * between consecutive steps. Undefined when a step is not a reached function of this graph.
   */
  pathSubgraph(path: PathStep[]): SubgraphView | undefined {
    // A kernel step (restart_syscall, rt_sigreturn) is no function of the graph: the path shown is the one to its trigger.
    const steps = path.filter((s) => s.edge !== 'kernel');
    const ids: number[] = [];
    for (const s of steps) {
      const id = this.nodeAt(s.object, parseInt(s.address, 16));
      if (id === undefined) return undefined;
      ids.push(id);
    }
    const nodes = [...new Set(ids)].map((id) => this.node(id));
    const edges: GraphEdgeView[] = [];
    for (let i = 1; i < ids.length; i++) edges.push({ from: ids[i - 1], to: ids[i], kind: steps[i].edge, site: steps[i - 1].site ?? '' });
    return { program: this.data.program, nodes, edges, truncated: false };
  }
}
