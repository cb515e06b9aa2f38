// A call graph canvas: React Flow with elk positions. Holds only what the caller passes (the
// expanded part of a graph), re-laid out when the set of nodes or edges changes.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Background, Controls, MarkerType, ReactFlow, useReactFlow, useStore, type Edge, type NodeChange } from '@xyflow/react';
import type { GraphEdge } from '../../electron/api.js';
import { FunctionNode, type FunctionFlowNode, type FunctionNodeData } from './FunctionNode.js';
import { layeredLayout, nodeSize, type LayoutDirection, type Positions } from './layout.js';

export interface FlowNodeSpec extends Omit<FunctionNodeData, 'direction' | 'selected'> {
  id: number;
}

const EDGE_LABELS: Record<GraphEdge['kind'], string> = {
  root: 'root',
  call: 'call',
  tail: 'tail',
  fallthrough: 'fallthrough',
  plt: 'PLT',
  got: 'GOT',
  ifunc: 'ifunc',
  indirect: 'indirect',
  syscall: 'syscall',
  kernel: 'kernel',
};

const NODE_TYPES = { function: FunctionNode };

/**
 * Fits the view once the nodes of layout `version` are positioned AND measured by the renderer:
 * fitting in the frame after the positions were set (before measuring) left the syscall node
 * off-screen in about a third of first opens.
 */
function FitWhenReady({ version, onFitted }: { version: number; onFitted: (version: number) => void }) {
  // Every shown node measured by the renderer (React Flow's own useNodesInitialized also waits for
  // handle bounds, which nodes without handles of both kinds never get).
  const ready = useStore((st) => {
    let shown = 0;
    for (const n of st.nodeLookup.values()) {
      if (n.hidden) continue;
      shown++;
      if (!n.measured?.width || !n.measured?.height) return false;
    }
    return shown > 0;
  });
  const { fitView } = useReactFlow();
  const done = useRef(0);
  useEffect(() => {
    if (!ready || version === 0 || done.current === version) return;
    // One frame later the store holds the measured sizes of this render too. Marked done only
    // then: a cleanup (nodes un-measured again as new ones appear) cancels the frame, and the
    // next ready state must fit.
    const frame = requestAnimationFrame(() => {
      done.current = version;
      void fitView({ padding: 0.15, maxZoom: 1.1, duration: 0 }).then(() => onFitted(version));
    });
    return () => cancelAnimationFrame(frame);
  }, [ready, version, fitView, onFitted]);
  return null;
}

