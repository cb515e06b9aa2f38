// The syscall detail: the justification path as a graph (from pathGraph), "more paths" (callers of
// a node, a page at a time), the selected node and the disassembly around each node's call site.
// An unresolved site has no syscall number, so its graph is built from the path in the report; its
// nodes are matched to call-graph nodes (searchFunctions) so they can be expanded too.
import type { ConfineApi, Disassembly, GraphEdge, GraphNode, Subgraph } from '../../electron/api.js';
import type { PathStep } from '../../electron/api.js';
import { errorMessage, guard } from './errors.js';
import { EMPTY_GRAPH, mergeSubgraph, nextLimit, recordExpansion, type GraphView } from './graph-model.js';
import type { Slice } from './types.js';

export type DetailTarget = { kind: 'syscall'; nr: number } | { kind: 'unresolved'; index: number };

export interface DetailState {
  target?: DetailTarget;
  program?: string;
  graph: GraphView;
  /** Node ids of the justification path, root first. */
  path: number[];
  /** Node id -> the instruction it is shown at (the call leading on, or the syscall). */
  sites: Record<number, string>;
  selectedNode?: number;
  loading: boolean;
  /** Why the path could not be loaded (the view also shows it). */
  error?: string;
  /** A syscall: which of its sites the graph shows (report order; absent: the best, site 0). */
  site?: number;
  /** Nodes whose callers are being fetched. */
  expanding: Record<number, true>;
}

export type DisasmEntry = { status: 'loading' } | { status: 'ok'; data: Disassembly } | { status: 'error'; message: string };

export interface DetailSlice {
  detail: DetailState;
  /** `${object}@${address}` -> disassembly. */
  disasm: Record<string, DisasmEntry>;
  openSyscall(nr: number): Promise<void>;
  openUnresolved(index: number): Promise<void>;
  /** Shows another reachable site of the open syscall (its path from the report). */
  showSite(index: number): Promise<void>;
  selectDetailNode(id: number | undefined): void;
  /** "More paths": callers of a node, one more page per call. */
  expandDetailCallers(id: number): Promise<void>;
  loadDisassembly(object: string, address: string): Promise<void>;
}

export const EMPTY_DETAIL: DetailState = { graph: EMPTY_GRAPH, path: [], sites: {}, loading: false, expanding: {} };

export function disasmKey(object: string, address: string): string {
  return `${object}@${address}`;
}

/** Hex without 0x, lower case, no leading zeros: addresses from different sources compare equal. */
export function normHex(a: string): string {
  return a.toLowerCase().replace(/^0x/, '').replace(/^0+(?=.)/, '');
}

/**
 * Where each path node is shown: the call to the next node (edge site), and for the last node the
 * syscall instruction (a `syscall` edge if the service sent one, else the report's last step).
 */
export function pathSites(sub: Subgraph, path: number[], steps: PathStep[] | undefined): Record<number, string> {
  const sites: Record<number, string> = {};
  path.forEach((id, i) => {
    const next = path[i + 1];
    const e =
      next !== undefined
        ? sub.edges.find((x) => x.from === id && x.to === next && x.kind !== 'syscall')
        : sub.edges.find((x) => x.from === id && x.kind === 'syscall');
    const step = steps?.[i];
    const stepMatches = step !== undefined && normHex(step.address) === normHex(sub.nodes.find((n) => n.id === id)?.address ?? '');
    if (e) sites[id] = e.site;
    else if (stepMatches && step.site) sites[id] = step.site;
  });
  return sites;
}

/** The site shown for a node: its path site, else the call it makes to a node in the view. */
export function siteOf(d: DetailState, id: number): string | undefined {
  if (d.sites[id] !== undefined) return d.sites[id];
  const out = Object.values(d.graph.edges).find((e) => e.from === id && e.from !== e.to);
  return out?.site;
}

/** A graph for a path with no service ids: nodes -1, -2, ... in path order. */
export function syntheticPathGraph(program: string, steps: PathStep[]): { sub: Subgraph; path: number[]; sites: Record<number, string> } {
  const nodes: GraphNode[] = steps.map((s, i) => ({ id: -(i + 1), object: s.object, address: normHex(s.address), name: s.function, syscalls: [], ...(s.edge === 'root' ? { root: 'program root' } : {}) }));
  const edges: GraphEdge[] = [];
  const sites: Record<number, string> = {};
  steps.forEach((s, i) => {
    if (s.site) sites[-(i + 1)] = s.site;
    if (i > 0) edges.push({ from: -i, to: -(i + 1), kind: s.edge, site: steps[i - 1].site ?? '' });
  });
  return { sub: { program, nodes, edges, truncated: false }, path: nodes.map((n) => n.id), sites };
}

/** Replaces synthetic ids by the service's where a function of the same object and address is found. */
async function resolveSynthetic(api: ConfineApi, reportId: string, program: string, nodes: GraphNode[]): Promise<Map<number, GraphNode>> {
  const out = new Map<number, GraphNode>();
  await Promise.all(
    nodes.map(async (n) => {
      try {
        const found = await api.searchFunctions(reportId, program, n.name, 50);
        const hit = found.find((f) => f.object === n.object && normHex(f.address) === n.address);
        if (hit) out.set(n.id, hit);
      } catch {
        // Expansion stays unavailable for that node; the path itself is shown anyway.
      }
    }),
  );
  return out;
}

