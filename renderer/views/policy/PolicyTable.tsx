import { riskOf } from '../../syscall-risks.js';
import { useEffect, useRef } from 'react';
import { useConfine } from '../../store-context.js';
import { selectVisibleRows } from '../../state/policy.js';
import { basename, type SortKey } from '../../state/policy-model.js';
import { CATEGORY_LABELS } from '../../syscall-categories.js';
import { StatusBadge } from '../../components/StatusBadge.js';

const COLUMNS: { key: SortKey | null; label: string; className?: string }[] = [
  { key: 'nr', label: 'Nr', className: 'num col-nr' },
  { key: 'name', label: 'Syscall', className: 'col-name' },
  { key: 'category', label: 'Category', className: 'col-cat' },
  { key: 'status', label: 'Status', className: 'col-status' },
  { key: 'programs', label: 'Programs', className: 'col-programs' },
  { key: null, label: 'Review note', className: 'col-note' },
];

function programsText(programs: string[], runtime: boolean): string {
  if (programs.length === 0) return runtime ? 'container runtime' : '';
  const names = programs.map(basename);
  return names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} +${names.length - 3}`;
}

export function PolicyTable() {
  const rows = useConfine(selectVisibleRows);
  const selected = useConfine((s) => s.selectedSyscall);
  const select = useConfine((s) => s.selectSyscall);
  const openSyscall = useConfine((s) => s.openSyscall);
  const sort = useConfine((s) => s.policySort);
  const sortBy = useConfine((s) => s.sortPolicyBy);
  const body = useRef<HTMLTableSectionElement>(null);
  const wrapRef = useRef<HTMLDivElement>(null);

  // Keep the selected row visible inside the table's own scroll area (scrollIntoView would also
  // scroll the page and hide the toolbar).
  useEffect(() => {
    const wrap = wrapRef.current;
    if (!selected || !body.current || !wrap) return;
    const row = body.current.querySelector<HTMLTableRowElement>(`tr[data-syscall="${CSS.escape(selected)}"]`);
    if (!row) return;
    const r = row.getBoundingClientRect();
    const w = wrap.getBoundingClientRect();
    const head = wrap.querySelector('thead')?.getBoundingClientRect().height ?? 0;
    if (r.top < w.top + head) wrap.scrollTop -= w.top + head - r.top;
    else if (r.bottom > w.bottom) wrap.scrollTop += r.bottom - w.bottom;
  }, [selected, rows]);

  return (
    <div className="table-wrap policy-table-wrap" ref={wrapRef}>
      <table className="table policy-table" data-testid="policy-table" aria-rowcount={rows.length}>
        <thead>
          <tr>
            {COLUMNS.map((c) => (
              <th
                key={c.label}
                className={`${c.className ?? ''}${c.key ? ' sortable' : ''}`}
                aria-sort={c.key && sort.key === c.key ? (sort.dir === 'asc' ? 'ascending' : 'descending') : undefined}
                onClick={c.key ? () => sortBy(c.key!) : undefined}
                data-testid={c.key ? `sort-${c.key}` : undefined}
              >
                {c.label}
                {c.key && sort.key === c.key && <span className="sort-mark">{sort.dir === 'asc' ? ' ▲' : ' ▼'}</span>}
              </th>
            ))}
          </tr>
        </thead>
        <tbody ref={body}>
          {rows.length === 0 && (
            <tr>
              <td colSpan={COLUMNS.length} className="muted">
                No syscall matches the filter.
              </td>
            </tr>
          )}
          {rows.map((r) => (
            <tr
              key={r.nr}
              className={`${r.name === selected ? 'selected ' : ''}row-${r.status}`}
              data-testid="syscall-row"
              data-syscall={r.name}
              data-nr={r.nr}
              data-status={r.status}
              aria-selected={r.name === selected}
              onClick={() => select(r.name)}
              onDoubleClick={() => void openSyscall(r.nr)}
            >
              <td className="num mono col-nr">{r.nr}</td>
              <td className="mono col-name">
                <button type="button" className="link-btn mono" data-testid="syscall-open" onClick={() => void openSyscall(r.nr)} tabIndex={-1}>
                  {r.name}
                </button>
                {riskOf(r.name) && (
                  <span className="risk-mark" data-testid="risk-mark" title={`risky: ${riskOf(r.name)}`} aria-label={`risky: ${riskOf(r.name)}`}>
                    ⚠
                  </span>
                )}
              </td>
              <td className="col-cat">
                <span className={`cat cat-${r.category}`}>{CATEGORY_LABELS[r.category]}</span>
              </td>
              <td className="col-status" title={r.reason}>
                <StatusBadge status={r.status} />
              </td>
              <td className="col-programs ellipsis mono" title={r.programs.join('\n')}>
                {programsText(r.programs, r.runtime)}
              </td>
              <td className="col-note ellipsis" title={r.note}>
                {r.note}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
