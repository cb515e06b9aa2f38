import { useConfine } from '../store-context.js';
import { VIEW_LABELS, type ViewName } from '../state/nav.js';

export function NoReport({ view }: { view: ViewName }) {
  const navigate = useConfine((s) => s.navigate);
  const loading = useConfine((s) => s.reportLoading);
  return (
    <div className="empty" data-testid="no-report">
      {loading ? (
        <p>Loading the report…</p>
      ) : (
        <>
          <p>
            <strong>{VIEW_LABELS[view]}</strong> shows an analysis report. No report is open.
          </p>
          <button type="button" className="btn primary" data-testid="goto-images" onClick={() => navigate('images')}>
            Analyse an image or open a report
          </button>
        </>
      )}
    </div>
  );
}