export const createDetailSlice: Slice<DetailSlice> = (set, get, { api }) => {
  const setDetail = (patch: Partial<DetailState>): void => set((s) => ({ detail: { ...s.detail, ...patch } }));
  const stillShowing = (target: DetailTarget): boolean => {
    const t = get().detail.target;
    return t !== undefined && t.kind === target.kind && (t.kind === 'syscall' ? t.nr === (target as { nr: number }).nr : t.index === (target as { index: number }).index);
  };
  /** Shows a path from the report (an unresolved site's, or another site of a syscall), then swaps in the service's node ids. */
  const showPath = async (program: string, steps: PathStep[], target: DetailTarget): Promise<void> => {
    const reportId = get().currentReportId;
    const syn = syntheticPathGraph(program, steps);
    setDetail({ loading: false, program, graph: mergeSubgraph(EMPTY_GRAPH, syn.sub, true), path: syn.path, sites: syn.sites });
    selectLast(syn.path);
    // Then swap in the service's node ids so "more paths" works from these nodes too.
    const real = reportId ? await resolveSynthetic(api, reportId, program, syn.sub.nodes) : new Map();
    if (!stillShowing(target) || real.size === 0) return;
    const idOf = (id: number): number => real.get(id)?.id ?? id;
    const nodes = syn.sub.nodes.map((n) => real.get(n.id) ?? n);
    const edges = syn.sub.edges.map((e) => ({ ...e, from: idOf(e.from), to: idOf(e.to) }));
    const sites: Record<number, string> = {};
    for (const [id, site] of Object.entries(syn.sites)) sites[idOf(Number(id))] = site;
    const sel = get().detail.selectedNode;
    setDetail({
      graph: mergeSubgraph(EMPTY_GRAPH, { nodes, edges }, true),
      path: syn.path.map(idOf),
      sites,
      selectedNode: sel === undefined ? undefined : idOf(sel),
    });
  };
  const selectLast = (path: number[]): void => {
    const last = path[path.length - 1];
    if (last !== undefined) get().selectDetailNode(last);
  };

  return {
    detail: EMPTY_DETAIL,
    disasm: {},
    async openSyscall(nr) {
      const { currentReportId: reportId, report } = get();
      const target: DetailTarget = { kind: 'syscall', nr };
      set({ detail: { ...EMPTY_DETAIL, target, loading: true }, view: 'syscall', selectedSyscall: report?.syscalls.find((s) => s.nr === nr)?.name ?? get().selectedSyscall });
      if (!reportId || !report) {
        setDetail({ loading: false, error: 'No report is open.' });
        return;
      }
      const entry = report.syscalls.find((s) => s.nr === nr);
      if (entry && entry.path.length === 0) {
        // Runtime-only: nothing in the image makes it, so there is no path to ask for.
        setDetail({ loading: false });
        return;
      }
      try {
        const sub = await api.pathGraph(reportId, nr);
        if (!stillShowing(target)) return;
        const path = sub.nodes.map((n) => n.id);
        setDetail({ loading: false, program: sub.program, graph: mergeSubgraph(EMPTY_GRAPH, sub, true), path, sites: pathSites(sub, path, entry?.path) });
        selectLast(path);
      } catch (e) {
        if (!stillShowing(target)) return;
        setDetail({ loading: false, error: errorMessage(e) });
        get().reportError(`Loading the path of syscall ${entry?.name ?? nr}`, e);
      }
    },
    async openUnresolved(index) {
      const { currentReportId: reportId, report } = get();
      const target: DetailTarget = { kind: 'unresolved', index };
      const u = report?.unresolved[index];
      set({ detail: { ...EMPTY_DETAIL, target, loading: true }, view: 'syscall' });
      if (!reportId || !u) {
        setDetail({ loading: false, error: 'No such unresolved site in the open report.' });
        return;
      }
      await showPath(u.program, u.path, target);
    },
    async showSite(index) {
      const { report, detail } = get();
      const target = detail.target;
      if (!target || target.kind !== 'syscall') return;
      const entry = report?.syscalls.find((s) => s.nr === target.nr);
      const site = entry?.sites?.[index];
      if (!entry || !site) return;
      if (index === 0) {
        await get().openSyscall(target.nr);
        return;
      }
      set({ detail: { ...EMPTY_DETAIL, target, site: index, loading: true } });
      await showPath(site.programs[0], site.path, target);
    },
    selectDetailNode(id) {
      setDetail({ selectedNode: id });
      if (id === undefined) return;
      const d = get().detail;
      const node = d.graph.nodes[id];
      const site = siteOf(d, id) ?? node?.address;
      if (node && site) void get().loadDisassembly(node.object, site);
    },
    async expandDetailCallers(id) {
      const { currentReportId: reportId } = get();
      const d = get().detail;
      if (!reportId || !d.program || id < 0 || d.expanding[id]) return;
      const limit = nextLimit(d.graph, id, 'callers');
      const target = d.target;
      setDetail({ expanding: { ...d.expanding, [id]: true } });
      const sub = await guard(get, 'Finding more callers', () => api.neighbours(reportId, d.program!, id, 'callers', limit));
      const cur = get().detail;
      const expanding = { ...cur.expanding };
      delete expanding[id];
      if (!target || !stillShowing(target)) return;
      setDetail(sub ? { expanding, graph: recordExpansion(cur.graph, id, 'callers', limit, sub) } : { expanding });
    },
    async loadDisassembly(object, address) {
      const key = disasmKey(object, address);
      const have = get().disasm[key];
      if (have && have.status !== 'error') return;
      const reportId = get().currentReportId;
      if (!reportId) return;
      set((s) => ({ disasm: { ...s.disasm, [key]: { status: 'loading' } } }));
      try {
        const data = await api.disassemble(reportId, object, address);
        set((s) => ({ disasm: { ...s.disasm, [key]: { status: 'ok', data } } }));
      } catch (e) {
        // Shown in the disassembly panel itself: one missing object should not fill the banner.
        set((s) => ({ disasm: { ...s.disasm, [key]: { status: 'error', message: errorMessage(e) } } }));
      }
    },
  };
};
