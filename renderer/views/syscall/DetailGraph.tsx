import { useMemo } from 'react';
import { useConfine } from '../../store-context.js';
import { nodeLabel } from '../../state/graph-model.js';
import { disasmKey, siteOf } from '../../state/detail.js';
import { FlowGraph, type FlowNodeSpec } from '../../graph/FlowGraph.js';

/** The focus line and the two before it, from the disassembly once it is loaded. */
function snippetOf(lines: { text: string; focus?: boolean }[]): { text: string; focus: boolean }[] | undefined {
  const i = lines.findIndex((l) => l.focus);
  if (i < 0) return undefined;
  return lines.slice(Math.max(0, i - 2), i + 1).map((l) => ({ text: l.text, focus: l.focus === true }));
}

export function DetailGraph() {
  const detail = useConfine((s) => s.detail);
  const disasm = useConfine((s) => s.disasm);
  const select = useConfine((s) => s.selectDetailNode);
  const expand = useConfine((s) => s.expandDetailCallers);
  const nr = detail.target?.kind === 'syscall' ? detail.target.nr : undefined;

  const last = detail.path[detail.path.length - 1];
  const siteKey = useMemo(() => {
    const n = last !== undefined ? detail.graph.nodes[last] : undefined;
    const site = last !== undefined ? siteOf(detail, last) : undefined;
    return n && site ? disasmKey(n.object, site) : undefined;
  }, [detail, last]);
  const siteDisasm = siteKey ? disasm[siteKey] : undefined;

  const specs: FlowNodeSpec[] = useMemo(() => {
    const onPath = new Set(detail.path);
    const snippet = siteDisasm?.status === 'ok' ? snippetOf(siteDisasm.data.lines) : undefined;
    return Object.values(detail.graph.nodes).map((n) => {
      const role = n.id === last ? 'site' : n.id === detail.path[0] || n.root ? 'root' : onPath.has(n.id) ? 'path' : 'plain';
      const badges: string[] = [];
      if (n.id === last) badges.push(nr !== undefined ? `syscall ${nr}` : 'syscall ?');
      else if (role === 'root') badges.push('root');
      const exp = detail.graph.expansions[`${n.id}:callers`];
      if (exp) badges.push(`${exp.count}${exp.truncated ? '+' : ''} callers`);
      return {
        id: n.id,
        label: nodeLabel(n),
        sub: `0x${n.address}`,
        role,
        badges,
        snippet: n.id === last ? snippet : undefined,
        testId: `path-node-${onPath.has(n.id) ? detail.path.indexOf(n.id) : `x${n.id}`}`,
      };
    });
  }, [detail, last, siteDisasm, nr]);

  const edges = useMemo(() => Object.values(detail.graph.edges), [detail.graph.edges]);
  const hot = useMemo(() => new Set(detail.path.slice(1).map((id, i) => `${detail.path[i]}>${id}`)), [detail.path]);

  return (
    <FlowGraph
      testId="path-graph"
      nodes={specs}
      edges={edges}
      selected={detail.selectedNode}
      onSelect={(id) => id !== undefined && select(id)}
      onOpen={(id) => void expand(id)}
      direction="DOWN"
      highlightEdges={hot}
    />
  );
}
