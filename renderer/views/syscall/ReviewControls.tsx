import { useEffect, useMemo, useState } from 'react';
import type { ReviewDecision } from '../../../electron/api.js';
import { useConfine } from '../../store-context.js';
import { currentReviews } from '../../state/reviews.js';
import { changedSinceReview } from '../../state/review-model.js';

export function ReviewControls({ name, decision, note }: { name: string; decision?: ReviewDecision; note: string }) {
  const setReview = useConfine((s) => s.setReview);
  const saving = useConfine((s) => s.savingReviews[name] === true);
  const review = useConfine((s) => currentReviews(s)?.[name]);
  const report = useConfine((s) => s.report);
  const reportId = useConfine((s) => s.currentReportId);
  const changed = useMemo(() => changedSinceReview(report, reportId, name, review), [report, reportId, name, review]);
  const [draft, setDraft] = useState(note);
  // A new syscall, or the saved note changed elsewhere: show that.
  useEffect(() => setDraft(note), [name, note]);
  const dirty = draft !== note;
  // Enter and leaving the field both keep the note: with the decision made, or alone until one is.
  const saveNote = (): void => {
    if (dirty && !saving) void setReview(name, decision ?? null, draft);
  };
  return (
    <div className="review-controls" data-testid="review-controls" data-decision={decision ?? 'none'}>
      {changed.length > 0 && (
        <div className="notice warn small review-changed" data-testid="review-changed-notice">
          Changed since this review (made on report {review?.basis?.reportId}): {changed.join('; ')}.{' '}
          <button type="button" className="btn small" data-testid="review-confirm" disabled={saving} onClick={() => void setReview(name, decision ?? null, note)}>
            Keep the review
          </button>
        </div>
      )}
      <label className="field grow">
        <span>
          Review note
          {dirty && (
            <span className="unsaved-mark" data-testid="review-unsaved" title="not saved yet: Enter or leaving the field saves it">
              {' '}
              ● unsaved
            </span>
          )}
        </span>
        <input
          type="text"
          value={draft}
          placeholder="why this decision (kept in the workspace file)"
          data-testid="review-note"
          maxLength={4000}
          onChange={(e) => setDraft(e.target.value)}
          onBlur={(e) => {
            // Focus moving to Allow/Deny/Clear: that button saves the note with its decision.
            if (e.relatedTarget instanceof Element && e.currentTarget.closest('.review-controls')?.contains(e.relatedTarget)) return;
            saveNote();
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter') saveNote();
          }}
        />
      </label>
      <div className="review-buttons">
        <button
          type="button"
          className={`btn${decision === 'allow' ? ' on-allow' : ''}`}
          data-testid="review-allow"
          aria-pressed={decision === 'allow'}
          disabled={saving}
          onClick={() => void setReview(name, 'allow', draft)}
        >
          Allow
        </button>
        <button
          type="button"
          className={`btn${decision === 'deny' ? ' on-deny' : ''}`}
          data-testid="review-deny"
          aria-pressed={decision === 'deny'}
          disabled={saving}
          onClick={() => void setReview(name, 'deny', draft)}
        >
          Deny
        </button>
        <button type="button" className="btn" data-testid="review-clear" disabled={saving || (!decision && !note)} onClick={() => void setReview(name, null, '')}>
          Clear
        </button>
        <span className="muted review-state" data-testid="review-state">
          {saving ? 'saving…' : dirty ? 'note not saved yet: Enter saves it' : decision ? `reviewed: ${decision}` : note ? 'note saved, no decision yet' : 'not reviewed'}
        </span>
      </div>
    </div>
  );
}
