// The call graph explorer: one program of the report, grown from its roots or from a function found
// by name, one click (a page of neighbours) at a time. Only what was expanded is held and rendered.
import type { GraphNode } from '../../electron/api.js';
import { guard } from './errors.js';
import { collapse, EMPTY_GRAPH, expansionKey, mergeSubgraph, nextLimit, recordExpansion, removeNode, type Direction, type GraphView } from './graph-model.js';
import type { Slice } from './types.js';

/** Beyond this many nodes the view warns that layout gets slow and suggests collapsing. */
export const EXPLORER_SOFT_LIMIT = 400;
export const SEARCH_LIMIT = 50;

export interface ExplorerSlice {
  explorerProgram?: string;
  explorerGraph: GraphView;
  explorerSelected?: number;
  explorerQuery: string;
  explorerResults: GraphNode[];
  /** The program's roots (entry points first), listed to add from; undefined until loaded. */
  explorerRoots?: GraphNode[];
  explorerSearching: boolean;
  /** `${node}:${direction}` being fetched. */
  explorerLoading: Record<string, true>;
  setExplorerProgram(program: string): void;
  /** Lists the roots and draws the entry points (a program can have hundreds of roots). */
  loadRoots(): Promise<void>;
  searchExplorer(query: string): Promise<void>;
  /** Adds a function (a search result) to the view, pinned. */
  addToExplorer(node: GraphNode): void;
  /** First click: a page of neighbours; again: the next page ("show more"). */
  expandExplorer(node: number, dir: Direction): Promise<void>;
  collapseExplorer(node: number, dir: Direction): void;
  removeFromExplorer(node: number): void;
  selectExplorerNode(node: number | undefined): void;
  clearExplorer(): void;
}

export const EMPTY_EXPLORER = {
  explorerGraph: EMPTY_GRAPH,
  explorerSelected: undefined,
  explorerQuery: '',
  explorerResults: [] as GraphNode[],
  explorerRoots: undefined,
  explorerSearching: false,
  explorerLoading: {} as Record<string, true>,
  explorerProgram: undefined,
};

const ENTRY = /entry point/i;

/** The program's entry point, the loader's, init/fini code, then the rest (IFUNC resolvers, exports...), each by reason and name. */
export function orderRoots(nodes: GraphNode[]): GraphNode[] {
  const rank = (n: GraphNode): number => {
    const why = n.root ?? '';
    if (ENTRY.test(why)) return /program/i.test(why) ? 0 : 1;
    return /init|fini/i.test(why) ? 2 : 3;
  };
  return [...nodes].sort((a, b) => rank(a) - rank(b) || (a.root ?? '').localeCompare(b.root ?? '') || a.name.localeCompare(b.name));
}

/** The roots drawn at first: the entry points (a few at most), else the first root. */
export function initialRoots(ordered: GraphNode[], max = 4): GraphNode[] {
  const entries = ordered.filter((n) => n.root && ENTRY.test(n.root));
  return (entries.length > 0 ? entries : ordered).slice(0, entries.length > 0 ? max : 1);
}

export const createExplorerSlice: Slice<ExplorerSlice> = (set, get, { api }) => ({
  ...EMPTY_EXPLORER,
  setExplorerProgram(program) {
    if (program === get().explorerProgram) return;
    set({ ...EMPTY_EXPLORER, explorerProgram: program });
  },
  async loadRoots() {
    const { currentReportId: reportId, explorerProgram: program } = get();
    if (!reportId || !program) return;
    set((s) => ({ explorerLoading: { ...s.explorerLoading, roots: true } }));
    const sub = await guard(get, 'Loading the program roots', () => api.roots(reportId, program));
    set((s) => {
      const loading = { ...s.explorerLoading };
      delete loading.roots;
      if (!sub || s.explorerProgram !== program) return { explorerLoading: loading };
      const roots = orderRoots(sub.nodes);
      const drawn = initialRoots(roots);
      return {
        explorerLoading: loading,
        explorerRoots: roots,
        explorerGraph: mergeSubgraph(s.explorerGraph, { nodes: drawn, edges: sub.edges }, true),
        explorerSelected: s.explorerSelected ?? drawn[0]?.id,
      };
    });
  },
  async searchExplorer(query) {
    set({ explorerQuery: query });
    const { currentReportId: reportId, explorerProgram: program } = get();
    const q = query.trim();
    if (!reportId || !program || q === '') {
      set({ explorerResults: [] });
      return;
    }
    set({ explorerSearching: true });
    const found = await guard(get, 'Searching functions', () => api.searchFunctions(reportId, program, q, SEARCH_LIMIT));
    // Answers can arrive out of order: only the latest query's counts.
    if (get().explorerQuery !== query || get().explorerProgram !== program) return;
    set({ explorerSearching: false, explorerResults: found ?? [] });
  },
  addToExplorer(node) {
    set((s) => ({ explorerGraph: mergeSubgraph(s.explorerGraph, { nodes: [node], edges: [] }, true), explorerSelected: node.id }));
  },
  async expandExplorer(node, dir) {
    const { currentReportId: reportId, explorerProgram: program } = get();
    const key = expansionKey(node, dir);
    if (!reportId || !program || get().explorerLoading[key]) return;
    const limit = nextLimit(get().explorerGraph, node, dir);
    set((s) => ({ explorerLoading: { ...s.explorerLoading, [key]: true } }));
    const sub = await guard(get, `Loading ${dir}`, () => api.neighbours(reportId, program, node, dir, limit));
    set((s) => {
      const loading = { ...s.explorerLoading };
      delete loading[key];
      if (!sub || s.explorerProgram !== program || !(node in s.explorerGraph.nodes)) return { explorerLoading: loading };
      return { explorerLoading: loading, explorerGraph: recordExpansion(s.explorerGraph, node, dir, limit, sub) };
    });
  },
  collapseExplorer(node, dir) {
    set((s) => {
      const g = collapse(s.explorerGraph, node, dir);
      return { explorerGraph: g, explorerSelected: s.explorerSelected !== undefined && s.explorerSelected in g.nodes ? s.explorerSelected : node };
    });
  },
  removeFromExplorer(node) {
    set((s) => {
      const g = removeNode(s.explorerGraph, node);
      return { explorerGraph: g, explorerSelected: s.explorerSelected !== undefined && s.explorerSelected in g.nodes ? s.explorerSelected : undefined };
    });
  },
  selectExplorerNode(node) {
    set({ explorerSelected: node });
  },
  clearExplorer() {
    set((s) => ({ ...EMPTY_EXPLORER, explorerProgram: s.explorerProgram }));
  },
});
