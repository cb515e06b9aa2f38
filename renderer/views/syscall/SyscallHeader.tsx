import { useConfine } from '../../store-context.js';
import { selectPolicyRows } from '../../state/policy.js';
import { CATEGORY_LABELS } from '../../syscall-categories.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { ReviewControls } from './ReviewControls.js';
import { basename } from '../../state/policy-model.js';
import { riskOf } from '../../syscall-risks.js';

export function SyscallHeader({ nr }: { nr: number }) {
  const row = useConfine((s) => selectPolicyRows(s).find((r) => r.nr === nr));
  const navigate = useConfine((s) => s.navigate);
  if (!row) {
    return (
      <section className="panel detail-head">
        <div className="notice error">Syscall {nr} is not in the open report.</div>
      </section>
    );
  }
  return (
    <section className="panel detail-head" data-testid="syscall-header">
      <div className="detail-title">
        <button type="button" className="link-btn back" data-testid="back-to-policy" onClick={() => navigate('policy')}>
          ← Policy
        </button>
        <h1 className="mono" data-testid="syscall-name">
          {row.name}
        </h1>
        <span className="mono muted" data-testid="syscall-nr">
          #{row.nr}
        </span>
        <span className={`cat cat-${row.category}`}>{CATEGORY_LABELS[row.category]}</span>
        <StatusBadge status={row.status} />
      </div>
      {riskOf(row.name) && (
        <div className="notice warn small" data-testid="syscall-risk">
          Risky when allowed: {riskOf(row.name)}. Check that the path below is one the program really takes.
        </div>
      )}
      <div className="detail-meta">
        <div>
          <span className="meta-label">Programs</span>
          <span className="mono" data-testid="syscall-programs">
            {row.programs.length > 0 ? row.programs.map((p) => basename(p)).join(', ') : row.runtime ? 'container runtime only' : 'none'}
          </span>
        </div>
        <div>
          <span className="meta-label">Why</span>
          <span>{row.reason}</span>
        </div>
      </div>
      <ReviewControls name={row.name} decision={row.decision} note={row.note} />
    </section>
  );
}
