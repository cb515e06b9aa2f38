import { useEffect, useMemo } from 'react';
import { useConfine } from '../../store-context.js';
import { nodeLabel } from '../../state/graph-model.js';
import { FlowGraph, type FlowNodeSpec } from '../../graph/FlowGraph.js';
import { ExplorerSidebar } from './ExplorerSidebar.js';
import { syscallName } from '../../../electron/api.js';

function syscallBadge(nrs: number[]): string | undefined {
  if (nrs.length === 0) return undefined;
  if (nrs.length === 1) return syscallName(nrs[0]) ?? `syscall ${nrs[0]}`;
  return `${nrs.length} syscalls`;
}

export function ExplorerView() {
  const report = useConfine((s) => s.report);
  const program = useConfine((s) => s.explorerProgram);
  const setProgram = useConfine((s) => s.setExplorerProgram);
  const graph = useConfine((s) => s.explorerGraph);
  const selected = useConfine((s) => s.explorerSelected);
  const select = useConfine((s) => s.selectExplorerNode);
  const expand = useConfine((s) => s.expandExplorer);

  // Default to the first program that was analysed.
  useEffect(() => {
    if (!program && report) {
      const first = report.programs.find((p) => !p.error);
      if (first) setProgram(first.path);
    }
  }, [program, report, setProgram]);

  const specs: FlowNodeSpec[] = useMemo(
    () =>
      Object.values(graph.nodes).map((n) => {
        const badges: string[] = [];
        if (n.root) badges.push('root');
        const sc = syscallBadge(n.syscalls);
        if (sc) badges.push(sc);
        const more = ['callers', 'callees'].some((d) => graph.expansions[`${n.id}:${d}`]?.truncated);
        if (more) badges.push('more…');
        return {
          id: n.id,
          label: nodeLabel(n),
          sub: `0x${n.address}`,
          role: n.root ? 'root' : n.syscalls.length > 0 ? 'site' : 'plain',
          badges,
          testId: `explorer-node-${n.id}`,
        };
      }),
    [graph],
  );
  const edges = useMemo(() => Object.values(graph.edges), [graph.edges]);

  return (
    <div className="explorer-view">
      <ExplorerSidebar />
      <section className="panel graph-panel explorer-canvas">
        {specs.length === 0 ? (
          <div className="empty" data-testid="explorer-empty">
            <p>Start from the program’s roots, or search a function by name.</p>
            <p className="muted">Only what you expand is drawn: a click adds up to 25 callers or callees; “Show more” adds the next 25.</p>
          </div>
        ) : (
          <FlowGraph testId="explorer-graph" nodes={specs} edges={edges} selected={selected} onSelect={select} onOpen={(id) => void expand(id, 'callees')} direction="RIGHT" />
        )}
      </section>
    </div>
  );
}
