// Layered layout with elkjs (bundled build: runs on the main thread, no worker, no eval), for
// the few dozen to few hundred nodes the views ever hold.
import type { ELK as ElkApi, ElkNode } from 'elkjs/lib/elk-api.js';

export type LayoutDirection = 'DOWN' | 'RIGHT';

export interface LayoutInput {
  nodes: { id: string; width: number; height: number }[];
  edges: { id: string; source: string; target: string }[];
}

export type Positions = Record<string, { x: number; y: number }>;

// Loaded on first use: a separate chunk, so the first views appear without waiting for it.
let elk: Promise<ElkApi> | undefined;
function getElk(): Promise<ElkApi> {
  elk ??= import('elkjs/lib/elk.bundled.js').then((m) => new m.default());
  return elk;
}

export async function layeredLayout(input: LayoutInput, direction: LayoutDirection): Promise<Positions> {
  const ids = new Set(input.nodes.map((n) => n.id));
  const graph: ElkNode = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': direction,
      'elk.layered.spacing.nodeNodeBetweenLayers': direction === 'DOWN' ? '46' : '70',
      'elk.spacing.nodeNode': direction === 'DOWN' ? '28' : '14',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
      'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
      'elk.layered.cycleBreaking.strategy': 'DEPTH_FIRST',
      'elk.separateConnectedComponents': 'true',
      'elk.spacing.componentComponent': '40',
    },
    children: input.nodes.map((n) => ({ id: n.id, width: n.width, height: n.height })),
    // Self loops and edges to unknown nodes add nothing to the placement.
    edges: input.edges.filter((e) => e.source !== e.target && ids.has(e.source) && ids.has(e.target)).map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] })),
  };
  const out = await (await getElk()).layout(graph);
  const pos: Positions = {};
  for (const c of out.children ?? []) pos[c.id] = { x: c.x ?? 0, y: c.y ?? 0 };
  return pos;
}

/** A node's box from its text (monospace at 12px: ~7.2px per character). */
export function nodeSize(label: string, sub: string, extraLines = 0, snippetChars = 0): { width: number; height: number } {
  const chars = Math.max(label.length, sub.length, 10);
  // Snippet lines are set smaller (10.5 px monospace, ~6.4 px a character) than the label.
  const width = Math.max(chars * 7.2, snippetChars * 6.4) + 26;
  return { width: Math.min(420, Math.round(width)), height: 44 + extraLines * 15 };
}
