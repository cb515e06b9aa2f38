import { useConfine } from '../../store-context.js';
import { disasmKey, siteOf, normHex } from '../../state/detail.js';
import { nodeLabel } from '../../state/graph-model.js';
import { DisasmPanel } from './DisasmPanel.js';

const REACHED: Record<string, string> = {
  root: 'a program root',
  call: 'a direct call',
  tail: 'a tail jump',
  fallthrough: 'falling through from the previous function',
  plt: 'a PLT/GOT slot bound by the loader',
  got: 'a GOT slot holding a local address',
  ifunc: 'an IFUNC slot (an implementation its resolver can return)',
  indirect: 'an indirect call (any address-taken function)',
  syscall: 'the syscall instruction',
};

export function NodePanel() {
  const detail = useConfine((s) => s.detail);
  const disasm = useConfine((s) => s.disasm);
  const steps = useConfine((s) => {
    const t = s.detail.target;
    if (!t || !s.report) return undefined;
    return t.kind === 'syscall' ? s.report.syscalls.find((x) => x.nr === t.nr)?.path : s.report.unresolved[t.index]?.path;
  });
  const expand = useConfine((s) => s.expandDetailCallers);
  const retry = useConfine((s) => s.loadDisassembly);
  const id = detail.selectedNode;
  const node = id !== undefined ? detail.graph.nodes[id] : undefined;
  if (!node || id === undefined) {
    return (
      <aside className="panel node-panel" data-testid="node-panel">
        <div className="muted pad">Click a node of the path.</div>
      </aside>
    );
  }
  const site = siteOf(detail, id);
  const pathIndex = detail.path.indexOf(id);
  const isSite = pathIndex >= 0 && pathIndex === detail.path.length - 1;
  const step = pathIndex >= 0 ? steps?.[pathIndex] : undefined;
  const stepMatches = step !== undefined && normHex(step.address) === normHex(node.address);
  const incoming = Object.values(detail.graph.edges).find((e) => e.to === id && e.from !== id);
  const how = stepMatches ? step.edge : incoming?.kind;
  const exp = detail.graph.expansions[`${id}:callers`];
  const entry = site ? disasm[disasmKey(node.object, site)] : undefined;

  return (
    <aside className="panel node-panel" data-testid="node-panel" data-node={node.id}>
      <div className="panel-head">
        <h2 className="mono ellipsis" title={nodeLabel(node)} data-testid="node-title">
          {nodeLabel(node)}
        </h2>
      </div>
      <dl className="kv">
        <dt>Object</dt>
        <dd className="mono ellipsis" title={node.object}>
          {node.object}
        </dd>
        <dt>Entry</dt>
        <dd className="mono">0x{node.address}</dd>
        {site && (
          <>
            <dt>{isSite ? 'Syscall at' : 'Call at'}</dt>
            <dd className="mono">0x{site}</dd>
          </>
        )}
        {how && (
          <>
            <dt>Reached by</dt>
            <dd>{REACHED[how] ?? how}</dd>
          </>
        )}
        {stepMatches && step.takenBy && (
          <>
            <dt>Address taken</dt>
            <dd data-testid="node-taken-by">{step.takenBy}</dd>
          </>
        )}
        {node.root && (
          <>
            <dt>Root</dt>
            <dd>{node.root}</dd>
          </>
        )}
        {node.syscalls.length > 0 && (
          <>
            <dt>Makes</dt>
            <dd className="mono">syscall {node.syscalls.join(', ')}</dd>
          </>
        )}
      </dl>
      <div className="node-actions">
        <button type="button" className="btn small" data-testid="more-paths" disabled={id < 0 || detail.expanding[id] === true} onClick={() => void expand(id)} title={id < 0 ? 'This function is not in the service call graph' : ''}>
          {detail.expanding[id] ? 'Loading…' : exp ? (exp.truncated ? 'Show more callers' : 'Callers loaded') : 'More paths (callers)'}
        </button>
        {exp && (
          <span className="muted" data-testid="more-paths-count">
            {exp.count} caller{exp.count === 1 ? '' : 's'}
            {exp.truncated ? ' shown, more exist' : ''}
          </span>
        )}
      </div>
      <DisasmPanel entry={entry} onRetry={site ? () => void retry(node.object, site) : undefined} />
    </aside>
  );
}