export function FlowGraph({
  nodes,
  edges,
  selected,
  onSelect,
  onOpen,
  direction,
  highlightEdges,
  testId,
}: {
  nodes: FlowNodeSpec[];
  edges: GraphEdge[];
  selected?: number;
  onSelect: (id: number | undefined) => void;
  onOpen?: (id: number) => void;
  direction: LayoutDirection;
  /** Edge keys drawn emphasised (the justification path). */
  highlightEdges?: Set<string>;
  testId: string;
}) {
  const [positions, setPositions] = useState<Positions>({});
  const [layoutError, setLayoutError] = useState<string>();
  // Bumped with every new layout; `fitted` says which one the view was last fitted to (for tests).
  const [layoutVersion, setLayoutVersion] = useState(0);
  const [fitted, setFitted] = useState(0);
  // Fits end asynchronously: one for an older layout may finish after the newest one's.
  const onFitted = useCallback((v: number) => setFitted((old) => Math.max(old, v)), []);
  // The sizes React Flow measured, handed back with every node: a controlled flow that drops them
  // makes React Flow measure again each time the node objects are rebuilt (new positions, a new
  // selection), and two rebuilds in a row under load could leave a node unmeasured for good.
  const [measured, setMeasured] = useState<Record<string, { width: number; height: number }>>({});
  const onNodesChange = useCallback((changes: NodeChange<FunctionFlowNode>[]) => {
    const sized = changes.filter((c) => c.type === 'dimensions' && c.dimensions !== undefined);
    if (sized.length === 0) return;
    setMeasured((old) => {
      const next = { ...old };
      for (const c of sized) if (c.type === 'dimensions' && c.dimensions) next[c.id] = { width: c.dimensions.width, height: c.dimensions.height };
      return next;
    });
  }, []);

  // Lay out again only when the structure changes (not on selection or snippet updates).
  const structureKey = useMemo(
    () => `${nodes.map((n) => `${n.id}:${n.label.length}:${n.snippet?.length ?? 0}`).join(',')}|${edges.map((e) => `${e.from}>${e.to}`).join(',')}`,
    [nodes, edges],
  );
  const sizes = useMemo(() => new Map(nodes.map((n) => [n.id, nodeSize(n.label, `${n.sub} ${n.badges.join(' ')}`, n.snippet?.length ?? 0, Math.max(0, ...(n.snippet ?? []).map((l) => l.text.length)))])), [nodes]);

  useEffect(() => {
    let cancelled = false;
    layeredLayout(
      {
        nodes: nodes.map((n) => ({ id: String(n.id), ...sizes.get(n.id)! })),
        edges: edges.map((e, i) => ({ id: `e${i}`, source: String(e.from), target: String(e.to) })),
      },
      direction,
    )
      .then((p) => {
        if (cancelled) return;
        setPositions(p);
        setLayoutError(undefined);
        setLayoutVersion((v) => v + 1);
      })
      .catch((e: unknown) => {
        if (!cancelled) setLayoutError((e as Error).message ?? String(e));
      });
    return () => {
      cancelled = true;
    };
    // Deliberately keyed on the structure only: see structureKey.
  }, [structureKey, direction]);

  const rfNodes: FunctionFlowNode[] = useMemo(
    () =>
      nodes.map((n) => ({
        id: String(n.id),
        type: 'function',
        position: positions[String(n.id)] ?? { x: 0, y: 0 },
        data: { ...n, direction, selected: n.id === selected },
        width: sizes.get(n.id)?.width,
        height: sizes.get(n.id)?.height,
        ...(measured[String(n.id)] ? { measured: measured[String(n.id)] } : {}),
        draggable: false,
        connectable: false,
        hidden: positions[String(n.id)] === undefined,
      })),
    [nodes, positions, selected, direction, sizes, measured],
  );

  const rfEdges: Edge[] = useMemo(() => {
    const seen = new Set<string>();
    const out: Edge[] = [];
    for (const e of edges) {
      if (e.from === e.to) continue;
      // One drawn edge per pair and kind (several call sites between two functions look the same).
      const key = `${e.from}>${e.to}:${e.kind}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const hot = highlightEdges?.has(`${e.from}>${e.to}`) ?? false;
      out.push({
        id: key,
        source: String(e.from),
        target: String(e.to),
        label: EDGE_LABELS[e.kind],
        className: `edge-${e.kind}${hot ? ' edge-hot' : ''}`,
        markerEnd: { type: MarkerType.ArrowClosed, width: 14, height: 14 },
        labelBgPadding: [4, 2],
        labelBgBorderRadius: 3,
        animated: false,
        selectable: false,
      });
    }
    return out;
  }, [edges, highlightEdges]);

  return (
    <div className="flow" data-testid={testId} data-fitted={fitted === layoutVersion && layoutVersion > 0 ? 'true' : 'false'}>
      {layoutError && <div className="flow-error">Layout failed: {layoutError}</div>}
      <ReactFlow<FunctionFlowNode, Edge>
        nodes={rfNodes}
        edges={rfEdges}
        nodeTypes={NODE_TYPES}
        onNodesChange={onNodesChange}
        onNodeClick={(_e, n) => onSelect(Number(n.id))}
        onNodeDoubleClick={(_e, n) => onOpen?.(Number(n.id))}
        onPaneClick={() => onSelect(undefined)}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        minZoom={0.1}
        maxZoom={2}
        fitView
      >
        <Background gap={24} size={1} />
        <Controls showInteractive={false} />
        <FitWhenReady version={layoutVersion} onFitted={onFitted} />
      </ReactFlow>
    </div>
  );
}
