import { useEffect, useState } from 'react';
import { useConfine } from '../../store-context.js';
import { nodeLabel, nodeCount, type Direction } from '../../state/graph-model.js';
import { EXPLORER_SOFT_LIMIT } from '../../state/explorer.js';
import { basename } from '../../state/policy-model.js';
import { syscallName } from '../../../electron/api.js';

function ExpandButtons({ id, dir }: { id: number; dir: Direction }) {
  const exp = useConfine((s) => s.explorerGraph.expansions[`${id}:${dir}`]);
  const loading = useConfine((s) => s.explorerLoading[`${id}:${dir}`] === true);
  const expand = useConfine((s) => s.expandExplorer);
  const collapse = useConfine((s) => s.collapseExplorer);
  const label = dir === 'callers' ? 'Callers' : 'Callees';
  return (
    <div className="expand-row" data-testid={`expand-${dir}-row`}>
      <button type="button" className="btn small" data-testid={`expand-${dir}`} disabled={loading || (exp !== undefined && !exp.truncated)} onClick={() => void expand(id, dir)}>
        {loading ? 'Loading…' : exp ? (exp.truncated ? `Show more ${dir}` : `${label} shown`) : `Expand ${dir}`}
      </button>
      {exp && (
        <>
          <span className="muted" data-testid={`expand-${dir}-count`}>
            {exp.count}
            {exp.truncated ? '+' : ''}
          </span>
          <button type="button" className="link-btn" data-testid={`collapse-${dir}`} onClick={() => collapse(id, dir)}>
            collapse
          </button>
        </>
      )}
    </div>
  );
}

export function ExplorerSidebar() {
  const report = useConfine((s) => s.report);
  const program = useConfine((s) => s.explorerProgram);
  const setProgram = useConfine((s) => s.setExplorerProgram);
  const loadRoots = useConfine((s) => s.loadRoots);
  const clear = useConfine((s) => s.clearExplorer);
  const search = useConfine((s) => s.searchExplorer);
  const results = useConfine((s) => s.explorerResults);
  const searching = useConfine((s) => s.explorerSearching);
  const add = useConfine((s) => s.addToExplorer);
  const graph = useConfine((s) => s.explorerGraph);
  const selectedId = useConfine((s) => s.explorerSelected);
  const remove = useConfine((s) => s.removeFromExplorer);
  const rootsLoading = useConfine((s) => s.explorerLoading.roots === true);
  const roots = useConfine((s) => s.explorerRoots);
  const [query, setQuery] = useState('');
  const storeQuery = useConfine((s) => s.explorerQuery);
  // Clear empties the explorer's state: the search box follows, not a stale query over no results.
  useEffect(() => {
    if (storeQuery === '') setQuery('');
  }, [storeQuery]);
  const selected = selectedId !== undefined ? graph.nodes[selectedId] : undefined;
  const count = nodeCount(graph);

  // Search as you type, after a short pause.
  useEffect(() => {
    const t = setTimeout(() => void search(query), 200);
    return () => clearTimeout(t);
  }, [query, search, program]);

  return (
    <aside className="panel explorer-side" data-testid="explorer-sidebar">
      <label className="field">
        <span>Program</span>
        <select value={program ?? ''} data-testid="explorer-program" onChange={(e) => setProgram(e.target.value)}>
          {report?.programs.map((p) => (
            <option key={p.path} value={p.path} disabled={p.error !== undefined}>
              {p.path}
              {p.error ? ' (not analysed)' : ''}
            </option>
          ))}
        </select>
      </label>
      <div className="row gap">
        <button type="button" className="btn small" data-testid="explorer-roots" disabled={!program || rootsLoading} onClick={() => void loadRoots()}>
          {rootsLoading ? 'Loading…' : 'Start at roots'}
        </button>
        <button type="button" className="btn small" data-testid="explorer-clear" disabled={count === 0} onClick={clear}>
          Clear
        </button>
        <span className="muted" data-testid="explorer-count">
          {count} function{count === 1 ? '' : 's'} shown
        </span>
      </div>
      {count > EXPLORER_SOFT_LIMIT && (
        <div className="notice warn small" data-testid="explorer-big">
          {count} functions drawn: collapse some expansions to keep the layout quick.
        </div>
      )}
      {roots && (
        <details className="roots" data-testid="explorer-roots-list">
          <summary>
            {roots.length} root{roots.length === 1 ? '' : 's'} <span className="muted">(entry points drawn; click others to add)</span>
          </summary>
          <ul className="results">
            {roots.map((n) => (
              <li key={n.id}>
                <button type="button" className={`result${n.id in graph.nodes ? ' shown' : ''}`} data-testid="explorer-root" onClick={() => add(n)} title={`${n.object} 0x${n.address}`}>
                  <span className="mono ellipsis-inline">{nodeLabel(n)}</span>
                  <span className="muted small-text">{n.root}</span>
                </button>
              </li>
            ))}
          </ul>
        </details>
      )}
      <label className="field">
        <span>Find a function</span>
        <input type="search" value={query} placeholder="e.g. ngx_delete_file" data-testid="explorer-search" spellCheck={false} onChange={(e) => setQuery(e.target.value)} />
      </label>
      {query.trim() !== '' && (
        <ul className="results" data-testid="explorer-results">
          {searching && results.length === 0 && <li className="muted">Searching…</li>}
          {!searching && results.length === 0 && <li className="muted">No function matches.</li>}
          {results.map((n) => (
            <li key={n.id}>
              <button type="button" className={`result${n.id in graph.nodes ? ' shown' : ''}`} data-testid="explorer-result" onClick={() => add(n)} title={`${n.object} 0x${n.address}`}>
                <span className="mono">{n.name}</span>
                <span className="muted mono">{basename(n.object)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {selected && (
        <div className="explorer-node" data-testid="explorer-selected" data-node={selected.id}>
          <h3 className="mono ellipsis" title={nodeLabel(selected)}>
            {nodeLabel(selected)}
          </h3>
          <dl className="kv">
            <dt>Object</dt>
            <dd className="mono ellipsis" title={selected.object}>
              {selected.object}
            </dd>
            <dt>Entry</dt>
            <dd className="mono">0x{selected.address}</dd>
            {selected.root && (
              <>
                <dt>Root</dt>
                <dd>{selected.root}</dd>
              </>
            )}
            {selected.syscalls.length > 0 && (
              <>
                <dt>Makes</dt>
                <dd className="mono">{selected.syscalls.map((nr) => syscallName(nr) ?? String(nr)).join(', ')}</dd>
              </>
            )}
          </dl>
          <ExpandButtons id={selected.id} dir="callers" />
          <ExpandButtons id={selected.id} dir="callees" />
          <button type="button" className="link-btn" data-testid="explorer-remove" onClick={() => remove(selected.id)}>
            Remove from view
          </button>
        </div>
      )}
    </aside>
  );
}
