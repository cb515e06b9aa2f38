import { useConfine } from '../../store-context.js';
import { Icon } from '../../components/Icon.js';

export function ReportsList() {
  const reports = useConfine((s) => s.reports);
  const loading = useConfine((s) => s.reportsLoading);
  const current = useConfine((s) => s.currentReportId);
  const load = useConfine((s) => s.loadReports);
  const openReport = useConfine((s) => s.openReport);
  const navigate = useConfine((s) => s.navigate);
  const open = async (id: string): Promise<void> => {
    if (await openReport(id)) navigate('policy');
  };
  return (
    <section className="panel" data-testid="reports-panel">
      <div className="panel-head">
        <h2>Reports</h2>
        <span className="muted">{reports.length}</span>
        <button type="button" className="btn small" onClick={() => void load()} disabled={loading} data-testid="reports-refresh">
          <Icon name="refresh" size={14} /> Refresh
        </button>
      </div>
      <div className="table-wrap">
        <table className="table" data-testid="report-table">
          <thead>
            <tr>
              <th className="col-title">Title</th>
              <th>Created</th>
              <th className="num">Syscalls</th>
              <th className="num">Programs</th>
              <th className="num">Unresolved</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {reports.length === 0 && (
              <tr>
                <td colSpan={6} className="muted">
                  {loading ? 'Loading…' : 'No reports yet: analyse something above.'}
                </td>
              </tr>
            )}
            {reports.map((r) => (
              <tr key={r.id} className={r.id === current ? 'selected' : ''} data-testid="report-row" data-report-id={r.id} onDoubleClick={() => void open(r.id)}>
                <td className="mono ellipsis" title={r.title}>
                  {r.title}
                </td>
                <td>{new Date(r.createdAt).toLocaleString()}</td>
                <td className="num">{r.syscalls}</td>
                <td className="num">{r.programs}</td>
                <td className={`num${r.unresolved > 0 ? ' warn-text' : ''}`}>{r.unresolved}</td>
                <td className="actions">
                  <button type="button" className="btn small" data-testid="report-open" onClick={() => void open(r.id)}>
                    {r.id === current ? 'Show' : 'Open'}
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
