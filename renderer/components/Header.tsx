import { useConfine } from '../store-context.js';
import { VIEW_LABELS } from '../state/nav.js';
import { reportTitle } from '../state/reports.js';

export function Header() {
  const view = useConfine((s) => s.view);
  const report = useConfine((s) => s.report);
  const meta = useConfine((s) => s.reports.find((r) => r.id === s.currentReportId));
  const host = useConfine((s) => s.host);
  const connection = useConfine((s) => s.connection);
  const title = reportTitle(meta, report);
  return (
    <header className="header" data-testid="header">
      <div className="header-title">
        <span className="header-view">{VIEW_LABELS[view]}</span>
        {report ? (
          <>
            <span className="header-sep">/</span>
            <span className="header-report" data-testid="header-report-title" title={title}>
              {title}
            </span>
            <span className="header-stats" data-testid="header-report-stats">
              {report.syscalls.length} syscalls · {report.programs.length} program{report.programs.length === 1 ? '' : 's'} · {report.unresolved.length} unresolved
              {meta ? ` · ${new Date(meta.createdAt).toLocaleString()}` : ''}
            </span>
          </>
        ) : (
          <span className="header-noreport" data-testid="header-report-title">
            no report open
          </span>
        )}
      </div>
      <div className="header-right">
        <span className={`conn conn-${connection}`} data-testid="connection-status" title={host ? `${host.transport} transport` : ''}>
          <span className="dot" aria-hidden="true" />
          {connection === 'open' ? (host?.transport === 'electron' ? 'desktop' : 'connected') : connection === 'connecting' ? 'connecting…' : 'disconnected'}
        </span>
      </div>
    </header>
  );
}
