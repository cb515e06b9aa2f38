import { useConfine } from '../../store-context.js';
import { basename } from '../../state/policy-model.js';
import { currentReviews } from '../../state/reviews.js';
import { siteReviewKey } from '../../../electron/api.js';
import { ReviewControls } from './ReviewControls.js';

export function UnresolvedHeader({ index }: { index: number }) {
  const u = useConfine((s) => s.report?.unresolved[index]);
  const navigate = useConfine((s) => s.navigate);
  const key = u ? siteReviewKey(u.program, u.object, u.address) : '';
  const review = useConfine((s) => (key ? currentReviews(s)?.[key] : undefined));
  if (!u) return <div className="notice error">No such unresolved site.</div>;
  return (
    <section className="panel detail-head" data-testid="unresolved-header">
      <div className="detail-title">
        <button type="button" className="link-btn back" onClick={() => navigate('policy')}>
          ← Policy
        </button>
        <h1 className="mono">
          {basename(u.object)}:{u.function}
        </h1>
        <span className="mono muted">at {u.address}</span>
        <span className="badge st-review">unresolved site</span>
      </div>
      <div className="notice warn" data-testid="unresolved-reason">
        <strong>Why it is unresolved:</strong> {u.reason}. The number of this syscall is not known statically, so no policy built from this report can be
        proven complete; check what the code passes here, and test the policy with <span className="mono">confine verify</span>.
      </div>
      <div className="detail-meta">
        <div>
          <span className="meta-label">Program</span>
          <span className="mono">{u.program}</span>
        </div>
        <div>
          <span className="meta-label">Object</span>
          <span className="mono">{u.object}</span>
        </div>
      </div>
      <p className="muted small-text">
        A review of a site is kept in the workspace with the report; it does not change the policy. To allow a syscall this code can make, review that
        syscall in the policy.
      </p>
      <ReviewControls name={key} decision={review?.decision} note={review?.note ?? ''} />
    </section>
  );
}
