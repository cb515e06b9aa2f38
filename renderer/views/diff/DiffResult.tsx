import { useMemo } from 'react';
import { useConfine } from '../../store-context.js';
import { diffConsistent, filterDiffRows, type DiffSideFilter } from '../../state/diff-model.js';

const SIDES: { side: DiffSideFilter; label: string }[] = [
  { side: 'all', label: 'All' },
  { side: 'added', label: 'Added' },
  { side: 'removed', label: 'Removed' },
  { side: 'common', label: 'Common' },
];

export function DiffResult() {
  const diff = useConfine((s) => s.diffResult);
  const side = useConfine((s) => s.diffSide);
  const setSide = useConfine((s) => s.setDiffSide);
  const query = useConfine((s) => s.diffQuery);
  const setQuery = useConfine((s) => s.setDiffQuery);
  const rows = useMemo(() => (diff ? filterDiffRows(diff.rows, side, query) : []), [diff, side, query]);
  if (!diff) return null;
  const counts = { all: diff.rows.length, added: diff.added, removed: diff.removed, common: diff.common };
  return (
    <section className="panel grow" data-testid="diff-result">
      <div className="panel-head">
        <h2>
          <span className="mono">{diff.left}</span> → <span className="mono">{diff.right}</span>
        </h2>
      </div>
      <div className="toolbar">
        <div className="seg" role="tablist">
          {SIDES.map((s) => (
            <button
              key={s.side}
              type="button"
              role="tab"
              aria-selected={side === s.side}
              className={`seg-btn side-${s.side}${side === s.side ? ' active' : ''}`}
              data-testid={`diff-side-${s.side}`}
              onClick={() => setSide(s.side)}
            >
              {s.label} <span className="seg-n" data-testid={`diff-count-${s.side}`}>{counts[s.side]}</span>
            </button>
          ))}
        </div>
        <div className="search">
          <input type="search" placeholder="Filter by name or reason" value={query} data-testid="diff-search" onChange={(e) => setQuery(e.target.value)} />
        </div>
        {diff.argsDiffer > 0 && (
          <span className="muted" data-testid="diff-count-args">
            {diff.argsDiffer} common syscall{diff.argsDiffer === 1 ? '' : 's'} allowed under different argument conditions
          </span>
        )}
        {!diffConsistent(diff) && <span className="warn-text">The service’s counts do not match its rows.</span>}
      </div>
      <div className="table-wrap fill">
        <table className="table diff-table" data-testid="diff-table">
          <thead>
            <tr>
              <th className="col-side" />
              <th className="num">Nr</th>
              <th>Syscall</th>
              <th>Left: why</th>
              <th>Right: why</th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 && (
              <tr>
                <td colSpan={5} className="muted">
                  Nothing here.
                </td>
              </tr>
            )}
            {rows.map((r) => (
              <tr key={r.name} className={`diff-${r.side}`} data-testid="diff-row" data-side={r.side} data-syscall={r.name}>
                <td className="col-side">
                  <span className={`side-mark side-${r.side}`}>{r.side === 'added' ? '+' : r.side === 'removed' ? '−' : '='}</span>
                </td>
                <td className="num mono">{r.nr ?? ''}</td>
                <td className="mono">
                  {r.name}
                  {r.argsDiffer && (
                    <span className="badge st-review" data-testid="diff-args-differ" title="Both allow it, under different argument conditions">
                      args differ
                    </span>
                  )}
                </td>
                <td className="reason mono-ish">
                  {r.leftReason ?? ''}
                  {r.leftArgs && <div className="args-text" data-testid="diff-left-args">only when {r.leftArgs}</div>}
                </td>
                <td className="reason mono-ish">
                  {r.rightReason ?? ''}
                  {r.rightArgs && <div className="args-text" data-testid="diff-right-args">only when {r.rightArgs}</div>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
