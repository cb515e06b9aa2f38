import { useConfine } from '../../store-context.js';
import { selectCategoryChart, selectStatusCounts } from '../../state/policy.js';
import { CategoryChart } from './CategoryChart.js';
import { ReportFacts } from './ReportFacts.js';
import type { PolicyStatus } from '../../state/policy-model.js';

export function PolicySummary() {
  const counts = useConfine(selectStatusCounts);
  const bars = useConfine(selectCategoryChart);
  const unresolved = useConfine((s) => s.report?.unresolved.length ?? 0);
  const status = useConfine((s) => s.policyFilter.status);
  const setStatus = useConfine((s) => s.setStatusFilter);
  const runtime = useConfine((s) => s.report?.runtime);
  const toggle = (st: PolicyStatus): void => setStatus(status === st ? 'all' : st);
  return (
    <section className="summary" data-testid="policy-summary">
      <div className="summary-left">
        <div className="counts">
          <button type="button" className={`count${status === 'all' ? ' active' : ''}`} data-testid="count-total" onClick={() => setStatus('all')}>
            <span className="count-n">{counts.total}</span>
            <span className="count-l">syscalls</span>
          </button>
          <button
            type="button"
            className={`count c-allowed${status === 'allowed' ? ' active' : ''}`}
            data-testid="count-allowed"
            title="what the exported policy allows (review additions of syscalls the analysis did not find are counted in the export)"
            onClick={() => toggle('allowed')}
          >
            <span className="count-n">{counts.allowed + counts.review}</span>
            <span className="count-l">allowed</span>
          </button>
          <button type="button" className={`count c-denied${status === 'denied' ? ' active' : ''}`} data-testid="count-denied" onClick={() => toggle('denied')}>
            <span className="count-n">{counts.denied}</span>
            <span className="count-l">denied</span>
          </button>
          <button type="button" className={`count c-review${status === 'review' ? ' active' : ''}`} data-testid="count-review" onClick={() => toggle('review')}>
            <span className="count-n">{counts.review}</span>
            <span className="count-l">of them need review</span>
          </button>
          <button
            type="button"
            className={`count c-unresolved${unresolved > 0 ? '' : ' zero'}`}
            data-testid="count-unresolved"
            disabled={unresolved === 0}
            onClick={() => document.getElementById('unresolved')?.scrollIntoView({ block: 'start', behavior: 'smooth' })}
          >
            <span className="count-n">{unresolved}</span>
            <span className="count-l">unresolved sites</span>
          </button>
          {runtime && (
            <div className="runtime-note muted" data-testid="runtime-note">
              Runtime base: {runtime.runtime} {runtime.version} ({runtime.syscalls.length} syscalls, kernel {runtime.kernel})
            </div>
          )}
        </div>
        <ReportFacts />
      </div>
      <CategoryChart bars={bars} />
    </section>
  );
}
