import { useEffect, useState } from 'react';
import type { ReviewDecision } from '../../../electron/api.js';
import { useConfine } from '../../store-context.js';

export function ReviewControls({ name, decision, note }: { name: string; decision?: ReviewDecision; note: string }) {
  const setReview = useConfine((s) => s.setReview);
  const saving = useConfine((s) => s.savingReviews[name] === true);
  const [draft, setDraft] = useState(note);
  // A new syscall, or the saved note changed elsewhere: show that.
  useEffect(() => setDraft(note), [name, note]);
  const dirty = draft !== note;
  return (
    <div className="review-controls" data-testid="review-controls" data-decision={decision ?? 'none'}>
      <label className="field grow">
        <span>Review note</span>
        <input
          type="text"
          value={draft}
          placeholder="why this decision (kept in the workspace file)"
          data-testid="review-note"
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && decision && dirty) void setReview(name, decision, draft);
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
        <button type="button" className="btn" data-testid="review-clear" disabled={saving || !decision} onClick={() => void setReview(name, null, '')}>
          Clear
        </button>
        <span className="muted review-state" data-testid="review-state">
          {saving ? 'saving…' : decision ? (dirty ? 'note not saved: press Allow/Deny or Enter' : `reviewed: ${decision}`) : 'not reviewed'}
        </span>
      </div>
    </div>
  );
}
