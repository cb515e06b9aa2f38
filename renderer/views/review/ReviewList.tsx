import { useMemo, useState } from 'react';
import { useConfine } from '../../store-context.js';
import { currentReviews, currentSubject } from '../../state/reviews.js';
import { reviewCounts, reviewRows, type CarryOverPlan } from '../../state/review-model.js';
import { selectStatusCounts } from '../../state/policy.js';
import { parseArgumentReviewKey } from '../../../electron/api.js';

/** `site:<program>:<object>:<address>` -> `libc.so.6 at 11d0b9`. */
function siteLabel(key: string): string {
  const parts = key.split(':');
  const address = parts.pop() ?? '';
  const object = parts.slice(2).join(':');
  return `${object.split('/').pop() ?? object} at ${address}`;
}

/** `arg:socket:0:17` -> `socket arg 0 = 17 (0x11), removed from its rule`. */
function valueLabel(key: string, removed: boolean): string {
  const a = parseArgumentReviewKey(key)!;
  return `${a.syscall} arg ${a.index} = ${a.value} (0x${a.value.toString(16)})${removed ? ', removed from its rule' : ''}`;
}

export function ReviewList() {
  const report = useConfine((s) => s.report);
  const reviews = useConfine(currentReviews);
  const workspace = useConfine((s) => s.workspace);
  const subject = useConfine(currentSubject);
  const currentId = useConfine((s) => s.currentReportId);
  const setReview = useConfine((s) => s.setReview);
  const openSyscall = useConfine((s) => s.openSyscall);
  const carryOver = useConfine((s) => s.carryOverReview);
  const counts = useConfine(selectStatusCounts);
  const rows = useMemo(() => reviewRows(report, reviews, currentId), [report, reviews, currentId]);
  const changed = rows.filter((r) => r.changed.length > 0).length;
  const c = reviewCounts(reviews);
  const [from, setFrom] = useState('');
  const [result, setResult] = useState<CarryOverPlan>();
  // Reports of the same subject share its review already: copying is for another image or program set.
  const others = Object.entries(workspace?.reviews ?? {})
    .filter(([k, v]) => k !== subject && Object.keys(v).length > 0)
    .map(([k, v]) => ({ subject: k, count: Object.keys(v).length }))
    .sort((a, b) => a.subject.localeCompare(b.subject));

  return (
    <section className="panel" data-testid="review-list">
      <div className="panel-head">
        <h2>Review</h2>
        <span className="muted" data-testid="review-counts">
          {c.allow} allowed by review · {c.deny} denied by review{c.values > 0 ? ` · ${c.values} argument value${c.values === 1 ? '' : 's'} removed` : ''} · {counts.review} syscall{counts.review === 1 ? '' : 's'} still need review
        </span>
        {workspace?.path && <span className="muted mono ellipsis" title={workspace.path}>{workspace.path}</span>}
      </div>
      {subject && (
        <div className="muted small-text review-subject" data-testid="review-subject">
          Kept for <span className="mono">{subject}</span>: every analysis of it shares this review.
          {changed > 0 && (
            <span className="warn-text" data-testid="review-changed-count">
              {' '}
              {changed} review{changed === 1 ? '' : 's'} changed since made: the evidence differs in this report.
            </span>
          )}
        </div>
      )}
      {others.length > 0 && (
        <div className="row gap carry">
          <label className="inline-field">
            Copy decisions from
            <select value={from} data-testid="carry-from" onChange={(e) => setFrom(e.target.value)}>
              <option value="">another image or program set…</option>
              {others.map((o) => (
                <option key={o.subject} value={o.subject}>
                  {o.subject} · {o.count} review{o.count === 1 ? '' : 's'}
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
              <tr key={r.name} data-testid="review-row" data-syscall={r.name} data-decision={r.decision} data-changed={r.changed.length > 0 ? 'true' : 'false'}>
                <td className="num mono">{r.nr ?? ''}</td>
                <td className="mono">
                  {r.nr !== undefined ? (
                    <button type="button" className="link-btn mono" onClick={() => void openSyscall(r.nr!)}>
                      {r.name}
                    </button>
                  ) : r.name.startsWith('site:') ? (
                    <span title={r.name}>unresolved site {siteLabel(r.name)}</span>
                  ) : parseArgumentReviewKey(r.name) ? (
                    <span title={r.name}>{valueLabel(r.name, r.decision === 'deny')}</span>
                  ) : (
                    <span title="not a syscall of this report">{r.name} (not in report)</span>
                  )}
                  {r.changed.length > 0 && (
                    <span className="warn-text changed-mark" data-testid="review-changed" title={`changed since the review: ${r.changed.join('; ')}`}>
                      {' '}
                      ● changed since review
                    </span>
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
