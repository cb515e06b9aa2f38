// What the report is built from: its programs, the analysis figures and the warnings.
import { useConfine } from '../../store-context.js';

export function ReportFacts() {
  const report = useConfine((s) => s.report);
  if (!report) return null;
  const { stats } = report;
  const partial = report.programs.filter((p) => p.notFullyAnalysed && p.notFullyAnalysed.length > 0);
  return (
    <div className="facts" data-testid="report-facts">
      <div className="facts-programs">
        <table className="table compact" data-testid="program-table">
          <thead>
            <tr>
              <th>Program</th>
              <th className="num">Syscalls</th>
              <th className="num">Unresolved</th>
              <th className="num">Objects</th>
              <th>From</th>
            </tr>
          </thead>
          <tbody>
            {report.programs.map((p) => (
              <tr key={p.path} data-testid="program-row" title={[...(p.error ? [p.error] : []), ...p.warnings].join('\n')}>
                <td className="mono ellipsis">{p.path}</td>
                {p.error ? (
                  <td colSpan={3} className="warn-text">
                    not analysed: {p.error}
                  </td>
                ) : (
                  <>
                    <td className="num">
                      {p.syscalls}
                      {p.notFullyAnalysed ? (
                        <span className="warn-text" title={p.notFullyAnalysed.join('\n')} data-testid="not-fully-analysed-mark">
                          {' '}
                          (not fully analysed)
                        </span>
                      ) : null}
                    </td>
                    <td className={`num${p.unresolved > 0 ? ' warn-text' : ''}`}>{p.unresolved}</td>
                    <td className="num">{p.objects.length}</td>
                  </>
                )}
                <td className="muted">{p.source === 'phase1' ? `phase 1${p.execs ? ` (${p.execs}×)` : ''}` : p.source === 'argument' ? 'named' : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="facts-line muted">
        {stats.objects} objects in the graphs (the vDSO included) · {stats.functions.toLocaleString()} functions · {stats.instructions.toLocaleString()} instructions · {stats.seconds.toFixed(1)} s
        {stats.cachedObjects > 0 ? ` (${stats.cachedObjects} objects from cache)` : ''} · kernel table {report.kernel}
        {report.phase1 ? ` · phase 1: ${report.phase1.method}, ${report.phase1.seconds} s, ${report.phase1.execs} execs` : ''}
      </div>
      {partial.length > 0 && (
        <details className="warnings" open data-testid="not-fully-analysed">
          <summary className="warn-text">
            {partial.length} program{partial.length === 1 ? '' : 's'} not fully analysed: the policy may miss syscalls
          </summary>
          <ul>
            {partial.flatMap((p) =>
              p.notFullyAnalysed!.map((why, i) => (
                <li key={`${p.path}-${i}`} className="mono">
                  {p.path}: {why}
                </li>
              )),
            )}
          </ul>
        </details>
      )}
      {report.warnings.length > 0 && (
        <details className="warnings" data-testid="report-warnings">
          <summary className="warn-text">
            {report.warnings.length} warning{report.warnings.length === 1 ? '' : 's'}
          </summary>
          <ul>
            {report.warnings.map((w, i) => (
              <li key={i} className="mono">
                {w}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
