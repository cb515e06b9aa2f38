import { useMemo, useState } from 'react';
import { useConfine } from '../../store-context.js';
import { currentReviews } from '../../state/reviews.js';
import { reviewCounts, reviewRows, type CarryOverPlan } from '../../state/review-model.js';
import { selectStatusCounts } from '../../state/policy.js';

export function ReviewList() {
  const report = useConfine((s) => s.report);
  const reviews = useConfine(currentReviews);
  const workspace = useConfine((s) => s.workspace);
  const reports = useConfine((s) => s.reports);
  const currentId = useConfine((s) => s.currentReportId);
  const setReview = useConfine((s) => s.setReview);
  const openSyscall = useConfine((s) => s.openSyscall);
  const carryOver = useConfine((s) => s.carryOverReview);
  const counts = useConfine(selectStatusCounts);
  const rows = useMemo(() => reviewRows(report, reviews), [report, reviews]);
  const c = reviewCounts(reviews);
  const [from, setFrom] = useState('');
  const [result, setResult] = useState<CarryOverPlan>();
  const others = reports.filter((r) => r.id !== currentId && workspace?.reviews[r.id] && Object.keys(workspace.reviews[r.id]).length > 0);

  return (
    <section className="panel" data-testid="review-list">
      <div className="panel-head">
        <h2>Review</h2>
        <span className="muted" data-testid="review-counts">
          {c.allow} allowed by review · {c.deny} denied by review · {counts.review} syscall{counts.review === 1 ? '' : 's'} still need review
        </span>
        {workspace?.path && <span className="muted mono ellipsis" title={workspace.path}>{workspace.path}</span>}
      </div>
      {others.length > 0 && (
        <div className="row gap carry">
          <label className="inline-field">
            Copy decisions from
            <select value={from} data-testid="carry-from" onChange={(e) => setFrom(e.target.value)}>
              <option value="">another report…</option>
              {others.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.title} · {new Date(r.createdAt).toLocaleString()}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            className="btn small"
            data-testid="carry-apply"
            disabled={from === ''}
            onClick={async () => {
              setResult(await carryOver(from));
            }}
          >
            Copy
          </button>
          {result && (
            <span className="muted" data-testid="carry-result">
              copied {result.apply.length}, kept {result.kept.length} existing, {result.notInReport.length} not in this report
            </span>
          )}
        </div>
      )}
      <div className="table-wrap">
        <table className="table review-table" data-testid="review-table">
          <thead>
            <tr>
              <th className="num">Nr</th>
              <th>Syscall</th>
              <th>Decision</th>
              <th className="col-note">Note</th>
              <th>Updated</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 && (
              <tr>
                <td colSpan={6} className="muted">
                  No decisions yet. Allow or deny syscalls from their detail view.
                </td>
              </tr>
            )}
            {rows.map((r) => (
              <tr key={r.name} data-testid="review-row" data-syscall={r.name} data-decision={r.decision}>
                <td className="num mono">{r.nr ?? ''}</td>
                <td className="mono">
                  {r.nr !== undefined ? (
                    <button type="button" className="link-btn mono" onClick={() => void openSyscall(r.nr!)}>
                      {r.name}
                    </button>
                  ) : (
                    <span title="not a syscall of this report">{r.name} (not in report)</span>
                  )}
                </td>
                <td>
                  <span className={`badge ${r.decision === 'allow' ? 'st-allowed' : r.decision === 'deny' ? 'st-denied' : 'st-review'}`}>{r.decision ?? 'note only'}</span>
                </td>
                <td className="ellipsis" title={r.note}>
                  {r.note}
                </td>
                <td className="muted">{r.updatedAt ? new Date(r.updatedAt).toLocaleString() : ''}</td>
                <td className="actions">
                  <button type="button" className="btn small" data-testid="review-row-clear" onClick={() => void setReview(r.name, null, '')}>
                    Clear
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
