import { STATUS_LABELS, type PolicyStatus } from '../state/policy-model.js';

export function StatusBadge({ status }: { status: PolicyStatus }) {
  return (
    <span className={`badge st-${status}`} data-status={status}>
      {STATUS_LABELS[status]}
    </span>
  );
}
